"""The plain routes: a liveness check, and the root sending a browser to GraphiQL."""

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

__all__ = ["health", "root"]


async def health(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def root(_: Request) -> Response:
    return RedirectResponse("/graphql")
