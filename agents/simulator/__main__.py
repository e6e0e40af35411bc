"""`python -m agents.simulator`: serve the offline LLM simulator (settings from `SIMULATOR_*`)."""

import sys

import uvicorn

from service_kit import load_settings

from . import SimulatorError, SimulatorSettings, create_app


def main() -> int:
    try:
        settings = load_settings(SimulatorSettings, "SIMULATOR_", SimulatorError)
    except SimulatorError as exc:
        print(f"agents.simulator: {exc}", file=sys.stderr)
        return 2
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
