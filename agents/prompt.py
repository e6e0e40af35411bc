"""The prompt an agent sends and how the offline simulator reads it back.

The prompt is plain Russian text in sections; the document goes last, between lines `<<<` and
`>>>`, so a fragment of it can never be taken for a section header.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

AGENT = "ТЫ:"
ROLE = "РОЛЬ:"
TOPIC = "ТЕМА:"
CLAIMED = "ЗАНЯТЫЕ ФРАГМЕНТЫ (их не трогай):"
CHAT = "ЧАТ (последние сообщения, твои тоже):"
DOCUMENT = "ДОКУМЕНТ (между строками <<< и >>>):"
OPEN, CLOSE = "<<<", ">>>"
NOTHING = "—"

INSTRUCTIONS = (
    "Ты один из нескольких редакторов, которые вместе пишут русский текст (plain text, без "
    "разметки). Предложи ровно одну правку в своей роли. Допустимы действия: replace — заменить "
    "фрагмент, delete — удалить фрагмент, append — дописать текст в конец, none — править "
    "нечего. В поле target процитируй фрагмент документа дословно, символ в символ (для append "
    "оставь пустым); правь целыми предложениями, не разрывай слова, сохраняй парные «». В поле "
    "new_text — новый текст (пустой для delete). В поле note — короткое сообщение в чат на "
    "русском; чтобы занять фрагмент на время, напиши «беру: «фрагмент»». Не трогай занятые "
    "фрагменты. Перестановку абзацев сначала предложи в чате («предлагаю перенести абзац N в "
    "конец»), дождись согласия («согласен») и выполни двумя правками: удали абзац, затем "
    "допиши его в конец. Ответь JSON-объектом по схеме."
)


@dataclass(frozen=True)
class ChatLine:
    agent_id: str
    message: str


@dataclass(frozen=True)
class PromptParts:
    agent_id: str
    role: str
    topic: str
    document: str
    claimed: list[str] = field(default_factory=list)
    chat: list[ChatLine] = field(default_factory=list)


def build_prompt(
    *,
    agent_id: str,
    role: str,
    topic: str,
    document: str,
    chat: Sequence[ChatLine] = (),
    claimed: Sequence[str] = (),
) -> str:
    """The user prompt for one cycle."""
    lines = [
        f"{AGENT} {agent_id}",
        f"{ROLE} {_one_line(role)}",
        f"{TOPIC} {_one_line(topic) or NOTHING}",
        CLAIMED,
    ]
    lines += [f"- «{_one_line(c)}»" for c in claimed] or [NOTHING]
    lines.append(CHAT)
    lines += [f"[{m.agent_id}] {_one_line(m.message)}" for m in chat] or [NOTHING]
    lines += [DOCUMENT, OPEN, document, CLOSE]
    return "\n".join(lines)


def parse_prompt(prompt: str) -> PromptParts | None:
    """The parts of a prompt made by `build_prompt`, or None if it is not one."""
    head, sep, rest = prompt.partition(f"\n{DOCUMENT}\n{OPEN}\n")
    if not sep:
        return None
    document, sep, _ = rest.rpartition(f"\n{CLOSE}")
    if not sep:
        return None
    agent_id = role = topic = ""
    claimed: list[str] = []
    chat: list[ChatLine] = []
    section = ""
    for line in head.splitlines():
        if line.startswith(AGENT):
            agent_id = line.removeprefix(AGENT).strip()
        elif line.startswith(ROLE):
            role = line.removeprefix(ROLE).strip()
        elif line.startswith(TOPIC):
            topic = line.removeprefix(TOPIC).strip()
            topic = "" if topic == NOTHING else topic
        elif line in (CLAIMED, CHAT):
            section = line
        elif section == CLAIMED and line.startswith("- «") and line.endswith("»"):
            claimed.append(line[3:-1])
        elif section == CHAT and line.startswith("[") and "] " in line:
            author, _, message = line[1:].partition("] ")
            chat.append(ChatLine(author, message))
    return PromptParts(
        agent_id=agent_id, role=role, topic=topic, document=document, claimed=claimed, chat=chat
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())
