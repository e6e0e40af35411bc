"""The simulator over real HTTP, driven by the official openai SDK (both APIs)."""

import json
import time

import httpx
import openai
import pytest

from agents.llm import OpenAiLlm
from agents.prompt import INSTRUCTIONS, build_prompt
from agents.proposal import EDIT_SCHEMA, EDIT_SCHEMA_NAME, Action, EditProposal
from agents.simulator import FINGERPRINT, MODEL_ID, SimulatorSettings, create_app, tokens

TEXT = (
    'Распределённые системы - это "сложно". Мы еще учимся. Мы еще учимся. '
    "Гагарин совершил первый полет в космос в 1962 году."
)


def prompt(role: str, document: str = TEXT, claimed: tuple[str, ...] = ()) -> str:
    return build_prompt(
        agent_id="agent-1",
        role=role,
        topic="Распределённые системы",
        document=document,
        claimed=claimed,
    )


@pytest.fixture
async def sdk(simulator_url: str):
    client = openai.AsyncOpenAI(api_key="offline", base_url=simulator_url, max_retries=0)
    try:
        yield client
    finally:
        await client.close()


async def test_models_name_the_simulator(sdk: openai.AsyncOpenAI) -> None:
    models = [m.id async for m in sdk.models.list()]
    assert models == [MODEL_ID]
    assert "simulator" in MODEL_ID


async def test_responses_api_returns_schema_valid_json_with_usage(sdk: openai.AsyncOpenAI) -> None:
    text = prompt("корректор стиля")
    response = await sdk.responses.create(
        model=MODEL_ID,
        instructions=INSTRUCTIONS,
        input=[{"role": "user", "content": [{"type": "input_text", "text": text}]}],
        text={
            "format": {
                "type": "json_schema",
                "name": EDIT_SCHEMA_NAME,
                "schema": EDIT_SCHEMA,
                "strict": True,
            }
        },
    )
    data = json.loads(response.output_text)
    assert set(data) == set(EDIT_SCHEMA["required"])
    proposal = EditProposal.model_validate(data)
    assert proposal.action is Action.REPLACE
    assert response.model == MODEL_ID
    assert (response.model_extra or {}).get("system_fingerprint") == FINGERPRINT
    assert response.usage is not None
    assert response.usage.input_tokens == tokens(INSTRUCTIONS + "\n" + text)
    assert response.usage.output_tokens == tokens(response.output_text)
    total = response.usage.input_tokens + response.usage.output_tokens
    assert response.usage.total_tokens == total


async def test_chat_completions_return_schema_valid_json_with_usage(
    sdk: openai.AsyncOpenAI,
) -> None:
    completion = await sdk.chat.completions.create(
        model=MODEL_ID,
        messages=[
            {"role": "system", "content": INSTRUCTIONS},
            {"role": "user", "content": prompt("редактор повторов")},
        ],
        response_format={
            "type": "json_schema",
            "json_schema": {"name": EDIT_SCHEMA_NAME, "schema": EDIT_SCHEMA, "strict": True},
        },
    )
    assert completion.system_fingerprint == FINGERPRINT
    content = completion.choices[0].message.content
    assert content is not None
    proposal = EditProposal.model_validate_json(content)
    assert proposal.action is Action.DELETE
    assert completion.usage is not None
    assert completion.usage.total_tokens == (
        completion.usage.prompt_tokens + completion.usage.completion_tokens
    )
    assert completion.usage.completion_tokens == tokens(content)


@pytest.mark.parametrize("style", ["responses", "chat"])
@pytest.mark.parametrize(
    ("role", "document", "target", "new_text"),
    [
        (
            "корректор стиля",
            'Он сказал: "Это еще не все" - и ушел... Потом вернулся.',
            'Он сказал: "Это еще не все" - и ушел...',
            "Он сказал: «Это ещё не все» — и ушёл…",
        ),
        (
            "корректор орфографии",
            "Первые програмы играли в шашки. Потом пришли экспертные системы.",
            "Первые програмы играли в шашки.",
            "Первые программы играли в шашки.",
        ),
        (
            "редактор терминологии",
            "Юзеры ждали новую фичу к дедлайну. Её выпустили вовремя.",
            "Юзеры ждали новую фичу к дедлайну.",
            "Пользователи ждали новую функцию к сроку.",
        ),
    ],
)
async def test_each_corrective_role_makes_its_edit_over_both_apis(
    simulator_url: str, style: str, role: str, document: str, target: str, new_text: str
) -> None:
    llm = OpenAiLlm(api_key="offline", model=MODEL_ID, base_url=simulator_url, api_style=style)  # type: ignore[arg-type]
    try:
        reply = await llm.propose(instructions=INSTRUCTIONS, prompt=prompt(role, document))
    finally:
        await llm.aclose()
    assert reply.model == MODEL_ID
    assert reply.tokens_used > 0
    assert reply.proposal.target == target
    assert reply.proposal.new_text == new_text
    assert reply.proposal.note


