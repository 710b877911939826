"""Calendar tokens: what a calendar application puts in the URL of `/calendar.ics`.

Calendar applications subscribe to a URL and cannot send an `Authorization` header, so the
credential goes into the URL, where it ends up in the application's settings, proxies' logs and
shared screenshots. An API token there would give away everything the token may do, writes
included. A calendar token instead reads `pgcal_<prefix>_<mac>`: the prefix of an API token and
an HMAC-SHA256, keyed with that token's stored secret hash, of a fixed label. So:

- it opens `/calendar.ics` and nothing else (GraphQL and the other endpoints refuse it);
- it sees what its API token sees, and stops working when that token is revoked or expires;
- it needs no table of its own: the server derives it again to check it, and the API token's
  owner gets it from the `calendarFeed` query. Rotating the API token rotates it.

Anyone who can read `api_token.secret_hash` can derive it; such a reader can read the
agreements themselves anyway.
"""

import base64
import hashlib
import hmac

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from resolvers.errors import Unauthenticated
from resolvers.tokens import TOKEN, token_record
from resolvers.viewer import Viewer

__all__ = ["SCHEME", "calendar_token", "calendar_token_of", "calendar_viewer", "is_calendar_token"]

SCHEME = "pgcal"
_LABEL = b"partnergraph calendar feed v1"


def calendar_token(prefix: str, secret_hash: str) -> str:
    mac = hmac.new(secret_hash.encode(), _LABEL, hashlib.sha256).digest()
    return f"{SCHEME}_{prefix}_{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"


def is_calendar_token(raw: str) -> bool:
    return raw.strip().startswith(f"{SCHEME}_")


async def calendar_token_of(engine: AsyncEngine, viewer: Viewer) -> str | None:
    """The calendar token of the caller's API token; None for an anonymous caller."""
    if viewer.token_id is None:
        return None
    async with engine.connect() as connection:
        row = (
            await connection.execute(
                sa.select(TOKEN.c.prefix, TOKEN.c.secret_hash).where(TOKEN.c.id == viewer.token_id)
            )
        ).first()
    return None if row is None else calendar_token(row.prefix, row.secret_hash)


async def calendar_viewer(engine: AsyncEngine, raw: str) -> Viewer:
    """The viewer of the API token behind a calendar token; `Unauthenticated` unless the
    calendar token is right and its API token good now."""
    parts = raw.strip().split("_", 2)  # the MAC, URL-safe base64, may hold `_`
    if len(parts) != 3 or parts[0] != SCHEME or not parts[1] or not parts[2]:
        raise Unauthenticated("malformed calendar token")
    record = await token_record(engine, parts[1])
    if record is None:
        raise Unauthenticated("unknown calendar token")
    expected = calendar_token(parts[1], record.secret_hash)
    if not hmac.compare_digest(expected, raw.strip()):
        raise Unauthenticated("unknown calendar token")
    refusal = record.refusal(record.secret_hash)
    if refusal is not None:
        raise Unauthenticated(refusal.replace("API token", "calendar token's API token"))
    return record.viewer
