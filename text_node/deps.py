"""FastAPI dependencies of the node's routes, as named `Annotated` aliases."""

from typing import Annotated, cast

from fastapi import Depends, Request

from service_kit import require_service_token

from .node import TextNode
from .replication import Replicator
from .settings import NodeSettings


async def _node(request: Request) -> TextNode:
    return cast(TextNode, request.app.state.node)


async def _replicator(request: Request) -> Replicator:
    return cast(Replicator, request.app.state.replicator)


async def _settings(request: Request) -> NodeSettings:
    return cast(NodeSettings, request.app.state.settings)


async def _agent(request: Request) -> str:
    return str(request.app.state.tokens.agent_for(request))


async def _service(request: Request) -> None:
    settings = cast(NodeSettings, request.app.state.settings)
    require_service_token(request, settings.service_token.get_secret_value())


NodeDep = Annotated[TextNode, Depends(_node)]
ReplicatorDep = Annotated[Replicator, Depends(_replicator)]
SettingsDep = Annotated[NodeSettings, Depends(_settings)]
AgentDep = Annotated[str, Depends(_agent)]
ServiceDep = Annotated[None, Depends(_service)]
