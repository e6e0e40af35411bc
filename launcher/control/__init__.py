"""Cluster control for the local launcher: the dashboard's and desktop's stop/start buttons.

`GET /api/cluster` lists the three text nodes with their process state; `POST
/api/cluster/nodes/{a|b|c}/{action}` (operator token) stops, starts, kills, freezes or thaws
one, exactly as `./chorus node ACTION a|b|c` does. It exists only where the launcher runs the
processes (local mode); in compose the balancer answers 404 for these routes.
"""

from .app import create_app

__all__ = ["create_app"]
