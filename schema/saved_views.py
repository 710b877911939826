"""Saved views over GraphQL: `saveView` registers a named query (a new version each time),
`views` and `view` read them back. A view runs at `GET /views/<name>` (`web.saved_views`) as
its caller; the rules of who may save which name are in `resolvers.saved_views`.

A document is checked once, here, when it is saved: it parses within the token limit, is valid
against the schema, holds exactly one operation, a query, and is within the limits (cost,
depth, aliases, arguments) with its variables at their defaults. Every run is measured again
with the variables it is sent (`schema.guard`), as any request is: saving checks what it can,
and grants nothing.
"""

from datetime import datetime
from typing import Annotated

import strawberry
from graphql import GraphQLError, OperationDefinitionNode, OperationType, validate
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from resolvers import saved_views as service
from resolvers.errors import ApiError, BadUserInput, excerpt
from resolvers.ids import decode_id_of
from resolvers.paging import page_request
from resolvers.permissions import ANYONE
from schema.compiled.declare import referenced
from schema.document_caches import parsed
from schema.guard import check_limits
from schema.limits import measure
from schema.mutations import UserError, run_mutation
from schema.relay import Connection, Info, connection

__all__ = ["SavedView", "SavedViewMutation", "SavedViewQuery", "checked_document"]


class NotAQuery(ApiError):
    code = "NOT_A_QUERY"


class InvalidDocument(ApiError):
    code = "GRAPHQL_VALIDATION_FAILED"


@strawberry.type(
    description="One version of a saved view: a named GraphQL query a portal registered, run "
    "with `GET /views/<name>?variables=<json>` as its caller (docs/views.md)."
)
class SavedView:
    name: str = strawberry.field(description="The view's name, as in `/views/<name>`.")
    version: int = strawberry.field(
        description="1 for the first save; each save of the same name adds one."
    )
    document: str = strawberry.field(description="The GraphQL query, as saved.")
    operation_name: str | None = strawberry.field(
        description="The name of the document's operation, if it has one."
    )
    sha256: str = strawberry.field(
        description="The hex SHA-256 of `document`: the `sha256Hash` an Automatic Persisted "
        "Query names it by."
    )
    cost: int = strawberry.field(
        description="What the query may cost with its variables at their defaults, measured "
        "when it was saved (each run is measured again with its own variables)."
    )
    saved_by: str = strawberry.field(description="Who saved this version (a token, by its id).")
    saved_at: datetime = strawberry.field(description="When this version was saved.")
    organization_id: strawberry.Private[int | None]

    organization = referenced(
        "Organization",
        "organization_id",
        description="The organization whose view this is; null for an admins' view.",
    )

    @classmethod
    def from_row(cls, row: RowMapping) -> "SavedView":
        return cls(
            name=row["name"],
            version=row["version"],
            document=row["document"],
            operation_name=row["operation_name"],
            sha256=row["sha256"],
            cost=row["cost"],
            saved_by=row["saved_by"],
            saved_at=row["saved_at"],
            organization_id=row["organization_id"],
        )


def _one_query(definitions: list[OperationDefinitionNode]) -> OperationDefinitionNode:
    if len(definitions) != 1:
        raise NotAQuery(
            f"a view holds exactly one operation; this document holds {len(definitions)}",
            field="document",
        )
    operation = definitions[0]
    if operation.operation is not OperationType.QUERY:
        raise NotAQuery(
            f"a view is a query (it runs over GET); this is a {operation.operation.value}",
            field="document",
        )
    return operation


def checked_document(info: Info, document: str) -> tuple[str | None, int]:
    """The operation name and cost at its defaults of a document fit to save; `ApiError` with
    the reason otherwise."""
    settings = info.context.settings
    schema = info.schema._schema
    try:
        tree = parsed(document, {"max_tokens": settings.max_tokens})
    except GraphQLError as error:
        raise BadUserInput(
            f"the document does not parse: {excerpt(error.message, 200)}", field="document"
        ) from None
    errors = validate(schema, tree)
    if errors:
        raise InvalidDocument(
            f"the document is not valid against the schema: {excerpt(errors[0].message, 200)}",
            field="document",
        )
    operations = [d for d in tree.definitions if isinstance(d, OperationDefinitionNode)]
    operation = _one_query(operations)
    found = measure(schema, tree, operation_name=None, variables={})
    try:
        check_limits(settings, found)
    except ApiError as error:
        error.field = "document"
        raise
    return (operation.name.value if operation.name else None), found.cost


@strawberry.input(description="A query to save under a name, as a new version of that view.")
class SaveViewInput:
    name: str = strawberry.field(
        description="1 to 100 letters, digits, `_`, `.` or `-`; one namespace for the server, "
        "owned by whoever saved its first version."
    )
    document: str = strawberry.field(
        description="One GraphQL query, valid against the schema and within the cost limit with "
        "its variables at their defaults."
    )
    organization: strawberry.ID | None = strawberry.field(
        default=None,
        description="The organization whose view it is (an editor's own, required for "
        "editors); left out, an admins' view.",
    )


@strawberry.type(description="What `saveView` did.")
class SaveViewPayload:
    view: SavedView | None = strawberry.field(
        default=None, description="The version saved; null when `userErrors` says why not."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty when the mutation succeeded."
    )


@strawberry.type
class SavedViewQuery:
    @strawberry.field(
        description="The latest version of every saved view, by name (a public catalogue: a view "
        "answers only what its caller may see)."
    )
    async def views(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[SavedView]:
        request = page_request(first, after, last, before)
        page = await service.views_page(info.context, request)
        return connection(page, SavedView.from_row)

    @strawberry.field(description="One version of a saved view; null when there is none.")
    async def view(
        self,
        info: Info,
        name: Annotated[str, strawberry.argument(description="The view's name.")],
        version: Annotated[
            int | None,
            strawberry.argument(description="Which version; the latest when left out."),
        ] = None,
    ) -> SavedView | None:
        row = await service.view_row(info.context, name, version)
        return None if row is None else SavedView.from_row(row)


@strawberry.type
class SavedViewMutation:
    @strawberry.mutation(
        description="Save a query under a name (a new version when the name exists): an admin "
        "for any organization or none, an editor for an organization it edits."
    )
    async def save_view(
        self,
        info: Info,
        input: Annotated[SaveViewInput, strawberry.argument(description="The view to save.")],
    ) -> SaveViewPayload:
        async def work(connection: AsyncConnection) -> SaveViewPayload:
            organization = (
                decode_id_of(input.organization, "Organization", field="organization")
                if input.organization
                else None
            )
            await service.check_saver(
                connection, info.context, name=input.name, organization_id=organization
            )
            operation_name, cost = checked_document(info, input.document)
            row = await service.save_view(
                connection,
                info.context,
                name=input.name,
                document=input.document,
                operation_name=operation_name,
                organization_id=organization,
                cost=cost,
            )
            return SaveViewPayload(view=SavedView.from_row(row))

        return await run_mutation(
            info,
            permission=ANYONE,
            arguments={},
            work=work,
            payload=SaveViewPayload,
            name="save views",
        )
