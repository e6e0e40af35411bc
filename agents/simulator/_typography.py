"""The style corrector's rules: Russian typography and the letter ё.

Straight quotes become «ёлочки» (in pairs, within one sentence), a hyphen or en dash between
words an em dash, three dots an ellipsis, runs of spaces one space, and «е» becomes «ё» where
the dictionary allows only ё ("еще" → "ещё", "ученые" → "учёные"; never "все", which may be
"всё").
"""

import re

from ._language import parses, with_case_of, words

_QUOTED = re.compile(r'"([^"\n]+)"')
_DASH = re.compile(r"(?<=\S) (?:-|--|–) (?=\S)")


def yo_form(word: str) -> str | None:
    """The ё spelling of a word written with е, when every reading of it has ё."""
    if "е" not in word.lower():
        return None
    forms = {str(p.word) for p in parses(word)}
    if len(forms) != 1:
        return None
    (form,) = forms
    if "ё" not in form or form.replace("ё", "е") != word.lower():
        return None
    return with_case_of(word, form)


def fix(sentence: str) -> tuple[str, list[str]]:
    """`sentence` in Russian typography, and what was changed (Russian, for the chat)."""
    done: list[str] = []
    fixed = sentence
    if fixed.count('"') % 2 == 0 and _QUOTED.search(fixed):
        fixed = _QUOTED.sub(r"«\1»", fixed)
        done.append("кавычки-«ёлочки»")
    if _DASH.search(fixed):
        fixed = _DASH.sub(" — ", fixed)
        done.append("тире")
    if "..." in fixed:
        fixed = fixed.replace("...", "…")
        done.append("многоточие")
    if "  " in fixed:
        fixed = re.sub(r" {2,}", " ", fixed)
        done.append("лишние пробелы")
    yo = [(m, yo_form(m[0])) for m in words(fixed)]
    yo = [(m, form) for m, form in yo if form]
    if yo:
        for match, form in reversed(yo):
            fixed = fixed[: match.start()] + str(form) + fixed[match.end() :]
        done.append("буква ё: " + ", ".join(str(form) for _, form in yo))
    return fixed, done
