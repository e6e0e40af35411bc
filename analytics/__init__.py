"""Analytics Service: ingests Text Service events into PostgreSQL and serves aggregated metrics."""

from .app import create_app
from .errors import AnalyticsError, DatabaseUnavailableError, SettingsError
from .settings import AnalyticsSettings, load_settings

__all__ = [
    "AnalyticsError",
    "AnalyticsSettings",
    "DatabaseUnavailableError",
    "SettingsError",
    "create_app",
    "load_settings",
]
