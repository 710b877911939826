"""`GET /network/export.{format}`: the network through a filter as GraphML, GEXF or Cytoscape
JSON, for Gephi and Cytoscape users, with the same filters and authorisation as GraphQL.

Query parameters mirror `NetworkFilter` (lists comma separated or repeated): `asOf`, `ties`,
`agreementKinds`, `statuses`, `organizationKinds`, `countries`, `alliance` (an ID). The bearer
token is checked as for GraphQL; the caller sees the edges of the agreements it may read. An
export costs `EXPORT_COST` rate-limit points and is refused over `MAX_EXPORT_EDGES` edges (filter
it, by country or kind, to make it smaller).
"""

import asyncio
import logging
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from typing import TypeVar

import orjson
import strawberry
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from db.enums import AgreementKind, AgreementStatus, OrganizationKind
from graph import export
from graph.data import TieKind
from resolvers.context import build_context
from resolvers.errors import ApiError, BadUserInput, RateLimited, Unauthenticated
from resolvers.ids import encode_id
from resolvers.network import NetworkFilter, View, graph_filter, network_view
from resolvers.rate_limit import RateLimiter
from resolvers.tokens import authenticate
from resolvers.viewer import Viewer
from settings import Settings

__all__ = ["EXPORT_COST", "MAX_EXPORT_EDGES", "NetworkExport"]

log = logging.getLogger("partnergraph.access")

EXPORT_COST = 1000
MAX_EXPORT_EDGES = 200_000
E = TypeVar("E", bound=StrEnum)


class ExportTooLarge(ApiError):
    code = "EXPORT_TOO_LARGE"


def _values(request: Request, name: str) -> list[str] | None:
    raw = request.query_params.getlist(name)
    if not raw:
        return None
    return [v.strip() for item in raw for v in item.split(",") if v.strip()]


def _enums(request: Request, name: str, enum: type[E]) -> list[E] | None:
    values = _values(request, name)
    if values is None:
        return None
    try:
        return [enum(v.lower()) for v in values]
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise BadUserInput(f"{name} takes {allowed}", field=name) from None


def filter_of(request: Request) -> NetworkFilter:
    """The filter a request's query parameters describe."""
    as_of = request.query_params.get("asOf")
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise BadUserInput("asOf is a date, YYYY-MM-DD", field="asOf") from None
    alliance = request.query_params.get("alliance")
    return NetworkFilter(
        as_of=day,
        ties=_enums(request, "ties", TieKind),
        agreement_kinds=_enums(request, "agreementKinds", AgreementKind),
        statuses=_enums(request, "statuses", AgreementStatus),
        organization_kinds=_enums(request, "organizationKinds", OrganizationKind),
        countries=_values(request, "countries"),
        alliance=strawberry.ID(alliance) if alliance else None,
    )


def _error(error: ApiError) -> Response:
    status = 400
    headers = {}
    if isinstance(error, Unauthenticated):
        status = 401
        headers["WWW-Authenticate"] = 'Bearer realm="partnergraph"'
    elif isinstance(error, RateLimited):
        status = 429
        headers["Retry-After"] = str(error.retry_after)
    elif error.code == "NOT_FOUND":
        status = 404
    elif isinstance(error, ExportTooLarge):
        status = 413
    extensions = {"code": error.code}
    if error.field is not None:
        extensions["field"] = error.field
    body = {"errors": [{"message": error.message, "extensions": extensions}]}
    return JSONResponse(body, status_code=status, headers=headers)


class NetworkExport:
    """The export endpoint, an ASGI app over the engine, settings and rate limiter of the API."""

    def __init__(
        self,
        *,
        engine: AsyncEngine,
        settings: Settings,
        limiter: RateLimiter,
        credentials_of: Callable[[str | None], str | None],
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.limiter = limiter
        self.credentials_of = credentials_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            response = await self.answer(request)
        except ApiError as error:
            response = _error(error)
        await response(scope, receive, send)

    async def answer(self, request: Request) -> Response:
        form = request.path_params["format"]
        if form not in export.FORMATS:
            raise BadUserInput(f"the formats are {', '.join(export.FORMATS)}", field="format")
        wanted = filter_of(request)
        credentials = self.credentials_of(request.headers.get("authorization"))
        viewer = Viewer.anonymous()
        if credentials is not None:
            viewer = await authenticate(self.engine, credentials)
        elif self.settings.private:
            raise Unauthenticated("this server answers only requests with an API token")
        client = request.client.host if request.client else "unknown"
        caller = viewer.label if viewer.token_id is not None else f"client:{client}"
        spend = await self.limiter.spend(caller, EXPORT_COST)
        if not spend.allowed:
            raise RateLimited(
                f"over the rate limit; retry in {spend.retry_after} s",
                retry_after=spend.retry_after,
            )
        ctx = build_context(engine=self.engine, viewer=viewer, settings=self.settings)
        view = await network_view(ctx, await graph_filter(ctx, wanted, path="query"))
        if view.edge_count > MAX_EXPORT_EDGES:
            raise ExportTooLarge(
                f"the network has {view.edge_count} edges, over the export limit of "
                f"{MAX_EXPORT_EDGES}; narrow it with countries, ties, kinds or asOf"
            )
        log.info("network export (%s) by %s: %d edges", form, viewer.label, view.edge_count)
        media, extension = export.FORMATS[form]
        content = await asyncio.to_thread(_render, form, view)
        disposition = f'attachment; filename="partnergraph-network.{extension}"'
        return Response(content, media_type=media, headers={"Content-Disposition": disposition})


def _node_id(organization_id: int) -> str:
    return encode_id("Organization", organization_id)


def _render(form: str, view: View) -> bytes:
    if form == "graphml":
        return export.graphml(view, _node_id).encode()
    if form == "gexf":
        return export.gexf(view, _node_id).encode()
    return orjson.dumps(export.cytoscape_json(view, _node_id))
