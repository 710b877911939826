"""A compiled read run: the statement written once per plan, viewer and day, then run.

The JSON PostgreSQL writes is passed into the response as it is (`orjson.Fragment`).
"""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from db.engine import reads_engine
from resolvers.compiled.shapes import Root
from resolvers.compiled.statement import Statement
from resolvers.compiled.summaries import SummaryRoot, rolled_up
from resolvers.context import Context
from resolvers.memo import Bounded
from resolvers.report_rollups import note_source, window_valid
from resolvers.report_terms import tune_for_reports
from resolvers.token_cache import StaleAccess
from resolvers.tokens import access_version

__all__ = ["answer"]


@dataclass(frozen=True, slots=True)
class _Written:
    sql: str
    parameters: tuple[Any, ...]
    seen_at: tuple[int, ...]
    """Where the parameters take the counter value the caller's kept token was read at."""

    def bound(self, seen: int | None) -> tuple[Any, ...]:
        if not self.seen_at:
            return self.parameters
        values = list(self.parameters)
        for index in self.seen_at:
            values[index] = seen
        return tuple(values)


_sql_cache: Bounded[Hashable, _Written] = Bounded(512, name="compiled_statements")
"""Statements already written, by their shapes, viewer, day and the request's languages:
building and compiling the secretariat's statement costs about 10 ms of Python, running it a
few."""

_SEEN = "access_version_seen"


def _sql(ctx: Context, roots: Sequence[Root], shapes: Hashable, *, checked: bool) -> _Written:
    """The statement; `checked` puts the access change counter first and makes every root
    conditional on its being the value the caller's kept token was read at, so that a stale
    token's statement returns the counter alone (PostgreSQL evaluates the roots, uncorrelated
    subqueries, only when the condition holds: `EXPLAIN ANALYZE` says "never executed")."""
    key = (shapes, ctx.viewer, date.today(), checked, ctx.languages)
    found = _sql_cache.get(key)
    if found is not None:
        return found
    builder = Statement(ctx)
    columns: list[ColumnElement[Any]] = [sa.cast(builder.root(root), sa.Text) for root in roots]
    if checked:
        current = access_version()
        unchanged = current == sa.bindparam(_SEEN, 0, type_=sa.BigInteger)  # set per request
        columns = [current, *(sa.case((unchanged, column)) for column in columns)]
    columns += [window_valid(date.today()) for _ in _rolled_up(ctx, roots)]
    statement = sa.select(*(column.label(f"f{i}") for i, column in enumerate(columns)))
    compiled = statement.compile(
        dialect=ctx.engine.dialect, compile_kwargs={"render_postcompile": True}
    )
    values = compiled.construct_params()
    names = compiled.positiontup or []
    made = _Written(
        compiled.string,
        tuple(values[name] for name in names),
        tuple(i for i, name in enumerate(names) if name == _SEEN),
    )
    return _sql_cache.put(key, made)


async def answer(
    ctx: Context, roots: Sequence[Root], shapes: Hashable
) -> list[orjson.Fragment | None]:
    """The JSON of each root, from one statement, as the text PostgreSQL wrote: an
    `orjson.Fragment` goes into the response as it is, never parsed into Python objects and
    encoded again (130 KB for the secretariat).

    `shapes` names `roots` by value in the cache of written statements (the planner makes it
    once per plan: a `repr` of the shapes on every request was 3.6% of the portal's time).

    For a viewer this worker kept (`ctx.access_version` set) the statement also reads the
    access change counter, in the same snapshot, and answers only if it has not moved since;
    `StaleAccess` if it has."""
    checked = ctx.access_version is not None
    written = _sql(ctx, roots, shapes, checked=checked)
    summaries = any(isinstance(root, SummaryRoot) for root in roots)
    engine = ctx.engine if summaries else reads_engine(ctx.engine)
    async with engine.connect() as connection:
        if summaries:  # in a transaction, for the report settings to hold
            await tune_for_reports(connection)
        parameters = written.bound(ctx.access_version)
        row = (await connection.exec_driver_sql(written.sql, parameters)).one()
    if checked and row[0] != ctx.access_version:
        raise StaleAccess
    values = row[1:] if checked else row
    summed = len(_rolled_up(ctx, roots))
    if summaries:
        _note_sources(ctx, roots, values[len(values) - summed :])
    values = values[: len(values) - summed]
    return [None if value is None else orjson.Fragment(value) for value in values]


def _rolled_up(ctx: Context, roots: Sequence[Root]) -> list[SummaryRoot]:
    """The summaries among `roots` the rollups can answer (when their window holds today):
    the statement tells for each whether it did, after the roots' columns."""
    return [root for root in roots if isinstance(root, SummaryRoot) and rolled_up(ctx.viewer, root)]


def _note_sources(ctx: Context, roots: Sequence[Root], flags: Sequence[Any]) -> None:
    answered = iter(flags)
    for root in roots:
        if isinstance(root, SummaryRoot):
            rollup = rolled_up(ctx.viewer, root) and bool(next(answered))
            note_source(ctx.extensions, "rollup" if rollup else "scan")
