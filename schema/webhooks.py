"""Webhooks over GraphQL: `createWebhook` (the secret is in its payload, once), `updateWebhook`,
`deleteWebhook`, `redeliverWebhook`, and `webhooks` with each endpoint's delivery log. The rules
of who may are in `resolvers.webhooks`; sending is `resolvers.webhook_delivery` (docs/webhooks.md).
"""

from datetime import datetime
from typing import Annotated

import strawberry
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from resolvers import webhooks as service
from resolvers.changes import ChangeFilter as ReadFilter
from resolvers.errors import BadUserInput
from resolvers.ids import decode_id_of, encode_id
from resolvers.permissions import ANYONE
from schema.changes import ChangeFilter
from schema.enums import ChangeKind
from schema.mutations import UserError, run_mutation
from schema.relay import Info

__all__ = ["Webhook", "WebhookMutation", "WebhookQuery"]

MAX_LOG = 100


@strawberry.type(description="One delivery of an event to a webhook endpoint, and its attempts.")
class WebhookDelivery:
    id: strawberry.ID = strawberry.field(description="Give it to `redeliverWebhook`.")
    message_id: str = strawberry.field(
        description="The `webhook-id` header: the same on every attempt (deduplicate by it)."
    )
    status: str = strawberry.field(
        description="`pending` (not yet delivered: waiting for its next attempt) or `delivered`."
    )
    attempts: int = strawberry.field(description="Attempts made so far.")
    response_code: int | None = strawberry.field(
        description="The HTTP status of the last attempt; null when it got no answer."
    )
    error: str | None = strawberry.field(description="Why the last attempt failed, if it did.")
    duration_ms: int | None = strawberry.field(description="How long the last attempt took.")
    last_attempt_at: datetime | None = strawberry.field(description="When it was last tried.")
    next_attempt_at: datetime = strawberry.field(
        description="When a pending delivery is tried next."
    )
    delivered_at: datetime | None = strawberry.field(description="When a 2xx answer came.")
    created_at: datetime = strawberry.field(description="When it was queued.")
    body: str = strawberry.field(description="The JSON sent.")

    @classmethod
    def from_row(cls, row: RowMapping) -> "WebhookDelivery":
        return cls(
            id=strawberry.ID(encode_id("WebhookDelivery", row["id"])),
            message_id=row["message_id"],
            status=row["status"],
            attempts=row["attempts"],
            response_code=row["response_code"],
            error=row["error"],
            duration_ms=row["duration_ms"],
            last_attempt_at=row["last_attempt_at"],
            next_attempt_at=row["next_attempt_at"],
            delivered_at=row["delivered_at"],
            created_at=row["created_at"],
            body=row["body"],
        )


