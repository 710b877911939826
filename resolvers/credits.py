"""Reading the credit ledger: balances are sums over outcomes, computed in SQL per batch."""

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from strawberry.dataloader import DataLoader

from db.base import table_of
from db.tables import LearningOutcome
from resolvers.context import Context
from resolvers.decimals import scaled, zero

__all__ = ["credits_earned_of"]

OUTCOME = table_of(LearningOutcome)


def credits_earned_of(ctx: Context) -> DataLoader[int, Decimal]:
    """The sum of the visible outcomes' credits per account."""

    async def batch(keys: Any) -> list[Decimal]:
        visible = ctx.reader.select(OUTCOME).where(OUTCOME.c.account_id.in_(list(keys)))
        rows = visible.subquery()
        statement = sa.select(rows.c.account_id, sa.func.sum(rows.c.credits)).group_by(
            rows.c.account_id
        )
        async with ctx.engine.connect() as connection:
            found = {
                account: scaled(total, OUTCOME.c.credits)
                for account, total in (await connection.execute(statement)).all()
            }
        return [found.get(k, zero(OUTCOME.c.credits)) for k in keys]

    loader: DataLoader[int, Decimal] = ctx.loaders.lists("credits_earned", batch)
    return loader
