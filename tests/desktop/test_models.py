"""The table models, without a window."""

from PySide6.QtCore import QModelIndex, Qt

from desktop.models import (
    AgentsTableModel,
    ChatTableModel,
    ClusterTableModel,
    EditsTableModel,
    LinksTableModel,
    TimelineTableModel,
)
from desktop.models.chat_model import MAX_MESSAGES
from desktop.models.cluster_model import CATCHING_UP_BACKGROUND, catch_up_text
from desktop.models.record_table import ALERT_BACKGROUND
from desktop.net import payloads

from . import samples

DISPLAY = Qt.ItemDataRole.DisplayRole


def cells(model, row: int) -> list[str]:
    return [model.data(model.index(row, column), DISPLAY) for column in range(model.columnCount())]


def test_edits_model_shows_a_page_in_russian_and_marks_rejected_and_superseded(qapp) -> None:
    model = EditsTableModel()
    page = payloads.parse_edit_page(
        samples.edit_page(
            [samples.edit(1), samples.edit(2, "rejected"), samples.edit(3, "superseded")], total=3
        )
    )
    model.set_rows(page.edits)
    assert model.rowCount() == 3
    assert model.columnCount() == 9
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(9)]
    assert headers[:3] == ["Время", "Агент", "Статус"]
    assert model.headerData(0, Qt.Orientation.Vertical) == "1"
    assert model.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) is None
    first = cells(model, 0)
    assert first[1:5] == ["agent-1", "принята", "в конец", "Правка номер 1."]
    assert cells(model, 1)[2] == "отклонена"
    assert cells(model, 1)[6] == ""
    assert cells(model, 2)[2] == "перезаписана"
    background = Qt.ItemDataRole.BackgroundRole
    assert model.data(model.index(0, 0), background) is None
    assert model.data(model.index(1, 0), background).color() == ALERT_BACKGROUND
    assert model.data(model.index(2, 0), Qt.ItemDataRole.FontRole).strikeOut()
    assert model.data(model.index(0, 0), Qt.ItemDataRole.FontRole) is None
    alignment = model.data(model.index(0, 5), Qt.ItemDataRole.TextAlignmentRole)
    assert alignment & Qt.AlignmentFlag.AlignRight
    assert model.data(model.index(5, 0), DISPLAY) is None
    assert model.data(model.index(0, 0), Qt.ItemDataRole.DecorationRole) is None
    assert model.rowCount(model.index(0, 0)) == 0


def test_edit_preview_is_shortened_and_a_deletion_says_so(qapp) -> None:
    long = {**samples.edit(1), "proposed_text": "слово " * 100}
    empty = {**samples.edit(2), "proposed_text": ""}
    model = EditsTableModel()
    model.set_rows(payloads.parse_edit_page(samples.edit_page([long, empty], 2)).edits)
    assert cells(model, 0)[4].endswith("…")
    assert len(cells(model, 0)[4]) == 120
    assert cells(model, 1)[4] == "(удаление)"


def test_chat_model_appends_new_messages_once_in_time_order(qapp) -> None:
    model = ChatTableModel()
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    assert model.last_timestamp is None
    first = payloads.parse_chat([samples.message(2), samples.message(1)])
    assert model.add_messages(first) == 2
    assert model.last_timestamp == samples.message(2)["timestamp"]
    assert model.add_messages(payloads.parse_chat([samples.message(2), samples.message(3)])) == 1
    assert inserted == [(0, 1), (2, 2)]
    assert [cells(model, row)[2] for row in range(3)] == [
        "Беру абзац 1.",
        "Беру абзац 2.",
        "Беру абзац 3.",
    ]
    assert model.add_messages([]) == 0


def test_chat_model_drops_the_oldest_beyond_its_cap(qapp) -> None:
    model = ChatTableModel()
    many = [
        payloads.ChatMessage(
            "agent-1", f"m{n}", f"2026-11-25T01:{n // 60:02d}:{n % 60:02d}.{n:06d}Z", str(n)
        )
        for n in range(MAX_MESSAGES + 5)
    ]
    model.add_messages(many)
    assert model.rowCount() == MAX_MESSAGES
    assert model.row(0).message == "m5"


def test_agents_model_marks_a_failed_agent(qapp) -> None:
    model = AgentsTableModel()
    model.set_rows(payloads.parse_agents(samples.agents()).agents)
    assert cells(model, 0)[:3] == ["agent-1", "эксперт по теме", "работает"]
    assert cells(model, 1)[2] == "сбой"
    assert cells(model, 1)[6] == "Непредвиденная ошибка (подробности — в журнале сервиса)"
    assert model.data(model.index(1, 0), Qt.ItemDataRole.BackgroundRole) is not None
    assert len(model.rows()) == 2