@strawberry.type(
    description="An endpoint that receives the change feed over HTTP, signed as Standard "
    "Webhooks specifies (docs/webhooks.md). Its secret is shown once, by `createWebhook`."
)
class Webhook:
    row: strawberry.Private[RowMapping]

    @strawberry.field(description="The endpoint's ID.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("Webhook", self.row["id"]))

    @strawberry.field(description="Where deliveries are POSTed.")
    def url(self) -> str:
        return str(self.row["url"])

    @strawberry.field(description="The owner's note.")
    def description(self) -> str:
        return str(self.row["description"])

    @strawberry.field(description="The kinds of change delivered; every kind when empty.")
    def kinds(self) -> list[ChangeKind]:
        return [ChangeKind(k) for k in self.row["kinds"]]

    @strawberry.field(description="The entity types delivered; every type when empty.")
    def types(self) -> list[str]:
        return list(self.row["types"])

    @strawberry.field(description="Only changes concerning these organizations, if any.")
    def organizations(self) -> list[strawberry.ID]:
        return [strawberry.ID(encode_id("Organization", k)) for k in self.row["organizations"]]

    @strawberry.field(description="Only changes concerning these alliances, if any.")
    def alliances(self) -> list[strawberry.ID]:
        return [strawberry.ID(encode_id("Alliance", k)) for k in self.row["alliances"]]

    @strawberry.field(description="The organization that owns it; null for an admins' endpoint.")
    def owner(self) -> strawberry.ID | None:
        key = self.row["organization_id"]
        return None if key is None else strawberry.ID(encode_id("Organization", key))

    @strawberry.field(description="Whether deliveries are sent.")
    def enabled(self) -> bool:
        return bool(self.row["enabled"])

    @strawberry.field(
        description="Why it was disabled (failing too long, its token revoked, its owner); "
        "`updateWebhook(input: {enabled: true})` enables it again."
    )
    def disabled_reason(self) -> str | None:
        reason: str | None = self.row["disabled_reason"]
        return reason

    @strawberry.field(description="Since when its deliveries fail; null while they succeed.")
    def failing_since(self) -> datetime | None:
        since: datetime | None = self.row["failing_since"]
        return since

    @strawberry.field(description="When it was registered.")
    def created_at(self) -> datetime:
        return self.row["created_at"]  # type: ignore[no-any-return]

    @strawberry.field(description="The version, raised by each update.")
    def version(self) -> int:
        return int(self.row["version"])

    @strawberry.field(description="Its newest deliveries, newest first.")
    async def deliveries(
        self,
        info: Info,
        first: Annotated[
            int, strawberry.argument(description=f"How many (at most {MAX_LOG}).")
        ] = 20,
    ) -> list[WebhookDelivery]:
        if not 0 <= first <= MAX_LOG:
            raise BadUserInput(f"`first` is between 0 and {MAX_LOG}", field="first")
        found = await service.deliveries_of(info.context.engine, [self.row["id"]], first=first)
        return [WebhookDelivery.from_row(row) for row in found[self.row["id"]]]


@strawberry.input(description="Where to send which changes.")
class CreateWebhookInput:
    url: str = strawberry.field(
        description="An http(s) URL whose host resolves to public addresses only (docs/webhooks.md"
        " SSRF rules); https only in production."
    )
    kinds: list[str] | None = strawberry.field(
        default=None,
        description="`ChangeKind` names (`CREATED`, `SIGNED`, ...) to deliver; every kind when "
        "left out. An unknown name is refused (UNKNOWN_KIND).",
    )
    filter: ChangeFilter | None = strawberry.field(
        default=None, description="Which changes, as `changes(filter:)` takes it."
    )
    description: str = strawberry.field(default="", description="A note, up to 500 characters.")
    organization: strawberry.ID | None = strawberry.field(
        default=None,
        description="The organization that owns the endpoint (one the caller edits); the "
        "caller's own when left out; none for an admin: an admins' endpoint.",
    )


@strawberry.input(description="A webhook endpoint's new settings.")
class UpdateWebhookInput:
    id: strawberry.ID = strawberry.field(description="The endpoint.")
    url: str | None = strawberry.field(default=None, description="A new URL.")
    kinds: list[str] | None = strawberry.field(default=None, description="New kinds.")
    filter: ChangeFilter | None = strawberry.field(default=None, description="A new filter.")
    description: str | None = strawberry.field(default=None, description="A new note.")
    enabled: bool | None = strawberry.field(
        default=None, description="`true` enables a disabled endpoint again; `false` pauses it."
    )


@strawberry.input(description="The endpoint to delete.")
class DeleteWebhookInput:
    id: strawberry.ID = strawberry.field(description="The endpoint.")


@strawberry.input(description="The delivery to send again.")
class RedeliverWebhookInput:
    delivery_id: strawberry.ID = strawberry.field(description="A `WebhookDelivery` ID.")


@strawberry.type(description="What `createWebhook` did.")
class CreateWebhookPayload:
    webhook: Webhook | None = strawberry.field(default=None, description="The new endpoint.")
    secret: str | None = strawberry.field(
        default=None,
        description="The signing secret (`whsec_` + base64), shown this once: keep it.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty when it succeeded."
    )


@strawberry.type(description="What `updateWebhook` did.")
class UpdateWebhookPayload:
    webhook: Webhook | None = strawberry.field(default=None, description="The endpoint now.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty when it succeeded."
    )


@strawberry.type(description="What `deleteWebhook` did.")
class DeleteWebhookPayload:
    deleted_id: strawberry.ID | None = strawberry.field(
        default=None, description="The deleted endpoint."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty when it succeeded."
    )


@strawberry.type(description="What `redeliverWebhook` did.")
class RedeliverWebhookPayload:
    delivery: WebhookDelivery | None = strawberry.field(
        default=None, description="The delivery, pending again."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty when it succeeded."
    )


def _spec(
    url: str, kinds: list[str] | None, filter: ChangeFilter | None, description: str
) -> service.WebhookSpec:
    return service.WebhookSpec(
        url=url,
        kinds=kinds or [],
        filter=None if filter is None else filter.read(),
        description=description,
    )


@strawberry.type
class WebhookQuery:
    @strawberry.field(
        description="The webhook endpoints the caller manages: its organizations' (an admin: "
        "every one)."
    )
    async def webhooks(self, info: Info) -> list[Webhook]:
        rows = await service.webhooks_of(info.context.engine, info.context.viewer)
        return [Webhook(row=row) for row in rows]


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(
        description="Register an endpoint for the change feed; the payload holds its secret, once."
    )
    async def create_webhook(
        self,
        info: Info,
        input: Annotated[CreateWebhookInput, strawberry.argument(description="The endpoint.")],
    ) -> CreateWebhookPayload:
        async def work(connection: AsyncConnection) -> CreateWebhookPayload:
            organization = (
                decode_id_of(input.organization, "Organization", field="organization")
                if input.organization
                else None
            )
            row, secret = await service.create_webhook(
                connection,
                info.context.viewer,
                info.context.settings,
                _spec(input.url, input.kinds, input.filter, input.description),
                organization_id=organization,
            )
            return CreateWebhookPayload(webhook=Webhook(row=row), secret=secret)

        return await run_mutation(
            info,
            permission=ANYONE,
            arguments={},
            work=work,
            payload=CreateWebhookPayload,
            name="create webhooks",
        )

    @strawberry.mutation(description="Change a webhook endpoint, or enable it again.")
    async def update_webhook(
        self,
        info: Info,
        input: Annotated[UpdateWebhookInput, strawberry.argument(description="The changes.")],
    ) -> UpdateWebhookPayload:
        async def work(connection: AsyncConnection) -> UpdateWebhookPayload:
            key = decode_id_of(input.id, "Webhook", field="id")
            current = await service.owned_webhook(connection, info.context.viewer, key)
            spec = None
            if any(
                v is not None for v in (input.url, input.kinds, input.filter, input.description)
            ):
                spec = service.WebhookSpec(
                    url=input.url if input.url is not None else current["url"],
                    kinds=input.kinds if input.kinds is not None else _names(current["kinds"]),
                    filter=input.filter.read() if input.filter is not None else _stored(current),
                    description=(
                        input.description
                        if input.description is not None
                        else current["description"]
                    ),
                )
            row = await service.update_webhook(
                connection,
                info.context.viewer,
                info.context.settings,
                key,
                spec=spec,
                enabled=input.enabled,
            )
            return UpdateWebhookPayload(webhook=Webhook(row=row))

        return await run_mutation(
            info,
            permission=ANYONE,
            arguments={},
            work=work,
            payload=UpdateWebhookPayload,
            name="update webhooks",
        )

    @strawberry.mutation(description="Delete a webhook endpoint and its delivery log.")
    async def delete_webhook(
        self,
        info: Info,
        input: Annotated[DeleteWebhookInput, strawberry.argument(description="The endpoint.")],
    ) -> DeleteWebhookPayload:
        async def work(connection: AsyncConnection) -> DeleteWebhookPayload:
            key = decode_id_of(input.id, "Webhook", field="id")
            await service.delete_webhook(connection, info.context.viewer, key)
            return DeleteWebhookPayload(deleted_id=input.id)

        return await run_mutation(
            info,
            permission=ANYONE,
            arguments={},
            work=work,
            payload=DeleteWebhookPayload,
            name="delete webhooks",
        )

    @strawberry.mutation(
        description="Send a delivery again (with the same `webhook-id`), delivered or not."
    )
    async def redeliver_webhook(
        self,
        info: Info,
        input: Annotated[RedeliverWebhookInput, strawberry.argument(description="Which.")],
    ) -> RedeliverWebhookPayload:
        async def work(connection: AsyncConnection) -> RedeliverWebhookPayload:
            key = decode_id_of(input.delivery_id, "WebhookDelivery", field="deliveryId")
            row = await service.redeliver(connection, info.context.viewer, key)
            return RedeliverWebhookPayload(delivery=WebhookDelivery.from_row(row))

        return await run_mutation(
            info,
            permission=ANYONE,
            arguments={},
            work=work,
            payload=RedeliverWebhookPayload,
            name="redeliver webhooks",
        )


def _names(values: list[str]) -> list[str]:
    return [ChangeKind(v).name for v in values]


def _stored(row: RowMapping) -> ReadFilter:
    return ReadFilter(
        types=list(row["types"]) or None,
        organizations=list(row["organizations"]) or None,
        alliances=list(row["alliances"]) or None,
    )
