# ruff: noqa: E501 -- one fact per line reads better than wrapped string literals
"""The fact table of the default topic («История искусственного интеллекта»): dates and names.

Writers state these facts (now and then with a wrong year or name, as people do); the fact
checker recognises a fact by its wording (an anchor that holds neither the year nor the
name), then checks the year and the person against the table. It knows nothing of what a
writer got wrong: it reads the sentence.
"""

import re
from dataclasses import dataclass

Forms = dict[str, str]
"""A person's name by case: nomn, gent, datv, accs, ablt, loct."""


def _person(nomn: str, gent: str, datv: str, ablt: str, loct: str) -> Forms:
    return {"nomn": nomn, "gent": gent, "datv": datv, "accs": gent, "ablt": ablt, "loct": loct}


PEOPLE: dict[str, Forms] = {
    "turing": _person(
        "Алан Тьюринг", "Алана Тьюринга", "Алану Тьюрингу", "Аланом Тьюрингом", "Алане Тьюринге"
    ),
    "mccarthy": _person(
        "Джон Маккарти", "Джона Маккарти", "Джону Маккарти", "Джоном Маккарти", "Джоне Маккарти"
    ),
    "minsky": _person(
        "Марвин Минский",
        "Марвина Минского",
        "Марвину Минскому",
        "Марвином Минским",
        "Марвине Минском",
    ),
    "rosenblatt": _person(
        "Фрэнк Розенблатт",
        "Фрэнка Розенблатта",
        "Фрэнку Розенблатту",
        "Фрэнком Розенблаттом",
        "Фрэнке Розенблатте",
    ),
    "weizenbaum": _person(
        "Джозеф Вейценбаум",
        "Джозефа Вейценбаума",
        "Джозефу Вейценбауму",
        "Джозефом Вейценбаумом",
        "Джозефе Вейценбауме",
    ),
    "newell": _person(
        "Аллен Ньюэлл", "Аллена Ньюэлла", "Аллену Ньюэллу", "Алленом Ньюэллом", "Аллене Ньюэлле"
    ),
    "hinton": _person(
        "Джеффри Хинтон",
        "Джеффри Хинтона",
        "Джеффри Хинтону",
        "Джеффри Хинтоном",
        "Джеффри Хинтоне",
    ),
    "kasparov": _person(
        "Гарри Каспаров",
        "Гарри Каспарова",
        "Гарри Каспарову",
        "Гарри Каспаровым",
        "Гарри Каспарове",
    ),
    "lee": _person("Ли Седоль", "Ли Седоля", "Ли Седолю", "Ли Седолем", "Ли Седоле"),
    "lecun": _person("Ян Лекун", "Яна Лекуна", "Яну Лекуну", "Яном Лекуном", "Яне Лекуне"),
    "hebb": _person(
        "Дональд Хебб", "Дональда Хебба", "Дональду Хеббу", "Дональдом Хеббом", "Дональде Хеббе"
    ),
    "feigenbaum": _person(
        "Эдвард Фейгенбаум",
        "Эдварда Фейгенбаума",
        "Эдварду Фейгенбауму",
        "Эдвардом Фейгенбаумом",
        "Эдварде Фейгенбауме",
    ),
    "lighthill": _person(
        "Джеймс Лайтхилл",
        "Джеймса Лайтхилла",
        "Джеймсу Лайтхиллу",
        "Джеймсом Лайтхиллом",
        "Джеймсе Лайтхилле",
    ),
    "colmerauer": _person(
        "Ален Кольмероэ",
        "Алена Кольмероэ",
        "Алену Кольмероэ",
        "Аленом Кольмероэ",
        "Алене Кольмероэ",
    ),
}


@dataclass(frozen=True)
class Statement:
    """One wording of a fact: `{year}` and `{person:<case>}` are filled from the table."""

    template: str
    anchor: str
    """A fragment of the wording without the year or the name (lower case, е for ё, no
    quotes) by which the checker knows which fact a sentence states."""


@dataclass(frozen=True)
class Fact:
    key: str
    year: int
    person: str | None
    statements: tuple[Statement, ...]


