"""`python -m agents`: one agent configured by the environment (spec scenario 2)."""

import asyncio
import json
import logging
import sys

from service_kit import load_settings

from .agent import AgentState
from .runner import run_agent
from .settings import AgentConfigError, AgentSettings


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        settings = load_settings(AgentSettings, "", AgentConfigError)
    except AgentConfigError as exc:
        print(f"agents: {exc}", file=sys.stderr)
        return 2
    try:
        stats = asyncio.run(run_agent(settings))
    except KeyboardInterrupt:
        return 130
    print(json.dumps(stats.as_dict(), ensure_ascii=False))
    return 1 if stats.state is AgentState.FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
