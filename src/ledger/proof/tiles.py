"""A derived cache of complete-subtree hashes, in tiles, for fast proofs.

Design. A proof for one leaf of a million needs about twenty subtree hashes;
computing them from the leaves would read the whole log. So the hashes of
complete subtrees are cached in table ``ledger_merkle_tiles``, in *tiles* as
in the C2SP tlog-tiles layout: tile ``(level, idx)`` holds the hashes of the
nodes at tree height ``8 * level`` with indices ``idx*256 … idx*256+255``,
concatenated (32 bytes each). Level 0 tiles hold leaf hashes, level 1 tiles
the roots of level-0 tiles, and so on; a million leaves make ~3,900 level-0
tiles, 16 level-1 tiles and one level-2 tile. The last tile of a level may be
partial (fewer than 256 hashes); it is replaced by a longer one as the log
grows and never by a shorter one. Any complete subtree of height ``8L + r``
is then ``2**r`` consecutive hashes of one tile hashed up ``r`` levels: a
proof reads one tile per 8 levels (three rows for a million leaves) and
hashes a few hundred times.

Filling is lazy and incremental: :meth:`TileCache.ensure` runs before a
proof or root for a tree size the cache does not yet cover, reads only the
leaf hashes past what is cached and appends tiles. The hashes come from the
stored ``leaf_hash`` column; nothing here re-reads entries.

Trust. The cache is derived data. ``ledger verify`` never relies on it: it
recomputes every leaf from the stored bytes and every root from those. A
wrong tile only yields proofs that fail their verification. Verify does use
tiles as an *untrusted hint* to locate a rewritten entry once a signed
checkpoint has authenticated them (:mod:`ledger.proof.audit`).
"""

from __future__ import annotations

from collections import OrderedDict

from ledger.proof.merkle import node_hash
from ledger.proof.store import LogStore

HEIGHT = 8
WIDTH = 1 << HEIGHT
HASH = 32
_KEPT = 256  # tiles kept hashed-up in memory (~ 16 KB each)


class TileCache:
    """Complete-subtree hashes of the log, served from and filled into the tile table."""

    def __init__(self, store: LogStore) -> None:
        self.store = store
        self.covered = 0  # tree size the stored tiles are known to cover
        self._levels: OrderedDict[tuple[int, int], list[list[bytes]]] = OrderedDict()
        store.create_tiles()

    def ensure(self, size: int) -> None:
        """Fill the tiles needed for any subtree of the first ``size`` leaves."""
        if size <= self.covered:
            return
        level = 0
        while size >> (HEIGHT * level):
            self._extend(level, size >> (HEIGHT * level))
            level += 1
        self.covered = size

    def node(self, height: int, index: int) -> bytes:
        """Hash of the complete subtree of ``2**height`` leaves starting at ``index << height``."""
        level, rest = divmod(height, HEIGHT)
        first = index << rest
        levels = self._tile_levels(level, first // WIDTH, first % WIDTH + (1 << rest))
        return levels[rest][(first % WIDTH) >> rest]

    def keep(self, level: int, tile: int, data: bytes) -> None:
        """Remember a tile read elsewhere (if it holds more than the copy kept)."""
        kept = self._levels.get((level, tile))
        if data and (kept is None or len(kept[0]) < len(data) // HASH):
            self._remember((level, tile), _split(data))

    def _extend(self, level: int, count: int) -> None:
        have = self._cached(level)
        if have >= count:
            return
        if level == 0:
            new = self.store.leaves(have + 1, count)
        else:
            below = self.store.tiles(level - 1, have, count - 1)
            new = [_tile_root(below[i]) for i in range(have, count)]
        tile = have // WIDTH
        start = self.store.tiles(level, tile, tile).get(tile, b"")[: (have % WIDTH) * HASH]
        data = start + b"".join(new)
        step = WIDTH * HASH
        rows = [
            (level, tile + n, data[offset : offset + step])
            for n, offset in enumerate(range(0, len(data), step))
        ]
        self.store.put_tiles(rows)

    def _cached(self, level: int) -> int:
        """How many hashes of this level the cache holds; a cache with holes is dropped."""
        table = self.store.table("ledger_merkle_tiles")
        count, last = self.store.execute(
            f"SELECT count(*), max(idx) FROM {table} WHERE level = ?", (level,)
        ).fetchone()
        if not count:
            return 0
        if count != last + 1:  # tiles deleted by hand: refill this level and those above
            self.store.execute(f"DELETE FROM {table} WHERE level >= ?", (level,))
            self._levels.clear()
            return 0
        tail = self.store.tiles(level, last, last)[last]
        return int(last) * WIDTH + len(tail) // HASH

    def _tile_levels(self, level: int, tile: int, need: int) -> list[list[bytes]]:
        # Tiles only grow, so a kept copy holding the ``need`` hashes asked for is good.
        key = (level, tile)
        levels = self._levels.get(key)
        if levels is None or len(levels[0]) < need:
            levels = self._remember(key, _split(self.store.tiles(level, tile, tile).get(tile, b"")))
            if len(levels[0]) < need:
                raise LookupError(f"tile {key} lacks hashes: call ensure() first")
        else:
            self._levels.move_to_end(key)
        return levels

    def _remember(self, key: tuple[int, int], hashes: list[bytes]) -> list[list[bytes]]:
        levels = self._levels[key] = _hash_up(hashes)
        self._levels.move_to_end(key)
        if len(self._levels) > _KEPT:
            self._levels.popitem(last=False)
        return levels


def _hash_up(hashes: list[bytes]) -> list[list[bytes]]:
    """The tile's hashes and every complete level above them, up to its root."""
    levels = [hashes]
    while len(levels[-1]) > 1:
        row = levels[-1]
        levels.append([node_hash(row[i], row[i + 1]) for i in range(0, len(row) - 1, 2)])
    return levels


def _split(data: bytes) -> list[bytes]:
    return [data[i : i + HASH] for i in range(0, len(data), HASH)]


def _tile_root(data: bytes) -> bytes:
    if len(data) != WIDTH * HASH:
        raise ValueError("tile below is not full: the cache is inconsistent")
    return _hash_up(_split(data))[-1][0]
