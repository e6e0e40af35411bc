"""Spec scenarios 4 and 5: replication between the nodes; a node fails and catches up."""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import Any

import httpx

from ..nginx import NginxPaths
from ..node_actions import act
from ..text_cluster import NODE_NAMES
from ._session import EDITOR, Scenario, ScenarioError, moment
from ._words import chars, count, decimal, edits, joined

OUTAGE_S = 6.0
"""How long scenario 5 keeps the node down: longer than the dashboard's 2 s poll, so a viewer
of the cluster view sees the node down, its last version and how far it falls behind."""
EDIT_EVERY_S = 1.5
"""Scenario 5 writes through nginx at this interval while the node is down."""
CATCH_UP_WAIT_S = 20.0
NODE_EVENTS = frozenset(
    {
        "node_down",
        "node_back",
        "node_caught_up",
        "link_failing",
        "link_recovered",
        "partition_healed",
    }
)
"""The cluster timeline's kinds scenario 5 shows."""


def _peer(name: str, peer: dict[str, Any], now_ms: float) -> str:
    """One peer link of `GET /api/node` in words."""
    ack = peer.get("last_ack_ms")
    said = (
        f"{name}: последнее подтверждение {now_ms - ack:.0f} мс назад"
        if isinstance(ack, int | float)
        else f"{name}: подтверждений ещё не было"
    )
    failing = peer.get("failing")
    if isinstance(failing, str) and failing:
        return f"{said}, сбой связи: {failing}"
    if peer.get("state") == "unknown":
        return f"{said}, состояние связи неизвестно"
    return f"{said}, связь в порядке"


def replication(s: Scenario) -> None:
    """Spec scenario 4: one edit applied on one node reaches the two others within seconds."""
    response = s.append("Сценарий 4: эту правку узлы передают друг другу.")
    if response.status_code != 201:
        raise ScenarioError(f"правка ответила {response.status_code}: {response.text}")
    body = response.json()
    origin = body["node"]
    s.log(f"POST /api/edits → 201 на узле {origin}, версия {body['version']}")
    pending = {n for n in NODE_NAMES if n != origin}
    while pending:
        for letter in sorted(pending):
            listed = s.get(f"/nodes/{letter}/api/edits", agent_id=EDITOR, limit=20)["edits"]
            if any(e["edit_id"] == body["edit_id"] for e in listed):
                pending.discard(letter)
                s.log(f"узел {letter} получил правку (её передал узел {origin})")
        if pending:
            time.sleep(0.02)
            if s.log.elapsed > 20:
                raise ScenarioError(f"узлы {joined(sorted(pending))} не получили правку за 20 с")
    acknowledged = joined(body["acknowledged_by"])
    s.log(
        f"клиенту подтвердили: узлы {acknowledged}"
        if acknowledged
        else "клиент получил ответ до подтверждений соседей"
    )
    state = s.get(f"/nodes/{origin}/api/node")
    now_ms = time.time() * 1000
    links = "; ".join(_peer(p, v, now_ms) for p, v in sorted(state["peers"].items()))
    s.log(f"соседи узла {origin} — {links}")
    view = s.wait_identical()
    s.log(f"все три узла совпадают: версия {view['version']}, {chars(len(view['text']))}")
    lag = s.metrics()["replication"]
    p50 = lag["lag_ms"]["p50"]
    s.log(
        f"аналитика: {count(int(lag['count']), 'репликация', 'репликации', 'репликаций')}, "
        + (f"задержка p50 {decimal(p50)} мс" if p50 is not None else "задержки ещё нет")
    )


