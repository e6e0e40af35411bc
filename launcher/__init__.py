"""Process management for running Chorus locally: the launcher and the tests use it."""

from .config import Ports, RateLimit
from .errors import LauncherError, MissingBinaryError
from .redis_server import RedisServer, RedisServerError, free_port
from .service_process import ServiceError, ServiceProcess
from .stack import Stack, StackConfig
from .state import Secrets, StateDir

__all__ = [
    "LauncherError",
    "MissingBinaryError",
    "Ports",
    "RateLimit",
    "RedisServer",
    "RedisServerError",
    "Secrets",
    "ServiceError",
    "ServiceProcess",
    "Stack",
    "StackConfig",
    "StateDir",
    "free_port",
]
