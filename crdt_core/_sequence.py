"""The character sequence of a document: stable ids, live characters and tombstones.

Characters live in blocks of a few hundred; a Fenwick tree over the blocks' live counts turns
a live offset into a character in O(log blocks), and a dict finds the block of any id. Ids are
ints: `handle << ID_SHIFT | k`, where the fold gives every edit id a small integer handle.
"""

from itertools import compress, islice

ID_SHIFT = 24
_GROUP = 32
"""Blocks whose texts `Sequence.text` keeps joined together."""
_REBUILD_BELOW = 32
"""More blocks than this after a change: the prefix sums are rebuilt in O(blocks) rather than
re-appended one by one in O(log blocks) each."""


class _Block:
    __slots__ = ("alive", "chars", "ids", "live", "pos", "text")

    def __init__(self, ids: list[int], chars: list[str], alive: bytearray) -> None:
        self.ids = ids
        self.chars = chars
        self.alive = alive
        self.live = alive.count(1)
        self.pos = 0
        self.text: str | None = None  # the live characters, until the block changes

    def live_text(self) -> str:
        if self.text is None:
            self.text = "".join(compress(self.chars, self.alive))
        return self.text


class _Fenwick:
    """Prefix sums over block live counts."""

    def __init__(self, values: list[int]) -> None:
        self.size = len(values)
        tree = [0, *values]
        for i in range(1, self.size + 1):
            parent = i + (i & -i)
            if parent <= self.size:
                tree[parent] += tree[i]
        self.tree = tree

    def truncate(self, size: int) -> None:
        """Keep the first `size` values (a node sums values at or before it only)."""
        del self.tree[size + 1 :]
        self.size = size

    def append(self, value: int) -> None:
        self.size += 1
        i = self.size
        self.tree.append(value + self.prefix(i - 1) - self.prefix(i - (i & -i)))

    def add(self, index: int, delta: int) -> None:
        i = index + 1
        tree, size = self.tree, self.size
        while i <= size:
            tree[i] += delta
            i += i & -i

    def prefix(self, index: int) -> int:
        """Sum of the values before `index`."""
        total, tree, i = 0, self.tree, index
        while i > 0:
            total += tree[i]
            i -= i & -i
        return total

    def find(self, offset: int) -> tuple[int, int]:
        """Block index holding live offset `offset` and the live count before that block."""
        pos, remaining, tree = 0, offset, self.tree
        step = 1 << self.size.bit_length()
        while step:
            nxt = pos + step
            if nxt <= self.size and tree[nxt] <= remaining:
                pos = nxt
                remaining -= tree[nxt]
            step >>= 1
        return pos, offset - remaining


