"""Run the Chat Service: `python -m chat` (settings from `CHAT_*` variables)."""

import sys

import uvicorn

from .app import create_app
from .settings import SettingsError, load_settings


def main() -> int:
    """Read the settings, fail fast naming what is wrong, serve with uvicorn."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"chat: {exc}", file=sys.stderr)
        return 2
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
