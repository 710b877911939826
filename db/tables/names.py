"""Names in every language: one row per named record, name field and BCP 47 language tag.

A row names exactly one record through one of the owner columns (each a foreign key, so a
record's names go with it); `NAMED` maps each node type to its column. One table rather than a
JSON column per record: the text search reads every language through one trigram index on
`value` (PostgreSQL), and a page of records finds its names through the owner column's index in
one statement. Tags are stored as `langcodes.standardize_tag` writes them (`zh-Hant`, `en`).
"""

import sqlalchemy as sa
from sqlmodel import Field

from db.base import Mutable, fk, trigram_index

__all__ = ["NAMED", "NAME_FIELDS", "LocalizedName"]

NAMED: dict[str, str] = {
    "Organization": "organization_id",
    "Alliance": "alliance_id",
    "Program": "program_id",
    "Course": "course_id",
    "Agreement": "agreement_id",
}
"""The node types whose names are kept here, and the column naming each."""

NAME_FIELDS: dict[str, tuple[str, ...]] = {
    "Organization": ("name", "short_name"),
    "Alliance": ("name", "short_name"),
    "Program": ("name",),
    "Course": ("title",),
    "Agreement": ("title", "short_title"),
}
"""The name fields of each node type that take a language (their stored column: the English
text, or the text as first recorded)."""

_ONE_OWNER = " + ".join(f"(CASE WHEN {c} IS NULL THEN 0 ELSE 1 END)" for c in NAMED.values())


def _unique_per(column: str) -> sa.Index:
    condition = sa.text(f"{column} IS NOT NULL")
    return sa.Index(
        f"uq_localized_name_{column}_field_lang",
        column,
        "field",
        "lang",
        unique=True,
        postgresql_where=condition,
        sqlite_where=condition,
    )


class LocalizedName(Mutable, table=True):
    __tablename__ = "localized_name"
    __table_args__ = (
        sa.CheckConstraint(f"{_ONE_OWNER} = 1", name="one_owner"),
        *(_unique_per(column) for column in NAMED.values()),
        trigram_index("localized_name", "value"),
    )

    organization_id: int | None = fk("organization.id", ondelete="CASCADE")
    alliance_id: int | None = fk("alliance.id", ondelete="CASCADE")
    program_id: int | None = fk("program.id", ondelete="CASCADE")
    course_id: int | None = fk("course.id", ondelete="CASCADE")
    agreement_id: int | None = fk("agreement.id", ondelete="CASCADE")
    field: str = Field(max_length=20)
    lang: str = Field(max_length=35)
    value: str = Field(max_length=1000)
    is_local: bool = Field(default=False)
    """The name in the record's own local language: the second step of every fallback chain."""
    source: str | None = Field(default=None, max_length=20)
    """Who gave it: a registry (`ror`), the demo, or none for a name set through the API."""
