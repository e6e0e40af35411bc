"""`python -m text_node`: run one node with settings from `TEXT_NODE_*` variables."""

import sys

import uvicorn

from .app import create_app
from .errors import SettingsError
from .heap import freeze_survivors
from .settings import load_settings


def main() -> int:
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"text_node: {exc}", file=sys.stderr)
        return 2
    freeze_survivors()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
