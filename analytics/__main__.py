"""`python -m analytics` runs the service; `python -m analytics migrate` only migrates."""

import asyncio
import sys

import uvicorn

from .app import create_app
from .db import migrate
from .errors import AnalyticsError
from .settings import load_settings


def main(argv: list[str]) -> int:
    """Entry point; the exit status."""
    try:
        settings = load_settings()
        if argv[:1] == ["migrate"]:
            asyncio.run(migrate(settings, wait_s=settings.startup_timeout_s))
            return 0
        if argv:
            print(
                f"usage: python -m analytics [migrate]  (got {' '.join(argv)!r})", file=sys.stderr
            )
            return 2
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port)
    except AnalyticsError as exc:
        print(f"analytics: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