def node_failure(s: Scenario, victim: str = "b", outage_s: float = OUTAGE_S) -> None:
    """Spec scenario 5: a node dies, nginx sends its share to the others, it returns and
    catches up. The outage lasts `outage_s` so that it can be watched on the cluster view."""
    component = s.stack.node(victim)
    if component.pid() is None:
        raise ScenarioError(f"узел {victim} не запущен (./chorus node start {victim})")
    before = s.get(f"/nodes/{victim}/api/document/current")["version"]
    since = moment()
    s.log(f"узел {victim} на версии {before}; процесс {component.pid()} убит сигналом SIGKILL")
    act(s.stack, "kill", victim)
    killed = time.time()
    ids: list[str] = []
    served: Counter[str] = Counter()
    try:
        while time.time() - killed < outage_s or len(ids) < 3:
            started = time.monotonic()
            n = len(ids) + 1
            response = s.append(f"Сценарий 5: правка {n}, пока узел {victim} недоступен.")
            if response.status_code != 201:
                raise ScenarioError(f"правка {n} ответила {response.status_code}")
            body = response.json()
            ids.append(body["edit_id"])
            served[body["node"]] += 1
            s.log(f"правка {n} через nginx → 201 на узле {body['node']}, версия {body['version']}")
            time.sleep(max(0.0, EDIT_EVERY_S - (time.monotonic() - started)))
        down = s.client.get(f"/nodes/{victim}/health")
        now = s.get("/api/document/current")["version"]
        behind = count(now - before, "версию", "версии", "версий")
        s.log(
            f"GET /nodes/{victim}/health → {down.status_code}: узел {victim} недоступен "
            f"уже {decimal(time.time() - killed)} с и отстаёт на {behind} (у него {before}, "
            f"у кластера {now})"
        )
    finally:
        act(s.stack, "start", victim)
        restarted = time.time()
        s.log(f"узел {victim} запущен снова")
        component.wait_ready(60.0)
    s.log(_what_nginx_did(served, victim))
    failover = _failovers(s, victim, killed, restarted)
    if failover:
        s.log(failover)
    s.log(f"узел {victim} отвечает на запросы")
    _catch_up(s, victim, before)
    held = {e["edit_id"] for e in s.get(f"/nodes/{victim}/api/edits", agent_id=EDITOR)["edits"]}
    missing = [i for i in ids if i not in held]
    if missing:
        raise ScenarioError(
            f"у узла {victim} не хватает правок, сделанных без него: {len(missing)} из {len(ids)}"
        )
    s.log(f"у узла {victim} есть все {edits(len(ids))}, сделанные, пока он лежал")
    view = s.wait_identical()
    s.log(f"все три узла снова совпадают: версия {view['version']}")

    def recovered() -> Any:
        nodes = {n["node"]: n for n in s.metrics()["nodes"]}
        return nodes.get(victim, {}).get("recovered")

    times = s.poll("событие node_recovered", recovered, limit_s=20)
    s.log(
        f"аналитика: узел {victim} восстанавливался {count(int(times), 'раз', 'раза', 'раз')} "
        "за последний час"
    )
    s.show_cluster_events(since, NODE_EVENTS, until="node_caught_up")


def _what_nginx_did(served: Counter[str], victim: str) -> str:
    """Which nodes answered the scenario's edits while `victim` was down."""
    total = sum(served.values())
    others = joined(f"{node} ({served[node]})" for node in sorted(served))
    took = "принял узел" if len(served) == 1 else "приняли узлы"
    return (
        f"nginx: {edits(total)} за время простоя {took} {others}, узел {victim} — "
        f"{served[victim] or 'ни одной'}: запросы, которые пришлись бы на {victim}, ушли к "
        "соседям"
    )


def _failovers(s: Scenario, victim: str, since: float, until: float) -> str | None:
    """What the balancer's access log says about requests nginx tried on `victim` during the
    outage (every client's, the agents' too); None when the log cannot be read."""
    ports = s.stack.config.ports
    # the node itself, and its reader process (reads of the current text)
    addresses = {f"127.0.0.1:{ports.node(victim)}", f"127.0.0.1:{ports.reader(victim)}"}
    path = NginxPaths(s.stack.config.state.nginx).access_log
    tried = moved = 0
    try:
        with path.open(encoding="utf-8") as log:
            for line in log:
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue
                upstreams = [u.strip() for u in str(entry.get("up", "")).split(",")]
                pooled = str(entry.get("uri", "")).startswith("/api/")  # not /nodes/b/...
                during = since <= float(entry.get("t", 0)) <= until
                if not (pooled and during and addresses.intersection(upstreams)):
                    continue
                tried += 1
                moved += upstreams[-1] not in addresses
    except OSError:
        return None
    if not tried:
        return (
            f"журнал nginx: за время простоя ни один запрос не ушёл на узел {victim} "
            "(узел уже был исключён из ротации)"
        )
    passed = "все эти запросы" if moved == tried else f"{moved} из {tried}"
    return (
        f"журнал nginx: попыток передать запрос узлу {victim} (от клиентов и агентов) — "
        f"{tried}, каждая получила отказ соединения; nginx передал {passed} другим узлам. "
        "После отказа узел на 5 с выключен из ротации, затем nginx пробует его одним запросом"
    )


def _catch_up(s: Scenario, victim: str, before: int) -> None:
    """How many versions the restarted node caught up, from its `catch_up` report (GET
    /api/node); its versions before and after where the node does not report one."""

    def finished() -> Any:
        report = s.get(f"/nodes/{victim}/api/node").get("catch_up")
        if not isinstance(report, dict):
            return {"missing": True}
        return report if report.get("state") == "done" else None

    try:
        report = s.poll(f"догон узла {victim}", finished, limit_s=CATCH_UP_WAIT_S)
    except (ScenarioError, httpx.HTTPError):
        report = {"missing": True}
    if report.get("missing") or not isinstance(report.get("ops"), int):
        now = s.get(f"/nodes/{victim}/api/document/current")["version"]
        s.log(
            f"узел {victim} догнал соседей: версия {before} → {now} (подробностей догона "
            "узел не сообщает)"
        )
        return
    sources = report.get("from") or {}
    origin = ", ".join(f"от {peer}: {n}" for peer, n in sorted(sources.items()) if n)
    took = report.get("duration_ms")
    s.log(
        f"узел {victim} догнал {count(report['ops'], 'версию', 'версии', 'версий')}"
        + (f" за {took} мс" if isinstance(took, int | float) else "")
        + (f" ({origin})" if origin else "")
    )
