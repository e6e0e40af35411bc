"""Agent roles: the default Russian editors and custom roles given as free text."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    """A role: a short key, a Russian name and the instruction that goes into the prompt."""

    key: str
    name: str
    instruction: str


DEFAULT_ROLES: tuple[Role, ...] = (
    Role(
        "expert",
        "эксперт по теме",
        "Эксперт по теме документа: дописывай точные содержательные предложения по теме, "
        "не повторяя уже сказанного.",
    ),
    Role(
        "style",
        "корректор стиля",
        "Корректор стиля и типографики: заменяй прямые кавычки на «ёлочки», дефис между "
        "словами на тире, ставь букву ё, убирай двойные пробелы.",
    ),
    Role(
        "facts",
        "проверяющий факты",
        "Проверяющий факты: находи и исправляй неверные даты, числа и утверждения.",
    ),
    Role(
        "structure",
        "редактор структуры",
        "Редактор структуры: следи за делением на абзацы, разбивай слишком длинные абзацы.",
    ),
    Role(
        "repetitions",
        "редактор повторов",
        "Редактор повторов: удаляй дословно повторяющиеся предложения.",
    ),
    Role(
        "concision",
        "редактор лаконичности",
        "Редактор лаконичности: убирай слова-паразиты и канцелярит, не меняя смысла.",
    ),
    Role(
        "spelling",
        "корректор орфографии",
        "Корректор орфографии: исправляй орфографические ошибки и слитное/раздельное написание.",
    ),
    Role(
        "terms",
        "редактор терминологии",
        "Редактор терминологии: заменяй жаргон и англицизмы принятыми русскими терминами.",
    ),
    Role(
        "examples",
        "автор примеров",
        "Автор примеров: добавляй короткие наглядные примеры к изложенным мыслям.",
    ),
    Role(
        "plain",
        "популяризатор",
        "Популяризатор: поясняй сложные места простыми словами для широкого читателя.",
    ),
    Role(
        "conclusion",
        "автор заключения",
        "Автор заключения: когда текст набрал содержание, допиши заключительный абзац с выводом.",
    ),
)
ROLES_BY_KEY = {role.key: role for role in DEFAULT_ROLES}


def resolve(value: str) -> Role:
    """The default role named by key or Russian name, or a custom role with `value` as text."""
    cleaned = " ".join(value.split())
    if not cleaned:
        raise ValueError("a role must not be empty: set AGENT_ROLE to a role key or text")
    lowered = cleaned.lower()
    for role in DEFAULT_ROLES:
        if lowered in (role.key, role.name):
            return role
    return Role("custom", cleaned[:60], cleaned)


def default_roles(count: int) -> list[Role]:
    """`count` roles cycling through the defaults (for a supervisor starting N agents)."""
    return [DEFAULT_ROLES[i % len(DEFAULT_ROLES)] for i in range(count)]
