"""The widgets: one per tab, the main window, the settings dialog and the error banner."""

from .main_window import TAB_NAMES, MainWindow

__all__ = ["TAB_NAMES", "MainWindow"]
