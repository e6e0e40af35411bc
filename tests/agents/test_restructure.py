"""Moving a paragraph by agreement, step by step, as the simulator's agents carry it out."""

from agents.prompt import ChatLine, build_prompt, parse_prompt
from agents.proposal import Action, EditProposal, locate
from agents.simulator._flaws import FlawRates
from agents.simulator._model import SimulatedModel

STRUCTURE = "редактор структуры"
STYLE = "корректор стиля"
CONCLUSION = "Таким образом, распределённые системы жертвуют простотой ради надёжности."
DOCUMENT = (
    "Распределённая система состоит из узлов.\n\n"
    f"{CONCLUSION}\n\n"
    "Узлы обмениваются сообщениями по сети."
)


def ask(agent_id: str, role: str, document: str, chat: list[ChatLine]) -> EditProposal:
    prompt = build_prompt(
        agent_id=agent_id, role=role, topic="Распределённые системы", document=document, chat=chat
    )
    parts = parse_prompt(prompt)
    assert parts is not None
    return SimulatedModel(seed=1, flaws=FlawRates(), target_chars=6000).propose(parts, prompt)


def apply(document: str, proposal: EditProposal) -> str:
    planned = locate(proposal, document)
    assert planned is not None, proposal
    return document[: planned.start] + planned.proposed_text + document[planned.end :]


def test_propose_agree_delete_append() -> None:
    chat: list[ChatLine] = []
    proposal = ask("agent-1", STRUCTURE, DOCUMENT, chat)
    assert proposal.action is Action.NONE
    assert proposal.note == f"Предлагаю перенести абзац 2 в конец: «{CONCLUSION}»"
    chat.append(ChatLine("agent-1", proposal.note))

    # The proposer waits for an answer; it says nothing meanwhile.
    waiting = ask("agent-1", STRUCTURE, DOCUMENT, chat)
    assert (waiting.action, waiting.note) == (Action.NONE, "")

    answer = ask("agent-2", STYLE, DOCUMENT, chat)
    assert answer.action is Action.NONE
    assert answer.note.startswith("Согласен")
    chat.append(ChatLine("agent-2", answer.note))
    # Once someone agreed, the others do not pile on.
    assert ask("agent-3", STYLE, DOCUMENT, chat).note == ""

    delete = ask("agent-1", STRUCTURE, DOCUMENT, chat)
    assert delete.action is Action.DELETE
    assert delete.target == f"\n\n{CONCLUSION}"
    document = apply(DOCUMENT, delete)
    assert CONCLUSION not in document
    chat.append(ChatLine("agent-1", delete.note))

    append = ask("agent-1", STRUCTURE, document, chat)
    assert append.action is Action.APPEND
    document = apply(document, append)
    chat.append(ChatLine("agent-1", append.note))
    assert document == (
        "Распределённая система состоит из узлов.\n\n"
        "Узлы обмениваются сообщениями по сети.\n\n"
        f"{CONCLUSION}"
    )
    # Done: nobody proposes it again, and the proposer is back to its own work.
    after = ask("agent-1", STRUCTURE, document, chat)
    assert not after.note.startswith("Предлагаю")


def test_no_move_without_agreement_from_someone_else() -> None:
    proposal = ask("agent-1", STRUCTURE, DOCUMENT, [])
    chat = [ChatLine("agent-1", proposal.note), ChatLine("agent-1", "Согласен сам с собой.")]
    assert ask("agent-1", STRUCTURE, DOCUMENT, chat).action is Action.NONE


def test_a_proposal_already_carried_out_is_not_answered() -> None:
    moved = DOCUMENT.replace(f"\n\n{CONCLUSION}", "") + f"\n\n{CONCLUSION}"
    chat = [ChatLine("agent-1", f"Предлагаю перенести абзац 2 в конец: «{CONCLUSION}»")]
    assert ask("agent-2", STYLE, moved, chat).note == ""
