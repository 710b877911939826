"""Webhooks: endpoints that receive the change feed over HTTP, and the log of their deliveries.

An endpoint belongs to an organization (or to the admins, `organization_id` null) and is read
with the viewer of the token that registered it (`token_id`): it receives only the events that
token could read with `changes`. `cursor_xid`/`cursor_id` is its position in the feed: events up
to it have a `webhook_delivery` row. Deliveries of an endpoint are sent in feed order, one at a
time; a failed one is retried with back-off and holds the later ones back (order per endpoint).

These tables are not traced by the change feed (`db.change_feed`): they are configuration and
a log of sending the feed, not partnership records, and tracing the log would feed itself.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.base import UTCDateTime, fk, utcnow
from db.tables.changes import ID_LIST, NAME_LIST

__all__ = ["Webhook", "WebhookDelivery"]

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class Webhook(SQLModel, table=True):
    __tablename__ = "webhook"

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int | None = fk("organization.id", ondelete="CASCADE")
    token_id: int | None = fk("api_token.id", ondelete="SET NULL")
    url: str = Field(max_length=2000)
    description: str = Field(default="", max_length=500)
    kinds: list[str] = Field(default_factory=list, sa_type=NAME_LIST, nullable=False)
    types: list[str] = Field(default_factory=list, sa_type=NAME_LIST, nullable=False)
    organizations: list[int] = Field(default_factory=list, sa_type=ID_LIST, nullable=False)
    alliances: list[int] = Field(default_factory=list, sa_type=ID_LIST, nullable=False)
    secret: str = Field(max_length=200)
    """`whsec_` and the base64 of the signing key; shown once, when the endpoint is made."""
    enabled: bool = Field(default=True, nullable=False)
    disabled_reason: str | None = Field(default=None, max_length=1000)
    failing_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cursor_xid: int = Field(default=0, sa_type=sa.BigInteger, nullable=False)
    cursor_id: int = Field(default=0, sa_type=sa.BigInteger, nullable=False)
    version: int = Field(default=1, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class WebhookDelivery(SQLModel, table=True):
    __tablename__ = "webhook_delivery"
    __table_args__ = (
        sa.UniqueConstraint("webhook_id", "event_id"),
        sa.Index("ix_webhook_delivery_queue", "webhook_id", "status", "id"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=_BIG)
    webhook_id: int = fk("webhook.id", required=True, ondelete="CASCADE")
    event_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    """The feed event delivered; null for a test delivery."""
    message_id: str = Field(max_length=100)
    """`webhook-id`: the same on every attempt of this delivery, so a receiver can deduplicate."""
    body: str
    status: str = Field(max_length=20)
    """`pending`, `delivered` or `failed` (given up: the endpoint was disabled meanwhile)."""
    attempts: int = Field(default=0, nullable=False)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    response_code: int | None = None
    error: str | None = Field(default=None, max_length=1000)
    duration_ms: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
