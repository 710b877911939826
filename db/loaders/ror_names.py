"""The names of ROR records in every language they give (`names` of type `label`,
`ror_display` and `acronym` that carry a `lang`), kept in `localized_name`.

A run replaces the ROR names of the organizations it loads (rows with `source = 'ror'`); a name
set through the API in the same field and language is kept, and ROR's left out. ROR's aliases
carry no language and stay the matcher's business (`db.loaders.merge`).
"""

import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

import langcodes
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db.base import table_of, utcnow
from db.loaders.bulk import insert_rows
from db.loaders.records import field_list, field_text, objects
from db.loaders.registry import LoadReport
from db.tables import LocalizedName

__all__ = ["RorName", "ror_names", "write_ror_names"]

SOURCE = "ror"
NAME = table_of(LocalizedName)
_FIELDS = {"label": "name", "ror_display": "name", "acronym": "short_name"}
_LONGEST = 1000

RorName = tuple[str, str, str, bool]
"""(field, BCP 47 tag, value, the local name?)"""


def _latin(value: str) -> bool:
    letters = [c for c in value if c.isalpha()]
    return bool(letters) and all(unicodedata.name(c, "").startswith("LATIN") for c in letters)


def _tag(lang: str | None, value: str) -> str | None:
    """The BCP 47 tag of a name: ROR's language, with `-Latn` when the name is written in
    Latin letters in a language that is not (ROR gives both `Εθνικό Μετσόβιο Πολυτεχνείο` and
    `Ethnicon Metsovion Polytechnion` as `el`: the second is `el-Latn`)."""
    if lang is None or len(lang) > 30 or not langcodes.tag_is_valid(lang):
        return None
    language = langcodes.Language.get(lang)
    if language.script is None and _latin(value) and language.maximize().script != "Latn":
        return str(langcodes.standardize_tag(f"{lang}-Latn"))
    return str(langcodes.standardize_tag(lang))


def ror_names(record: dict[str, Any], local: str | None) -> list[RorName]:
    """The language-tagged names of a record; `local` (the local name `ror_record` chose) is
    marked local."""
    found: dict[tuple[str, str], RorName] = {}
    for entry in objects(record, "names"):
        value = field_text(entry, "value")
        if value is None or len(value) > _LONGEST:
            continue
        tag = _tag(field_text(entry, "lang"), value)
        if tag is None:
            continue
        for kind in field_list(entry, "types"):
            field = _FIELDS.get(kind) if isinstance(kind, str) else None
            if field is not None:
                found.setdefault((field, tag), (field, tag, value, value == local))
    return list(found.values())


async def write_ror_names(
    connection: AsyncConnection,
    named: Iterable[tuple[int, Sequence[RorName]]],
    report: LoadReport,
) -> None:
    """Make the ROR names of each organization (by key) those given: rows no longer given are
    deleted, new ones inserted, the same ones left alone (a second run writes nothing)."""
    wanted = {
        (key, field, tag): (value, is_local)
        for key, names in named
        for field, tag, value, is_local in names
    }
    keys = sorted({key for key, _, _ in wanted})
    owner = NAME.c.organization_id
    ours: dict[tuple[int, str, str], tuple[int, str, bool]] = {}
    others: set[tuple[int, str, str]] = set()
    for start in range(0, len(keys), 5000):
        chunk = keys[start : start + 5000]
        rows = await connection.execute(
            sa.select(
                owner,
                NAME.c.field,
                NAME.c.lang,
                NAME.c.id,
                NAME.c.value,
                NAME.c.is_local,
                NAME.c.source,
            ).where(owner.in_(chunk))
        )
        for key, field, lang, id_, value, is_local, source in rows:
            if source == SOURCE:
                ours[(key, field, lang)] = (id_, value, is_local)
            else:
                others.add((key, field, lang))
    stale = [id_ for name, (id_, *kept) in ours.items() if wanted.get(name) != tuple(kept)]
    for start in range(0, len(stale), 5000):
        await connection.execute(sa.delete(NAME).where(NAME.c.id.in_(stale[start : start + 5000])))
    now = utcnow()
    new = [
        {
            "created_at": now,
            "updated_at": now,
            "version": 1,
            "organization_id": key,
            "field": field,
            "lang": tag,
            "value": value,
            "is_local": is_local,
            "source": SOURCE,
        }
        for (key, field, tag), (value, is_local) in wanted.items()
        if (key, field, tag) not in others
        and ours.get((key, field, tag), (None, None, None))[1:] != (value, is_local)
    ]
    if stale or new:
        report.rows["localized_name"] += len(stale) + await insert_rows(connection, NAME, new)
