"""Reading the credit ledger: balances are sums over entries, computed in SQL per batch."""

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from strawberry.dataloader import DataLoader

from db import tables as t
from db.base import table_of
from resolvers.completion import Completion, completion_of
from resolvers.context import Context
from resolvers.decimals import scaled, zero
from resolvers.ledger import Totals, totals_of
from resolvers.nodes import row_of

__all__ = ["completion_for", "requirements_of", "totals_of_account"]

ENTRY = table_of(t.CreditEntry)
REQUIREMENT = table_of(t.ProgramRequirement)
REQUIREMENT_COURSE = table_of(t.RequirementCourse)


def totals_of_account(ctx: Context) -> DataLoader[int, Totals]:
    """Each account's balance, earned and recognised credits and balance per unit, over the
    entries the caller sees."""

    async def batch(keys: Any) -> list[Totals]:
        visible = ctx.reader.select(ENTRY).where(ENTRY.c.account_id.in_(list(keys))).subquery()
        statement = sa.select(
            visible.c.account_id,
            visible.c.rule_id.is_not(None).label("recognised"),
            visible.c.unit_code,
            sa.func.sum(visible.c.credits),
        ).group_by(visible.c.account_id, visible.c.rule_id.is_not(None), visible.c.unit_code)
        found: dict[int, list[tuple[int | None, str | None, Decimal]]] = {}
        async with ctx.engine.connect() as connection:
            for account, recognised, unit, total in (await connection.execute(statement)).all():
                found.setdefault(account, []).append(
                    (1 if recognised else None, unit, scaled(total, ENTRY.c.credits))
                )
        none = zero(ENTRY.c.credits)
        return [_scaled(totals_of(found.get(k, [])), none) for k in keys]

    loader: DataLoader[int, Totals] = ctx.loaders.lists("ledger_totals", batch)
    return loader


def _scaled(totals: Totals, none: Decimal) -> Totals:
    return Totals(
        totals.balance + none,
        totals.earned + none,
        totals.recognised + none,
        tuple((unit, credits + none) for unit, credits in totals.by_unit),
    )


def requirements_of(ctx: Context) -> DataLoader[int, tuple[RowMapping | None, list[RowMapping]]]:
    """Each program's requirements and their courses (public catalogue)."""

    async def batch(keys: Any) -> list[tuple[RowMapping | None, list[RowMapping]]]:
        async with ctx.engine.connect() as connection:
            heads = await connection.execute(
                ctx.reader.select(REQUIREMENT).where(REQUIREMENT.c.program_id.in_(list(keys)))
            )
            by_program = {row["program_id"]: row for row in heads.mappings()}
            courses = await connection.execute(
                ctx.reader.select(REQUIREMENT_COURSE)
                .where(REQUIREMENT_COURSE.c.program_id.in_(list(keys)))
                .order_by(REQUIREMENT_COURSE.c.id)
            )
            listed: dict[int, list[RowMapping]] = {}
            for row in courses.mappings():
                listed.setdefault(row["program_id"], []).append(row)
        return [(by_program.get(k), listed.get(k, [])) for k in keys]

    loader: DataLoader[int, tuple[RowMapping | None, list[RowMapping]]] = ctx.loaders.lists(
        "program_requirements", batch
    )
    return loader


async def completion_for(ctx: Context, program_id: int, learner_id: int) -> Completion | None:
    """Where a learner the caller may see stands in a program; `None` for a hidden learner."""
    if await row_of(ctx, "Learner", learner_id) is None:
        return None
    async with ctx.engine.connect() as connection:
        return await completion_of(connection, program_id=program_id, learner_id=learner_id)
