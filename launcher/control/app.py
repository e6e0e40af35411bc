"""The cluster control app: `create_app(stack, operator_token)` and its two routes."""

from typing import Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Request
from starlette.concurrency import run_in_threadpool

from service_kit import AgentTokens, ApiError, install_error_handlers
from text_node.settings import LOCATIONS

from ..errors import LauncherError
from ..node_actions import NodeAction, NotRunningError, act
from ..stack import Stack
from ..state import OPERATOR
from ..text_cluster import NODE_NAMES

router = APIRouter(prefix="/api/cluster")


async def require_operator(request: Request) -> None:
    tokens: AgentTokens = request.app.state.tokens
    if tokens.agent_for(request) != OPERATOR:
        raise ApiError(
            401,
            "unauthorized",
            "останавливать и запускать узлы может только оператор",
            field="Authorization",
        )


def _stack(request: Request) -> Stack:
    stack: Stack = request.app.state.stack
    return stack


def _node(stack: Stack, letter: str) -> dict[str, Any]:
    component = stack.node(letter)
    return {
        "name": letter,
        "location": LOCATIONS[NODE_NAMES.index(letter)],
        "state": component.state(),
        "pid": component.pid(),
        "url": f"/nodes/{letter}",
    }


@router.get("")
async def cluster(request: Request) -> dict[str, Any]:
    """The three text nodes: name, location, process state (running/stopped/frozen), pid."""
    stack = _stack(request)
    nodes = await run_in_threadpool(lambda: [_node(stack, letter) for letter in NODE_NAMES])
    return {"mode": "local", "nodes": nodes}


@router.post("/nodes/{letter}/{action}", dependencies=[Depends(require_operator)])
async def node_action(
    request: Request, letter: Literal["a", "b", "c"], action: NodeAction
) -> dict[str, Any]:
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