FACTS: tuple[Fact, ...] = (
    Fact(
        "turing-test",
        1950,
        "turing",
        (
            Statement(
                "В {year} году {person:nomn} опубликовал статью «Вычислительные машины и разум» и предложил игру в имитацию.",
                "машины и разум",
            ),
            Statement(
                "Знаменитый тест на разумность машины {person:nomn} описал в {year} году.",
                "тест на разумность машины",
            ),
        ),
    ),
    Fact(
        "dartmouth",
        1956,
        "mccarthy",
        (
            Statement(
                "Термин «искусственный интеллект» предложил {person:nomn} для Дартмутского семинара {year} года.",
                "для дартмутского семинара",
            ),
            Statement(
                "Летом {year} года {person:nomn} собрал в Дартмутском колледже семинар, с которого принято отсчитывать историю искусственного интеллекта.",
                "в дартмутском колледже",
            ),
        ),
    ),
    Fact(
        "logic-theorist",
        1956,
        "newell",
        (
            Statement(
                "Программа «Логик-теоретик», которую {person:nomn} и Герберт Саймон написали в {year} году, сама доказывала математические теоремы.",
                "логик-теоретик",
            ),
        ),
    ),
    Fact(
        "perceptron",
        1958,
        "rosenblatt",
        (
            Statement(
                "В {year} году {person:nomn} описал перцептрон — одну из первых моделей нейронной сети.",
                "описал перцептрон",
            ),
            Statement(
                "Перцептрон, придуманный {person:ablt} в {year} году, умел распознавать простые изображения.",
                "перцептрон, придуманный",
            ),
        ),
    ),
    Fact(
        "lisp",
        1958,
        "mccarthy",
        (
            Statement(
                "Язык программирования Лисп, созданный {person:ablt} в {year} году, надолго стал главным языком исследователей.",
                "язык программирования лисп",
            ),
        ),
    ),
    Fact(
        "eliza",
        1966,
        "weizenbaum",
        (
            Statement(
                "В {year} году {person:nomn} написал программу «Элиза», которая вела простой диалог с человеком.",
                "программу элиза",
            ),
            Statement(
                "Программа «Элиза», которую {person:nomn} создал в {year} году, изображала беседу с психотерапевтом.",
                "программа элиза",
            ),
        ),
    ),
    Fact(
        "perceptrons-book",
        1969,
        "minsky",
        (
            Statement(
                "Книга «Перцептроны», которую {person:nomn} и Сеймур Пейперт выпустили в {year} году, надолго охладила интерес к нейронным сетям.",
                "книга перцептроны",
            ),
            Statement(
                "В {year} году {person:nomn} и Сеймур Пейперт показали, чего не может перцептрон с одним слоем.",
                "чего не может перцептрон",
            ),
        ),
    ),
    Fact(
        "backpropagation",
        1986,
        "hinton",
        (
            Statement(
                "В {year} году Дэвид Румельхарт, {person:nomn} и Рональд Уильямс описали метод обратного распространения ошибки.",
                "обратного распространения ошибки",
            ),
        ),
    ),
    Fact(
        "deep-blue",
        1997,
        "kasparov",
        (
            Statement(
                "В {year} году компьютер Deep Blue обыграл чемпиона мира по шахматам {person:accs}.",
                "компьютер deep blue",
            ),
        ),
    ),
    Fact(
        "alphago",
        2016,
        "lee",
        (
            Statement(
                "В {year} году программа AlphaGo обыграла в го {person:accs}, одного из сильнейших игроков мира.",
                "программа alphago",
            ),
        ),
    ),
    Fact(
        "alexnet",
        2012,
        "hinton",
        (
            Statement(
                "В {year} году сеть AlexNet из группы {person:gent} уверенно победила в конкурсе по распознаванию изображений.",
                "сеть alexnet",
            ),
        ),
    ),
    Fact(
        "lenet",
        1989,
        "lecun",
        (
            Statement(
                "В {year} году {person:nomn} научил многослойную нейронную сеть распознаванию рукописных цифр.",
                "распознаванию рукописных цифр",
            ),
        ),
    ),
    Fact(
        "hebb",
        1949,
        "hebb",
        (
            Statement(
                "В {year} году {person:nomn} предположил, что связь между нейронами крепнет, когда они срабатывают вместе.",
                "связь между нейронами крепнет",
            ),
        ),
    ),
    Fact(
        "dendral",
        1965,
        "feigenbaum",
        (
            Statement(
                "Экспертная система DENDRAL, над которой с {year} года работал {person:nomn}, помогала химикам определять строение молекул.",
                "экспертная система dendral",
            ),
        ),
    ),
    Fact(
        "lighthill",
        1973,
        "lighthill",
        (
            Statement(
                "Доклад, который {person:nomn} подготовил в {year} году, привёл к сокращению финансирования исследований в Великобритании.",
                "сокращению финансирования исследований",
            ),
        ),
    ),
    Fact(
        "prolog",
        1972,
        "colmerauer",
        (
            Statement(
                "Язык логического программирования Пролог создал {person:nomn} в {year} году.",
                "язык логического программирования пролог",
            ),
        ),
    ),
    Fact(
        "transformer",
        2017,
        None,
        (
            Statement(
                "Архитектуру Transformer, на которой основаны современные языковые модели, описали в {year} году.",
                "архитектуру transformer",
            ),
        ),
    ),
    Fact(
        "chatgpt",
        2022,
        None,
        (
            Statement(
                "Чат-бот ChatGPT, выпущенный в конце {year} года, за несколько месяцев привлёк сотни миллионов пользователей.",
                "чат-бот chatgpt",
            ),
        ),
    ),
    Fact(
        "mcculloch-pitts",
        1943,
        None,
        (
            Statement(
                "Ещё в {year} году Уоррен Мак-Каллок и Уолтер Питтс предложили математическую модель нейрона.",
                "математическую модель нейрона",
            ),
        ),
    ),
    Fact(
        "turing-award",
        2018,
        None,
        (
            Statement(
                "В {year} году Джеффри Хинтон, Ян Лекун и Йошуа Бенджио получили премию Тьюринга за работы по глубокому обучению.",
                "за работы по глубокому обучению",
            ),
        ),
    ),
)

YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_PLACEHOLDER = re.compile(r"\{person:(\w+)\}")


def for_topic(topic: str) -> tuple[Fact, ...]:
    """The facts a writer on `topic` may state: the table for the history of AI, else none."""
    lowered = topic.lower().replace("ё", "е")
    return FACTS if "искусственн" in lowered and "интеллект" in lowered else ()


def normalise(text: str) -> str:
    """Lower case, е for ё, no quotes: how anchors are matched."""
    return re.sub(r"[«»\"„“]", "", text.lower().replace("ё", "е"))


def state(
    statement: Statement, fact: Fact, *, year: int | None = None, person: str | None = None
) -> str:
    """The statement with the fact's year and person, or the ones given (a slip)."""
    key = person or fact.person
    who = PEOPLE[key] if key else {}
    text = _PLACEHOLDER.sub(lambda m: who[m[1]], statement.template)
    return text.replace("{year}", str(year if year is not None else fact.year))


def unstated(document: str, facts: tuple[Fact, ...]) -> list[Fact]:
    """The facts `document` does not state yet (no sentence carries their anchors)."""
    text = normalise(document)
    return [f for f in facts if not any(s.anchor in text for s in f.statements)]


def fact_of(sentence: str) -> Fact | None:
    """The fact of the table `sentence` states (rightly or not), if any."""
    text = normalise(sentence)
    return next((f for f in FACTS if any(s.anchor in text for s in f.statements)), None)


def check(sentence: str) -> tuple[str, list[str]]:
    """`sentence` with a wrong year or name of a known fact corrected, and what was corrected
    (Russian, for the chat). A sentence that states no known fact comes back unchanged."""
    fact = fact_of(sentence)
    if fact is None:
        return sentence, []
    fixed, notes = sentence, []
    years = YEAR.findall(fixed)
    if len(years) == 1 and int(years[0]) != fact.year:
        fixed = YEAR.sub(str(fact.year), fixed)
        notes.append(f"год {years[0]} → {fact.year}")
    if fact.person is not None:
        right = PEOPLE[fact.person]
        if not any(form in fixed for form in right.values()):
            for key, forms in PEOPLE.items():
                if key == fact.person:
                    continue
                for case, form in sorted(forms.items(), key=lambda item: -len(item[1])):
                    if form in fixed:
                        fixed = fixed.replace(form, right[case])
                        notes.append(f"{form} → {right[case]}")
                        break
                else:
                    continue
                break
    return fixed, notes
