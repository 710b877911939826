"""Grants and special funds, as an amount of money in a currency.

On PostgreSQL most plain fields of these types are answered by the compiled road, not by
the resolvers below: see `schema.compiled` (each field says how it reads in SQL).
"""

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Self

import strawberry
from sqlalchemy.engine import RowMapping

from schema.compiled.declare import referenced
from schema.relay import Node

if TYPE_CHECKING:
    pass

__all__ = ["Funding", "Money"]


@strawberry.type(description="An exact amount in a currency (ISO 4217 code).")
class Money:
    amount: Decimal = strawberry.field(
        description="The amount in the currency's major unit (yuan, euros), two decimal places."
    )
    currency: str = strawberry.field(
        description="The ISO 4217 code of the currency, in capitals (`CNY`, `EUR`). Amounts in "
        "different currencies are never added up."
    )


@strawberry.type(
    description="A grant or fund from a funder to an agreement or a program. Seen by whoever "
    "sees the agreement, the funder and the program's partners."
)
class Funding(Node):
    version: int = strawberry.field(
        description="Send this back with a change; a stale one is refused."
    )
    title: str | None = strawberry.field(description="The name of the grant or fund.")
    amount: Money = strawberry.field(description="How much was granted, in its currency.")
    awarded_on: date | None = strawberry.field(
        description="The day the grant was awarded; reports date funding by it."
    )
    starts_on: date | None = strawberry.field(description="The first day the money may be spent.")
    ends_on: date | None = strawberry.field(description="The last day the money may be spent.")
    funder_id: strawberry.Private[int]
    recipient_id: strawberry.Private[int | None]
    agreement_id: strawberry.Private[int | None]
    program_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            pk=row["id"],
            version=row["version"],
            updated_at=row["updated_at"],
            title=row["title"],
            amount=Money(amount=row["amount"], currency=row["currency"]),
            awarded_on=row["awarded_on"],
            starts_on=row["starts_on"],
            ends_on=row["ends_on"],
            funder_id=row["funder_id"],
            recipient_id=row["recipient_id"],
            agreement_id=row["agreement_id"],
            program_id=row["program_id"],
        )

    funder = referenced(
        "Organization", "funder_id", description="The organization giving the money."
    )

    recipient = referenced(
        "Organization",
        "recipient_id",
        description="The party receiving the money, when the grant names one.",
    )

    agreement = referenced(
        "Agreement",
        "agreement_id",
        description="The agreement funded; null when the grant funds a program only, or when "
        "the caller may not see it.",
    )

    program = referenced(
        "Program", "program_id", description="The program funded; null when an agreement is."
    )
