"""The LLM seam: a small `LlmClient` protocol and its implementation on the official SDK."""

import json
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import openai
from pydantic import ValidationError

from .proposal import EDIT_SCHEMA, EDIT_SCHEMA_NAME, EditProposal

ApiStyle = Literal["responses", "chat"]


class LlmError(Exception):
    """The LLM call failed (network, HTTP error, refusal); the agent loses one cycle."""


def _problem(exc: openai.OpenAIError) -> str:
    """What went wrong, in Russian, with the server's own message where it gave one."""
    if isinstance(exc, openai.APITimeoutError):
        return "нет ответа вовремя"
    if isinstance(exc, openai.APIConnectionError):
        return "соединение не установлено"
    if isinstance(exc, openai.APIStatusError):
        return f"ответ HTTP {exc.status_code}: {exc.message}"
    return str(exc)


class MalformedLlmOutput(LlmError):
    """The LLM answered, but not with an edit matching the schema."""

    def __init__(self, message: str, tokens_used: int) -> None:
        super().__init__(message)
        self.tokens_used = tokens_used


@dataclass(frozen=True)
class LlmReply:
    """A proposed edit and the tokens the call cost (from the API's usage figures)."""

    proposal: EditProposal
    tokens_used: int
    model: str


class LlmClient(Protocol):
    """Asks a model for one structured edit."""

    async def propose(self, *, instructions: str, prompt: str) -> LlmReply:
        """The model's edit for `prompt`; raises `LlmError`."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


class OpenAiLlm:
    """`LlmClient` on `openai.AsyncOpenAI`: the Responses API, or Chat Completions."""

    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        base_url: str | None = None,
        api_style: ApiStyle = "responses",
        timeout_s: float = 60.0,
        max_retries: int = 1,
    ) -> None:
        self.model = model
        self.api_style = api_style
        self._client = openai.AsyncOpenAI(
            api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=max_retries
        )

    async def propose(self, *, instructions: str, prompt: str) -> LlmReply:
        try:
            if self.api_style == "chat":
                text, tokens, model = await self._chat(instructions, prompt)
            else:
                text, tokens, model = await self._responses(instructions, prompt)
        except openai.OpenAIError as exc:
            raise LlmError(f"запрос к модели {self.model!r} не удался: {_problem(exc)}") from exc
        return LlmReply(parse_proposal(text, tokens), tokens, model)

    async def _responses(self, instructions: str, prompt: str) -> tuple[str, int, str]:
        response = await self._client.responses.create(
            model=self.model,
            instructions=instructions,
            input=prompt,
            text={
                "format": {
                    "type": "json_schema",
                    "name": EDIT_SCHEMA_NAME,
                    "schema": EDIT_SCHEMA,
                    "strict": True,
                }
            },
        )
        tokens = response.usage.total_tokens if response.usage else 0
        return response.output_text, tokens, response.model

    async def _chat(self, instructions: str, prompt: str) -> tuple[str, int, str]:
        completion = await self._client.chat.completions.create(
            model=self.model,
            messages=[
                {"role": "system", "content": instructions},
                {"role": "user", "content": prompt},
            ],
            response_format={
                "type": "json_schema",
                "json_schema": {"name": EDIT_SCHEMA_NAME, "schema": EDIT_SCHEMA, "strict": True},
            },
        )
        tokens = completion.usage.total_tokens if completion.usage else 0
        content = completion.choices[0].message.content if completion.choices else None
        return content or "", tokens, completion.model

    async def aclose(self) -> None:
        await self._client.close()


def parse_proposal(text: str, tokens_used: int = 0) -> EditProposal:
    """The edit in a model's answer (tolerating a ```json fence), or `MalformedLlmOutput`."""
    cleaned = text.strip()
    if cleaned.startswith("```"):
        cleaned = cleaned.strip("`").removeprefix("json").strip()
    try:
        data: Any = json.loads(cleaned)
        return EditProposal.model_validate(data)
    except (ValueError, ValidationError) as exc:
        raise MalformedLlmOutput(
            f"LLM output is not an edit matching the schema: {exc}; got {text[:200]!r}",
            tokens_used,
        ) from exc
