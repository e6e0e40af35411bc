"""Exceptions of the Text Service."""


class TextNodeError(Exception):
    """Base class of every error the Text Service raises."""


class SettingsError(TextNodeError):
    """The configuration is missing or unusable; the message names the variable to set."""


class DatabaseUnavailableError(TextNodeError):
    """PostgreSQL cannot be reached or did not answer in time (answered as 503)."""


class BudgetExceeded(TextNodeError):
    """Accepting the edit would take the token budget over its limit (answered 429)."""

    def __init__(self, *, used: int, limit: int, requested: int) -> None:
        super().__init__(
            f"бюджет токенов исчерпан: израсходовано {used} из {limit}, "
            f"правке нужно ещё {requested}"
        )
        self.used, self.limit, self.requested = used, limit, requested


class DocumentMismatch(TextNodeError):
    """The edit was made for a document that is no longer the current one (answered 409)."""


class NoDocument(TextNodeError):
    """No document has been initialised yet (answered 409)."""

    def __init__(self) -> None:
        super().__init__("документа ещё нет: создайте его (POST /api/document/init)")


class CatchingUp(TextNodeError):
    """This node cannot originate an operation yet: its own earlier operations are still
    missing from its op set (a wiped database before catch-up). Answered 503: retry, or
    another node takes it."""


class SessionUnavailable(TextNodeError):
    """This node does not hold everything the client's session has seen, and could not get
    it from its peers in time (answered 503: the balancer tries the next node)."""
