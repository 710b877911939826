"""Token viewers a worker has read, kept for the fast lane, and never trusted on their own.

Authenticating a bearer token is a statement of its own (the token's row and its scope: its
organization and every unit below it), about a fifth of a portal request's time
(bench/RESULTS.md). A worker keeps what that statement read, by token prefix, with the value
the access change counter (`db.tables.access.AccessChange`) had in the same snapshot. A request
answered with a kept viewer reads the counter again inside its own statement
(`resolvers.compiled.answer`), which answers only if the counter has not moved; if it has, the
statement returns the counter alone (`StaleAccess`), everything kept is forgotten and the token
is read afresh. So a revocation, a changed expiry or
a moved unit holds from the next statement on, on every worker, as it does without the cache:
only a statement is saved. The secret and the expiry are still checked on every use, and a
token that would be refused is always refused by a fresh read, never from here.

Kept per worker and per engine, deliberately: each record is checked against PostgreSQL where
it is used, so workers never need to tell each other anything.
"""

import hmac
import weakref
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from db.base import utcnow
from resolvers.memo import Bounded
from resolvers.viewer import Viewer

__all__ = ["StaleAccess", "TokenCache", "TokenRecord", "token_cache"]


class StaleAccess(Exception):
    """The access change counter moved since a kept viewer was read: the answer made with it
    may not be what the database would give that token now."""


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """What one read of a token found, in one snapshot."""

    secret_hash: str
    revoked: bool
    expires_at: datetime | None
    viewer: Viewer
    access_version: int | None
    """`None` when the counter's row is missing: such a record is never kept."""

    def refusal(self, secret_hash: str) -> str | None:
        """Why this record does not let `secret_hash` in now, or `None` when it does (the expiry
        checked at each use)."""
        if not hmac.compare_digest(self.secret_hash, secret_hash):
            return "unknown API token"
        if self.revoked:
            return "this API token was revoked"
        if self.expires_at is not None and self.expires_at <= utcnow():
            return "this API token has expired"
        return None


class TokenCache:
    def __init__(self, size: int = 10_000) -> None:
        self._records: Bounded[str, TokenRecord] = Bounded(size, name="tokens")

    def get(self, prefix: str) -> TokenRecord | None:
        return self._records.get(prefix)

    def keep(self, prefix: str, record: TokenRecord) -> None:
        self._records.put(prefix, record)

    def forget_all(self) -> None:
        """After the counter moved: every record kept was read at an older value."""
        self._records.clear()


_caches: "weakref.WeakKeyDictionary[AsyncEngine, TokenCache]" = weakref.WeakKeyDictionary()


def token_cache(engine: AsyncEngine) -> TokenCache:
    """This worker's kept tokens for the database of `engine`."""
    found = _caches.get(engine)
    if found is None:
        found = _caches[engine] = TokenCache()
    return found
