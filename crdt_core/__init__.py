"""Chorus replication core: operations, hybrid logical clock, the fold, the op set.

Pure: bytes and dicts in, bytes and dicts out. No I/O, no clocks of its own, no threads.
"""

from ._clock import MAX_NODES, HybridLogicalClock, split_key, version_key
from ._document import MAX_UPDATE_CHARS, OpDocument, decode_update, encode_update
from ._errors import CrdtError, DiffError, EditConflict, InvalidOperation, InvalidPosition
from ._fold import Authored, EditStatus, Fold, VersionInfo
from ._ops import CharRef, Op, OpKind
from ._opset import Added, OpSet
from ._position import EditTarget, parse_position
from ._replica import Replica
from ._session import HEADER as SESSION_HEADER
from ._session import InvalidSession, SessionToken
from ._update import read_state_vector, write_update

__all__ = [
    "MAX_NODES",
    "MAX_UPDATE_CHARS",
    "SESSION_HEADER",
    "Added",
    "Authored",
    "CharRef",
    "CrdtError",
    "DiffError",
    "EditConflict",
    "EditStatus",
    "EditTarget",
    "Fold",
    "HybridLogicalClock",
    "InvalidOperation",
    "InvalidPosition",
    "InvalidSession",
    "Op",
    "OpDocument",
    "OpKind",
    "OpSet",
    "Replica",
    "SessionToken",
    "VersionInfo",
    "decode_update",
    "encode_update",
    "parse_position",
    "read_state_vector",
    "split_key",
    "version_key",
    "write_update",
]
