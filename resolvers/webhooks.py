"""Webhook endpoints: registering, changing and removing them, and reading their delivery log.

Who may: `createWebhook` is declared in `resolvers.write_declarations` (the caller must be able
to change the organization the endpoint is for, the caller's own by default; no organization:
an admins' endpoint). Every later write or read of an endpoint checks its stored organization
with the same rule; another owner's endpoint is NOT_FOUND, as if it did not exist.

An endpoint reads the feed as the token that registered it (`token_id`): the filter is checked
against that viewer when it is saved (`resolvers.changes.check_filter`), and each event is
delivered only if that token could read it (`resolvers.webhook_delivery`).

The secret is `whsec_` + base64 of 32 random bytes (Standard Webhooks); it is returned once,
by `createWebhook`, and never read back through the API.
"""

import base64
import ipaddress
import secrets
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import anyio
import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db import tables as t
from db.base import table_of, utcnow
from db.enums import ChangeKind
from resolvers.changes import ChangeFilter, check_filter
from resolvers.errors import ApiError, BadUserInput, Forbidden, NotFound, excerpt
from resolvers.viewer import Viewer
from resolvers.write_scope import check_arguments
from settings import Settings

__all__ = [
    "DELIVERY",
    "WEBHOOK",
    "UnsafeUrl",
    "WebhookSpec",
    "check_url",
    "create_webhook",
    "delete_webhook",
    "deliveries_of",
    "new_secret",
    "owned_webhook",
    "redeliver",
    "update_webhook",
    "webhooks_of",
]

WEBHOOK = table_of(t.Webhook)
DELIVERY = table_of(t.WebhookDelivery)


class UnsafeUrl(ApiError):
    code = "UNSAFE_URL"


class UnknownKind(ApiError):
    code = "UNKNOWN_KIND"


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _refused_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _refused_address(address.ipv4_mapped)
    for name in ("loopback", "private", "link_local", "multicast", "reserved", "unspecified"):
        if getattr(address, f"is_{name}"):
            return name.replace("_", "-")
    return None


async def _addresses(host: str, port: int) -> list[str]:
    try:
        found = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        raise UnsafeUrl(f"the host {excerpt(host)} does not resolve", field="url") from None
    return sorted({str(info[4][0]) for info in found})


