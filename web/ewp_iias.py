"""`GET|POST /ewp/iias?iia_id=...`: the EWP IIA API v7 `get` endpoint's answer, an
`iias-get-response` holding the IIAs asked for (repeat `iia_id`, at most `MAX_IIA_IDS`),
authorised as GraphQL is: the caller gets the agreements its token may see. As the
specification says, unknown (or hidden, or not exportable) IDs are left out and an answer with
none of them is an empty response, never an error. EWP's own transport security (HTTP
signatures, the registry) is not implemented: this is the document, served with our tokens.
"""

from collections.abc import Callable
from urllib.parse import parse_qs

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from resolvers.context import build_context
from resolvers.errors import ApiError, BadUserInput, InvalidId
from resolvers.ewp.iias import iias_response
from resolvers.ids import decode_id_of
from resolvers.rate_limit import RateLimiter
from settings import Settings
from web.access import admit, refusal

__all__ = ["MAX_IIA_IDS", "EwpIias"]

MAX_IIA_IDS = 100
MEDIA = "application/xml"


class EwpIias:
    """The endpoint, an ASGI app over the engine, settings and rate limiter of the API."""

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
            response = refusal(error)
        await response(scope, receive, send)

    async def answer(self, request: Request) -> Response:
        given = request.query_params.getlist("iia_id")
        if request.method == "POST":
            form = parse_qs((await request.body()).decode("utf-8", "replace"))
            given += form.get("iia_id", [])
        if len(given) > MAX_IIA_IDS:
            raise BadUserInput(f"at most {MAX_IIA_IDS} iia_id at a time", field="iia_id")
        viewer = await admit(
            request,
            engine=self.engine,
            settings=self.settings,
            limiter=self.limiter,
            credentials_of=self.credentials_of,
            cost=max(1, len(given)),
        )
        keys = []
        for value in given:
            try:
                keys.append(decode_id_of(value, "Agreement", field="iia_id"))
            except InvalidId:
                continue
        ctx = build_context(engine=self.engine, viewer=viewer, settings=self.settings)
        return Response(await iias_response(ctx, keys), media_type=MEDIA)
