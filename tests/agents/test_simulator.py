"""The simulator over real HTTP, driven by the official openai SDK (both APIs)."""

import json
import re
import time

import httpx
import openai
import pytest

from agents.llm import OpenAiLlm
from agents.prompt import INSTRUCTIONS, build_prompt
from agents.proposal import EDIT_SCHEMA, EDIT_SCHEMA_NAME, Action, EditProposal
from agents.simulator import FINGERPRINT, MODEL_ID, SimulatorSettings, create_app, tokens
from agents.simulator import _banks as banks

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
            'Он сказал: "Это еще не все равно" - и ушёл.',
            'Он сказал: "Это еще не все равно" - и ушёл.',
            "Он сказал: «Это ещё не всё равно» — и ушёл.",
        ),
        (
            "редактор повторов",
            "Первое предложение. Второе предложение. Второе предложение. Конец.",
            " Второе предложение.",
            "",
        ),
        (
            "проверяющий факты",
            "Гагарин совершил первый полёт в космос в 1962 году. Это было важно.",
            "Гагарин совершил первый полёт в космос в 1962 году.",
            "Гагарин совершил первый полёт в космос в 1961 году.",
        ),
        (
            "редактор лаконичности",
            "На самом деле, репликация нужна всем. Это просто.",
            "На самом деле, репликация нужна всем.",
            "Репликация нужна всем.",
        ),
        (
            "корректор орфографии",
            "Вобщем, придти вовремя трудно.",
            "Вобщем, придти вовремя трудно.",
            "В общем, прийти вовремя трудно.",
        ),
        (
            "редактор терминологии",
            "Юзер ждёт апдейт к пятнице.",
            "Юзер ждёт апдейт к пятнице.",
            "Пользователь ждёт обновление к пятнице.",
        ),
        (
            "редактор структуры",
            "Раз. Два. Три. Четыре. Пять. Шесть.",
            "Три. Четыре.",
            "Три.\n\nЧетыре.",
        ),
    ],
)
async def test_each_corrective_role_makes_its_edit(
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
    assert target in document
    assert reply.proposal.note


@pytest.mark.parametrize("role", ["эксперт по теме", "автор примеров", "популяризатор"])
async def test_additive_roles_keep_appending_sentences_that_say_something_new(
    simulator_url: str, role: str
) -> None:
    llm = OpenAiLlm(api_key="offline", model=MODEL_ID, base_url=simulator_url)
    document = "Распределённые системы состоят из узлов. Узлы общаются по сети. Это важно."
    added: list[str] = []
    try:
        for _ in range(40):
            reply = await llm.propose(instructions=INSTRUCTIONS, prompt=prompt(role, document))
            assert reply.proposal.action is Action.APPEND
            assert reply.proposal.target == ""
            sentence = reply.proposal.new_text.strip()
            assert sentence not in document
            assert sentence.endswith(".")
            added.append(sentence)
            document += reply.proposal.new_text
    finally:
        await llm.aclose()
    # What is said, without the lead-in ("Например, сегодня …"), is never said twice.
    lead_in = re.compile(r"^(Например, |Проще говоря, )?(" + "|".join(banks.OPENERS) + r")? ?")
    said = [lead_in.sub("", s).lower() for s in added]
    assert len(set(said)) == len(said), said


async def test_the_conclusion_is_written_once(simulator_url: str) -> None:
    llm = OpenAiLlm(api_key="offline", model=MODEL_ID, base_url=simulator_url)
    document = "Распределённые системы состоят из узлов. Узлы общаются по сети. Это важно."
    try:
        first = await llm.propose(
            instructions=INSTRUCTIONS, prompt=prompt("автор заключения", document)
        )
        assert first.proposal.action is Action.APPEND
        assert first.proposal.new_text.startswith("\n\nТаким образом,")
        document += first.proposal.new_text
        second = await llm.propose(
            instructions=INSTRUCTIONS, prompt=prompt("автор заключения", document)
        )
    finally:
        await llm.aclose()
    assert second.proposal.action is Action.NONE


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


async def test_same_seed_and_prompt_give_the_same_edit(sdk: openai.AsyncOpenAI) -> None:
    async def ask(client: httpx.AsyncClient, role: str) -> str:
        body = {"model": MODEL_ID, "input": prompt(role, "Распределённые системы.")}
        response = await client.post("/v1/responses", json=body)
        return str(response.json()["output"][0]["content"][0]["text"])

    apps = {seed: create_app(SimulatorSettings(seed=seed)) for seed in range(6)}
    answers: dict[int, list[str]] = {}
    for seed, app in apps.items():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sim.test") as client:
            answers[seed] = [await ask(client, "эксперт по теме") for _ in range(2)]
    assert all(a[0] == a[1] for a in answers.values())
    assert len({a[0] for a in answers.values()}) > 1  # the seed matters


async def test_latency_is_configurable() -> None:
    app = create_app(SimulatorSettings(latency_ms=200))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim.test") as client:
        start = time.monotonic()
        response = await client.post(
            "/v1/chat/completions",
            json={"model": MODEL_ID, "messages": [{"role": "user", "content": "привет"}]},
        )
        elapsed = time.monotonic() - start
    assert response.status_code == 200
    assert elapsed >= 0.2
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
