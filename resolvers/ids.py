"""Opaque global IDs: base64 of `Type:key`, so clients never build or parse them."""

import base64
import binascii
import dataclasses
from typing import Any

from resolvers.errors import InvalidId, excerpt

__all__ = ["MAX_KEY", "REFERENCES", "decode_id", "decode_id_of", "encode_id", "reference_to"]

REFERENCES = "references"


_URLSAFE = bytes.maketrans(b"+/", b"-_")

MAX_KEY = 2**31 - 1
"""Keys are 32-bit integers in the database; a larger one names no row of ours."""


def encode_id(type_name: str, key: int) -> str:
    """base64url of `Type:key` without padding (binascii directly: it runs for every `id`)."""
    raw = binascii.b2a_base64(f"{type_name}:{key}".encode(), newline=False)
    return raw.rstrip(b"=").translate(_URLSAFE).decode()


def decode_id(global_id: str) -> tuple[str, int]:
    """The type name and integer key inside `global_id`; `InvalidId` if it is not one of ours."""
    padded = global_id + "=" * (-len(global_id) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
        type_name, _, key = raw.partition(":")
        value = int(key)
    except (UnicodeError, ValueError, binascii.Error):
        raise InvalidId(f"{excerpt(global_id)} is not a valid ID") from None
    if not type_name or not 1 <= value <= MAX_KEY or encode_id(type_name, value) != global_id:
        raise InvalidId(f"{excerpt(global_id)} is not a valid ID")
    return type_name, value


def decode_id_of(global_id: str, type_name: str, *, field: str | None = None) -> int:
    """The key of `global_id`, which must name an object of `type_name`."""
    found_type, key = decode_id(global_id)
    if found_type != type_name:
        raise InvalidId(f"{excerpt(global_id)} is not the ID of a {type_name}", field=field)
    return key


def reference_to(type_name: str) -> Any:
    """A filter field holding the ID of a `type_name` object (see `resolvers.references`)."""
    return dataclasses.field(default=None, metadata={REFERENCES: type_name})
