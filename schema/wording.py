"""Descriptions said the same way in many places: the page arguments of lists, `version`,
`isIllustrative`, names. One wording here, so GraphiQL's docs pane reads alike on every type.
"""

from typing import Annotated

import strawberry

from resolvers.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

__all__ = ["ENGLISH_NAME", "ILLUSTRATIVE", "LOCAL_NAME", "USER_ERRORS", "VERSION", "After", "First"]

ENGLISH_NAME = "The English name; `localName` holds the name in the local language."

LOCAL_NAME = "The name in the local language and script, where known."

VERSION = (
    "Increases with every change. Send it back with a mutation that changes this object: if "
    "someone changed it since you read it, yours is refused (STALE_VERSION), never overwrites."
)

ILLUSTRATIVE = (
    "True when the record was made up to illustrate the demo data rather than taken from a "
    "source document or registry."
)

First = Annotated[
    int | None,
    strawberry.argument(
        description=f"How many objects this page holds: {DEFAULT_PAGE_SIZE} when not given, "
        f"at most {MAX_PAGE_SIZE} (more is refused with PAGE_SIZE_TOO_LARGE). Each counts "
        "toward the request's cost."
    ),
]

After = Annotated[
    str | None,
    strawberry.argument(
        description="Start after this cursor: the `pageInfo.endCursor` (or an edge's `cursor`) "
        "of a page read before with the same arguments; the first page when not given."
    ),
]

USER_ERRORS = (
    "Why nothing changed (validation, a forbidden transition, a stale version, a missing or "
    "hidden record), each with a code and the input field at fault; empty on success."
)
