"""API tokens over GraphQL: who am I (`viewer`), the admins' token list, and making and revoking
tokens. The secret of a new token is in `createApiToken`'s payload, once."""

from datetime import datetime
from typing import TYPE_CHECKING

import strawberry
from sqlalchemy.ext.asyncio import AsyncConnection

from resolvers import tokens as token_store
from resolvers.ids import decode_id_of
from resolvers.paging import page_request
from resolvers.permissions import ADMIN
from schema.compiled.declare import referenced
from schema.enums import TokenRole
from schema.mutations import UserError, run_mutation
from schema.relay import Before, Connection, Info, Last, Node, connection

if TYPE_CHECKING:
    pass

__all__ = ["ApiToken", "TokenMutation", "TokenQuery", "ViewerInfo"]


@strawberry.type(description="An API token (never its secret).")
class ApiToken(Node):
    name: str
    role: TokenRole
    expires_at: datetime | None
    revoked_at: datetime | None
    created_at: datetime
    organization_id: strawberry.Private[int | None]
    alliance_id: strawberry.Private[int | None]

    organization = referenced("Organization", "organization_id")

    alliance = referenced("Alliance", "alliance_id")


@strawberry.type(description="The caller of this request, as its token makes it.")
class ViewerInfo:
    role: str = strawberry.field(
        description="admin, secretariat, editor, viewer, reporter or anonymous."
    )
    organization_id: strawberry.Private[int | None]
    alliance_id: strawberry.Private[int | None]

    organization = referenced("Organization", "organization_id")

    alliance = referenced("Alliance", "alliance_id")


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
        last: Last = None,
        before: Before = None,
    ) -> Connection[ApiToken]:
        request = page_request(first, after, last, before)
        page = await token_store.tokens_page(info.context, request)
        return connection(page, ApiToken.from_row)


@strawberry.input
class CreateApiTokenInput:
    name: str = strawberry.field(description="What the token is for, e.g. 'JUFE partner portal'.")
    role: TokenRole
    organization: strawberry.ID | None = strawberry.field(
        default=None, description="Required for EDITOR and VIEWER; covers its units too."
    )
    alliance: strawberry.ID | None = strawberry.field(
        default=None, description="Required for SECRETARIAT."
    )
    expires_at: datetime | None = None


@strawberry.type
class CreateApiTokenPayload:
    token: ApiToken | None = None
    secret: str | None = strawberry.field(
        default=None,
        description="The bearer token to send as `Authorization: Bearer ...`; shown only here.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RevokeApiTokenPayload:
    token: ApiToken | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class TokenMutation:
    @strawberry.mutation(description="Make an API token (admins only).")
    async def create_api_token(
        self, info: Info, input: CreateApiTokenInput
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
    async def revoke_api_token(self, info: Info, id: strawberry.ID) -> RevokeApiTokenPayload:
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
