"""Default and custom roles, and which simulator strategy each default role gets."""

import pytest

from agents.roles import DEFAULT_ROLES, ROLES_BY_KEY, default_roles, resolve
from agents.simulator._model import RoleKind, role_kind

EXPECTED = {kind.value: kind for kind in RoleKind}


def test_at_least_ten_russian_default_roles() -> None:
    assert len(DEFAULT_ROLES) >= 10
    assert len({r.key for r in DEFAULT_ROLES}) == len(DEFAULT_ROLES)
    assert all(any("а" <= ch <= "я" for ch in r.name) for r in DEFAULT_ROLES)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_each_default_role_instruction_gets_its_own_strategy(key: str) -> None:
    assert role_kind(ROLES_BY_KEY[key].instruction) is EXPECTED[key]


def test_roles_resolve_by_key_or_name_and_anything_else_is_custom() -> None:
    assert resolve("style") is ROLES_BY_KEY["style"]
    assert resolve("  Корректор   стиля ") is ROLES_BY_KEY["style"]
    custom = resolve("эксперт по квантовой физике")
    assert custom.key == "custom"
    assert custom.instruction == "эксперт по квантовой физике"
    with pytest.raises(ValueError, match="AGENT_ROLE"):
        resolve("   ")


def test_default_roles_cycle_for_many_agents() -> None:
    roles = default_roles(13)
    assert len(roles) == 13
    assert roles[11] is DEFAULT_ROLES[0]
