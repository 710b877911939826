"""The checks every string a caller sends passes before it reaches the database.

A NUL character (PostgreSQL cannot hold one in `text`) or a string over
`Settings.max_string_length` is refused; a free-text search has the lower
`Settings.max_search_length` (SQLite refuses a LIKE pattern over 50,000 bytes). GraphQL
arguments and variables are walked by `schema.input_hygiene`; the query parameters of the CSV
reports and the network export by `query_parameters_problem`.
"""

from collections.abc import Iterable

from resolvers.errors import EXCERPT, BadUserInput
from settings import Settings

__all__ = ["SEARCH_FIELDS", "query_parameters_problem", "search_limit", "string_problem"]

SEARCH_FIELDS = frozenset({"text"})
"""Input fields and query parameters that are free-text searches (matched with LIKE)."""


def string_problem(value: str, where: str, limit: int) -> BadUserInput | None:
    """Why `value`, sent at `where`, is refused (`None`: it is not)."""
    if "\x00" in value:
        message = f"{where} holds a NUL character (\\u0000), which is not allowed"
        return BadUserInput(message, field=where)
    if len(value) > limit:
        shown = value[:EXCERPT].replace("\x00", "")
        return BadUserInput(
            f"{where} is {len(value)} characters long, over the limit of {limit} "
            f"(it begins {shown!r})",
            field=where,
        )
    return None


def search_limit(settings: Settings) -> int:
    return min(settings.max_search_length, settings.max_string_length)


def query_parameters_problem(
    parameters: Iterable[tuple[str, str]], settings: Settings
) -> BadUserInput | None:
    """The first refused query parameter (name or value) of an HTTP request, if any."""
    for name, value in parameters:
        found = string_problem(name, "a parameter name", settings.max_string_length)
        if found is not None:
            return found
        limit = search_limit(settings) if name in SEARCH_FIELDS else settings.max_string_length
        found = string_problem(value, name, limit)
        if found is not None:
            return found
    return None
