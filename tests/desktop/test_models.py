"""The table models, without a window."""

from PySide6.QtCore import QModelIndex, Qt

from desktop.models import AgentsTableModel, ChatTableModel, ClusterTableModel, EditsTableModel
from desktop.models.chat_model import MAX_MESSAGES
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
    assert cells(model, 1)[6] == "RuntimeError: boom"
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
    assert cells(model, 0)[2:] == ["работает", "—", "3", "95 мс", "12 с назад", "3"]
    model.set_state(payloads.parse_node_state(samples.node("b", ready=False)))
    assert cells(model, 1)[2] == "недоступен (догоняет остальных)"
    model.set_state(payloads.parse_node_state(samples.node("c", database="refused")))
    assert cells(model, 2)[2] == "недоступен (нет базы данных)"
    model.set_down("a", "не отвечает")
    assert cells(model, 0)[2] == "недоступен (не отвечает)"
    assert cells(model, 0)[4:] == ["—", "—", "—", "—"]
    assert model.data(model.index(0, 0), Qt.ItemDataRole.BackgroundRole) is not None
    model.set_process(payloads.NodeProcess("a", "Москва", "stopped", None))
    model.set_process(payloads.NodeProcess("z", "", "running", 1))  # not ours: ignored
    assert cells(model, 0)[3] == "остановлен"
    assert changed == [0, 1, 2, 0, 0]
    assert model.rowCount(QModelIndex()) == 3


def test_agents_model_says_an_idle_agent_has_nothing_to_edit(qapp) -> None:
    model = AgentsTableModel()
    listing = samples.agents()
    listing["agents"][0]["state"] = "idle"
    model.set_rows(payloads.parse_agents(listing).agents)
    assert cells(model, 0)[2] == "нечего править"
    assert model.data(model.index(0, 0), Qt.ItemDataRole.BackgroundRole) is None
