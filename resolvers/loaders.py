"""Per-request DataLoaders: rows by id for every node table, and pages of children by parent."""

from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.sql.elements import ColumnElement
from strawberry.dataloader import DataLoader

from resolvers.paging import KeptTotal, OrderBy, Page, PageRequest
from resolvers.reading import Reader, narrowed

__all__ = ["Loaders"]

PageBatch = Callable[[Sequence[int]], Awaitable[list[Page]]]


class Loaders:
    """Created once per request (never shared between requests or callers)."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self._by_id: dict[str, DataLoader[int, RowMapping | None]] = {}
        self._pages: dict[Hashable, DataLoader[int, Page]] = {}
        self._lists: dict[Hashable, DataLoader[int, Any]] = {}

    def by_id(self, table: sa.Table) -> DataLoader[int, RowMapping | None]:
        loader = self._by_id.get(table.name)
        if loader is None:

            async def load(ids: Sequence[int]) -> list[RowMapping | None]:
                return await self.reader.rows_by_id(table, ids)

            loader = self._by_id[table.name] = DataLoader(load_fn=load)
        return loader

    def pages(self, key: Hashable, batch: PageBatch) -> DataLoader[int, Page]:
        """The loader of one relation with one set of arguments; `key` names both."""
        loader = self._pages.get(key)
        if loader is None:
            loader = self._pages[key] = DataLoader(load_fn=batch)
        return loader

    def children(
        self,
        table: sa.Table,
        *,
        key: ColumnElement[Any],
        request: PageRequest,
        where: Iterable[ColumnElement[bool]] | Callable[[], Iterable[ColumnElement[bool]]] = (),
        order_by: OrderBy = (),
        statement: sa.Select[Any] | Callable[[], sa.Select[Any] | None] | None = None,
        args: Hashable = None,
        total: KeptTotal | None = None,
    ) -> DataLoader[int, Page]:
        """Pages of visible `table` rows per parent `key` (a column of `table` or of a join in
        `statement`); `args` names the filter and order so different arguments get different
        loaders; `total`, where the database keeps the lists' totals
        (`resolvers.paging.fetch_pages`).

        `statement` and `where` may be given as functions: they are then built once per
        request and loader, not once per parent object (building a select with its visibility
        conditions costs more than answering a parent from the loader)."""
        name = (table.name, key, args, request)  # the column itself: its == compares identity
        loader = self._pages.get(name)
        if loader is not None:
            return loader
        conditions = list(where() if callable(where) else where)
        made = statement() if callable(statement) else statement
        base = self.reader.select(table) if made is None else made
        base = narrowed(base, conditions)

        async def batch(keys: Sequence[int]) -> list[Page]:
            return await self.reader.pages_by_key(
                base,
                key=key,
                keys=keys,
                order_by=order_by,
                tiebreak=table.c.id,
                request=request,
                kept=total,
            )

        return self.pages(name, batch)

    def lists(self, key: Hashable, batch: Callable[[Sequence[int]], Awaitable[list[Any]]]) -> Any:
        """A loader of short unpaged values per parent (e.g. an agreement's modes)."""
        loader = self._lists.get(key)
        if loader is None:
            loader = self._lists[key] = DataLoader(load_fn=batch)
        return loader
