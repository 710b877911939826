"""API tokens over GraphQL: who am I (`viewer`), the admins' token list, and making and revoking
tokens. The secret of a new token is in `createApiToken`'s payload, once."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncConnection

from resolvers import tokens as token_store
from resolvers.ids import decode_id_of
from resolvers.paging import page_request
from resolvers.permissions import ADMIN
from schema.compiled.declare import referenced
from schema.enums import TokenRole
from schema.mutations import UserError, run_mutation
from schema.relay import Connection, Info, Node, connection

if TYPE_CHECKING:
    pass

__all__ = ["ApiToken", "TokenMutation", "TokenQuery", "ViewerInfo"]


@strawberry.type(
    description="An API token (never its secret: only its SHA-256 is stored). Admins only."
)
class ApiToken(Node):
    name: str = strawberry.field(description="What the token is for, as its maker wrote it.")
    role: TokenRole = strawberry.field(description="What the token may see and change.")
    expires_at: datetime | None = strawberry.field(
        description="From when the token is refused; null when it does not expire."
    )
    revoked_at: datetime | None = strawberry.field(
        description="When the token was revoked (refused from then on); null while it is not."
    )
    created_at: datetime = strawberry.field(description="When the token was made.")
    organization_id: strawberry.Private[int | None]
    alliance_id: strawberry.Private[int | None]

    organization = referenced(
        "Organization",
        "organization_id",
        description="The organization an EDITOR or VIEWER token acts for (with its units).",
    )

    alliance = referenced(
        "Alliance", "alliance_id", description="The alliance a SECRETARIAT token acts for."
    )


@strawberry.type(description="The caller of this request, as its token makes it.")
class ViewerInfo:
    role: str = strawberry.field(
        description="admin, secretariat, editor, viewer, reporter or anonymous."
    )
    organization_id: strawberry.Private[int | None]
    alliance_id: strawberry.Private[int | None]

    organization = referenced(
        "Organization",
        "organization_id",
        description="The organization an editor or viewer acts for; null for other roles.",
    )

    alliance = referenced(
        "Alliance",
        "alliance_id",
        description="The alliance a secretariat acts for; null for other roles.",
    )


@strawberry.type
class TokenQuery:
    @strawberry.field(description="Who is asking: the role and subjects of this request's token.")
    def viewer(self, info: Info) -> ViewerInfo:
        viewer = info.context.viewer
        return ViewerInfo(
            role=viewer.role.value,
            organization_id=viewer.organization_id,
            alliance_id=viewer.alliance_id,
        )

    @strawberry.field(description="Every API token, newest last (admins only; empty otherwise).")
    async def api_tokens(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[ApiToken]:
        request = page_request(first, after, last, before)
        page = await token_store.tokens_page(info.context, request)
        return connection(page, ApiToken.from_row)


@strawberry.input(description="A new API token: whom it acts for, and until when.")
class CreateApiTokenInput:
    name: str = strawberry.field(description="What the token is for, e.g. 'JUFE partner portal'.")
    role: TokenRole = strawberry.field(description="What the token may see and change.")
    organization: strawberry.ID | None = strawberry.field(
        default=None, description="Required for EDITOR and VIEWER; covers its units too."
    )
    alliance: strawberry.ID | None = strawberry.field(
        default=None, description="Required for SECRETARIAT."
    )
    expires_at: datetime | None = strawberry.field(
        default=None,
        description="From when the token is refused; it never expires when left out.",
    )


@strawberry.type(description="What `createApiToken` did.")
class CreateApiTokenPayload:
    token: ApiToken | None = strawberry.field(
        default=None, description="The new token; null when `userErrors` says why none was made."
    )
    secret: str | None = strawberry.field(
        default=None,
        description="The bearer token to send as `Authorization: Bearer ...`; shown only here.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty when the mutation succeeded."
    )


@strawberry.type(description="What `revokeApiToken` did.")
class RevokeApiTokenPayload:
    token: ApiToken | None = strawberry.field(
        default=None,
        description="The token, with its `revokedAt`; null when `userErrors` says why not.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty when the mutation succeeded."
    )


@strawberry.type
class TokenMutation:
    @strawberry.mutation(description="Make an API token (admins only).")
    async def create_api_token(
        self,
        info: Info,
        input: Annotated[
            CreateApiTokenInput, strawberry.argument(description="The token to make.")
        ],
    ) -> CreateApiTokenPayload:
        async def work(connection: AsyncConnection) -> CreateApiTokenPayload:
            organization_id = (
                decode_id_of(input.organization, "Organization", field="input.organization")
                if input.organization
                else None
            )
            alliance_id = (
                decode_id_of(input.alliance, "Alliance", field="input.alliance")
                if input.alliance
                else None
            )
            made = await token_store.create_token(
                connection,
                name=input.name,
                role=input.role,
                organization_id=organization_id,
                alliance_id=alliance_id,
                expires_at=input.expires_at,
            )
            return CreateApiTokenPayload(
                token=ApiToken.from_row(await token_store.token_row(connection, made.id)),
                secret=made.secret,
            )

        return await run_mutation(
            info,
            permission=ADMIN,
            arguments={},
            work=work,
            payload=CreateApiTokenPayload,
            name="create API tokens",
        )

    @strawberry.mutation(description="Revoke an API token; it fails from its next request on.")
    async def revoke_api_token(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="The token to revoke (its global ID).")
        ],
    ) -> RevokeApiTokenPayload:
        async def work(connection: AsyncConnection) -> RevokeApiTokenPayload:
            key = decode_id_of(id, "ApiToken", field="id")
            row = await token_store.revoke_token(connection, key)
            return RevokeApiTokenPayload(token=ApiToken.from_row(row))

        return await run_mutation(
            info,
            permission=ADMIN,
            arguments={},
            work=work,
            payload=RevokeApiTokenPayload,
            name="revoke API tokens",
        )
