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

import orjson
import strawberry
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from db.enums import AgreementKind, AgreementStatus, OrganizationKind
from graph import export
from graph.data import TieKind
from resolvers.context import build_context
from resolvers.errors import ApiError, BadUserInput
from resolvers.ids import encode_id
from resolvers.network import NetworkFilter, View, graph_filter, network_view
from resolvers.rate_limit import RateLimiter
from settings import Settings
from telemetry.facts import set_road
from web.access import admit, query_enums, query_values, refusal

__all__ = ["EXPORT_COST", "MAX_EXPORT_EDGES", "NetworkExport"]

log = logging.getLogger("partnergraph.access")

EXPORT_COST = 1000
MAX_EXPORT_EDGES = 200_000


class ExportTooLarge(ApiError):
    code = "EXPORT_TOO_LARGE"


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
        ties=query_enums(request, "ties", TieKind),
        agreement_kinds=query_enums(request, "agreementKinds", AgreementKind),
        statuses=query_enums(request, "statuses", AgreementStatus),
        organization_kinds=query_enums(request, "organizationKinds", OrganizationKind),
        countries=query_values(request, "countries"),
        alliance=strawberry.ID(alliance) if alliance else None,
    )


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
        set_road("export")
        request = Request(scope, receive)
        try:
            response = await self.answer(request)
        except ApiError as error:
            status = 413 if isinstance(error, ExportTooLarge) else None
            response = refusal(error, status=status)
        await response(scope, receive, send)

    async def answer(self, request: Request) -> Response:
        form = request.path_params["format"]
        if form not in export.FORMATS:
            raise BadUserInput(f"the formats are {', '.join(export.FORMATS)}", field="format")
        wanted = filter_of(request)
        viewer = await admit(
            request,
            engine=self.engine,
            settings=self.settings,
            limiter=self.limiter,
            credentials_of=self.credentials_of,
            cost=EXPORT_COST,
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
