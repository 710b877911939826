"""Errors a caller can cause and fix; each carries the code clients read in `extensions.code`."""

__all__ = ["ApiError", "BadUserInput", "InvalidId", "NotFound", "PageSizeTooLarge"]


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
