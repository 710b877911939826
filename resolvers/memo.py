"""A bounded map for values derived from a request's text alone (plans, SQL, measures).

What is kept is derived data, the same in every worker, so a cache per process is safe: it
holds nothing another worker needs. The oldest entry goes first when it is full.

Full means more than `size` entries or more than `max_bytes` accounted bytes. Keys are kept
as digests: any text in a key longer than a digest (a document, a `repr` of variables) is
replaced by its BLAKE2b digest, so a key costs a few dozen bytes however large the request
was (keys made from 150 KB variables once grew a worker by 170 MB). A value is weighed once,
when it is put, by `approximate_size`.
"""

import hashlib
import sys
import weakref
from collections.abc import Hashable, Iterator
from typing import Any, Generic, TypeVar

__all__ = ["DEFAULT_MAX_BYTES", "Bounded", "approximate_size", "caches", "digest_key"]

K = TypeVar("K")
V = TypeVar("V")

DEFAULT_MAX_BYTES = 8 * 1024 * 1024

_DIGEST_SIZE = 32
_ENTRY_OVERHEAD = 200
"""What an entry costs beyond its key and value: its slot in the dict, the pair holding both."""

_every: "weakref.WeakSet[Bounded[Any, Any]]" = weakref.WeakSet()


_recent: dict[int, tuple[str, bytes]] = {}
"""The digests of the last few texts digested, by identity: one request's document text is the
key of several caches (parsed, validated, measured, planned), and is digested once."""
_RECENT_ENTRIES = 64
_RECENT_LENGTH = 16_384
"""Texts longer than this are not remembered (the entries hold the texts themselves)."""


def _text_digest(text: str) -> bytes:
    found = _recent.get(id(text))
    if found is not None and found[0] is text:
        return found[1]
    digest = hashlib.blake2b(
        text.encode("utf-8", "surrogatepass"), digest_size=_DIGEST_SIZE
    ).digest()
    if len(text) <= _RECENT_LENGTH:
        if len(_recent) >= _RECENT_ENTRIES:
            _recent.clear()
        _recent[id(text)] = (text, digest)
    return digest


def digest_key(key: Hashable) -> Hashable:
    """`key` with every text in it (at any depth of tuples) longer than a digest replaced by
    that digest; everything else kept as it is."""
    kind = type(key)
    if kind is str:
        return key if len(key) <= _DIGEST_SIZE else _text_digest(key)  # type: ignore[arg-type]
    if kind is tuple:
        return tuple([digest_key(part) for part in key])  # type: ignore[attr-defined]
    if isinstance(key, str):
        return key if len(key) <= _DIGEST_SIZE else _text_digest(key)
    if isinstance(key, bytes) and len(key) > _DIGEST_SIZE:
        return ("bytes", hashlib.blake2b(key, digest_size=_DIGEST_SIZE).digest())
    if isinstance(key, tuple):
        return tuple([digest_key(part) for part in key])
    return key


_OWN = ("db.", "resolvers.", "schema.", "graph.", "graphql.language.", "graphql.execution.")
"""Modules whose objects `approximate_size` walks into; anything else (a SQLAlchemy statement,
a GraphQL schema type) is counted by its own size only, as it is shared or bounded elsewhere."""


def approximate_size(value: object) -> int:
    """Bytes held by `value` and what it references: containers, texts and this project's (and
    GraphQL syntax trees') objects are followed, each object counted once."""
    seen: set[int] = set()
    total = 0
    pending = [value]
    while pending:
        found = pending.pop()
        if id(found) in seen:
            continue
        seen.add(id(found))
        total += sys.getsizeof(found, 64)
        pending.extend(_referenced(found))
    return total


def _referenced(found: object) -> Iterator[object]:
    if isinstance(found, str | bytes | int | float | bool) or found is None:
        return
    if isinstance(found, dict):
        yield from found.keys()
        yield from found.values()
        return
    if isinstance(found, list | tuple | set | frozenset):
        yield from found
        return
    kind = type(found)
    if not kind.__module__.startswith(_OWN):
        return
    for cls in kind.__mro__:
        for name in getattr(cls, "__slots__", ()):
            attribute = getattr(found, name, None)
            if attribute is not None:
                yield attribute
    attributes = getattr(found, "__dict__", None)
    if attributes is not None:
        yield from attributes.values()


def caches() -> list["Bounded[Any, Any]"]:
    """Every bounded cache of this process."""
    return list(_every)


class Bounded(Generic[K, V]):
    def __init__(self, size: int, max_bytes: int = DEFAULT_MAX_BYTES, *, name: str = "") -> None:
        self.size = size
        self.max_bytes = max_bytes
        self.name = name
        """What the cache's lookups are counted as in the metrics (unnamed ones are not)."""
        self.nbytes = 0
        """Accounted bytes of the entries kept."""
        self.hits = 0
        self.misses = 0
        self._items: dict[Hashable, tuple[V, int]] = {}
        _every.add(self)

    def get(self, key: K) -> V | None:
        found = self._items.get(digest_key(key))
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        return found[0]

    def put(self, key: K, value: V) -> V:
        """Keeps `value` (unless it alone is over the byte budget) and returns it."""
        digested = digest_key(key)
        weight = _ENTRY_OVERHEAD + approximate_size(digested) + approximate_size(value)
        self._drop(digested)
        if weight > self.max_bytes:
            return value
        while self._items and (
            len(self._items) >= self.size or self.nbytes + weight > self.max_bytes
        ):
            self._drop(next(iter(self._items)))
        self._items[digested] = (value, weight)
        self.nbytes += weight
        return value

    def _drop(self, digested: Hashable) -> None:
        found = self._items.pop(digested, None)
        if found is not None:
            self.nbytes -= found[1]

    def clear(self) -> None:
        self._items.clear()
        self.nbytes = 0

    def __len__(self) -> int:
        return len(self._items)
