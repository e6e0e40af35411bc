"""`python -m launcher` (what `./chorus <command>` runs): up, down, status, logs, node.

    up [--rate-limit 10r/m] [--agents N]
                              start what is not running, wait for health, initialise a demo
                              document if there is none, start N agents (default 10)
    down                      stop everything the launcher started
    status                    one line per component; exit status 1 if one is not healthy
    logs [service] [-n N]     the tail of a component's log (all of them without a name)
    node ACTION a|b|c         stop, start, kill (SIGKILL), freeze (SIGSTOP), thaw (SIGCONT)
    scenario 1..7|all         replay the spec's user scenarios on the running system, each
                              with a timeline of what happened
    report [--since 15m|TIME] [--out report.html] [--no-pdf] [--verdicts FILE]
                              the run as one self-contained HTML page in Russian and its PDF:
                              parameters, charts with the cluster's events, the agents, the
                              consistency evidence checked now, the document; exit status 1
                              when the cluster is not in sync

Ports default to fixed values (nginx 8080, nodes 8101-8103, ...) and are overridden by
`CHORUS_<NAME>_PORT`; `up` saves what it used in the state directory, and the other
commands use that. The state directory is `.state/` or `CHORUS_STATE_DIR`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import run_report

from . import demo, scenarios
from .components import Component
from .config import Ports, rate_limit_from_env
from .node_actions import NODE_ACTIONS, NodeAction, NotRunningError, act
from .stack import ERRORS, Stack, StackConfig, say
from .state import AGENT_COUNT, OPERATOR, Saved, StateDir

DEFAULT_AGENTS = 10


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chorus",
        description="Run Chorus locally: PostgreSQL ×4, Redis, the services and nginx.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    up = commands.add_parser("up", help="start everything that is not running")
    up.add_argument(
        "--rate-limit",
        help="requests per agent token at nginx, e.g. 10r/m (default: $CHORUS_RATE_LIMIT or 10r/m)",
    )
    up.add_argument(
        "--agents",
        type=int,
        default=DEFAULT_AGENTS,
        choices=range(0, AGENT_COUNT + 1),
        metavar="N",
        help=f"agents the supervisor starts, 0..{AGENT_COUNT} (default {DEFAULT_AGENTS})",
    )
    up.add_argument(
        "--wait", type=float, default=60.0, help="seconds to wait for each component's health"
    )
    commands.add_parser("down", help="stop everything the launcher started")
    commands.add_parser("status", help="one line per component; non-zero exit if one is down")
    logs = commands.add_parser("logs", help="the tail of a component's log")
    logs.add_argument("service", nargs="?", help="component name (default: every one)")
    logs.add_argument("-n", "--lines", type=int, default=40, help="lines to show (default 40)")
    node = commands.add_parser("node", help="act on one text node")
    node.add_argument("action", choices=NODE_ACTIONS)
    node.add_argument("letter", choices=("a", "b", "c"), metavar="a|b|c")
    scenario = commands.add_parser(
        "scenario", help="replay a spec scenario on the running system, with a timeline"
    )
    scenario.add_argument("which", choices=(*scenarios.SCENARIOS, "all"), metavar="1..7|all")
    report = commands.add_parser(
        "report", help="the run as a self-contained HTML page and its PDF, with the evidence"
    )
    report.add_argument(
        "--since",
        help="where the run begins: a span back (90s, 15m, 2h, 1d) or a time "
        "(2026-01-10T12:00); default: when the current document began",
    )
    report.add_argument(
        "--out", type=Path, default=Path("report.html"), help="the HTML file (default report.html)"
    )
    report.add_argument("--no-pdf", action="store_true", help="write the HTML only")
    report.add_argument(
        "--verdicts", type=Path, help="a file of verdict lines (a stress test's, the fault suite's)"
    )
    report.add_argument(
        "--settle",
        type=float,
        default=run_report.SETTLE_S,
        help="seconds to wait for the nodes to agree before judging (default %(default)g)",
    )
    commands.add_parser("help", help="show this help")
    return parser


def load_stack(env: Mapping[str, str], *, for_up: bool, rate_limit: str | None = None) -> Stack:
    """The stack of the state directory: the ports `up` saved, or those of the environment.

    `up` takes the environment's ports when nothing of a previous `up` is still running.
    """
    state = StateDir.from_env(env)
    saved = state.load()
    rate = rate_limit_from_env(env, rate_limit)
    if saved is None:
        config = StackConfig(state, Ports.from_env(env), rate)
    elif not for_up:
        config = StackConfig(state, saved.ports, saved.rate_limit)
    else:
        config = StackConfig(state, saved.ports, rate)
        if not any(c.pid() is not None for c in Stack(config).components):
            config = StackConfig(state, Ports.from_env(env), rate)
    return Stack(config)


def _describe(component: Component) -> tuple[str, bool]:
    state = component.state()
    healthy = state == "running" and component.healthy()
    label = (
        "healthy" if healthy else {"running": "unhealthy", "frozen": "frozen"}.get(state, "down")
    )
    pid = component.pid()
    line = (
        f"{component.name:<20} {label:<10} {f'pid {pid}' if pid else '-':<12} port {component.port}"
    )
    return line, healthy


def up(stack: Stack, wait_s: float, agents: int = DEFAULT_AGENTS) -> int:
    state = stack.config.state
    state.save(Saved(stack.config.ports, stack.config.rate_limit))
    print(f"Starting Chorus (state in {state.root})")
    stack.up(wait_s=wait_s)
    operator = stack.secrets.agent_tokens[OPERATOR]
    demo.ensure_document(stack.balancer_url, operator, say)
    demo.start_agents(stack.balancer_url, operator, agents, say)
    print("\nChorus is up:")
    for name, url in stack.urls().items():
        print(f"  {name:<12} {url}")
    print(
        f"  {'secrets':<12} {state.secrets_path} (service token; agent tokens agent-1.."
        f"agent-{AGENT_COUNT} and {OPERATOR})\n"
        f"  {'sign in':<12} the dashboard's «Войти» takes the operator token: {operator}\n"
        f"  {'logs':<12} {state.logs}/ and {state.nginx}/ (./chorus logs <service>)\n"
        f"  {'rate limit':<12} {stack.config.rate_limit.rate} per agent token at the balancer\n"
        "Stop it with ./chorus down; see it with ./chorus status."
    )
    return 0


def status(stack: Stack) -> int:
    all_healthy = True
    for component in stack.components:
        line, healthy = _describe(component)
        all_healthy &= healthy
        print(line)
    return 0 if all_healthy else 1


def logs(stack: Stack, service: str | None, lines: int) -> int:
    chosen = [stack.get(service)] if service else stack.components
    for component in chosen:
        if not service:
            print(f"==> {component.name}: {component.log_path} <==")
        print(component.log_tail(lines))
    return 0


def node(stack: Stack, action: NodeAction, letter: str, wait_s: float = 60.0) -> int:
    component = stack.node(letter)
    pid = component.pid()
    try:
        done = act(stack, action, letter)
    except NotRunningError as exc:
        print(exc)
        return 1
    if action == "start":
        component.wait_ready(wait_s)
        print(f"node {letter}: {done}, healthy (pid {component.pid()})")
    else:
        print(f"node {letter} (pid {pid}): {done}, now {component.state()}")
    return 0


def report(stack: Stack, args: argparse.Namespace) -> int:
    """Write the report; 0 when the evidence passed, 1 when the cluster is not in sync."""
    since = None
    if args.since:
        since = run_report.parse_since(args.since, datetime.now(UTC))
    verdicts: list[str] = []
    if args.verdicts:
        try:
            verdicts = args.verdicts.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            problem = f"--verdicts: не прочитать {args.verdicts}: {exc.strerror}"
            raise run_report.ReportError(problem) from exc
    files = run_report.stack_report(
        stack,
        out=args.out,
        since=since,
        verdicts=verdicts,
        settle_s=args.settle,
        pdf=not args.no_pdf,
    )
    print(f"Отчёт: {files.html}" + (f" и {files.pdf}" if files.pdf else ""))
    print(files.verdict)
    return 0 if files.passed else 1


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    """Run one command; the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    environment = os.environ if env is None else env
    if args.command in (None, "help"):
        parser.print_help()
        return 0
    try:
        if args.command == "up":
            stack = load_stack(environment, for_up=True, rate_limit=args.rate_limit)
            return up(stack, args.wait, args.agents)
        stack = load_stack(environment, for_up=False)
        if args.command == "down":
            stack.down()
            return 0
        if args.command == "status":
            return status(stack)
        if args.command == "logs":
            return logs(stack, args.service, args.lines)
        if args.command == "scenario":
            scenarios.run(stack, args.which, say)
            return 0
        if args.command == "report":
            return report(stack, args)
        return node(stack, args.action, args.letter)
    except ERRORS as exc:
        print(f"chorus {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except run_report.ReportError as exc:
        print(f"chorus {args.command}: ошибка: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"chorus {args.command}: interrupted", file=sys.stderr)
        return 130
