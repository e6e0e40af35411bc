"""Run the Chat Service: `python -m chat` (settings from `CHAT_*` variables)."""

import uvicorn
from pydantic import ValidationError

from .app import create_app
from .settings import ChatSettings


def main() -> None:
    """Read the settings, fail fast if they are wrong, serve with uvicorn."""
    try:
        settings = ChatSettings()
    except ValidationError as exc:
        raise SystemExit(f"chat: invalid settings (CHAT_* variables):\n{exc}") from exc
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