async def test_a_writer_appends_a_new_sentence_on_the_topic(simulator_url: str) -> None:
    llm = OpenAiLlm(api_key="offline", model=MODEL_ID, base_url=simulator_url)
    document = "Распределённые системы состоят из узлов. Узлы общаются по сети."
    try:
        replies = [
            await llm.propose(instructions=INSTRUCTIONS, prompt=prompt("эксперт по теме", document))
            for _ in range(10)
        ]
    finally:
        await llm.aclose()
    added = [r.proposal.new_text.strip() for r in replies]
    assert {r.proposal.action for r in replies} == {Action.APPEND}
    assert len(set(added)) == len(added)  # the same prompt, ten different sentences
    assert any("распредел" in a.lower() or "этой" in a.lower() for a in added), added


async def test_claimed_fragments_are_left_alone(simulator_url: str) -> None:
    llm = OpenAiLlm(api_key="offline", model=MODEL_ID, base_url=simulator_url)
    document = "Мы еще учимся. Это еще не конец."
    try:
        reply = await llm.propose(
            instructions=INSTRUCTIONS,
            prompt=prompt("корректор стиля", document, claimed=("Мы еще учимся.",)),
        )
        idle = await llm.propose(
            instructions=INSTRUCTIONS,
            prompt=prompt("корректор стиля", document, claimed=("Мы еще", "Это еще")),
        )
    finally:
        await llm.aclose()
    assert reply.proposal.target == "Это еще не конец."
    assert idle.proposal.action is Action.NONE


async def test_the_same_seed_gives_the_same_answers_in_the_same_order() -> None:
    async def answers(seed: int) -> list[str]:
        app = create_app(SimulatorSettings(seed=seed))
        transport = httpx.ASGITransport(app=app)
        out = []
        async with httpx.AsyncClient(transport=transport, base_url="http://sim.test") as client:
            for role in ("эксперт по теме", "корректор стиля", "эксперт по теме"):
                body = {"model": MODEL_ID, "input": prompt(role, TEXT)}
                response = await client.post("/v1/responses", json=body)
                out.append(str(response.json()["output"][0]["content"][0]["text"]))
        return out

    first = await answers(3)
    assert first == await answers(3)
    assert first[0] != first[2]  # a writer never drafts the same sentence twice
    assert {tuple(await answers(seed)) for seed in range(4)} != {tuple(first)}  # seeds differ


async def test_latency_is_configurable() -> None:
    app = create_app(SimulatorSettings(latency_ms=200, latency_jitter=0.5))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim.test") as client:
        start = time.monotonic()
        response = await client.post(
            "/v1/chat/completions",
            json={"model": MODEL_ID, "messages": [{"role": "user", "content": "привет"}]},
        )
        elapsed = time.monotonic() - start
    assert response.status_code == 200
    assert elapsed >= 0.1
    idle = EditProposal.model_validate_json(response.json()["choices"][0]["message"]["content"])
    assert idle.action is Action.NONE  # not a Chorus prompt: nothing to edit


@pytest.mark.parametrize(
    ("path", "body", "param"),
    [
        ("/v1/responses", {"input": "x"}, "model"),
        ("/v1/responses", {"model": MODEL_ID, "input": 5}, "input"),
        ("/v1/chat/completions", {"model": MODEL_ID, "messages": []}, "messages"),
        ("/v1/chat/completions", {"model": MODEL_ID, "messages": [{"content": 3}]}, "messages"),
    ],
)
async def test_bad_requests_are_answered_like_openai(
    simulator_url: str, path: str, body: dict[str, object], param: str
) -> None:
    async with httpx.AsyncClient(base_url=simulator_url.removesuffix("/v1")) as client:
        response = await client.post(path, json=body)
        broken = await client.post(path, content=b"{not json")
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert response.json()["error"]["param"] == param
    assert broken.status_code == 400
