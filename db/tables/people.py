"""People and the positions they hold at organizations (personal data, never public)."""

from datetime import date

from sqlmodel import Field

from db.base import Mutable, check_order, fk

__all__ = ["Person", "Position"]


class Person(Mutable, table=True):
    __tablename__ = "person"

    name: str = Field(index=True, max_length=300)
    local_name: str | None = Field(default=None, max_length=300)
    email: str | None = Field(default=None, max_length=300)
    phone: str | None = Field(default=None, max_length=60)
    is_illustrative: bool = Field(default=False)


class Position(Mutable, table=True):
    __tablename__ = "position"
    __table_args__ = (check_order("started_on", "ended_on"),)

    person_id: int = fk("person.id", required=True, ondelete="CASCADE")
    organization_id: int = fk("organization.id", required=True, ondelete="CASCADE")
    title: str = Field(max_length=300)
    started_on: date | None = None
    ended_on: date | None = None