def test_cluster_model_has_three_nodes_up_down_and_their_process(qapp) -> None:
    now_s = 1_795_570_661_863 / 1000 + 12
    model = ClusterTableModel(clock=lambda: now_s)
    changed: list[int] = []
    model.dataChanged.connect(lambda top, _bottom, _roles: changed.append(top.row()))
    assert [cells(model, r)[:2] for r in range(3)] == [
        ["a", "Москва"],
        ["b", "Санкт-Петербург"],
        ["c", "Новосибирск"],
    ]
    assert cells(model, 0)[2] == "недоступен (нет данных)"
    model.set_state(payloads.parse_node_state(samples.node("a")))
    assert model.node("a").healthy
    assert cells(model, 0)[2:] == [
        "работает",
        "—",
        "3",
        "нет",
        "—",
        "95 мс",
        "12 с назад",
        "3",
        "a 1 · b 1 · c 1",
        "сеанс пуст",
    ]
    model.set_state(payloads.parse_node_state(samples.node("b", ready=False)))
    assert cells(model, 1)[2] == "догоняет остальных"
    model.set_state(payloads.parse_node_state(samples.node("c", database="refused")))
    assert cells(model, 2)[2] == "недоступен (нет базы данных)"
    model.set_down("a", "не отвечает")
    assert cells(model, 0)[2] == "недоступен (не отвечает)"
    assert cells(model, 0)[4] == "3 (последняя известная)"
    assert cells(model, 0)[7] == "—"
    assert cells(model, 0)[9] == "—"
    assert model.data(model.index(0, 0), Qt.ItemDataRole.BackgroundRole).color() == ALERT_BACKGROUND
    assert model.data(model.index(1, 0), Qt.ItemDataRole.BackgroundRole).color() == (
        CATCHING_UP_BACKGROUND
    )
    model.set_process(payloads.NodeProcess("a", "Москва", "stopped", None))
    model.set_process(payloads.NodeProcess("z", "", "running", 1))  # not ours: ignored
    assert cells(model, 0)[3] == "остановлен"
    assert changed[:3] == [0, 0, 1]
    assert model.rowCount(QModelIndex()) == 3


def test_a_down_node_keeps_its_last_version_and_says_how_far_behind_it_is(qapp) -> None:
    model = ClusterTableModel()
    for name, version in (("a", 42), ("b", 37), ("c", 42)):
        model.set_state(payloads.parse_node_state(samples.node_with_links(name, version=version)))
    assert model.summary() == (
        "warning",
        "Все узлы работают; репликация в пути: b отстаёт на 5 версий.",
    )
    model.set_down("b", "не отвечает")
    assert cells(model, 1)[4:6] == ["37 (последняя известная)", "отстаёт на 5 версий"]
    model.set_state(payloads.parse_node_state(samples.node_with_links("a", version=38)))
    model.set_state(payloads.parse_node_state(samples.node_with_links("c", version=38)))
    assert cells(model, 1)[5] == "отстаёт на 1 версию"
    severity, text = model.summary()
    assert severity == "error"
    assert text == (
        "Узел b недоступен (не отвечает), последняя версия 37, отстаёт на 1 версию. "
        "Работают 2 из 3 узлов."
    )
    assert cells(model, 0)[6] == "догнал 17 версий за 85 мс (от a: 12, от c: 5)"


def test_catch_up_and_the_summary_when_all_agree(qapp) -> None:
    model = ClusterTableModel()
    catching = {"state": "catching_up", "ops": 3, "duration_ms": None, "from": {}}
    for name in "ac":
        model.set_state(payloads.parse_node_state(samples.node_with_links(name)))
    model.set_state(payloads.parse_node_state(samples.node_with_links("b", catch_up=catching)))
    assert cells(model, 1)[2] == "догоняет остальных"
    assert cells(model, 1)[6] == "догоняет: принял 3 версии"
    one = {**catching, "ops": 1}
    model.set_state(payloads.parse_node_state(samples.node_with_links("b", catch_up=one)))
    assert cells(model, 1)[6] == "догоняет: принял 1 версию"
    model.set_state(payloads.parse_node_state(samples.node_with_links("b", catch_up=catching)))
    assert model.summary() == (
        "warning",
        "Узел b догоняет остальных. Работают 3 из 3 узлов.",
    )
    nothing = {"state": "done", "ops": 0, "duration_ms": 2, "from": {}}
    model.set_state(payloads.parse_node_state(samples.node_with_links("b", catch_up=nothing)))
    assert cells(model, 1)[6] == "не отставал"
    assert model.summary() == ("ok", "Все узлы работают, версии совпадают (3).")
    assert catch_up_text(None) == "—"


