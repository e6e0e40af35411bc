"""An OpenAI-compatible HTTP server that stands in for the model, offline.

It speaks `/v1/responses`, `/v1/chat/completions` and `/v1/models`, reports usage (about four
characters a token) and answers with a structured edit made by `SimulatedModel` for the role
and the document found in the prompt, after a configurable latency. Its model id and
`system_fingerprint` say it is a simulator.
"""

import asyncio
import json
import math
import random
import time
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ..prompt import parse_prompt
from ..proposal import Action, EditProposal
from ._model import SimulatedModel
from .settings import FINGERPRINT, SimulatorSettings


class BadRequest(Exception):
    """A request the simulator cannot answer, reported like OpenAI's `invalid_request_error`."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


def tokens(text: str) -> int:
    """A realistic token count for Russian/English text: about four characters a token."""
    return max(1, math.ceil(len(text) / 4))


def create_app(settings: SimulatorSettings) -> FastAPI:
    """The simulator app for `settings`."""
    app = FastAPI(title="Chorus offline LLM simulator (not a real model)")

    @app.exception_handler(BadRequest)
    async def _bad_request(request: Request, exc: BadRequest) -> JSONResponse:
        error = {
            "message": exc.message,
            "type": "invalid_request_error",
            "param": exc.param,
            "code": None,
        }
        return JSONResponse({"error": error}, status_code=400)

    model = SimulatedModel(
        seed=settings.seed, flaws=settings.flaw_rates(), target_chars=settings.target_chars
    )
    pace = random.Random(settings.seed)

    async def answer(prompt: str) -> str:
        if settings.latency_ms:
            spread = settings.latency_jitter * (2 * pace.random() - 1)
            await asyncio.sleep(settings.latency_ms * (1 + spread) / 1000)
        return _answer_text(prompt, model)

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        return {
            "object": "list",
            "data": [
                {
                    "id": settings.model,
                    "object": "model",
                    "created": 0,
                    "owned_by": "chorus-simulator",
                }
            ],
        }

    @app.post("/v1/responses")
    async def responses(request: Request) -> dict[str, Any]:
        body = await _json_body(request)
        prompt = _responses_prompt(body)
        text = await answer(prompt)
        fmt = body.get("text", {}).get("format") if isinstance(body.get("text"), dict) else None
        usage_in, usage_out = tokens(prompt), tokens(text)
        return {
            "id": f"resp_sim_{uuid.uuid4().hex}",
            "object": "response",
            "created_at": int(time.time()),
            "status": "completed",
            "model": settings.model,
            "system_fingerprint": FINGERPRINT,
            "output": [
                {
                    "type": "message",
                    "id": f"msg_sim_{uuid.uuid4().hex}",
                    "status": "completed",
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": text, "annotations": []}],
                }
            ],
            "parallel_tool_calls": False,
            "tool_choice": "none",
            "tools": [],
            "text": {"format": fmt or {"type": "text"}},
            "usage": {
                "input_tokens": usage_in,
                "input_tokens_details": {"cached_tokens": 0},
                "output_tokens": usage_out,
                "output_tokens_details": {"reasoning_tokens": 0},
                "total_tokens": usage_in + usage_out,
            },
        }

    @app.post("/v1/chat/completions")
    async def chat_completions(request: Request) -> dict[str, Any]:
        body = await _json_body(request)
        prompt = _chat_prompt(body)
        text = await answer(prompt)
        usage_in, usage_out = tokens(prompt), tokens(text)
        return {
            "id": f"chatcmpl-sim-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": settings.model,
            "system_fingerprint": FINGERPRINT,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text, "refusal": None},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": {
                "prompt_tokens": usage_in,
                "completion_tokens": usage_out,
                "total_tokens": usage_in + usage_out,
            },
        }

    return app


def _answer_text(prompt: str, model: SimulatedModel) -> str:
    """The JSON edit for a prompt (an idle `none` edit when no Chorus prompt is found)."""
    parts = parse_prompt(prompt)
    if parts is None:
        proposal = EditProposal(
            action=Action.NONE,
            target="",
            new_text="",
            note="Симулятор не нашёл в запросе раздела «ДОКУМЕНТ»: править нечего.",
        )
    else:
        proposal = model.propose(parts, prompt)
    return json.dumps(proposal.model_dump(mode="json"), ensure_ascii=False)


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError as exc:
        raise BadRequest("request body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object")
    if not isinstance(body.get("model"), str):
        raise BadRequest("you must provide a model parameter", "model")
    return body


def _content_text(content: Any, param: str) -> str:
    """Text of a message's content: a string or a list of text parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                texts.append(part["text"])
        return "\n".join(texts)
    raise BadRequest(f"{param}: expected a string or a list of content parts", param)


def _responses_prompt(body: dict[str, Any]) -> str:
    """All the text of a Responses API request: instructions, then the input."""
    items = body.get("input")
    texts = [body["instructions"]] if isinstance(body.get("instructions"), str) else []
    if isinstance(items, str):
        texts.append(items)
    elif isinstance(items, list):
        texts += [_content_text(i.get("content"), "input") for i in items if isinstance(i, dict)]
    else:
        raise BadRequest("input: expected a string or a list of messages", "input")
    return "\n".join(texts)


def _chat_prompt(body: dict[str, Any]) -> str:
    """All the text of a Chat Completions request's messages, in order."""
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadRequest("messages: expected a non-empty list of messages", "messages")
    return "\n".join(
        _content_text(m.get("content"), "messages") for m in messages if isinstance(m, dict)
    )
