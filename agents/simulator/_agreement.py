"""Agreement of an adjective with the noun right after it, checked with pymorphy3.

"ранняя этап" is wrong: no reading of "ранняя" shares gender, number and case with any
reading of "этап". Only plain adjectives are checked (not participles, which take objects:
"задачи, требующие разума"; not pronouns: "одну из"). The fix inflects the adjective to the
noun's likeliest reading ("ранний этап"). A pair where some readings agree is left alone, as
is any pair with a word the dictionary only guesses: the check must never "fix" correct
Russian.
"""

import itertools

from pymorphy3.analyzer import Parse

from ._language import inflect, is_known, parses, with_case_of, words

PRONOUNS = frozenset({"Apro", "Anum"})


def _agree(adjective: Parse, noun: Parse) -> bool:
    a, n = adjective.tag, noun.tag
    if a.case != n.case or a.number != n.number:
        return False
    return n.number == "plur" or n.gender is None or a.gender == n.gender


def agreed_form(adjective: str, noun: str) -> str | None:
    """The form of `adjective` that agrees with `noun`, when the pair does not agree now."""
    if not (is_known(adjective) and is_known(noun)):
        return None
    modifiers = [p for p in parses(adjective) if p.tag.POS == "ADJF"]
    nouns = [p for p in parses(noun) if p.tag.POS == "NOUN"]
    if not modifiers or len(modifiers) < len(parses(adjective)):
        return None  # not only an adjective ("учёные" is a noun too; participles take objects)
    if not nouns or parses(noun)[0].tag.POS != "NOUN":
        return None  # "из" may be a name, but it is a preposition
    if modifiers[0].tag.grammemes & PRONOUNS:
        return None  # "одну из", "всё это": pronouns and numerals agree with something else
    if any(_agree(a, n) for a in modifiers for n in nouns):
        return None
    target = nouns[0].tag
    wanted = {str(target.case), str(target.number)}
    if target.number == "sing" and target.gender:
        wanted.add(str(target.gender))
    if (
        target.case == "accs"
        and target.animacy
        and (target.number == "plur" or target.gender == "masc")
    ):
        wanted.add(str(target.animacy))
    form = inflect(modifiers[0], wanted) or inflect(modifiers[0], wanted - {"anim", "inan"})
    return None if form is None else with_case_of(adjective, form)


def fix(sentence: str) -> tuple[str, list[tuple[str, str]]]:
    """`sentence` with every disagreeing adjective before a noun made to agree, and the
    (wrong, right) pairs."""
    found = list(words(sentence))
    changes: list[tuple[int, int, str]] = []
    for first, second in itertools.pairwise(found):
        if sentence[first.end() : second.start()] != " ":
            continue
        form = agreed_form(first[0], second[0])
        if form is not None and form != first[0]:
            changes.append((first.start(), first.end(), form))
    fixed = sentence
    pairs = []
    for start, end, form in reversed(changes):
        pairs.append((fixed[start:end], form))
        fixed = fixed[:start] + form + fixed[end:]
    return fixed, list(reversed(pairs))
