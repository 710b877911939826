"""The pages' one way to the data: a GraphQL document executed by the public schema in-process,
on behalf of the token kept in the browser's session, with the context the GraphQL view builds.

The schema's `Guard` admits the caller (`resolvers.admission.admit`: token, private mode, rate
limit) and every field reads through the same visibility, so a page shows what `/graphql`
answers that token and nothing else. Errors come back with the code `schema.errors.coded` gives
them on `/graphql`."""

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from strawberry.schema.base import BaseSchema

from resolvers.context import build_context
from resolvers.rate_limit import RateLimiter
from resolvers.viewer import Viewer
from schema.errors import coded
from settings import Settings

__all__ = ["Answer", "GraphQLRunner", "PageError"]


class PageError(Exception):
    """A refusal a page shows as a message: `code` as `/graphql` would answer it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Answer:
    data: dict[str, Any]
    errors: list[tuple[str, str]]
    """(code, message) of errors in fields: what the API hid or refused in part of the page."""


@dataclass(frozen=True, slots=True)
class GraphQLRunner:
    schema: BaseSchema
    engine: AsyncEngine
    settings: Settings
    limiter: RateLimiter

    async def run(
        self,
        request: Request,
        token: str | None,
        document: str,
        variables: dict[str, Any] | None = None,
    ) -> Answer:
        """`document` answered for `token`; `PageError` when the request as a whole is refused
        (a bad or expired token, a rate limit) or answers no data."""
        ctx = build_context(
            engine=self.engine,
            viewer=Viewer.anonymous(),
            settings=self.settings,
            limiter=self.limiter,
            credentials=token,
            client=request.client.host if request.client else "unknown",
            request=request,
        )
        result = await self.schema.execute(document, variable_values=variables, context_value=ctx)
        errors = [coded(e, suggestions=False) for e in result.errors or []]
        found = [(str((e.extensions or {}).get("code", "BAD_REQUEST")), e.message) for e in errors]
        if result.data is None:
            code, message = found[0] if found else ("BAD_REQUEST", "no answer")
            raise PageError(code, message)
        # On PostgreSQL a compiled root field is a ready-made JSON fragment (docs/layout.md):
        # read back as plain data, as a client of /graphql would.
        return Answer(data=orjson.loads(orjson.dumps(result.data)), errors=found)
