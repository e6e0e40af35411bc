"""The invariants of DESIGN.md §3, checked on healed replicas."""

from collections import defaultdict

from crdt_core import CharRef, EditStatus, Fold, Op, OpKind, OpSet, Replica

Ref = tuple[str, str]  # (document_id, edit_id)


def check_all(replicas: list[Replica], accepted: dict[Ref, Op], rejected: set[Ref]) -> None:
    """Assert invariants 1-9 on replicas that have exchanged everything."""
    folds = [_fold(r) for r in replicas]
    # (1) exactly the accepted edits, none lost, none invented; the same rejections everywhere
    for replica in replicas:
        held = {(op.document_id, op.edit_id) for op in replica.opset.edits()}
        assert held == set(accepted), (
            f"node {replica.node}: lost {sorted(set(accepted) - held)}, "
            f"invented {sorted(held - set(accepted))}"
        )
        refused = {(op.document_id, op.edit_id) for op in replica.opset.rejections()}
        assert refused == rejected - set(accepted), f"node {replica.node}: rejections differ"
    # (2) byte-identical texts
    texts = {fold.text.encode() for fold in folds}
    assert len(texts) == 1, f"texts differ: {[fold.text for fold in folds]}"
    # (3) incremental fold with rewinds == fold from scratch
    for replica, fold in zip(replicas, folds, strict=True):
        scratch = OpSet(replica.node)
        for op in sorted(replica.opset.all_ops(), key=lambda o: o.key):
            scratch.add(op)
        assert scratch.fold is not None
        assert scratch.fold.text == fold.text
        assert [o.key for o in scratch.fold.ops()] == [o.key for o in fold.ops()]
        for op in fold.ops():
            assert scratch.fold.status(op.edit_id) == fold.status(op.edit_id), op.edit_id
    # (4) identical history
    histories = [fold.history() for fold in folds]
    assert all(h == histories[0] for h in histories), "version histories differ"
    # (5) catch-up answers the same everywhere
    for since in {0, 1, folds[0].version // 2, folds[0].version}:
        answers = [[(v, op.key) for v, op in r.opset.since_version(since)] for r in replicas]
        assert all(a == answers[0] for a in answers), f"catch-up since {since} differs"
    missing = [[op.key for op in r.opset.missing({})] for r in replicas]
    assert all(m == missing[0] for m in missing)
    # budget: every edit counted once
    tokens = sum(op.tokens_used for op in accepted.values())
    assert all(r.opset.tokens_used == tokens for r in replicas)
    fold = folds[0]
    _check_kills_by_higher_keys(fold)  # (6)
    _check_last_writer_wins(fold)  # (7)
    assert all(f.pending() == [] for f in folds), "pending operations left after heal"  # (8)
    for replica in replicas:  # (9), and one edit, one op
        _check_keys_per_origin(replica.opset)
        check_lowest_copies_kept(replica.opset)


def _fold(replica: Replica) -> Fold:
    assert replica.opset.fold is not None, f"node {replica.node} has no document"
    return replica.opset.fold


def _check_kills_by_higher_keys(fold: Fold) -> None:
    key_of = {op.edit_id: op.key for op in fold.ops()}
    for killer, victims in fold.kills().items():
        for victim in victims:
            assert key_of[victim] < key_of[killer], f"{killer} killed text of later {victim}"


def _check_last_writer_wins(fold: Fold) -> None:
    """Of two concurrent replacements of overlapping ranges, the earlier key is superseded."""
    ranged = [op for op in fold.ops() if op.kind == OpKind.REPLACE and op.first is not None]
    for i, older in enumerate(ranged):
        if fold.status(older.edit_id) == EditStatus.PENDING:
            continue
        for newer in ranged[i + 1 :]:
            if not newer.is_concurrent_with(older) or not _overlap(fold, older, newer):
                continue
            if fold.status(newer.edit_id) == EditStatus.PENDING:
                continue
            assert fold.status(older.edit_id) == EditStatus.SUPERSEDED, (
                f"{older.edit_id} should lose to concurrent {newer.edit_id}"
            )
    for op in fold.ops():
        if fold.status(op.edit_id) == EditStatus.SUPERSEDED:
            assert not any(_alive_chars(fold, op)), f"superseded {op.edit_id} still shows text"


def _overlap(fold: Fold, a: Op, b: Op) -> bool:
    assert a.first
    assert a.last
    assert b.first
    assert b.last
    return not (
        fold.position(a.first) > fold.position(b.last)
        or fold.position(b.first) > fold.position(a.last)
    )


def _alive_chars(fold: Fold, op: Op) -> list[bool]:
    return [fold.is_alive(CharRef(op.edit_id, k)) for k in range(len(op.text))]


def _check_keys_per_origin(opset: OpSet) -> None:
    by_origin: dict[int, list[Op]] = defaultdict(list)
    for op in opset.all_ops():
        by_origin[op.origin].append(op)
    for origin, ops in by_origin.items():
        ops.sort(key=lambda o: o.seq)
        assert [o.seq for o in ops] == list(range(1, len(ops) + 1)), f"origin {origin} seq gaps"
        keys = [o.key for o in ops]
        assert keys == sorted(set(keys)), f"origin {origin}: keys not increasing with seq"


def check_lowest_copies_kept(opset: OpSet) -> None:
    """One edit, one op (DESIGN §3): of the copies of an edit the one with the lowest key
    counts, and of the reject records of an edit never accepted the lowest key is kept."""
    copies: dict[Ref, list[Op]] = defaultdict(list)
    rejects: dict[Ref, list[Op]] = defaultdict(list)
    for op in opset.all_ops():
        held = rejects if op.kind == OpKind.REJECT else copies
        held[(op.document_id, op.edit_id)].append(op)
    for (document_id, edit_id), ops in copies.items():
        winner = opset.winner(edit_id, document_id)
        lowest = min(op.key for op in ops)
        assert winner is not None, f"node {opset.origin}: no copy of {edit_id} counts"
        assert winner.key == lowest, (
            f"node {opset.origin}: of {len(ops)} copies of {edit_id} the key {winner.key} "
            f"counts, not the lowest {lowest}"
        )
    kept = {(op.document_id, op.edit_id): op for op in opset.rejections()}
    for ref, ops in rejects.items():
        lowest = min(op.key for op in ops)
        if ref in copies:
            assert ref not in kept, f"node {opset.origin}: accepted {ref} listed as rejected"
            continue
        assert kept[ref].key == lowest, (
            f"node {opset.origin}: of {len(ops)} reject records of {ref[1]} the key "
            f"{kept[ref].key} is kept, not the lowest {lowest}"
        )
