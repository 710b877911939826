"""The typed per-request context every resolver receives as `info.context`."""

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from resolvers.loaders import Loaders
from resolvers.reading import Reader
from resolvers.viewer import Viewer

__all__ = ["Context", "build_context"]


@dataclass(slots=True)
class Context:
    engine: AsyncEngine
    viewer: Viewer
    reader: Reader
    loaders: Loaders
    request: Request | WebSocket | None = None
    response: Response | None = None
    extensions: dict[str, object] = field(default_factory=dict)


def build_context(
    *,
    engine: AsyncEngine,
    viewer: Viewer,
    request: Request | WebSocket | None = None,
    response: Response | None = None,
) -> Context:
    reader = Reader(engine=engine, viewer=viewer)
    return Context(
        engine=engine,
        viewer=viewer,
        reader=reader,
        loaders=Loaders(reader),
        request=request,
        response=response,
    )
