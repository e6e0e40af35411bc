"""`python -m agents.supervisor`: serve the agent supervisor (settings from `SUPERVISOR_*`)."""

import logging
import sys

import uvicorn

from service_kit import load_settings

from . import SupervisorError, SupervisorSettings, create_app


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        settings = load_settings(SupervisorSettings, "SUPERVISOR_", SupervisorError)
    except SupervisorError as exc:
        print(f"agents.supervisor: {exc}", file=sys.stderr)
        return 2
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
