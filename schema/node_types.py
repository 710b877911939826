"""Every node type by its GraphQL name, as each registers itself (`schema.relay.Node`).

`resolvers.nodes.NODE_TABLES` is the one list of node types (name -> table); the schema's list
(`node_types`) follows it and fails loudly when a type and a table do not pair up. Each class
is also a name of this module, so that a field made by a
helper (`schema.compiled.declare`) can name its type lazily by name alone.
"""

from typing import Annotated, Any

import strawberry

from resolvers.nodes import NODE_TABLES

__all__ = ["REGISTERED", "lazy", "node_types", "register"]

REGISTERED: dict[str, type] = {}


def register(cls: type) -> None:
    """Adds a node type to the registry and to this module's names (where `lazy` finds it)."""
    REGISTERED[cls.__name__] = cls
    globals()[cls.__name__] = cls


def lazy(name: str) -> Any:
    """The annotation of node type `name`, resolved when the schema is built."""
    return Annotated[name, strawberry.lazy(__name__)]


def node_types() -> list[type]:
    """The registered node types, in the order of `NODE_TABLES`."""
    if set(REGISTERED) != set(NODE_TABLES):
        raise RuntimeError(
            f"node types without a table: {sorted(set(REGISTERED) - set(NODE_TABLES))}; "
            f"tables without a node type: {sorted(set(NODE_TABLES) - set(REGISTERED))}"
        )
    return [REGISTERED[name] for name in NODE_TABLES]
