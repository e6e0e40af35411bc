"""One method per Chorus endpoint the client uses, each parsing its answer (see `payloads`)."""

from __future__ import annotations

from collections.abc import Sequence

from .client import ApiCall, ApiClient
from .payloads import (
    parse_agents,
    parse_authorship,
    parse_chat,
    parse_cluster,
    parse_document,
    parse_edit_page,
    parse_metrics,
    parse_node_process,
    parse_node_state,
    parse_timeline,
    parse_versions,
)

NODE_NAMES = ("a", "b", "c")
NODE_ACTIONS = ("stop", "start", "kill", "freeze", "thaw")
"""What the launcher's cluster control does to a node (POST /api/cluster/nodes/{name}/{action})."""
NODE_LOCATIONS = {"a": "Москва", "b": "Санкт-Петербург", "c": "Новосибирск"}
"""Shown before a node has answered (each node reports its own location in /api/node)."""


class ChorusApi:
    """The REST API behind nginx, typed. Reads carry no token; writes carry the operator's."""

    def __init__(self, client: ApiClient) -> None:
        self.client = client

    # Document and edits (the Text Service, load-balanced)

    def current_document(self) -> ApiCall:
        return self.client.get("/api/document/current", parse=parse_document)

    def init_document(self, topic: str, initial_text: str) -> ApiCall:
        body = {"topic": topic, "initial_text": initial_text}
        return self.client.post("/api/document/init", body, source="write")

    def versions(self, *, limit: int = 1, offset: int = 0) -> ApiCall:
        """Versions newest first (`total`: the newest); offset `total - v` with limit 1 is v.
        Unreported, like the other History reads: the tab says itself what failed (before
        the first document the nodes answer 409)."""
        return self.client.get(
            "/api/document/versions",
            params={"limit": limit, "offset": offset},
            parse=parse_versions,
            source=None,
        )

    def version(self, version: int) -> ApiCall:
        """The text of one version."""
        return self.client.get(
            f"/api/document/versions/{version}", parse=parse_document, source=None
        )

    def authorship(self, version: int | None = None) -> ApiCall:
        """A version's text as runs by author (the head without `version`). Unreported: the
        tab that asks says itself when a node does not have this endpoint yet."""
        params = {"version": version} if version is not None else None
        return self.client.get(
            "/api/document/authorship", params=params, parse=parse_authorship, source=None
        )

    def edits(
        self, *, limit: int, offset: int, status: str | None = None, agent_id: str | None = None
    ) -> ApiCall:
        params: dict[str, str | int] = {"limit": limit, "offset": offset}
        if status:
            params["status"] = status
        if agent_id:
            params["agent_id"] = agent_id
        return self.client.get("/api/edits", params=params, parse=parse_edit_page)

    # Chat and analytics

    def chat(self, *, since: str | None, limit: int = 200) -> ApiCall:
        params: dict[str, str | int] = {"limit": limit}
        if since:
            params["since"] = since
        return self.client.get("/api/chat/messages", params=params, parse=parse_chat)

    def metrics(self, period: str = "1h") -> ApiCall:
        return self.client.get(
            "/api/analytics/metrics", params={"period": period}, parse=parse_metrics
        )

    def timeline(self, period: str = "1h", limit: int = 200) -> ApiCall:
        """Cluster events newest first (node down, caught up, link failing, budget, …)."""
        return self.client.get(
            "/api/analytics/timeline",
            params={"period": period, "limit": limit},
            parse=parse_timeline,
            source=None,
        )

    # Agents (the supervisor)

    def agents(self) -> ApiCall:
        return self.client.get("/api/agents", parse=parse_agents)

    def start_agents(self, count: int, roles: Sequence[str] | None) -> ApiCall:
        body: dict[str, object] = {"count": count}
        if roles:
            body["roles"] = list(roles)
        return self.client.post("/api/agents/start", body, parse=parse_agents, source="write")

    def stop_agents(self) -> ApiCall:
        return self.client.post("/api/agents/stop", parse=parse_agents, source="write")

    # Cluster: each node read directly (a down node is data here, not an error to report)

    def node_state(self, name: str) -> ApiCall:
        return self.client.get(f"/nodes/{name}/api/node", parse=parse_node_state, source=None)

    def cluster(self) -> ApiCall:
        """The launcher's view of the node processes (404 where there is no local launcher)."""
        return self.client.get("/api/cluster", parse=parse_cluster, source=None)

    def node_action(self, name: str, action: str) -> ApiCall:
        """One of `NODE_ACTIONS` on node `name` (local mode, operator token). Unreported: the
        cluster tab says what came of it next to its buttons."""
        return self.client.post(
            f"/api/cluster/nodes/{name}/{action}", parse=parse_node_process, source=None
        )
