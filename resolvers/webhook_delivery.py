"""Sending the change feed to webhook endpoints: at least once, in order per endpoint.

One pass (`deliver_once`) takes each enabled endpoint in turn:

1. **Claim it.** On PostgreSQL a session advisory lock on the endpoint's id
   (`pg_try_advisory_lock`) taken on a connection of its own: another worker that holds it is
   serving the endpoint, and this one passes it by, so no delivery is ever sent by two workers
   at once. SQLite has one writer; the embedded server runs one worker (`serve`), and a
   process-wide lock keeps two passes of one process apart.
2. **Queue.** The events after the endpoint's cursor that the token which registered it may
   read (`resolvers.changes.changes_after` with that token's viewer, so visibility is the
   feed's own) become `webhook_delivery` rows, and the cursor moves, in one transaction.
3. **Send**, oldest pending delivery first. A 2xx answer marks it delivered; anything else
   (an error code, a refused connection, no answer within `webhook_timeout_s`) counts an
   attempt and schedules the next one `webhook_retry_base_s * 2^(attempts-1)` later (at most
   `webhook_retry_max_s`). A pending delivery holds every later one back: a receiver sees the
   events of its endpoint in feed order. An endpoint that has not succeeded for
   `webhook_disable_after_s` is disabled, with the reason in `disabled_reason`.

A delivery is signed as Standard Webhooks specifies: `webhook-id` (the same on every attempt),
`webhook-timestamp` (seconds), and `webhook-signature: v1,<base64 HMAC-SHA256 of
"{id}.{timestamp}.{body}">`, keyed with the base64-decoded part of the secret after `whsec_`.
"""

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import anyio
import httpx
import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from db.base import utcnow
from resolvers.background import RunningJob
from resolvers.change_wakeup import wakeup_of
from resolvers.changes import Change, ChangeFilter, Position, changes_after, encode_position
from resolvers.errors import ApiError
from resolvers.ids import encode_id
from resolvers.tokens import viewer_of_token_id
from resolvers.viewer import Viewer
from resolvers.webhooks import DELIVERY, WEBHOOK, check_url
from settings import Settings

__all__ = [
    "Worker",
    "deliver_once",
    "event_body",
    "queue_test",
    "sign",
    "start_webhook_worker",
]

log = logging.getLogger(__name__)

BATCH = 100
"""Events queued for one endpoint per pass."""
_LOCK_SPACE = 0x5747
"""The first key of the endpoints' advisory locks (two-key form: this, the endpoint's id)."""
_SQLITE_LOCK = asyncio.Lock()


