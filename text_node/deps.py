"""FastAPI dependencies of the node's routes, as named `Annotated` aliases."""

from typing import Annotated, cast

from fastapi import Depends, Request

from service_kit import ApiError, require_service_token

from .service import NodeService
from .settings import OPERATOR, NodeSettings


async def _node(request: Request) -> NodeService:
    return cast(NodeService, request.app.state.service)


async def _settings(request: Request) -> NodeSettings:
    return cast(NodeSettings, request.app.state.settings)


async def _agent(request: Request) -> str:
    return str(request.app.state.tokens.agent_for(request))


async def _operator(request: Request) -> str:
    agent_id = await _agent(request)
    if agent_id != OPERATOR:
        raise ApiError(
            403,
            "forbidden",
            f"создать документ заново может только оператор, а не {agent_id}",
            field="Authorization",
        )
    return agent_id


async def _service(request: Request) -> None:
    settings = cast(NodeSettings, request.app.state.settings)
    require_service_token(request, settings.service_token.get_secret_value())


NodeDep = Annotated[NodeService, Depends(_node)]
SettingsDep = Annotated[NodeSettings, Depends(_settings)]
AgentDep = Annotated[str, Depends(_agent)]
OperatorDep = Annotated[str, Depends(_operator)]
ServiceDep = Annotated[None, Depends(_service)]
