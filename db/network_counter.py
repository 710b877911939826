"""The network change counter's value: the sum of `SHARDS` rows of `network_change`, which
write transactions raise (`resolvers.network_changes`) and the network's cache, the saved views'
ETags and the pages read."""

import sqlalchemy as sa

from db.base import table_of
from db.tables import NetworkChange

__all__ = ["CHANGE", "SHARDS", "counter"]

CHANGE = table_of(NetworkChange)

SHARDS = 16
"""Rows 1 to 16 (migration 0025_commit_contention)."""


def counter() -> sa.ScalarSelect[int]:
    """The counter's value, as a scalar subquery."""
    return sa.select(sa.func.coalesce(sa.func.sum(CHANGE.c.value), 0)).scalar_subquery()
