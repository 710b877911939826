"""Errors a caller can cause and fix; each carries the code clients read in `extensions.code`."""

from db.engine import is_unavailable

__all__ = [
    "DATABASE_RETRY_AFTER_SECONDS",
    "EXCERPT",
    "ApiError",
    "BadUserInput",
    "DatabaseUnavailable",
    "Forbidden",
    "InvalidId",
    "NotFound",
    "PageSizeTooLarge",
    "QueryTooLarge",
    "RateLimitUnavailable",
    "RateLimited",
    "TooManyFailedAuthentications",
    "Unauthenticated",
    "Unavailable",
    "UnknownCode",
    "database_outage",
    "excerpt",
]

EXCERPT = 64
"""The most characters of a caller's input an error message repeats."""


def excerpt(value: object, limit: int = EXCERPT) -> str:
    """`repr(value)`, cut to its first `limit` characters (then `...`): an error names what it
    refuses without echoing a large input back."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}..."


class ApiError(Exception):
    """An expected failure whose message is safe to show to the caller."""

    code = "BAD_REQUEST"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class BadUserInput(ApiError):
    code = "BAD_USER_INPUT"


class UnknownCode(ApiError):
    """A code that is not in its official list (ISCED-F 2013, EQF, a credit unit)."""

    code = "UNKNOWN_CODE"


class InvalidId(ApiError):
    code = "INVALID_ID"


class NotFound(ApiError):
    code = "NOT_FOUND"


class PageSizeTooLarge(ApiError):
    code = "PAGE_SIZE_TOO_LARGE"


class Unauthenticated(ApiError):
    """A missing (on a private server), malformed, unknown, expired or revoked token (HTTP 401)."""

    code = "UNAUTHENTICATED"


class Forbidden(ApiError):
    code = "FORBIDDEN"


class QueryTooLarge(ApiError):
    """A document over a limit (cost, depth, aliases), refused before any database work."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


class RateLimited(ApiError):
    """The caller spent its cost points for this minute (HTTP 429 with `Retry-After`)."""

    code = "RATE_LIMITED"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TooManyFailedAuthentications(RateLimited):
    """A client address over its failed authentications for this minute (HTTP 429)."""

    code = "TOO_MANY_FAILED_AUTHENTICATIONS"


class Unavailable(ApiError):
    """A dependency is out of reach for now; the same request may succeed later (HTTP 503 with
    `Retry-After`)."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class DatabaseUnavailable(Unavailable):
    code = "DATABASE_UNAVAILABLE"


class RateLimitUnavailable(Unavailable):
    """The rate limiter cannot count, and the server is set to refuse rather than let requests
    through uncounted (`PARTNERGRAPH_RATE_LIMIT_ON_REDIS_FAILURE=closed`)."""

    code = "RATE_LIMIT_UNAVAILABLE"


DATABASE_RETRY_AFTER_SECONDS = 5


def database_outage(error: BaseException | None) -> DatabaseUnavailable | None:
    """What a caller is told when `error` says the database cannot be reached (never its text,
    which may carry addresses, URLs and driver internals); `None` for any other error."""
    if not is_unavailable(error):
        return None
    return DatabaseUnavailable(
        f"the database is unavailable; retry in {DATABASE_RETRY_AFTER_SECONDS} s",
        retry_after=DATABASE_RETRY_AFTER_SECONDS,
    )