def sign(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """The `webhook-signature` header of a delivery."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.{body}".encode()
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def event_body(change: Change) -> str:
    """The JSON a delivery of `change` sends (Standard Webhooks' `type`, `timestamp`, `data`);
    `data` holds the event as the `changes` query gives it."""
    data = {
        "cursor": encode_position(change.position),
        "entityType": change.entity_type,
        "entityId": encode_id(change.entity_type, change.entity_id),
        "kind": change.kind.upper(),
        "version": change.version,
        "actor": change.actor,
        "fields": [_camel(name) for name in change.fields],
        "occurredAt": change.occurred_at.isoformat(),
        "organizations": [encode_id("Organization", k) for k in change.organization_ids],
        "alliances": [encode_id("Alliance", k) for k in change.alliance_ids],
    }
    type_name = f"{change.entity_type[0].lower()}{change.entity_type[1:]}.{change.kind}"
    return json.dumps(
        {"type": type_name, "timestamp": change.occurred_at.isoformat(), "data": data},
        separators=(",", ":"),
    )


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool
    code: int | None
    error: str | None
    duration_ms: int


@asynccontextmanager
async def _claimed(engine: AsyncEngine, webhook_id: int) -> AsyncIterator[bool]:
    """Whether this worker holds the endpoint for the block."""
    if engine.dialect.name != "postgresql":
        async with _SQLITE_LOCK:
            yield True
        return
    async with engine.connect() as raw:
        connection = await raw.execution_options(isolation_level="AUTOCOMMIT")
        key = (sa.literal(_LOCK_SPACE), sa.literal(webhook_id))
        held = bool(await connection.scalar(sa.select(sa.func.pg_try_advisory_lock(*key))))
        try:
            yield held
        finally:
            if held:
                await connection.scalar(sa.select(sa.func.pg_advisory_unlock(*key)))


async def _disable(engine: AsyncEngine, webhook_id: int, reason: str) -> None:
    log.warning("webhook %s disabled: %s", webhook_id, reason)
    async with engine.begin() as connection:
        await connection.execute(
            sa.update(WEBHOOK)
            .where(WEBHOOK.c.id == webhook_id)
            .values(enabled=False, disabled_reason=reason)
        )


def _filter(hook: RowMapping) -> ChangeFilter:
    return ChangeFilter(
        types=list(hook["types"]) or None,
        kinds=list(hook["kinds"]) or None,
        organizations=list(hook["organizations"]) or None,
        alliances=list(hook["alliances"]) or None,
    )


async def _queue(engine: AsyncEngine, hook: RowMapping, viewer: Viewer) -> bool:
    """Queues the events after the endpoint's cursor its token may read; whether the cursor
    moved."""
    page = await changes_after(
        engine,
        viewer,
        after=Position(hook["cursor_xid"], hook["cursor_id"]),
        first=BATCH,
        filter=_filter(hook),
    )
    if page.end == Position(hook["cursor_xid"], hook["cursor_id"]):
        return False
    now = utcnow()
    async with engine.begin() as connection:
        if page.changes:
            await connection.execute(
                sa.insert(DELIVERY),
                [
                    {
                        "webhook_id": hook["id"],
                        "event_id": change.id,
                        "message_id": f"msg_{hook['id']}_{change.id}",
                        "body": event_body(change),
                        "status": "pending",
                        "attempts": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                    }
                    for change in page.changes
                ],
            )
        await connection.execute(
            sa.update(WEBHOOK)
            .where(WEBHOOK.c.id == hook["id"])
            .values(cursor_xid=page.end.xid, cursor_id=page.end.id)
        )
    return page.has_more


async def queue_test(engine: AsyncEngine, webhook_id: int) -> int:
    """A `webhook.test` delivery to the endpoint, queued after its pending ones; its id."""
    now = utcnow()
    stamp = f"{time.time_ns()}"
    body = json.dumps(
        {"type": "webhook.test", "timestamp": now.isoformat(), "data": {"webhook": webhook_id}},
        separators=(",", ":"),
    )
    async with engine.begin() as connection:
        inserted = await connection.execute(
            sa.insert(DELIVERY)
            .values(
                webhook_id=webhook_id,
                event_id=None,
                message_id=f"msg_{webhook_id}_test_{stamp}",
                body=body,
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
            .returning(DELIVERY.c.id)
        )
        return int(inserted.scalar_one())


async def _post(
    client: httpx.AsyncClient, settings: Settings, hook: RowMapping, delivery: RowMapping
) -> Outcome:
    started = time.perf_counter()

    def took() -> int:
        return int((time.perf_counter() - started) * 1000)

    try:
        await check_url(hook["url"], settings)
    except ApiError as error:
        return Outcome(False, None, error.message, took())
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "user-agent": "partnergraph-webhooks",
        "webhook-id": delivery["message_id"],
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(
            hook["secret"], delivery["message_id"], timestamp, delivery["body"]
        ),
    }
    try:
        with anyio.fail_after(settings.webhook_timeout_s):
            response = await client.post(hook["url"], content=delivery["body"], headers=headers)
    except TimeoutError:
        return Outcome(False, None, f"no answer within {settings.webhook_timeout_s:g} s", took())
    except httpx.HTTPError as error:
        return Outcome(False, None, f"{type(error).__name__}: {error}"[:500], took())
    ok = 200 <= response.status_code < 300
    reason = None if ok else f"answered HTTP {response.status_code}"
    return Outcome(ok, response.status_code, reason, took())


def _retry_in(settings: Settings, attempts: int) -> timedelta:
    delay = settings.webhook_retry_base_s * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(delay, settings.webhook_retry_max_s))


async def _record(
    engine: AsyncEngine,
    settings: Settings,
    hook: RowMapping,
    delivery: RowMapping,
    outcome: Outcome,
) -> bool:
    """Stores an attempt; whether the endpoint stays enabled."""
    now = utcnow()
    attempts = delivery["attempts"] + 1
    values: dict[str, Any] = {
        "attempts": attempts,
        "last_attempt_at": now,
        "response_code": outcome.code,
        "error": outcome.error,
        "duration_ms": outcome.duration_ms,
    }
    if outcome.ok:
        values |= {"status": "delivered", "delivered_at": now}
    else:
        values["next_attempt_at"] = now + _retry_in(settings, attempts)
    failing_since = None if outcome.ok else (hook["failing_since"] or now)
    async with engine.begin() as connection:
        await connection.execute(
            sa.update(DELIVERY).where(DELIVERY.c.id == delivery["id"]).values(**values)
        )
        await connection.execute(
            sa.update(WEBHOOK).where(WEBHOOK.c.id == hook["id"]).values(failing_since=failing_since)
        )
    if failing_since is not None and (now - failing_since).total_seconds() >= (
        settings.webhook_disable_after_s
    ):
        await _disable(
            engine,
            hook["id"],
            f"failing since {failing_since.isoformat()} (longer than "
            f"{settings.webhook_disable_after_s:g} s); last attempt: {outcome.error}",
        )
        return False
    return True


async def _next(engine: AsyncEngine, webhook_id: int) -> RowMapping | None:
    async with engine.connect() as connection:
        return (
            (
                await connection.execute(
                    sa.select(DELIVERY)
                    .where(DELIVERY.c.webhook_id == webhook_id, DELIVERY.c.status == "pending")
                    .order_by(DELIVERY.c.id)
                    .limit(1)
                )
            )
            .mappings()
            .first()
        )


async def _hook(engine: AsyncEngine, webhook_id: int) -> RowMapping | None:
    async with engine.connect() as connection:
        statement = sa.select(WEBHOOK).where(WEBHOOK.c.id == webhook_id)
        return (await connection.execute(statement)).mappings().first()


async def _serve(
    engine: AsyncEngine, settings: Settings, client: httpx.AsyncClient, webhook_id: int
) -> int:
    """Queues and sends what is due for one endpoint this worker holds; attempts made."""
    hook = await _hook(engine, webhook_id)
    if hook is None or not hook["enabled"]:
        return 0
    viewer, why = (None, "it has no token to read the feed as")
    if hook["token_id"] is not None:
        viewer, why = await viewer_of_token_id(engine, hook["token_id"])
    if viewer is None:
        await _disable(engine, webhook_id, why)
        return 0
    while await _queue(engine, hook, viewer) and await _pending_below(
        engine, webhook_id, BATCH * 10
    ):
        hook = await _hook(engine, webhook_id) or hook
    attempts = 0
    while True:
        delivery = await _next(engine, webhook_id)
        if delivery is None or delivery["next_attempt_at"] > utcnow():
            return attempts
        hook = await _hook(engine, webhook_id)
        if hook is None or not hook["enabled"]:
            return attempts
        outcome = await _post(client, settings, hook, delivery)
        attempts += 1
        if not await _record(engine, settings, hook, delivery, outcome) or not outcome.ok:
            return attempts


async def _pending_below(engine: AsyncEngine, webhook_id: int, limit: int) -> bool:
    """Whether fewer than `limit` deliveries wait (queue more events only then)."""
    async with engine.connect() as connection:
        count = await connection.scalar(
            sa.select(sa.func.count())
            .select_from(DELIVERY)
            .where(DELIVERY.c.webhook_id == webhook_id, DELIVERY.c.status == "pending")
        )
    return int(count or 0) < limit


async def deliver_once(
    engine: AsyncEngine, settings: Settings, client: httpx.AsyncClient | None = None
) -> int:
    """One pass over every enabled endpoint; the delivery attempts made."""
    async with engine.connect() as connection:
        ids = list(
            await connection.scalars(
                sa.select(WEBHOOK.c.id).where(WEBHOOK.c.enabled).order_by(WEBHOOK.c.id)
            )
        )
    if not ids:
        return 0
    async with _client(settings, client) as http:
        attempts = 0
        for webhook_id in ids:
            async with _claimed(engine, webhook_id) as held:
                if held:
                    attempts += await _serve(engine, settings, http, webhook_id)
        return attempts


@asynccontextmanager
async def _client(
    settings: Settings, given: httpx.AsyncClient | None
) -> AsyncIterator[httpx.AsyncClient]:
    if given is not None:
        yield given
        return
    timeout = httpx.Timeout(settings.webhook_timeout_s)
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False) as http:
        yield http


class Worker:
    """Passes of `deliver_once` until stopped. After an idle pass it waits for the change feed's
    wakeup (`resolvers.change_wakeup`: PostgreSQL's NOTIFY from any process, or a write of this
    process), at most `webhook_poll_s`: a commit reaches its endpoints without waiting for the
    next poll, and the poll still catches what no notification announced (plain SQL, a lost
    listening connection, an event held back behind an older transaction). Run by
    `partnergraph worker` and, if `webhooks_in_serve`, inside `serve`."""

    def __init__(self, engine: AsyncEngine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self.stopped = asyncio.Event()

    async def run(self) -> None:
        timeout = httpx.Timeout(self.settings.webhook_timeout_s)
        wakeup = wakeup_of(self.engine)
        owned = not wakeup.listening
        wakeup.start()
        try:
            async with httpx.AsyncClient(
                timeout=timeout, follow_redirects=False, trust_env=False
            ) as http:
                while not self.stopped.is_set():
                    ticket = wakeup.ticket()  # before the pass: a change during it wakes the next
                    try:
                        busy = await deliver_once(self.engine, self.settings, http)
                    except Exception:
                        log.exception("webhook delivery pass failed; trying again")
                        busy = 0
                    if busy:
                        continue
                    await self._idle(ticket)
        finally:
            if owned:  # the listener this worker started (subscriptions start their own)
                await wakeup.stop()

    async def _idle(self, ticket: asyncio.Event) -> None:
        """Until a change is announced, the worker is stopped, or `webhook_poll_s` passed."""
        waits = [
            asyncio.ensure_future(ticket.wait()),
            asyncio.ensure_future(self.stopped.wait()),
        ]
        try:
            await asyncio.wait(
                waits, timeout=self.settings.webhook_poll_s, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for waiting in waits:
                waiting.cancel()
            await asyncio.gather(*waits, return_exceptions=True)

    def stop(self) -> None:
        self.stopped.set()


def start_webhook_worker(engine: AsyncEngine, settings: Settings) -> RunningJob:
    """A `Worker` run as a task of the current event loop (inside `serve`)."""
    return RunningJob(Worker(engine, settings), name="webhooks")
