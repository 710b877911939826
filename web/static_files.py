"""Files of the package served as they are: a library's file, whose path names its version
(`cytoscape@3.35.0/...`), cached for a year; the others revalidated each time; none sniffed for
another type; compressed when the client accepts it."""

import os

from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Scope

__all__ = ["static_files"]

_IMMUTABLE = "public, max-age=31536000, immutable"


class _Files(StaticFiles):
    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        versioned = "@" in scope["path"]
        response.headers["Cache-Control"] = _IMMUTABLE if versioned else "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def static_files(directory: str | os.PathLike[str]) -> ASGIApp:
    return GZipMiddleware(_Files(directory=directory), minimum_size=1024)
