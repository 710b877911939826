"""Grants and special funds, as an amount of money in a currency."""

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Self

import strawberry
from sqlalchemy.engine import RowMapping

from schema.relay import Info, Node, fetch

if TYPE_CHECKING:
    from schema.agreements import Agreement
    from schema.organizations import Organization
    from schema.programs import Program

__all__ = ["Funding", "Money"]


@strawberry.type(description="An exact amount in a currency (ISO 4217 code).")
class Money:
    amount: Decimal
    currency: str


@strawberry.type(description="A grant or fund from a funder to an agreement or a program.")
class Funding(Node):
    version: int = strawberry.field(
        description="Send this back with a change; a stale one is refused."
    )
    title: str | None
    amount: Money
    awarded_on: date | None
    starts_on: date | None
    ends_on: date | None
    funder_id: strawberry.Private[int]
    recipient_id: strawberry.Private[int | None]
    agreement_id: strawberry.Private[int | None]
    program_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: RowMapping) -> Self:
        return cls(
            pk=row["id"],
            version=row["version"],
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

    @strawberry.field(description="The organization giving the money.")
    async def funder(
        self, info: Info
    ) -> Annotated["Organization", strawberry.lazy("schema.organizations")] | None:
        from schema.organizations import Organization

        return await fetch(info, Organization, self.funder_id)

    @strawberry.field(description="The party receiving the money, when the grant names one.")
    async def recipient(
        self, info: Info
    ) -> Annotated["Organization", strawberry.lazy("schema.organizations")] | None:
        from schema.organizations import Organization

        return await fetch(info, Organization, self.recipient_id)

    @strawberry.field
    async def agreement(
        self, info: Info
    ) -> Annotated["Agreement", strawberry.lazy("schema.agreements")] | None:
        from schema.agreements import Agreement

        return await fetch(info, Agreement, self.agreement_id)

    @strawberry.field
    async def program(
        self, info: Info
    ) -> Annotated["Program", strawberry.lazy("schema.programs")] | None:
        from schema.programs import Program

        return await fetch(info, Program, self.program_id)
