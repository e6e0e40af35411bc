"""Process management for running Chorus locally: the launcher and the tests use it."""

from .redis_server import RedisServer, RedisServerError, free_port
from .service_process import ServiceError, ServiceProcess

__all__ = ["RedisServer", "RedisServerError", "ServiceError", "ServiceProcess", "free_port"]
