"""Descriptions said the same way on many types (`version`, `isIllustrative`, names,
`userErrors`), so GraphiQL's docs pane reads alike on each; the paging arguments are described
once for every connection, in `schema.relay`.
"""

__all__ = ["ENGLISH_NAME", "ILLUSTRATIVE", "IN_LANGUAGE", "LOCAL_NAME", "USER_ERRORS", "VERSION"]

ENGLISH_NAME = "The English name; `localName` holds the name in the local language."

IN_LANGUAGE = (
    " With `lang:` (or the request's `Accept-Language`), the name in that language, falling "
    "back to the local name, then to this one; `names` lists every language kept."
)

LOCAL_NAME = "The name in the local language and script, where known."

VERSION = "Send this back with a change; a stale one is refused (STALE_VERSION), never overwritten."

ILLUSTRATIVE = (
    "True when the record was made up to illustrate the demo data rather than taken from a "
    "source document or registry."
)

USER_ERRORS = (
    "Why nothing changed (validation, a forbidden transition, a stale version, a missing or "
    "hidden record), each with a code and the input field at fault; empty on success."
)
