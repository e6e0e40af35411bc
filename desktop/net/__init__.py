"""The desktop client's network layer: QtCore and QtNetwork only, no widgets."""

from .chorus_api import NODE_ACTIONS, NODE_LOCATIONS, NODE_NAMES, ChorusApi
from .client import ApiCall, ApiClient
from .failures import ApiFailure, FailureKind
from .poller import POLL_MS, Poller

__all__ = [
    "NODE_ACTIONS",
    "NODE_LOCATIONS",
    "NODE_NAMES",
    "POLL_MS",
    "ApiCall",
    "ApiClient",
    "ApiFailure",
    "ChorusApi",
    "FailureKind",
    "Poller",
]