def test_the_summary_agrees_with_how_many_nodes_work(qapp) -> None:
    model = ClusterTableModel()
    model.set_state(payloads.parse_node_state(samples.node_with_links("a")))
    assert model.summary()[1].endswith("Работает 1 из 3 узлов.")
    model.set_down("a", "не отвечает")
    assert model.summary()[1].endswith("Не работает ни один узел.")


def test_links_show_state_lag_and_a_russian_error(qapp) -> None:
    now_s = 1_795_570_661_863 / 1000 + 3
    nodes = ClusterTableModel()
    links = LinksTableModel(clock=lambda: now_s)
    assert [cells(links, r)[0] for r in range(6)] == [
        "a → b",
        "a → c",
        "b → a",
        "b → c",
        "c → a",
        "c → b",
    ]
    assert cells(links, 0)[1] == "нет данных"
    raw = "ClientConnectorError Cannot connect to host node-b:8000 ssl:default"
    nodes.set_state(payloads.parse_node_state(samples.node_with_links("a", failing={"b": raw})))
    nodes.set_state(payloads.parse_node_state(samples.node_with_links("c")))
    links.set_nodes(nodes.rows())
    assert cells(links, 0)[1] == "сбой"
    assert cells(links, 0)[6] == "Нет соединения с node-b:8000"
    assert links.data(links.index(0, 0), Qt.ItemDataRole.BackgroundRole).color() == ALERT_BACKGROUND
    assert cells(links, 1)[1:4] == ["работает", "12 мс", "1,5 с"]
    assert cells(links, 1)[5] == "3 с назад"
    assert links.data(links.index(1, 0), Qt.ItemDataRole.BackgroundRole) is None
    assert links.link("a", "b").link is not None
    nodes.set_down("c", "не отвечает")
    links.set_nodes(nodes.rows())
    assert cells(links, 4)[1] == "работает (узел c не отвечает)"
    severity, text = nodes.summary()
    assert severity == "error"
    assert "не работает связь a → b" in text
    # a node from before the link states: the state follows from `failing` and the acks
    old = samples.node("a")
    old["peers"]["b"] = {"last_ack_ms": None, "failing": "Узел b не отвечает"}
    old["peers"]["c"] = {"last_ack_ms": None, "failing": None}
    state = payloads.parse_node_state(old)
    assert [link.state for link in state.peers] == ["failing", "unknown"]


def test_timeline_model_colours_by_severity(qapp) -> None:
    model = TimelineTableModel()
    events = payloads.parse_timeline(samples.timeline())
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.set_events(events)
    model.set_events(list(events))  # the same events: no reset, the selection stays
    assert resets == [1]
    assert cells(model, 0)[1:] == ["Узел b догнал 17 версий за 85 мс", "от a: 12, от c: 5"]
    assert len(cells(model, 0)[0]) == 8
    assert model.data(model.index(1, 0), Qt.ItemDataRole.BackgroundRole).color() == ALERT_BACKGROUND


def test_edit_reasons_are_russian(qapp) -> None:
    model = EditsTableModel()
    conflict = {**samples.edit(1, "rejected"), "reason": "conflict", "message": ""}
    explained = {**samples.edit(2, "rejected"), "reason": "conflict", "message": "Фрагмент 1:5 …"}
    english = {**samples.edit(3, "rejected"), "reason": "range 1:5 of version 3 was changed"}
    model.set_rows(
        payloads.parse_edit_page(samples.edit_page([conflict, explained, english], 3)).edits
    )
    assert [cells(model, row)[8] for row in range(3)] == [
        "фрагмент уже изменила другая правка: нужно перечитать документ",
        "Фрагмент 1:5 …",
        "Фрагмент уже изменила другая правка: нужно перечитать документ",
    ]


def test_agents_model_says_an_idle_agent_has_nothing_to_edit(qapp) -> None:
    model = AgentsTableModel()
    listing = samples.agents()
    listing["agents"][0]["state"] = "idle"
    model.set_rows(payloads.parse_agents(listing).agents)
    assert cells(model, 0)[2] == "нечего править"
    assert model.data(model.index(0, 0), Qt.ItemDataRole.BackgroundRole) is None
