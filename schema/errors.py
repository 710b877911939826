"""Every error leaves with a code in `extensions`; unexpected ones are masked and logged.

`coded` runs on every response in the HTTP view (`app.PartnerGraphQL.process_result`), the
one place that sees errors from parsing, validation and execution alike. The caller's own
mistakes (a bad ID, a value of the wrong type, a page too large) keep their message; anything
else is replaced by a reference the operator can find in the log, with the request's id
(`extensions.requestId`), which finds its request log line (`telemetry.logs`).
"""

import logging
import re
import uuid

from graphql import GraphQLError

from resolvers.errors import EXCERPT, ApiError, database_outage
from telemetry.facts import current

__all__ = ["coded", "shown"]

log = logging.getLogger("partnergraph.errors")

_INPUT_MARKERS = (
    "Expected value of type",
    "got invalid value",
    "has invalid value",
    "cannot represent",
)


def _callers_doing(error: GraphQLError) -> bool:
    """A failure outside any field that came from the caller's input (a variable that does not
    coerce) rather than from the server (an extension or the database failing before
    execution)."""
    return isinstance(error.original_error, GraphQLError) or any(
        marker in error.message for marker in _INPUT_MARKERS
    )


_SUGGESTION = re.compile(r" ?Did you mean [^\n]*\?$")
_LONG_QUOTED = re.compile(r"""(["'])([^"'\n]{""" + str(EXCERPT) + r"""})[^"'\n]+\1""")
_LONG_WORD = re.compile(r"(\S{" + str(EXCERPT) + r"})\S{9,}")


def shown(message: str, *, suggestions: bool = True) -> str:
    """`message` as the caller may see it: a long quoted value or word cut to its first
    characters (a message never echoes a large input back), and without graphql-core's
    "Did you mean ...?" unless `suggestions` (which would tell any caller the schema's names)."""
    if not suggestions:
        message = _SUGGESTION.sub("", message)
    if len(message) > EXCERPT:
        message = _LONG_QUOTED.sub(r"\1\2...\1", message)
        message = _LONG_WORD.sub(r"\1...", message)
    return message


def coded(error: GraphQLError, *, suggestions: bool = True) -> GraphQLError:
    """Sets `extensions.code` on `error` (masking it when it is not the caller's doing), its
    message `shown` to the caller."""
    error.message = shown(error.message, suggestions=suggestions)
    original = error.original_error
    extensions = dict(error.extensions or {})
    if "code" in extensions:
        return error
    outage = None if isinstance(original, ApiError) else database_outage(original)
    if outage is not None:
        log.warning("database unavailable at %s: %r", error.path, original)
        original = error.original_error = outage
        error.message = outage.message
    if isinstance(original, ApiError):
        extensions["code"] = original.code
        if original.field is not None:
            extensions["field"] = original.field
    elif original is None or (error.path is None and _callers_doing(error)):
        if "tokens. Parsing aborted" in error.message:
            extensions["code"] = "TOO_MANY_TOKENS"
        elif error.message.startswith("Syntax Error"):
            extensions["code"] = "GRAPHQL_PARSE_FAILED"
        elif any(marker in error.message for marker in _INPUT_MARKERS):
            extensions["code"] = "BAD_USER_INPUT"
        else:
            extensions["code"] = "GRAPHQL_VALIDATION_FAILED"
    else:
        reference = uuid.uuid4().hex[:12]
        facts = current()
        request_id = facts.request_id if facts is not None else None
        log.error(
            "unexpected error %s at %s (request %s)",
            reference,
            error.path,
            request_id,
            exc_info=original,
        )
        error.message = f"Internal server error (reference {reference})"
        extensions = {"code": "INTERNAL_SERVER_ERROR", "reference": reference}
        if request_id is not None:
            extensions["requestId"] = request_id
    error.extensions = extensions
    return error
