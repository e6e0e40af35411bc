"""Exceptions of the Text Service."""


class TextNodeError(Exception):
    """Base class of every error the Text Service raises."""


class SettingsError(TextNodeError):
    """The configuration is missing or unusable; the message names the variable to set."""


class DatabaseUnavailableError(TextNodeError):
    """PostgreSQL cannot be reached or did not answer in time (answered as 503)."""
