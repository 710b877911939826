"""The free-text search of the list filters (`text:`): a case-insensitive substring of a name,
in any language the record's names are kept in.

`text_matches` looks in the record's own columns and in its names of `localized_name`, as a
union of ids with one branch per column, so that on PostgreSQL each branch is answered from its
own trigram index (an `OR` of the columns made PostgreSQL scan the table: 95 ms against 1-20 ms
at 36,000 organizations) (`pg_trgm`,
GIN: `ILIKE '%江西%'` finds 江西财经大学 with no spaces to split on; a pattern of one or two
characters has no trigram and is answered by scanning the index). SQLite scans both tables with
`LIKE`, whose case folding is ASCII only (`ilike` is `lower() LIKE lower()` there, and SQLite's
`lower` folds ASCII only): a Chinese substring matches as it does on PostgreSQL, an accented
capital (É) only in the case it was stored in.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from db.base import table_of
from db.tables import LocalizedName
from db.tables.names import NAMED

__all__ = ["like_text", "text_matches"]

NAME = table_of(LocalizedName)
TRIGRAM = 3
"""Texts this long or longer have trigrams to look up: one branch per column, each from its
index. A shorter one (`大学`) has none, and a trigram index would be read whole for each
branch (1 s against 0.1 s): its columns are matched in one scan of the table instead."""


def like_text(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def text_matches(table: sa.Table, columns: Sequence[str], text: str) -> ColumnElement[bool]:
    """Rows of `table` with `text` in one of `columns`, or (for a named type, `NAMED`) in one
    of their names in any language."""
    pattern = like_text(text)
    own = table.alias()
    matching = [own.c[column].ilike(pattern, escape="\\") for column in columns]
    found: list[sa.Select[tuple[int]]] = (
        [sa.select(own.c.id).where(condition) for condition in matching]
        if len(text) >= TRIGRAM
        else [sa.select(own.c.id).where(sa.or_(*matching))]
    )
    owner = next((c for c in NAMED.values() if c == f"{table.name}_id"), None)
    if owner is not None:
        found.append(
            sa.select(NAME.c[owner]).where(
                NAME.c[owner].is_not(None), NAME.c.value.ilike(pattern, escape="\\")
            )
        )
    return table.c.id.in_(sa.union(*found))
