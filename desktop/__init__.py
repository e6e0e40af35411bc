"""Chorus desktop client: the web dashboard's screens in Qt Widgets (PySide6).

`net/` talks to the balancer (no widgets), `models/` holds the table models, `views/` one widget
per tab and the main window. Run it with `python -m desktop` or `chorus-desktop`.
"""

from ._singleton_refcounts import keep_singletons_alive

keep_singletons_alive()  # before any Qt call: see the module for the PySide6 6.12 bug
