"""Errors a caller can cause and fix; each carries the code clients read in `extensions.code`."""

__all__ = [
    "EXCERPT",
    "ApiError",
    "BadUserInput",
    "Forbidden",
    "InvalidId",
    "NotFound",
    "PageSizeTooLarge",
    "QueryTooLarge",
    "RateLimited",
    "TooManyFailedAuthentications",
    "Unauthenticated",
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
