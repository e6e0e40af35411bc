"""Session tokens: parsing, printing, dominance and the pointwise maximum."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crdt_core import InvalidSession, SessionToken

vectors = st.dictionaries(st.integers(0, 2), st.integers(1, 10**6), max_size=3)
documents = st.sampled_from(["", "d1", "0b6c1f3e-8d2a-4c57-a1b9-5d2e7f9c4a10"])


def test_a_token_reads_back_as_it_prints() -> None:
    token = SessionToken.parse("0b6c1f3e-8d2a-4c57-a1b9-5d2e7f9c4a10;0:17,1:9,2:12")
    assert token.document_id == "0b6c1f3e-8d2a-4c57-a1b9-5d2e7f9c4a10"
    assert dict(token.vector) == {0: 17, 1: 9, 2: 12}
    assert str(token) == "0b6c1f3e-8d2a-4c57-a1b9-5d2e7f9c4a10;0:17,1:9,2:12"
    assert str(SessionToken()) == ";"


@pytest.mark.parametrize(
    "text", ["", "0:1", "d;0:x", "d;9:1", "d;0:1,0:2", "d d;0:1", "d;" + "0:1," * 200]
)
def test_a_bad_token_is_refused_in_russian(text: str) -> None:
    with pytest.raises(InvalidSession, match=r"токен\w* сеанса"):
        SessionToken.parse(text)


def test_a_node_serves_a_session_only_when_it_holds_everything_seen() -> None:
    token = SessionToken.parse("d;0:5,2:3")
    assert token.covered_by({0: 5, 1: 0, 2: 3})
    assert token.covered_by({0: 9, 1: 9, 2: 9})
    assert not token.covered_by({0: 5, 2: 2})
    assert not token.covered_by({1: 100})


@given(documents, vectors, documents, vectors)
def test_merge_is_the_pointwise_maximum_and_covers_both(
    doc_a: str, a: dict[int, int], doc_b: str, b: dict[int, int]
) -> None:
    left, right = SessionToken(doc_a, a), SessionToken(doc_b, b)
    merged = left.merge(right)
    assert left.covered_by(merged.vector)
    assert right.covered_by(merged.vector)
    assert dict(merged.vector) == dict(right.merge(left).vector)
    assert SessionToken.parse(str(merged)).vector == {k: v for k, v in merged.vector.items()}


def test_merge_keeps_the_document_of_the_token_that_has_seen_more() -> None:
    old, new = SessionToken("old", {0: 3}), SessionToken("new", {0: 4})
    assert old.merge(new).document_id == "new"
    assert new.merge(old).document_id == "new"
