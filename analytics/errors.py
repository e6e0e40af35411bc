"""Exceptions of the Analytics Service."""


class AnalyticsError(Exception):
    """Base class of every error the Analytics Service raises."""


class SettingsError(AnalyticsError):
    """The configuration is missing or unusable; the message names the variable to set."""


class DatabaseUnavailableError(AnalyticsError):
    """PostgreSQL cannot be reached or did not answer in time (answered as 503)."""
