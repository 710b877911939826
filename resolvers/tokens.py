"""API tokens: made, listed and revoked by admins (CLI or API), and turned into a `Viewer`.

A token reads `pgt_<prefix>_<secret>`. The prefix finds the row; only the SHA-256 of the
secret is stored, compared in constant time. Secrets are 256 random bits, so a plain hash
(not a slow password hash) is the right tool: there is nothing to brute-force.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db import tables as t
from db.base import table_of, utcnow
from db.engine import reads_engine
from db.enums import TokenRole
from resolvers.context import Context
from resolvers.errors import BadUserInput, NotFound, Unauthenticated
from resolvers.paging import Page, PageRequest
from resolvers.token_cache import TokenRecord, token_cache
from resolvers.viewer import Role, Viewer
from resolvers.writes import as_stored

__all__ = [
    "TOKEN",
    "NewToken",
    "access_version",
    "authenticate",
    "create_token",
    "kept_token",
    "list_tokens",
    "revoke_token",
    "token_record",
    "token_row",
    "tokens_page",
    "viewer_of_token_id",
]

TOKEN = table_of(t.ApiToken)
ORGANIZATION = table_of(t.Organization)
ALLIANCE = table_of(t.Alliance)
ACCESS = table_of(t.AccessChange)
_SCHEME = "pgt"


@dataclass(frozen=True, slots=True)
class NewToken:
    id: int
    secret: str
    """The whole token, shown once: it cannot be read back."""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _split(raw: str) -> tuple[str, str] | None:
    parts = raw.split("_")
    if len(parts) != 3 or parts[0] != _SCHEME or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


async def _check_subjects(
    connection: AsyncConnection,
    role: TokenRole,
    organization_id: int | None,
    alliance_id: int | None,
) -> None:
    if role in {TokenRole.EDITOR, TokenRole.VIEWER} and organization_id is None:
        raise BadUserInput(f"a {role.value} token needs an organization", field="organization")
    if role is TokenRole.SECRETARIAT and alliance_id is None:
        raise BadUserInput("a secretariat token needs an alliance", field="alliance")
    if role in {TokenRole.ADMIN, TokenRole.REPORTER} and (organization_id or alliance_id):
        raise BadUserInput(f"a {role.value} token names no organization or alliance", field="role")
    if role is not TokenRole.SECRETARIAT and alliance_id is not None:
        raise BadUserInput("only a secretariat token names an alliance", field="alliance")
    for table, key, name in [
        (ORGANIZATION, organization_id, "organization"),
        (ALLIANCE, alliance_id, "alliance"),
    ]:
        if key is None:
            continue
        found = await connection.scalar(sa.select(table.c.id).where(table.c.id == key))
        if found is None:
            raise NotFound(f"no {name} with id {key}", field=name)


async def create_token(
    connection: AsyncConnection,
    *,
    name: str,
    role: TokenRole,
    organization_id: int | None = None,
    alliance_id: int | None = None,
    expires_at: datetime | None = None,
) -> NewToken:
    """Stores a new token (on the caller's transaction) and returns its secret, once."""
    if not name.strip():
        raise BadUserInput("a token needs a name", field="name")
    if expires_at is not None and expires_at <= utcnow():
        raise BadUserInput("the expiry must be in the future", field="expiresAt")
    await _check_subjects(connection, role, organization_id, alliance_id)
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32).replace("_", "-")
    now = utcnow()
    token_id = await connection.scalar(
        sa.insert(TOKEN)
        .values(
            **as_stored(TOKEN, {"name": name.strip()}),
            prefix=prefix,
            secret_hash=_hash(secret),
            role=role.value,
            organization_id=organization_id,
            alliance_id=alliance_id,
            expires_at=expires_at,
            created_at=now,
            updated_at=now,
            version=1,
        )
        .returning(TOKEN.c.id)
    )
    assert token_id is not None
    return NewToken(id=token_id, secret=f"{_SCHEME}_{prefix}_{secret}")


async def revoke_token(connection: AsyncConnection, token_id: int) -> RowMapping:
    """Marks a token revoked (from its next request on, on every worker); returns its row."""
    now = utcnow()
    await connection.execute(
        sa.update(TOKEN)
        .where(TOKEN.c.id == token_id, TOKEN.c.revoked_at.is_(None))
        .values(revoked_at=now, updated_at=now, version=TOKEN.c.version + 1)
    )
    row = (await connection.execute(sa.select(TOKEN).where(TOKEN.c.id == token_id))).mappings()
    found = row.first()
    if found is None:
        raise NotFound(f"no API token with id {token_id}", field="id")
    return found


async def token_row(connection: AsyncConnection, token_id: int) -> RowMapping:
    """A token's row, read on the caller's transaction (one it has just made)."""
    result = await connection.execute(sa.select(TOKEN).where(TOKEN.c.id == token_id))
    return result.mappings().one()


