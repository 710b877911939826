"""`GET /views/<name>?variables=<json>`: the latest version of a saved view, run as the caller,
with an `ETag` and a 304 when the caller already holds the answer.

In order: the view, the network change counter and the access change counter are read in one
statement (`resolvers.saved_views.view_to_run`); the document is measured with the variables
sent and the caller admitted exactly as a GraphQL request is (`schema.guard.admit`: cost, depth
and alias limits, then `resolvers.admission.admit`: token, private mode, rate limit; a saved
view is a registered operation). As on the fast lane, a token this worker kept
(`resolvers.token_cache`) is trusted only when it was read at the access counter the statement
found, else it is read afresh, so a 304 costs one statement. Its tag is then made (`view_etag`);
when `If-None-Match` holds it the answer is 304 with no query run (the rate limit is still
charged the view's cost: a 304 stands for the answer). Otherwise the view runs as a POST of its
document would: the fast lane for a plain-data query on PostgreSQL, else strawberry
(`web.graphql_view.PartnerGraphQL`).

The tag is weak (`W/"..."`: `extensions.cost` in the body counts the caller's rate limit, so two
equal answers need not be the same bytes) and is a digest of: the view's version row, the
change counter, which every committed write transaction raises (`resolvers.network_changes`;
read before the answer, so a tag can only be older than the data it stands for), today's
date (answers that count days, such as expiring agreements, move at midnight), the caller's
visibility (role, organization, alliance: two callers who see different rows never share a
tag) and the variables. `Cache-Control` is `public, max-age=<view_max_age_s>` for an anonymous
caller (public directory data, the same for every anonymous caller) and `private, no-cache` for
a caller with a token (kept by its own client only, revalidated each time); `Vary:
Authorization` keeps a shared cache from giving one caller's answer to another.
"""

import hashlib
from datetime import UTC, datetime
from typing import Any

import orjson
from graphql import GraphQLError, OperationDefinitionNode
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from resolvers.admission import ADMISSION, Admission, confirm_admission
from resolvers.context import Context
from resolvers.errors import ApiError, NotFound
from resolvers.persisted_queries import REGISTERED
from resolvers.read_routing import PRIMARY_ONLY
from resolvers.saved_views import ViewToRun, view_to_run
from resolvers.token_cache import token_cache
from resolvers.viewer import Viewer
from schema.compiled.fast_lane import answer_sent_read
from schema.document_caches import parsed
from schema.guard import admit, measured
from schema.limits import measure
from web.errors import error_response
from web.graphql_request import json_param
from web.graphql_view import PartnerGraphQL

__all__ = ["SavedViews", "matches", "view_etag"]


def view_etag(found: ViewToRun, viewer: Viewer, variables: dict[str, Any]) -> str:
    """The weak tag of a view's answer to `viewer` with `variables` (see the module's text)."""
    parts = [
        found.view["id"],
        found.view["version"],
        found.changes,
        datetime.now(UTC).date().isoformat(),
        viewer.role.value,
        viewer.organization_id,
        viewer.alliance_id,
        variables,
    ]
    digest = hashlib.blake2b(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS), digest_size=16)
    return f'W/"{digest.hexdigest()}"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether `If-None-Match` holds `etag` (compared weakly, as RFC 9110 says for it)."""
    if not if_none_match:
        return False
    bare = etag.removeprefix("W/")
    for tag in if_none_match.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/") == bare:
            return True
    return False


def _cache_control(viewer: Viewer, max_age: int) -> str:
    if viewer.is_anonymous:
        return f"public, max-age={max_age}"
    return "private, no-cache"


class SavedViews:
    """The ASGI endpoint of `/views/{name}`, beside the GraphQL view whose schema and roads it
    uses."""

    def __init__(self, graphql: PartnerGraphQL) -> None:
        self.graphql = graphql
        self.settings = graphql.settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            response = await self._answer(request)
        except ApiError as error:
            response = error_response(error)
        await response(scope, receive, send)

    async def _answer(self, request: Request) -> Response:
        name = request.path_params["name"]
        variables = (
            json_param(request.query_params, "variables", max_depth=self.settings.max_json_depth)
            or {}
        )
        found = await view_to_run(self.graphql.engine, name)
        if found is None:
            raise NotFound(f"no saved view named {name!r}", field="name")
        text: str = found.view["document"]
        state = request.scope.setdefault("state", {})
        state[REGISTERED] = True
        # from the primary: the ETag is made of the primary's change counters, and a body read
        # from a replica that has not replayed them yet would be cached under it
        state[PRIMARY_ONLY] = True
        ctx = self.graphql.context_for(request)
        await self._admit(ctx, text, variables)
        if ctx.access_version is not None and ctx.access_version != found.access:
            await self._reauthenticate(ctx)
        etag = view_etag(found, ctx.viewer, variables)
        headers = {
            "ETag": etag,
            "Cache-Control": _cache_control(ctx.viewer, self.settings.view_max_age_s),
            "Vary": "Authorization",
        }
        if matches(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers=headers)
        response = await self._run(request, ctx, text, variables)
        if response.status_code == 200:
            response.headers.update(headers)
        return response

    async def _admit(self, ctx: Context, text: str, variables: dict[str, Any]) -> None:
        """The view's document measured with `variables` and its caller admitted, as
        `schema.guard` does for a request sent in full."""
        schema = self.graphql.graphql_schema
        try:
            document = parsed(text, {"max_tokens": self.settings.max_tokens})
        except GraphQLError as error:  # a view saved under an older token limit
            raise ApiError(f"the view does not parse: {error.message}") from None
        if not any(isinstance(d, OperationDefinitionNode) for d in document.definitions):
            raise ApiError("the view holds no operation")
        found = measured(
            text,
            None,
            variables,
            lambda: measure(schema, document, operation_name=None, variables=variables),
        )
        await admit(ctx, found, kept_tokens=True)

    async def _reauthenticate(self, ctx: Context) -> None:
        """The caller's kept token read afresh (the access counter moved since it was kept):
        refused now if it no longer lets the caller in."""
        token_cache(self.graphql.engine).forget_all()
        await confirm_admission(ctx)
        assert ctx.request is not None
        recorded = ctx.request.scope["state"][ADMISSION]
        assert isinstance(recorded, Admission)
        recorded.apply(ctx)

    async def _run(
        self, request: Request, ctx: Context, text: str, variables: dict[str, Any]
    ) -> Response:
        """The view's answer: the fast lane's when it can give it, else strawberry's."""
        graphql = self.graphql
        if graphql.compiled:
            response = await graphql.lane_of(
                lambda: answer_sent_read(
                    request,
                    text,
                    None,
                    variables,
                    schema=graphql.graphql_schema,
                    context=lambda: ctx,
                )
            )
            if response is not None:
                return graphql.finish(request, response)
        await confirm_admission(ctx)
        result = await graphql.schema.execute(text, variable_values=variables, context_value=ctx)
        body = await graphql.process_result(request, result)
        response = Response(orjson.dumps(body), media_type="application/json")
        return graphql.finish(request, response)
