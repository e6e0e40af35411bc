"""The report as one self-contained HTML page in Russian: inline CSS, inline SVG, no address
of anything outside the file (it opens, and prints, without a network)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from html import escape
from typing import Any

import wording
from agents.settings import SIMULATOR_MODEL

from ._charts import SEVERITY_COLOURS, Chart, clock, svg
from ._collect import RunData
from ._evidence import Check
from ._figures import Event

_CSS = """
@page { size: A4; margin: 12mm 11mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #1c2833;
  margin: 0 auto; max-width: 800px; padding: 16px; font-size: 12.5px; line-height: 1.45; }
h1 { font-size: 22px; margin: 0 0 2px; }
h2 { font-size: 16px; margin: 22px 0 8px; border-bottom: 2px solid #d5dbe1; padding-bottom: 3px;
  break-after: avoid; }
h3 { font-size: 13px; margin: 12px 0 4px; break-after: avoid; }
.subtitle { color: #566573; margin: 0 0 12px; }
.verdict { padding: 10px 14px; border-radius: 6px; font-weight: bold; font-size: 14px;
  margin: 10px 0; }
.verdict.pass { background: #e9f7ef; border: 1px solid #1e8449; color: #145a32; }
.verdict.fail { background: #fdedec; border: 1px solid #c0392b; color: #78281f; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; }
th, td { border-bottom: 1px solid #e5e8e8; padding: 3px 6px; text-align: left;
  vertical-align: top; }
th { background: #f4f6f7; font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
.params th { width: 30%; background: none; font-weight: 600; color: #566573; }
.figures { display: flex; flex-wrap: wrap; gap: 6px; margin: 6px 0; }
.figures div { border: 1px solid #d5dbe1; border-radius: 5px; padding: 5px 9px;
  min-width: 150px; }
.figures b { display: block; font-size: 15px; }
.figure { break-inside: avoid; margin-bottom: 8px; }
.small-charts { display: flex; flex-wrap: wrap; gap: 0 12px; }
.small-charts .figure { width: calc(50% - 6px); }
.chart { display: block; width: 100%; height: auto; }
h3 .unit { font-weight: normal; color: #566573; }
td.nowrap, td:first-child { white-space: nowrap; }
.chart .tick { font-size: 10px; fill: #566573; }
.chart .unit { font-size: 10px; fill: #566573; }
.chart .level { font-size: 10px; }
.chart .mark-number { font-size: 10px; fill: #fff; font-weight: bold; }
.legend { font-size: 11px; color: #34495e; }
.legend span { margin-right: 12px; white-space: nowrap; }
.legend i { display: inline-block; width: 14px; height: 3px; vertical-align: middle;
  margin-right: 4px; }
.legend i.dashed { background: none !important; border-top: 2px dashed; height: 0; }
.note { font-size: 11px; color: #566573; margin: 2px 0 0; }
.ok { color: #1e8449; font-weight: bold; }
.bad { color: #c0392b; font-weight: bold; }
.badge { display: inline-block; min-width: 18px; padding: 0 4px; border-radius: 9px;
  color: #fff; text-align: center; font-size: 10px; font-weight: bold; }
code, .hash { font-family: "DejaVu Sans Mono", monospace; font-size: 10.5px;
  word-break: break-all; }
pre { white-space: pre-wrap; word-wrap: break-word; font-family: "DejaVu Sans Mono", monospace;
  font-size: 10.5px; background: #f8f9f9; border: 1px solid #e5e8e8; padding: 8px;
  border-radius: 4px; }
pre.document { font-family: "DejaVu Serif", Georgia, serif; font-size: 12px;
  line-height: 1.5; background: #fff; }
"""


def _when(at: datetime) -> str:
    return at.astimezone().strftime("%d.%m.%Y %H:%M:%S")


def _zone(at: datetime) -> str:
    offset = at.astimezone().strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}"


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{wording.decimal(value, 1)} мс"


def parameters(data: RunData) -> list[tuple[str, str]]:
    """The run's parameters as label → value, the caller's own ones last."""
    roles = Counter(str(agent.get("role") or "") for agent in data.agents)
    if data.agents:
        listed = ", ".join(
            f"{role} ×{n}" if n > 1 else role for role, n in sorted(roles.items(), key=_by_count)
        )
        agents = f"{len(data.agents)}: {listed}"
    else:
        agents = data.agents_note or "агенты не запускались"
    if not data.model:
        model = "неизвестно (супервизор агентов не ответил)"
    elif data.model == SIMULATOR_MODEL:
        model = f"офлайн-симулятор ({data.model}), не языковая модель"
    else:
        model = f"языковая модель {data.model} (OpenAI-совместимый API)"
    budget = "неизвестен"
    if data.budget_limit:
        budget = (
            f"{wording.number(data.budget_limit)} токенов, израсходовано "
            f"{wording.number(data.budget_used or 0)}"
        )
    span_ms = (data.generated_at - data.since).total_seconds() * 1000
    rows = [
        ("Тема", data.topic or "—"),
        ("Документ", f"{data.document_id}, начат {_when(data.document_start)}"),
        (
            "Период отчёта",
            f"{_when(data.since)} — {_when(data.generated_at)} ({wording.duration(span_ms)}), "
            f"время {_zone(data.generated_at)}",
        ),
        ("Агенты и роли", agents),
        ("Модель", model),
        ("Бюджет токенов", budget),
        ("Ограничение частоты", f"{data.rate_limit} на токен агента (nginx)"),
    ]
    return rows + data.parameters


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return (-item[1], item[0])


def _table(head: list[str], rows: list[list[str]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    cells = "".join(
        f'<th class="num">{h}</th>' if i in numeric else f"<th>{h}</th>" for i, h in enumerate(head)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def _figure(chart: Chart) -> str:
    legend = "".join(
        f'<span><i class="{"dashed" if line.dashed else ""}" style="background:{line.colour};'
        f'border-color:{line.colour}"></i>{escape(line.label)}</span>'
        for line in chart.lines
    )
    note = f'<p class="note">{escape(chart.note)}</p>' if chart.note else ""
    return (
        f'<div class="figure"><h3>{escape(chart.title)}'
        f'<span class="unit">, {escape(chart.unit)}</span></h3>{svg(chart)}'
        f'<div class="legend">{legend}</div>{note}</div>'
    )


def _summary(metrics: dict[str, Any], document_edits: int) -> str:
    status = metrics["edits_by_status"]
    lag = metrics["replication"]["lag_ms"]
    latency = metrics["edit_latency_ms"]
    tiles = [
        ("принято правок", wording.number(status["accepted"])),
        ("отклонено", wording.number(status["rejected"])),
        ("вытеснено", wording.number(status["superseded"])),
        ("правок в минуту", wording.decimal(metrics["edits_per_minute"], 1)),
        ("токенов за период", wording.number(metrics["total_tokens"])),
        ("правок документа в аналитике", wording.number(document_edits)),
        ("правка на узле p50 / p95", f"{_ms(latency['p50'])} / {_ms(latency['p95'])}"),
        (
            "репликация p50 / p95 / p99",
            f"{_ms(lag['p50'])} / {_ms(lag['p95'])} / {_ms(lag['p99'])}",
        ),
    ]
    return (
        '<div class="figures">'
        + "".join(f"<div>{escape(label)}<b>{escape(value)}</b></div>" for label, value in tiles)
        + "</div>"
    )


def _events(listed: list[Event]) -> str:
    if not listed:
        return "<p>За период отчёта событий кластера не было.</p>"
    rows = []
    for event in listed:
        colour = SEVERITY_COLOURS.get(event.severity, "#555")
        badge = (
            f'<span class="badge" style="background:{colour}">{event.number}</span>'
            if event.number
            else "—"
        )
        rows.append([badge, clock(event.at), escape(event.title), escape(event.detail)])
    return _table(["№", "время", "событие", "подробности"], rows)


def _agents(data: RunData) -> str:
    figures = {agent["agent_id"]: agent for agent in data.metrics.get("agents", [])}
    listing = {agent["agent_id"]: agent for agent in data.agents}
    acted = {name for name, f in figures.items() if f.get("edits") or f.get("rejected")}
    names = sorted(acted | set(listing), key=_agent_order)
    if not names:
        return "<p>Агентов в этом прогоне не было.</p>"
    rows = []
    for name in names:
        applied = figures.get(name, {})
        agent = listing.get(name, {})
        superseded = data.superseded.get(name, 0)
        rows.append(
            [
                escape(name),
                escape(str(agent.get("role") or applied.get("role") or "—")),
                escape(_STATES.get(str(agent.get("state", "")), str(agent.get("state", "—")))),
                wording.number(max(int(applied.get("edits", 0)) - superseded, 0)),
                wording.number(superseded),
                wording.number(int(applied.get("rejected", 0))),
                wording.number(int(applied.get("tokens", 0))),
                wording.number(int(agent.get("chat_messages", 0))) if agent else "—",
            ]
        )
    note = f'<p class="note">{escape(data.agents_note)}</p>' if data.agents_note else ""
    head = ["агент", "роль", "состояние", "принято", "вытеснено", "отклонено", "токены", "в чат"]
    return _table(head, rows, numeric={3, 4, 5, 6, 7}) + note


_STATES = {
    "starting": "запускается",
    "running": "работает",
    "idle": "нечего править",
    "stopped": "остановлен",
    "budget_exhausted": "бюджет исчерпан (429)",
    "failed": "сбой",
}


def _agent_order(agent_id: str) -> tuple[int, str]:
    number = agent_id.rsplit("-", 1)[-1]
    return (int(number), agent_id) if number.isdigit() else (10**9, agent_id)


_PASSED = '<span class="ok">✔&nbsp;да</span>'
_FAILED = '<span class="bad">✘&nbsp;нет</span>'


def _consistency(data: RunData, checks: list[Check], verdict: str, passed: bool) -> str:
    rows = [
        [
            _PASSED if check.passed else _FAILED,
            escape(check.title),
            escape(check.detail),
        ]
        for check in checks
    ]
    nodes = [
        [
            node.name,
            "отвечает" if node.reachable else f'<span class="bad">{escape(node.error)}</span>',
            "—" if node.version is None else wording.number(node.version),
            "—" if node.version_key is None else str(node.version_key),
            f'<span class="hash">{node.sha256 or "—"}</span>',
            wording.number(node.characters) if node.reachable else "—",
            "—" if node.outbox is None else wording.number(node.outbox),
        ]
        for node in data.nodes
    ]
    return (
        f'<div class="verdict {"pass" if passed else "fail"}">{escape(verdict)}</div>'
        + _table(["итог", "проверка", "цифры"], rows)
        + _table(
            ["узел", "состояние", "версия", "version_key", "sha256 текста", "символов", "outbox"],
            nodes,
            numeric={2, 5, 6},
        )
    )


def render(
    data: RunData,
    *,
    charts: list[Chart],
    events: list[Event],
    checks: list[Check],
    verdict: str,
) -> str:
    """The whole page."""
    passed = all(check.passed for check in checks)
    big = "".join(_figure(chart) for chart in charts if not chart.small)
    small = "".join(_figure(chart) for chart in charts if chart.small)
    if not small:
        small = "<p>За период отчёта узлы ничего не реплицировали.</p>"
    params = "".join(
        f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>"
        for label, value in parameters(data)
    )
    verdicts = ""
    if data.verdicts:
        lines = escape("\n".join(data.verdicts))
        verdicts = f"<h2>Вердикты стресс-теста и набора отказов</h2><pre>{lines}</pre>"
    title = f"Отчёт о прогоне Chorus — {data.topic}" if data.topic else "Отчёт о прогоне Chorus"
    source = data.answering
    text = source.text if source else ""
    return f"""<!DOCTYPE html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<h1>Отчёт о прогоне Chorus</h1>
<p class="subtitle">«{escape(data.topic)}» · {_when(data.since)} — {_when(data.generated_at)}</p>
<div class="verdict {"pass" if passed else "fail"}">{escape(verdict)}</div>
<h2>Параметры</h2>
<table class="params">{params}</table>
<h2>Итоги</h2>
{_summary(data.metrics, data.document_edits)}
<h2>Графики</h2>
<p class="note">Данные — служба аналитики (как на панели), задержки запросов — журнал
балансировщика. Пронумерованные линии — события кластера из таблицы ниже.</p>
{big}
<h3>Задержка репликации по связям</h3>
<div class="small-charts">{small}</div>
<h2>События кластера</h2>
{_events(events)}
<h2>Агенты</h2>
{_agents(data)}
<h2>Согласованность</h2>
<p class="note">Проверено при создании отчёта, каждый узел прочитан напрямую.</p>
{_consistency(data, checks, verdict, passed)}
{verdicts}
<h2>Итоговый документ</h2>
<p class="note">{wording.number(len(text))} символов, с узла
{escape(source.name if source else "—")}.</p>
<pre class="document">{escape(text)}</pre>
</body>
</html>
"""
