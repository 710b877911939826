"""The gate every GraphQL operation passes after validation and before any resolver runs.

In order: the document's measure (`schema.limits`: cost, depth, aliases, arguments refused)
is checked with no database work; then the caller is admitted (`resolvers.admission.admit`:
token, private mode, introspection, rate limit, the same function the fast lane and the HTTP
endpoints call). A refusal becomes the operation's only error, with its code, and the matching
HTTP status (401, 429). In registered-only mode, a document that is not a registered one is
refused after admission (`resolvers.persisted_queries.check_registered`: whether the caller is
an admin must be known first). The cost of every admitted request is reported in
`extensions.cost`. With replicas, an admitted query is then routed (`resolvers.read_routing`),
a mutation's position noted once it has run, and the database that answered reported in
`extensions.database`.
"""

import hashlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

from graphql import DocumentNode, ExecutionResult, GraphQLError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from resolvers.admission import admit as admit_caller
from resolvers.context import Context
from resolvers.errors import ApiError, QueryTooLarge, RateLimited, Unauthenticated
from resolvers.memo import Bounded
from resolvers.persisted_queries import check_registered
from resolvers.read_routing import note_write, route_read
from schema.limits import Measure, measure
from settings import Settings
from telemetry.facts import current, set_refusal

__all__ = ["REPORTED", "Guard", "admit", "check_limits", "measured"]

REPORTED = ("cost", "summarySource")
"""The request facts a response carries in `extensions`: what it cost, and where its
summaries came from (`resolvers.report_rollups`)."""

log = logging.getLogger("partnergraph.access")


def check_limits(settings: Settings, found: Measure) -> None:
    """Refuses a measured operation over a limit, or with an argument execution would refuse."""
    if found.refusal is not None:
        raise found.refusal
    if found.depth > settings.max_depth:
        raise QueryTooLarge(
            f"the query is {found.depth} fields deep, over the limit of {settings.max_depth}",
            code="QUERY_TOO_DEEP",
        )
    if found.aliases > settings.max_aliases:
        raise QueryTooLarge(
            f"the query has {found.aliases} aliases, over the limit of {settings.max_aliases}",
            code="TOO_MANY_ALIASES",
        )
    if found.cost > settings.max_cost:
        raise QueryTooLarge(
            f"the query may cost {found.cost} points, over the limit of {settings.max_cost}; "
            "ask for smaller pages (`first`) or fewer nested lists",
            code="QUERY_TOO_COSTLY",
        )


def _answer_status(ctx: Context, error: ApiError) -> None:
    if ctx.response is None:
        return
    if isinstance(error, Unauthenticated):
        ctx.response.status_code = 401
        ctx.response.headers["WWW-Authenticate"] = 'Bearer realm="partnergraph"'
    elif isinstance(error, RateLimited):
        ctx.response.status_code = 429
        ctx.response.headers["Retry-After"] = str(error.retry_after)


_measures: Bounded[bytes, Measure] = Bounded(1024, name="measures")
"""Measures by a digest of the document text, operation and variables: the same request sent
again is not measured again, and the cache holds 16 bytes a request whatever its size."""


def measured(
    text: str | None,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    compute: Callable[[], Measure],
) -> Measure:
    """`compute()`, or what it gave before for the same document text, operation and
    variables."""
    if text is None:
        return compute()
    digest = hashlib.blake2b(text.encode(), digest_size=16)
    digest.update(f"\0{operation_name}\0{variables!r}".encode())
    key = digest.digest()
    found = _measures.get(key)
    return found if found is not None else _measures.put(key, compute())


async def admit(ctx: Context, found: Measure, *, kept_tokens: bool = False) -> None:
    """The limits of the measured operation, then the caller's admission for its cost, on
    whichever road answers it (the fast lane, strawberry's); `ApiError` when refused."""
    try:
        check_limits(ctx.settings, found)
    except ApiError as error:
        log.info("refused %s: %s (%s)", ctx.viewer.label, error.code, error.message)
        set_refusal(error.code)
        raise
    await admit_caller(
        ctx, cost=found.cost, introspection=found.introspection, kept_tokens=kept_tokens
    )
    try:
        check_registered(ctx)
    except ApiError as error:
        log.info("refused %s: %s", ctx.viewer.label, error.code)
        raise


def _operation_name(document: DocumentNode) -> str | None:
    """The name of the document's operation when it has only one (the one that runs when the
    request names none)."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) == 1 and operations[0].name is not None:
        return operations[0].name.value
    return None


class Guard(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        ctx = execution.context
        assert isinstance(ctx, Context) and execution.graphql_document is not None
        document = execution.graphql_document
        facts = current()
        if facts is not None and facts.operation is None:
            facts.operation = _operation_name(document)
        found = measured(
            document.loc.source.body if document.loc is not None else None,
            execution.operation_name,
            execution.variables,
            lambda: measure(
                execution.schema._schema,
                document,
                operation_name=execution.operation_name,
                variables=execution.variables,
            ),
        )
        try:
            await admit(ctx, found)
        except ApiError as error:
            _answer_status(ctx, error)
            execution.result = ExecutionResult(
                data=None, errors=[GraphQLError(error.message, original_error=error)]
            )
            yield
            return
        operation = execution.operation_type
        if operation is OperationType.QUERY:
            await route_read(ctx)
        yield
        if operation is OperationType.MUTATION:
            await note_write(ctx)

    def get_results(self) -> dict[str, Any]:
        ctx = self.execution_context.context
        if not isinstance(ctx, Context):
            return {}
        results = {key: ctx.extensions[key] for key in REPORTED if key in ctx.extensions}
        if ctx.database is not None:
            results["database"] = ctx.database
        return results
