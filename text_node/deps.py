"""FastAPI dependencies of the node's routes, as named `Annotated` aliases."""

from typing import Annotated, cast

from fastapi import Depends, Request

from crdt_core import SESSION_HEADER, InvalidSession, SessionToken
from service_kit import ApiError, require_service_token

from .service import NodeService
from .settings import OPERATOR, NodeSettings


async def _node(request: Request) -> NodeService:
    return cast(NodeService, request.app.state.service)


async def _session(request: Request) -> None:
    """A request carrying a session token is answered only once this node holds everything
    that session has seen (`NodeService.honour`); without one, at once."""
    header = request.headers.get(SESSION_HEADER)
    if header is not None:
        try:
            token = SessionToken.parse(header)
        except InvalidSession as exc:
            raise ApiError(422, "validation_error", str(exc), field=SESSION_HEADER) from exc
        await cast(NodeService, request.app.state.service).honour(token)


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
SessionDep = Depends(_session)
"""For routers whose answers reflect the document: `APIRouter(dependencies=[SessionDep])`."""
SettingsDep = Annotated[NodeSettings, Depends(_settings)]
AgentDep = Annotated[str, Depends(_agent)]
OperatorDep = Annotated[str, Depends(_operator)]
ServiceDep = Annotated[None, Depends(_service)]
