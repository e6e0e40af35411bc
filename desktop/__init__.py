"""Chorus desktop client: the web dashboard's screens in Qt Widgets (PySide6).

`net/` talks to the balancer (no widgets), `models/` holds the table models, `views/` one widget
per tab and the main window. Run it with `python -m desktop` or `chorus-desktop`.
"""