async def tokens_page(ctx: Context, request: PageRequest) -> Page:
    """A page of every token, oldest first, as the caller may see them (admins only)."""
    return await ctx.reader.page(TOKEN, where=[], order_by=[TOKEN.c.id.asc()], request=request)


async def list_tokens(engine: AsyncEngine) -> list[RowMapping]:
    async with engine.connect() as connection:
        result = await connection.execute(sa.select(TOKEN).order_by(TOKEN.c.id))
        return list(result.mappings())


def _scope_query() -> sa.Select[tuple[object, ...]]:
    """The token's row (by `prefix`) once per organization in its scope (its organization and
    every unit below it), with the access change counter, in one statement: a recursive walk
    down `parent_id`."""
    prefix = sa.bindparam("prefix", type_=sa.String)
    roots = sa.select(TOKEN.c.organization_id.label("id")).where(
        TOKEN.c.prefix == prefix, TOKEN.c.organization_id.is_not(None)
    )
    scope = roots.cte("scope", recursive=True)
    scope = scope.union_all(
        sa.select(ORGANIZATION.c.id).join(scope, ORGANIZATION.c.parent_id == scope.c.id)
    )
    return (
        sa.select(
            TOKEN,
            scope.c.id.label("scope_id"),
            access_version().label("access_version"),
        )
        .outerjoin(scope, sa.true())
        .where(TOKEN.c.prefix == prefix)
    )


def access_version() -> sa.ScalarSelect[int]:
    """The access change counter (`db.tables.access.AccessChange`), as a column of a statement."""
    return sa.select(ACCESS.c.value).where(ACCESS.c.id == 1).scalar_subquery()


_SCOPE_QUERY = _scope_query()
"""Built once: building it was a fifth of an authenticated read's time (bench/RESULTS.md)."""


async def _read(engine: AsyncEngine, prefix: str) -> TokenRecord | None:
    async with reads_engine(engine).connect() as connection:
        rows = list((await connection.execute(_SCOPE_QUERY, {"prefix": prefix})).mappings())
    if not rows:
        return None
    token = rows[0]
    return TokenRecord(
        secret_hash=token["secret_hash"],
        revoked=token["revoked_at"] is not None,
        expires_at=token["expires_at"],
        viewer=Viewer(
            role=Role(token["role"]),
            organization_id=token["organization_id"],
            alliance_id=token["alliance_id"],
            token_id=token["id"],
            scope=frozenset(row["scope_id"] for row in rows if row["scope_id"] is not None),
        ),
        access_version=token["access_version"],
    )


async def token_record(engine: AsyncEngine, prefix: str) -> TokenRecord | None:
    """The token whose prefix is `prefix`, read now (`resolvers.calendar_tokens`)."""
    return await _read(engine, prefix)


async def authenticate(engine: AsyncEngine, raw: str) -> Viewer:
    """The viewer behind a bearer token, read now; `Unauthenticated` for any token that is not
    good now."""
    prefix, secret_hash = _parts(raw)
    record = await _read(engine, prefix)
    if record is None:
        raise Unauthenticated("unknown API token")
    refusal = record.refusal(secret_hash)
    if refusal is not None:
        raise Unauthenticated(refusal)
    if engine.dialect.name == "postgresql" and record.access_version is not None:
        token_cache(engine).keep(prefix, record)  # where triggers move the counter (0006)
    return record.viewer


async def viewer_of_token_id(engine: AsyncEngine, token_id: int) -> tuple[Viewer | None, str]:
    """The viewer of the token `token_id` as it is now, or `None` and why it no longer reads
    (for work done on a token's behalf later: a webhook endpoint's deliveries)."""
    async with engine.connect() as connection:
        prefix = await connection.scalar(sa.select(TOKEN.c.prefix).where(TOKEN.c.id == token_id))
    record = None if prefix is None else await _read(engine, prefix)
    if record is None:
        return None, "the token that registered it was deleted"
    refusal = record.refusal(record.secret_hash)
    if refusal is not None:
        return None, f"the token that registered it no longer reads: {refusal}"
    return record.viewer, ""


def kept_token(engine: AsyncEngine, raw: str) -> TokenRecord | None:
    """The record this worker kept for a token, if it admits the token now; only for an answer
    that checks its `access_version` in its own statement (`resolvers.token_cache`)."""
    try:
        prefix, secret_hash = _parts(raw)
    except Unauthenticated:
        return None
    record = token_cache(engine).get(prefix)
    return record if record is not None and record.refusal(secret_hash) is None else None


def _parts(raw: str) -> tuple[str, str]:
    """The prefix and the hash of the secret of a token's text."""
    split = _split(raw.strip())
    if split is None:
        raise Unauthenticated("malformed API token")
    prefix, secret = split
    return prefix, _hash(secret)
