"""Table models of the desktop client (no widgets; tested without a window)."""

from .agents_model import AgentsTableModel
from .chat_model import ChatTableModel
from .cluster_model import ClusterTableModel, LinkRow, LinksTableModel, NodeRow
from .edits_model import EditsTableModel
from .record_table import Column, RecordTableModel
from .timeline_model import TimelineTableModel

__all__ = [
    "AgentsTableModel",
    "ChatTableModel",
    "ClusterTableModel",
    "Column",
    "EditsTableModel",
    "LinkRow",
    "LinksTableModel",
    "NodeRow",
    "RecordTableModel",
    "TimelineTableModel",
]
