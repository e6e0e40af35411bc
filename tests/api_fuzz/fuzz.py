"""Schemathesis against one served app: every operation, positive and negative cases.

The app runs under uvicorn in a daemon thread (its lifespan in its own event loop), the cases
are sent over real HTTP. Each operation gets a bounded, derandomised run without shrinking;
what breaks the rules is collected, not raised, so one run lists every problem:

- no 5xx;
- every 4xx body is JSON with a non-empty `message` and an `error` code (the LLM simulator's
  are OpenAI's shape, `{"error": {"message", "type"}}`).
"""

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

import schemathesis
import uvicorn
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.result import Ok
from schemathesis.core.transport import Response
from schemathesis.generation.case import Case

from launcher import free_port

MAX_EXAMPLES = 30
"""Cases per operation and generation mode."""

Headers = Callable[[Case[Any]], dict[str, str]]


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """`app` served by uvicorn on a free loopback port, lifespan on; its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start within 20 s")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def problem(case: Case[Any], response: Response) -> str | None:
    """What is wrong with `response`, or None."""
    status = response.status_code
    if status < 400:
        return None
    what = f"{case.method} {case.formatted_path} → {status}"
    detail = f"(query={case.query!r}, body={case.body!r:.200}): {response.text[:300]!r}"
    if status >= 500:
        return f"{what} server error {detail}"
    try:
        body: Any = json.loads(response.text)
    except ValueError:
        return f"{what} body is not JSON {detail}"
    if not isinstance(body, dict):
        return f"{what} body is not a JSON object {detail}"
    error = body.get("error")
    if isinstance(error, dict):  # the simulator answers as OpenAI does: {"error": {"message"}}
        body, error = error, error.get("type")
    message = body.get("message")
    if not isinstance(message, str) or not message.strip() or not error:
        return f"{what} no error/message {detail}"
    return None


def fuzz(
    app: FastAPI,
    headers: Headers,
    *,
    skip: Callable[[str, str], bool] = lambda method, path: False,
    prepare: Callable[[str], None] = lambda base_url: None,
    max_examples: int = MAX_EXAMPLES,
) -> tuple[int, list[str]]:
    """Serve `app`, `prepare(base_url)` it, fuzz it: (cases sent, problems, one line each)."""
    schema = schemathesis.openapi.from_dict(app.openapi())
    problems: list[str] = []
    sent = 0
    with served(app) as base_url:
        prepare(base_url)
        for result in schema.get_all_operations():
            assert isinstance(result, Ok), f"the schema is invalid: {result}"
            operation = result.ok()
            if skip(operation.method.upper(), operation.path):
                continue
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

                @settings(
                    max_examples=max_examples,
                    derandomize=True,
                    deadline=None,
                    database=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck),
                )
                @given(case=operation.as_strategy(generation_mode=mode))
                def run(case: Case[Any]) -> None:
                    nonlocal sent
                    response = case.call(base_url=base_url, headers=headers(case), timeout=15)
                    sent += 1
                    found = problem(case, response)
                    if found is not None and found not in problems:
                        problems.append(found)

                # Unsatisfiable: nothing to break (negative cases of an operation without
                # parameters or body).
                with suppress(Unsatisfiable):
                    run()
    return sent, problems
