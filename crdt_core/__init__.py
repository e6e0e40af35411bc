"""Chorus replication core: operations, hybrid logical clock, the fold, the op set.

Pure: bytes and dicts in, bytes and dicts out. No I/O, no clocks of its own, no threads.
"""

from ._clock import MAX_NODES, HybridLogicalClock, split_key, version_key
from ._diff import OpDocument, decode_diff, encode_diff
from ._errors import CrdtError, DiffError, EditConflict, InvalidOperation, InvalidPosition
from ._fold import Authored, EditStatus, Fold, VersionInfo
from ._ops import CharRef, Op, OpKind
from ._opset import Added, OpSet
from ._position import EditTarget, parse_position
from ._replica import Replica

__all__ = [
    "MAX_NODES",
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
    "Op",
    "OpDocument",
    "OpKind",
    "OpSet",
    "Replica",
    "VersionInfo",
    "decode_diff",
    "encode_diff",
    "parse_position",
    "split_key",
    "version_key",
]
