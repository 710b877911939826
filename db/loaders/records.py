"""Reading the fields of one JSON record whatever their types: a field of the wrong type makes
the record a `BadRecord` with a reason a person can act on ("domains is a number, not a list"),
never Python's own words ("'int' object is not iterable")."""

from collections.abc import Mapping
from typing import Any

from db.loaders.registry import BadRecord

__all__ = ["describe", "field_list", "field_object", "field_text", "objects", "refuse_nul"]


def describe(value: Any) -> str:
    """What a JSON value is, in words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def field_list(record: Mapping[str, Any], name: str) -> list[Any]:
    """The list in `record[name]`; an empty one when it is absent or null."""
    value = record.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadRecord(f"{name} is {describe(value)}, not a list")
    return value


def field_object(record: Mapping[str, Any], name: str) -> dict[str, Any]:
    """The object in `record[name]`; an empty one when it is absent or null."""
    value = record.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRecord(f"{name} is {describe(value)}, not an object")
    return value


def field_text(record: Mapping[str, Any], name: str) -> str | None:
    """The text in `record[name]`; none when it is absent or null."""
    value = record.get(name)
    if value is None or isinstance(value, str):
        return value
    raise BadRecord(f"{name} is {describe(value)}, not text")


def objects(record: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    """The list of objects in `record[name]`."""
    found = field_list(record, name)
    for position, item in enumerate(found, start=1):
        if not isinstance(item, dict):
            raise BadRecord(f"{name} entry {position} is {describe(item)}, not an object")
    return found


def refuse_nul(value: Any) -> None:
    """Refuse text with a NUL character anywhere in `value` (PostgreSQL cannot store one)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise BadRecord("contains a NUL character")
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_nul(key)
            refuse_nul(item)
    elif isinstance(value, list):
        for item in value:
            refuse_nul(item)