class Sequence:
    """Every character ever inserted into one document, in document order."""

    block_size = 128
    """Target block length; a block is split when it doubles. A test-only knob: property tests
    shrink it to a few characters so that short texts cross blocks and split them."""

    def __init__(self) -> None:
        self._blocks: list[_Block] = []
        self._block_of: dict[int, _Block] = {}
        self._fenwick = _Fenwick([])
        self._group_texts: list[str | None] = []
        """The live text of each group of `_GROUP` blocks (by position), None once changed."""

    # -- queries -----------------------------------------------------------------------
    def __contains__(self, char_id: int) -> bool:
        return char_id in self._block_of

    def __len__(self) -> int:
        """Number of characters, tombstones included."""
        return len(self._block_of)

    @property
    def live_length(self) -> int:
        return self._fenwick.prefix(len(self._blocks))

    def text(self) -> str:
        return "".join(self.text_parts())

    def text_parts(self) -> tuple[str, ...]:
        """The live text in pieces, one per group of `_GROUP` blocks: only the groups changed
        since the last call are joined again, so after an edit a long document costs
        O(blocks / _GROUP), not O(characters), until someone joins the pieces."""
        blocks, groups = self._blocks, self._group_texts
        count = -(-len(blocks) // _GROUP)
        del groups[count:]
        groups += [None] * (count - len(groups))
        for g, joined in enumerate(groups):
            if joined is None:
                chunk = blocks[g * _GROUP : (g + 1) * _GROUP]
                groups[g] = "".join(block.live_text() for block in chunk)
        return tuple(groups)  # type: ignore[arg-type]  # none is None any more

    def is_alive(self, char_id: int) -> bool:
        block = self._block_of[char_id]
        return bool(block.alive[block.ids.index(char_id)])

    def order(self, char_id: int) -> tuple[int, int]:
        """A sortable position of a character (tombstones included)."""
        block = self._block_of[char_id]
        return block.pos, block.ids.index(char_id)

    def live_runs(self) -> list[tuple[int, int]]:
        """The live text as runs of one inserting edit: `(handle, length)` in document order."""
        runs: list[tuple[int, int]] = []
        handle, length = -1, 0
        for block in self._blocks:
            if not block.live:
                continue
            for char_id in compress(block.ids, block.alive):
                owner = char_id >> ID_SHIFT
                if owner == handle:
                    length += 1
                    continue
                if length:
                    runs.append((handle, length))
                handle, length = owner, 1
        if length:
            runs.append((handle, length))
        return runs

    def id_at(self, offset: int) -> int:
        """Id of the live character at live offset `offset`."""
        if not 0 <= offset < self.live_length:
            raise IndexError(offset)
        index, before = self._fenwick.find(offset)
        block = self._blocks[index]
        wanted = offset - before
        if block.live == len(block.ids):
            return block.ids[wanted]
        return next(islice(compress(block.ids, block.alive), wanted, None))

    def live_ids(self, start: int, end: int) -> list[int]:
        """Ids of the live characters at live offsets [start, end)."""
        if start >= end:
            return []
        ids: list[int] = []
        index, before = self._fenwick.find(start)
        skip = start - before
        while len(ids) < end - start:
            block = self._blocks[index]
            wanted = end - start - len(ids)
            ids.extend(islice(compress(block.ids, block.alive), skip, skip + wanted))
            skip = 0
            index += 1
        return ids

    # -- changes -----------------------------------------------------------------------
    def insert_after(self, anchor: int | None, first_id: int, text: str) -> None:
        """Insert `text` right after character `anchor` (None: at the very beginning)."""
        if not text:
            return
        if anchor is None:
            if not self._blocks:
                self._insert_blocks(0, first_id, text)
                return
            block, index = self._blocks[0], 0
        else:
            block = self._block_of[anchor]
            index = block.ids.index(anchor) + 1
        self._insert_into(block, index, first_id, text)

    def append(self, first_id: int, text: str) -> None:
        """Insert `text` after the last character (tombstones included)."""
        if not text:
            return
        if not self._blocks:
            self._insert_blocks(0, first_id, text)
            return
        block = self._blocks[-1]
        self._insert_into(block, len(block.ids), first_id, text)

    def kill_between(self, first: int, last: int) -> list[int]:
        """Tombstone every live character from `first` to `last` inclusive; return their ids."""
        killed: list[int] = []
        block = self._block_of[first]
        index = block.ids.index(first)
        last_block = self._block_of[last]
        last_index = last_block.ids.index(last)
        while True:
            stop = last_index + 1 if block is last_block else len(block.ids)
            alive = block.alive
            found = 0
            for i in range(index, stop):
                if alive[i]:
                    alive[i] = 0
                    killed.append(block.ids[i])
                    found += 1
            if found:
                self._recount(block, -found)
            if block is last_block:
                return killed
            block = self._blocks[block.pos + 1]
            index = 0

    def kill(self, char_ids: list[int]) -> list[int]:
        """Tombstone the given characters that are alive; return those."""
        killed = []
        for char_id in char_ids:
            block = self._block_of.get(char_id)
            if block is None:
                continue
            i = block.ids.index(char_id)
            if block.alive[i]:
                block.alive[i] = 0
                self._recount(block, -1)
                killed.append(char_id)
        return killed

    def revive(self, char_ids: list[int]) -> None:
        """Undo `kill`/`kill_between` for these characters."""
        for char_id in char_ids:
            block = self._block_of[char_id]
            i = block.ids.index(char_id)
            if not block.alive[i]:
                block.alive[i] = 1
                self._recount(block, 1)

    def remove_run(self, first_id: int, count: int) -> None:
        """Undo an insertion: remove `count` contiguous characters starting at `first_id`."""
        block = self._block_of[first_id]
        index = block.ids.index(first_id)
        first_pos, emptied = block.pos, False
        while count:
            take = min(count, len(block.ids) - index)
            gone = block.alive[index : index + take].count(1)
            for char_id in block.ids[index : index + take]:
                del self._block_of[char_id]
            del block.ids[index : index + take]
            del block.chars[index : index + take]
            del block.alive[index : index + take]
            if gone:
                self._recount(block, -gone)
            emptied = emptied or not block.ids
            count -= take
            if count:
                block = self._blocks[block.pos + 1]
                index = 0
        if emptied:
            touched = self._blocks[first_pos : block.pos + 1]
            self._blocks[first_pos : block.pos + 1] = [b for b in touched if b.ids]
            self._reindex(first_pos)

    # -- internals ---------------------------------------------------------------------
    def _recount(self, block: _Block, delta: int) -> None:
        """`delta` live characters more in `block`: its count, its prefix sum, and its text
        (which changes exactly when the count does) to be read again."""
        block.live += delta
        block.text = None
        group = block.pos // _GROUP
        if group < len(self._group_texts):
            self._group_texts[group] = None
        self._fenwick.add(block.pos, delta)

    def _insert_into(self, block: _Block, index: int, first_id: int, text: str) -> None:
        ids = list(range(first_id, first_id + len(text)))
        block.ids[index:index] = ids
        block.chars[index:index] = list(text)
        block.alive[index:index] = b"\x01" * len(text)
        self._recount(block, len(text))
        self._block_of.update(dict.fromkeys(ids, block))
        if len(block.ids) > 2 * self.block_size:
            self._split(block)

    def _insert_blocks(self, pos: int, first_id: int, text: str) -> None:
        new: list[_Block] = []
        size = self.block_size
        for start in range(0, len(text), size):
            chunk = text[start : start + size]
            block = _Block(
                list(range(first_id + start, first_id + start + len(chunk))),
                list(chunk),
                bytearray(b"\x01" * len(chunk)),
            )
            self._block_of.update(dict.fromkeys(block.ids, block))
            new.append(block)
        self._blocks[pos:pos] = new
        self._reindex(pos)

    def _split(self, block: _Block) -> None:
        pieces: list[_Block] = []
        size = self.block_size
        for start in range(0, len(block.ids), size):
            piece = _Block(
                block.ids[start : start + size],
                block.chars[start : start + size],
                block.alive[start : start + size],
            )
            self._block_of.update(dict.fromkeys(piece.ids, piece))
            pieces.append(piece)
        self._blocks[block.pos : block.pos + 1] = pieces
        self._reindex(block.pos)

    def _reindex(self, start: int) -> None:
        """Positions and prefix sums of the blocks from `start` on, those before it being
        unchanged: appending at the end (the common case) costs O(log blocks), not O(blocks)."""
        blocks = self._blocks
        for pos in range(start, len(blocks)):
            blocks[pos].pos = pos
        del self._group_texts[start // _GROUP :]
        if len(blocks) - start > _REBUILD_BELOW:
            self._fenwick = _Fenwick([b.live for b in blocks])
            return
        self._fenwick.truncate(start)
        for block in blocks[start:]:
            self._fenwick.append(block.live)
