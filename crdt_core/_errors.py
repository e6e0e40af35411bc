"""Exceptions raised by the replication core."""


class CrdtError(Exception):
    """Base class of every error the replication core raises."""


class InvalidOperation(CrdtError):
    """An operation is malformed: a field is missing, of the wrong kind or out of range."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class InvalidPosition(CrdtError):
    """An agent's `position` cannot be applied to the text of its base version."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class EditConflict(CrdtError):
    """The target range was changed by an operation newer than the edit's base version (FR 9)."""

    def __init__(self, message: str, *, conflicting_edit_id: str) -> None:
        super().__init__(message)
        self.conflicting_edit_id = conflicting_edit_id


class DiffError(CrdtError):
    """A Yjs update or state vector from a peer is not one of the op set."""
