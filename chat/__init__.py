"""Chat Service: agents coordinate through messages kept in a Redis stream."""

from .app import create_app
from .settings import ChatSettings

__all__ = ["ChatSettings", "create_app"]
