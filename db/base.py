"""What every table shares: constraint names, UTC timestamps, money, versions and enum checks."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel

__all__ = [
    "CREDITS",
    "MONEY",
    "Mutable",
    "UTCDateTime",
    "check_enum",
    "check_non_negative",
    "check_order",
    "credits",
    "enum_of",
    "fk",
    "money",
    "stamp",
    "trigram_index",
    "updated_stamp",
    "utcnow",
]

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MONEY = sa.Numeric(18, 2)
CREDITS = sa.Numeric(8, 2)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware timestamp on every backend: SQLite keeps no offset, so values are
    normalised to UTC on the way in and marked as UTC on the way out."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a timezone-aware column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def updated_stamp(*, server_default: bool = False) -> Any:
    """`updated_at`: set when the row is made and moved by every update made through
    SQLAlchemy (`onupdate`); `modifiedSince` filters compare it. `server_default` for a table
    that loaders fill with COPY, which sets no Python default."""
    extra: dict[str, Any] = (
        {"server_default": sa.text("CURRENT_TIMESTAMP")} if server_default else {}
    )
    return Field(
        default_factory=utcnow,
        sa_type=UTCDateTime,
        sa_column_kwargs={"nullable": False, "onupdate": utcnow, **extra},
    )


class Mutable(SQLModel):
    """Columns of every row that can change: an integer key, timestamps, an optimistic version."""

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(
        default_factory=utcnow,
        sa_type=UTCDateTime,
        sa_column_kwargs={"nullable": False},
    )
    updated_at: datetime = updated_stamp()
    version: int = Field(default=1, sa_column_kwargs={"nullable": False})


def check_enum(column: str, enum: type[StrEnum]) -> sa.CheckConstraint:
    values = ", ".join(f"'{member.value}'" for member in enum)
    return sa.CheckConstraint(
        f"{column} IN ({values})", name=f"{column}_valid", info={"enum": enum, "column": column}
    )


def check_order(first: str, last: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(
        f"{last} IS NULL OR {first} IS NULL OR {last} >= {first}", name=f"{first}_before_{last}"
    )


def check_non_negative(column: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{column} IS NULL OR {column} >= 0", name=f"{column}_non_negative")


OnDelete = Literal["CASCADE", "SET NULL", "RESTRICT"]


def fk(target: str, *, required: bool = False, ondelete: OnDelete | None = None) -> Any:
    """A foreign key column with its index (every foreign key is indexed)."""
    if ondelete is None:
        return Field(default=None, foreign_key=target, index=True, nullable=not required)
    return Field(
        default=None,
        foreign_key=target,
        index=True,
        nullable=not required,
        ondelete=ondelete,
    )


def money(*, required: bool = False) -> Any:
    return Field(default=None, sa_type=MONEY, nullable=not required)


def credits(*, required: bool = False) -> Any:
    return Field(default=None, sa_type=CREDITS, nullable=not required)


def stamp(*, required: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=not required)


def enum_of(table: sa.Table, column: str) -> type[StrEnum] | None:
    """The enum whose values a text column is checked against (see `check_enum`)."""
    for constraint in table.constraints:
        info = constraint.info
        if isinstance(constraint, sa.CheckConstraint) and info.get("column") == column:
            enum: type[StrEnum] = info["enum"]
            return enum
    return None


def table_of(model: type[SQLModel]) -> sa.Table:
    """The Core table behind a table model (SQLModel does not declare `__table__`'s type)."""
    table: sa.Table = model.__table__  # type: ignore[attr-defined]
    return table


def trigram_index(table: str, column: str) -> sa.Index:
    """A PostgreSQL trigram index (`pg_trgm`, GIN) on a text column, which `ILIKE '%text%'`
    uses in every script, Chinese without spaces included. SQLite makes it a plain B-tree index,
    which such a pattern does not use: it scans (see docs/languages.md)."""
    return sa.Index(
        f"ix_{table}_{column}_trgm",
        column,
        postgresql_using="gin",
        postgresql_ops={column: "gin_trgm_ops"},
    )
