"""Filters that name other objects by ID: a missing or hidden one is an error, not an empty list.

A filter by a party that does not exist is almost always a client's mistake (a stale or mistyped
ID); answering with an empty page would hide it. Hidden objects read as missing ones.
"""

import dataclasses

from strawberry.utils.str_converters import to_camel_case

from resolvers.context import Context
from resolvers.errors import InvalidId, NotFound, excerpt
from resolvers.ids import REFERENCES, decode_id
from resolvers.nodes import row_of

__all__ = ["require_references"]


async def require_references(ctx: Context, filter: object, *, path: str = "filter") -> None:
    """Raises for the first ID field of `filter` (see `reference_to`) that names the wrong type
    (`InvalidId`) or no visible object (`NotFound`)."""
    if filter is None or not dataclasses.is_dataclass(filter):
        return
    for field in dataclasses.fields(filter):
        expected = field.metadata.get(REFERENCES)
        value = getattr(filter, field.name)
        if value is None or expected is None:
            continue
        where = f"{path}.{to_camel_case(field.name)}"
        try:
            type_name, key = decode_id(value)
        except InvalidId as error:
            raise InvalidId(error.message, field=where) from None
        if type_name != expected:
            raise InvalidId(f"{excerpt(value)} is not the ID of a {expected}", field=where)
        if await row_of(ctx, type_name, key) is None:
            raise NotFound(f"no {type_name} with ID {excerpt(value)}", field=where)
