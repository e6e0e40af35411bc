"""The cluster control app: `create_app(stack, operator_token)` and its two routes."""

from typing import Literal

from fastapi import APIRouter, Depends, FastAPI, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from service_kit import AgentTokens, ApiError, install_error_handlers
from text_node.settings import LOCATIONS

from ..errors import LauncherError
from ..node_actions import NodeAction, NotRunningError, act
from ..stack import Stack
from ..state import OPERATOR
from ..text_cluster import NODE_NAMES

router = APIRouter(prefix="/api/cluster")


class NodeProcess(BaseModel):
    """One text node's process, as the launcher runs it."""

    name: Literal["a", "b", "c"]
    location: str
    state: Literal["running", "stopped", "frozen"]
    pid: int | None
    url: str


class ClusterProcesses(BaseModel):
    mode: Literal["local"]
    nodes: list[NodeProcess]


async def require_operator(request: Request) -> None:
    tokens: AgentTokens = request.app.state.tokens
    tokens.require(request, OPERATOR, "останавливать и запускать узлы может только оператор")


def _stack(request: Request) -> Stack:
    stack: Stack = request.app.state.stack
    return stack


def _node(stack: Stack, letter: str) -> NodeProcess:
    component = stack.node(letter)
    return NodeProcess.model_validate(
        {
            "name": letter,
            "location": LOCATIONS[NODE_NAMES.index(letter)],
            "state": component.state(),
            "pid": component.pid(),
            "url": f"/nodes/{letter}",
        }
    )


@router.get("", response_model=ClusterProcesses)
async def cluster(request: Request) -> ClusterProcesses:
    """The three text nodes: name, location, process state (running/stopped/frozen), pid."""
    stack = _stack(request)
    nodes = await run_in_threadpool(lambda: [_node(stack, letter) for letter in NODE_NAMES])
    return ClusterProcesses(mode="local", nodes=nodes)


@router.post(
    "/nodes/{letter}/{action}",
    dependencies=[Depends(require_operator)],
    response_model=NodeProcess,
)
async def node_action(
    request: Request, letter: Literal["a", "b", "c"], action: NodeAction
) -> NodeProcess:
    """Act on one node; `start` returns once the process runs (health follows by catch-up)."""
    stack = _stack(request)
    try:
        await run_in_threadpool(act, stack, action, letter)
    except NotRunningError as exc:
        raise ApiError(409, "not_running", str(exc), field="letter") from exc
    except LauncherError as exc:
        raise ApiError(500, "launcher_error", str(exc)) from exc
    return await run_in_threadpool(_node, stack, letter)


def create_app(stack: Stack, operator_token: str) -> FastAPI:
    app = FastAPI(title="Chorus cluster control (local mode)")
    app.state.stack = stack
    app.state.tokens = AgentTokens({operator_token: OPERATOR})
    install_error_handlers(app)
    app.include_router(router)
    return app
