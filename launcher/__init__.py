"""Process management for running Chorus locally: the launcher and the tests use it."""

from .redis_server import RedisServer, RedisServerError, free_port

__all__ = ["RedisServer", "RedisServerError", "free_port"]