async def check_url(url: str, settings: Settings) -> list[str]:
    """The addresses `url`'s host resolves to, once it is an http(s) URL whose every address is
    allowed: no loopback, private, link-local, multicast or reserved address unless
    `webhook_allow_private`; `https` only with `webhook_require_https`. Checked again before
    each delivery (a name may resolve elsewhere later)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadUserInput(f"{excerpt(url)} is not an http(s) URL", field="url")
    if parts.username or parts.password:
        raise BadUserInput("a webhook URL carries no user name or password", field="url")
    if settings.webhook_require_https and parts.scheme != "https":
        raise UnsafeUrl("webhook URLs must be https:// on this server", field="url")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise BadUserInput(f"{excerpt(url)} has an invalid port", field="url") from None
    addresses = await _addresses(parts.hostname, port)
    if not settings.webhook_allow_private:
        for text in addresses:
            refusal = _refused_address(ipaddress.ip_address(text.split("%")[0]))
            if refusal is not None:
                raise UnsafeUrl(
                    f"{excerpt(parts.hostname)} resolves to a {refusal} address ({text}); "
                    "webhooks are sent only to public addresses",
                    field="url",
                )
    return addresses


def _kinds(names: Sequence[str]) -> list[str]:
    found = []
    known = {kind.name: kind.value for kind in ChangeKind}
    for name in names:
        if name not in known:
            raise UnknownKind(
                f"{excerpt(name)} is not a kind of change (one of {', '.join(sorted(known))})",
                field="kinds",
            )
        found.append(known[name])
    return sorted(set(found))


@dataclass(frozen=True, slots=True)
class WebhookSpec:
    """What an endpoint receives: the feed's events of these kinds (every kind when empty)
    passing `filter`."""

    url: str
    kinds: Sequence[str] = ()
    filter: ChangeFilter | None = None
    description: str = ""


def _values(spec: WebhookSpec, viewer: Viewer) -> dict[str, Any]:
    filter = spec.filter or ChangeFilter()
    try:
        check_filter(viewer, filter)
    except ApiError as error:
        error.field = f"filter.{(error.field or 'types').removeprefix('filter.')}"
        raise
    if len(spec.description) > 500:
        raise BadUserInput("a description is at most 500 characters", field="description")
    kinds = _kinds(spec.kinds)
    kinds += [ChangeKind(k).value for k in filter.kinds or []]
    return {
        "url": spec.url,
        "description": spec.description,
        "kinds": sorted(set(kinds)),
        "types": sorted(set(filter.types or [])),
        "organizations": sorted(set(filter.organizations or [])),
        "alliances": sorted(set(filter.alliances or [])),
    }


async def create_webhook(
    connection: AsyncConnection,
    viewer: Viewer,
    settings: Settings,
    spec: WebhookSpec,
    *,
    organization_id: int | None,
) -> tuple[RowMapping, str]:
    """The new endpoint and its secret. The endpoint starts at the feed's end: it receives the
    events committed after it was made."""
    owner = organization_id if organization_id is not None else viewer.organization_id
    await check_arguments(connection, viewer, "createWebhook", {"organization": owner})
    if owner is None and not viewer.is_admin:
        raise Forbidden(
            f"{viewer.role.value} callers have no organization to own an endpoint; endpoints of "
            "no organization are admins'",
            field="organization",
        )
    values = _values(spec, viewer)
    await check_url(spec.url, settings)
    secret = new_secret()
    start = await _feed_end(connection)
    inserted = await connection.execute(
        sa.insert(WEBHOOK)
        .values(
            organization_id=owner,
            token_id=viewer.token_id,
            secret=secret,
            enabled=True,
            cursor_xid=start[0],
            cursor_id=start[1],
            version=1,
            created_at=utcnow(),
            **values,
        )
        .returning(*WEBHOOK.c)
    )
    return inserted.mappings().one(), secret


async def _feed_end(connection: AsyncConnection) -> tuple[int, int]:
    """The position of the newest event written so far (a new endpoint starts after it)."""
    event = table_of(t.ChangeEvent)
    row = (
        await connection.execute(
            sa.select(event.c.xid, event.c.id)
            .order_by(event.c.xid.desc(), event.c.id.desc())
            .limit(1)
        )
    ).first()
    return (0, 0) if row is None else (int(row[0]), int(row[1]))


def _owned(viewer: Viewer) -> sa.ColumnElement[bool]:
    if viewer.is_admin:
        return sa.true()
    if not viewer.scope:
        return sa.false()
    return WEBHOOK.c.organization_id.in_(sorted(viewer.scope))


async def owned_webhook(
    connection: AsyncConnection, viewer: Viewer, webhook_id: int, *, lock: bool = False
) -> RowMapping:
    """The endpoint `webhook_id` if `viewer` may change it; `NotFound` otherwise."""
    statement = sa.select(WEBHOOK).where(WEBHOOK.c.id == webhook_id)
    if lock:
        statement = statement.with_for_update()
    row = (await connection.execute(statement)).mappings().first()
    if row is None or (row["organization_id"] is None and not viewer.is_admin):
        raise NotFound("no webhook with this ID", field="id")
    try:
        await check_arguments(
            connection, viewer, "createWebhook", {"organization": row["organization_id"]}
        )
    except ApiError:
        raise NotFound("no webhook with this ID", field="id") from None
    return row


async def update_webhook(
    connection: AsyncConnection,
    viewer: Viewer,
    settings: Settings,
    webhook_id: int,
    *,
    spec: WebhookSpec | None,
    enabled: bool | None,
) -> RowMapping:
    """Changes what the endpoint receives or where; `enabled: true` re-enables a disabled one
    (its failure clock starts again)."""
    row = await owned_webhook(connection, viewer, webhook_id, lock=True)
    values: dict[str, Any] = {"version": row["version"] + 1}
    if spec is not None:
        values |= _values(spec, viewer)
        await check_url(spec.url, settings)
    if enabled is True:
        values |= {"enabled": True, "disabled_reason": None, "failing_since": None}
    elif enabled is False:
        values |= {"enabled": False, "disabled_reason": "disabled by its owner"}
    updated = await connection.execute(
        sa.update(WEBHOOK).where(WEBHOOK.c.id == webhook_id).values(**values).returning(*WEBHOOK.c)
    )
    return updated.mappings().one()


async def delete_webhook(connection: AsyncConnection, viewer: Viewer, webhook_id: int) -> None:
    await owned_webhook(connection, viewer, webhook_id, lock=True)
    await connection.execute(sa.delete(WEBHOOK).where(WEBHOOK.c.id == webhook_id))


async def redeliver(connection: AsyncConnection, viewer: Viewer, delivery_id: int) -> RowMapping:
    """Sends a delivery again (a new attempt now, the same `webhook-id`), delivered or not."""
    found = (
        await connection.execute(
            sa.select(DELIVERY.c.webhook_id).where(DELIVERY.c.id == delivery_id)
        )
    ).scalar_one_or_none()
    if found is None:
        raise NotFound("no delivery with this ID", field="deliveryId")
    try:
        await owned_webhook(connection, viewer, found)
    except NotFound:
        raise NotFound("no delivery with this ID", field="deliveryId") from None
    updated = await connection.execute(
        sa.update(DELIVERY)
        .where(DELIVERY.c.id == delivery_id)
        .values(status="pending", next_attempt_at=utcnow(), error=None)
        .returning(*DELIVERY.c)
    )
    return updated.mappings().one()


async def webhooks_of(engine: AsyncEngine, viewer: Viewer) -> list[RowMapping]:
    """The endpoints `viewer` may manage, oldest first."""
    if not viewer.sees_records:
        return []
    async with engine.connect() as connection:
        rows = await connection.execute(
            sa.select(WEBHOOK).where(_owned(viewer)).order_by(WEBHOOK.c.id)
        )
        return list(rows.mappings())


async def deliveries_of(
    engine: AsyncEngine, webhook_ids: Sequence[int], *, first: int
) -> dict[int, list[RowMapping]]:
    """The newest `first` deliveries of each endpoint, newest first, in one statement."""
    if not webhook_ids:
        return {}
    ranked = (
        sa.select(
            DELIVERY,
            sa.func.row_number()
            .over(partition_by=DELIVERY.c.webhook_id, order_by=DELIVERY.c.id.desc())
            .label("rank"),
        )
        .where(DELIVERY.c.webhook_id.in_(sorted(set(webhook_ids))))
        .subquery()
    )
    statement = (
        sa.select(*[c for c in ranked.c if c.name != "rank"])
        .where(ranked.c.rank <= first)
        .order_by(ranked.c.webhook_id, ranked.c.id.desc())
    )
    async with engine.connect() as connection:
        rows = (await connection.execute(statement)).mappings().all()
    found: dict[int, list[RowMapping]] = {key: [] for key in webhook_ids}
    for row in rows:
        found[row["webhook_id"]].append(row)
    return found
