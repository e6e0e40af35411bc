"""Text Service node: one of three replicas of the document, on its own PostgreSQL."""

from .app import create_app
from .settings import NodeSettings, load_settings

__all__ = ["NodeSettings", "create_app", "load_settings"]
