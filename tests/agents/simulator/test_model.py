"""The whole room without a network: ten roles take turns on one document.

Each turn builds the real prompt, asks `SimulatedModel` and applies its edit the way a node
would (`locate`). The document must grow, then level off at the target size while it keeps
changing, and come out cleaner than what the writers drafted.
"""

from collections import Counter

from agents.prompt import build_prompt, parse_prompt
from agents.proposal import Action, locate
from agents.roles import default_roles
from agents.simulator import _speller
from agents.simulator._flaws import FlawRates
from agents.simulator._language import sentences
from agents.simulator._model import RoleKind, SimulatedModel, role_kind
from launcher.demo import INITIAL_TEXT, TOPIC

TARGET = 3000


def test_ten_roles_grow_then_refine_a_document() -> None:
    model = SimulatedModel(seed=4, flaws=FlawRates(), target_chars=TARGET)
    roles = default_roles(10)
    document = INITIAL_TEXT
    edits: Counter[tuple[RoleKind, Action]] = Counter()
    drafted: list[str] = []
    sizes = []
    for turn in range(1000):
        role = roles[turn % len(roles)]
        prompt = build_prompt(
            agent_id=f"agent-{turn % 10 + 1}", role=role.instruction, topic=TOPIC, document=document
        )
        parts = parse_prompt(prompt)
        assert parts is not None
        proposal = model.propose(parts, prompt)
        planned = locate(proposal, document)
        if planned is None:
            assert proposal.action is Action.NONE
            continue
        if proposal.action is Action.APPEND:
            drafted.append(planned.proposed_text)
        document = document[: planned.start] + planned.proposed_text + document[planned.end :]
        edits[role_kind(role.instruction), proposal.action] += 1
        sizes.append(len(document))

    by_role = Counter(kind for kind, _ in edits.elements())
    assert set(by_role) == {role_kind(r.instruction) for r in roles}, by_role
    assert edits[RoleKind.EXPERT, Action.REPLACE] > 0  # writers rewrite once it is long
    assert edits[RoleKind.CONCISION, Action.DELETE] > 0  # and the text is trimmed
    assert max(sizes[len(sizes) // 2 :]) < TARGET * 1.15  # the size levels off
    assert len(document) > TARGET * 0.7
    said = sentences(document)
    assert len(said) == len(set(said))
    assert document.count("«") == document.count("»")
    words = len(document.split())
    drafted_words = len(" ".join(drafted).split())
    per_1000 = 1000 * len(_speller.misspellings(document)) / words
    drafted_per_1000 = 1000 * len(_speller.misspellings(" ".join(drafted))) / drafted_words
    assert per_1000 < drafted_per_1000 / 2, (per_1000, drafted_per_1000)


def test_a_role_with_nothing_to_do_says_none() -> None:
    model = SimulatedModel(seed=0, flaws=FlawRates(), target_chars=TARGET)
    prompt = build_prompt(
        agent_id="agent-7",
        role="Корректор орфографии: исправляй опечатки",
        topic=TOPIC,
        document="Первые программы играли в шашки.",
    )
    parts = parse_prompt(prompt)
    assert parts is not None
    assert model.propose(parts, prompt).action is Action.NONE
