"""The typed per-request context every resolver receives as `info.context`."""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from db.replicas import PRIMARY
from resolvers.languages import accepted_languages
from resolvers.loaders import Loaders
from resolvers.rate_limit import NoRateLimit, RateLimiter
from resolvers.reading import Reader
from resolvers.viewer import Viewer
from settings import Settings

if TYPE_CHECKING:
    from resolvers.read_routing import ReadRouting

__all__ = ["Context", "build_context"]


@dataclass(slots=True)
class Context:
    """`viewer` starts anonymous; `schema.guard` authenticates `credentials` once the document
    has passed its limits, so a refused request costs no database work."""

    engine: AsyncEngine
    viewer: Viewer
    reader: Reader
    loaders: Loaders
    settings: Settings = field(default_factory=Settings)
    limiter: RateLimiter = field(default_factory=NoRateLimit)
    credentials: str | None = None
    client: str = "unknown"
    request: Request | WebSocket | None = None
    response: Response | None = None
    extensions: dict[str, object] = field(default_factory=dict)
    access_version: int | None = None
    """Set when `viewer` is one this worker kept (`resolvers.token_cache`): the access change
    counter it was read at, which a statement answered for it must find unchanged."""
    languages: tuple[str, ...] = ()
    """The languages of the request's `Accept-Language`, most wanted first: the default of
    every name field's `lang:` (`resolvers.names`)."""
    routing: "ReadRouting | None" = None
    """The replicas reads may be sent to (`resolvers.read_routing`), `None` without any."""
    database: str | None = None
    """Which database answered (`primary`, `replica-1`, ...), once routed; `None` without
    replicas."""

    def become(self, viewer: Viewer, *, access_version: int | None = None) -> None:
        """Reads from now on are made as `viewer`."""
        self.viewer = viewer
        self.access_version = access_version
        self.reader = Reader(engine=self.engine, viewer=viewer)
        self.loaders = Loaders(self.reader)

    def read_from(self, engine: AsyncEngine) -> None:
        """Reads from now on go to `engine` (a replica: `resolvers.read_routing`)."""
        self.engine = engine
        self.reader = Reader(engine=engine, viewer=self.viewer)
        self.loaders = Loaders(self.reader)


def build_context(
    *,
    engine: AsyncEngine,
    viewer: Viewer,
    settings: Settings | None = None,
    limiter: RateLimiter | None = None,
    credentials: str | None = None,
    client: str = "unknown",
    request: Request | WebSocket | None = None,
    response: Response | None = None,
    routing: "ReadRouting | None" = None,
) -> Context:
    reader = Reader(engine=engine, viewer=viewer)
    return Context(
        engine=engine,
        viewer=viewer,
        reader=reader,
        loaders=Loaders(reader),
        settings=settings or Settings(),
        limiter=limiter or NoRateLimit(),
        credentials=credentials,
        client=client,
        request=request,
        response=response,
        routing=routing,
        database=PRIMARY if routing is not None else None,
        languages=accepted_languages(request.headers.get("accept-language")) if request else (),
    )
