"""Descriptions for fields a schema type does not declare itself.

A filter or order input inherits its fields from a plain dataclass in `resolvers/`, and the
`create`/`update`/`delete` inputs are generated from the tables; neither can carry a GraphQL
description where the field is written. `describe` gives them one on the strawberry type, before
the schema is built.
"""

from collections.abc import Callable
from typing import TypeVar

from strawberry.types.base import get_object_definition

__all__ = ["describe", "described"]

T = TypeVar("T", bound=type)


def described(cls: type, descriptions: dict[str, str]) -> None:
    """Sets the description of each field of the strawberry type `cls` named (by its Python
    name) in `descriptions`; a name that is not a field is an error, so none goes stale."""
    definition = get_object_definition(cls, strict=True)
    fields = {field.python_name: field for field in definition.fields}
    unknown = sorted(set(descriptions) - set(fields))
    if unknown:
        raise LookupError(f"{definition.name} has no fields {unknown}")
    for name, description in descriptions.items():
        fields[name].description = description


def describe(**descriptions: str) -> Callable[[T], T]:
    """`described` as a decorator, written above `@strawberry.input` or `@strawberry.type`."""

    def decorate(cls: T) -> T:
        described(cls, descriptions)
        return cls

    return decorate
