"""ROR, the Research Organization Registry (schema v2 records, a JSON array, gzipped or not).

Mapping (see docs/registries.md):
- kind from the ROR types, the first that applies of: education -> university, facility ->
  research institute, company -> business, government -> government body; anything else
  (nonprofit, healthcare, funder alone, archive, other) -> other, since ROR does not say
  whether a nonprofit is a foundation, a society or an international organization;
- name: the `ror_display` name, or its English label when the display name is in another
  language (then the display name is the local name); otherwise the local name is the first
  label in another language; short name: the first acronym;
- the first location gives country, region (subdivision), city and coordinates; the first
  `website` link the website; status as in ROR (active, inactive, withdrawn);
- the ROR id in `ror_id`; each domain (and the website's) as identifier `domain`; every
  external id as an identifier of its type (`grid`, `isni`, `wikidata`, `fundref`);
- every name with a language (labels, the display name, acronyms) in `localized_name`
  (`db.loaders.ror_names`), the local name marked local;
- a `parent` relationship sets the organization's parent (the first parent that is loaded;
  never one that would make a cycle); every relationship (parent, child, related, successor,
  predecessor) is kept in `organization_relation`, with the related organization when it is
  loaded.

A run is one transaction.
"""

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db.base import table_of, utcnow
from db.enums import OrganizationKind, OrganizationStatus
from db.loaders.bulk import analyze, insert_rows, lock_tables, sync_sequences, update_rows
from db.loaders.files import read_json_array
from db.loaders.merge import LIMITS, OrganizationIndex, OrgRecord
from db.loaders.records import describe, field_list, field_object, field_text, objects, refuse_nul
from db.loaders.registry import BadRecord, LoadReport, Progress, country_code, domain_of, tick
from db.loaders.ror_names import ror_names, write_ror_names
from db.tables import LocalizedName, Organization, OrganizationIdentifier, OrganizationRelation

__all__ = ["load_ror", "read_ror", "ror_record", "ror_relations", "write_ror"]

SOURCE = "ror"
ORGANIZATION = table_of(Organization)
IDENTIFIER = table_of(OrganizationIdentifier)
RELATION = table_of(OrganizationRelation)
TABLES = [ORGANIZATION, IDENTIFIER, RELATION, table_of(LocalizedName)]

_KINDS = (
    ("education", OrganizationKind.UNIVERSITY),
    ("facility", OrganizationKind.RESEARCH_INSTITUTE),
    ("company", OrganizationKind.BUSINESS),
    ("government", OrganizationKind.GOVERNMENT_BODY),
)
_STATUSES = {status.value for status in OrganizationStatus}
_RELATIONS = {"parent", "child", "related", "successor", "predecessor"}


_ROR_ID = 50
"""The longest ROR id kept (the column's width; real ones are 25 characters)."""
_SCHEME = 40
"""The longest identifier scheme kept (the column's width)."""


def _limited(value: Any, name: str) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if len(text) > LIMITS.get(name, 500):
        raise BadRecord(f"{name} is longer than {LIMITS.get(name, 500)} characters")
    return text


def _names(record: dict[str, Any]) -> tuple[str, str | None, str | None, list[str]]:
    display: dict[str, Any] | None = None
    english = other = acronym = None
    others: list[str] = []
    for entry in objects(record, "names"):
        value, lang = field_text(entry, "value"), field_text(entry, "lang")
        if value is None:
            raise BadRecord("a name has no value")
        types = field_list(entry, "types")
        if "ror_display" in types:
            display = entry
        if "acronym" in types:
            acronym = acronym or value
            continue
        if "label" in types and lang == "en":
            english = english or value
        elif "label" in types and lang and other is None:
            other = value
        others.append(value)
    if display is None:
        raise BadRecord("no ror_display name")
    name, local = display["value"], other
    if display.get("lang") not in (None, "en") and english:
        name, local = english, display["value"]
    if local == name:
        local = None
    short = acronym if acronym and len(acronym) <= LIMITS["short_name"] else None
    return name, local, short, [n for n in others if n != name]


def _coordinate(place: dict[str, Any], name: str, limit: float) -> float | None:
    value = place.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if -limit <= value <= limit else None


def ror_record(position: int, record: Any) -> OrgRecord:
    """The organization a ROR v2 record describes; raises `BadRecord` for a malformed one."""
    if not isinstance(record, dict):
        raise BadRecord(f"is {describe(record)}, not an object")
    refuse_nul(record)
    ror_id = record.get("id")
    if ror_id is None:
        raise BadRecord("no id")
    if (
        not isinstance(ror_id, str)
        or not ror_id.startswith("https://ror.org/")
        or len(ror_id) > _ROR_ID
    ):
        shown = ror_id if not isinstance(ror_id, str) else ror_id[:60]
        raise BadRecord(f"id {shown!r} is not a ROR id")
    if "names" not in record and isinstance(record.get("name"), str):
        raise BadRecord("is a ROR schema v1 record (name, not names); load the schema v2 file")
    name, local, short, others = _names(record)
    if not name.strip():
        raise BadRecord("the ror_display name is empty")
    types = field_list(record, "types")
    kind = next((k for t, k in _KINDS if t in types), OrganizationKind.OTHER)
    status = record.get("status")
    if not isinstance(status, str) or status not in _STATUSES:
        shown = status[:40] if isinstance(status, str) else status
        raise BadRecord(f"unknown status {shown!r}")
    locations = objects(record, "locations")
    place = field_object(locations[0], "geonames_details") if locations else {}
    try:
        country = country_code(field_text(place, "country_code"))
    except ValueError as error:
        raise BadRecord(str(error)) from None
    website = next(
        (
            field_text(link, "value")
            for link in objects(record, "links")
            if link.get("type") == "website"
        ),
        None,
    )
    domains = [domain_of(d) for d in field_list(record, "domains") if isinstance(d, str)]
    domains.append(domain_of(website))
    identifiers = [
        (scheme, str(value))
        for entry in objects(record, "external_ids")
        if isinstance(scheme := entry.get("type"), str) and 0 < len(scheme) <= _SCHEME
        for value in field_list(entry, "all")
        if isinstance(value, (str, int)) and value and len(str(value)) <= 300
    ]
    return OrgRecord(
        where=f"record {position} ({ror_id})",
        source=SOURCE,
        key=("ror", ror_id),
        ror_id=ror_id,
        values={
            "kind": kind.value,
            "name": _limited(name, "name"),
            "local_name": _limited(local, "local_name"),
            "short_name": short,
            "country": country,
            "region": _limited(place.get("country_subdivision_name"), "region"),
            "city": _limited(place.get("name"), "city"),
            "website": _limited(website, "website"),
            "latitude": _coordinate(place, "lat", 90),
            "longitude": _coordinate(place, "lng", 180),
            "status": status,
        },
        domains=tuple(dict.fromkeys(d for d in domains if d)),
        identifiers=identifiers,
        other_names=others,
    )


def ror_relations(record: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """The relationships of a record (checked by `ror_record` first)."""
    found = []
    for link in objects(record, "relationships"):
        kind, target, label = link.get("type"), link.get("id"), link.get("label")
        if (
            isinstance(kind, str)
            and kind in _RELATIONS
            and isinstance(target, str)
            and len(target) <= _ROR_ID
        ):
            found.append((kind, target, label[:500] if isinstance(label, str) else None))
    return found


def read_ror(path: Path, report: LoadReport) -> "RorRecords":
    """The usable records of `path` (a JSON array, plain, `.gz` or `.zip`), the others skipped
    in `report`; `LoadError` when the file cannot be read or has no usable record."""
    report.file = str(path)
    records = []
    for position, item in enumerate(read_json_array(path, "ROR records"), start=1):
        report.read += 1
        try:
            record = ror_record(position, item)
            record.names = ror_names(item, record.values["local_name"])
            records.append((record, ror_relations(item)))
        except BadRecord as error:
            report.skip(f"record {position}", str(error))
    report.require_usable("ROR records")
    return records


async def load_ror(
    engine: AsyncEngine, path: Path, *, progress: Progress | None = None
) -> LoadReport:
    """Load the ROR records of `path` (a JSON array: plain, `.gz` or in a `.zip`) in one
    transaction; a file that cannot be loaded whole raises `LoadError` before any write."""
    report = LoadReport(SOURCE)
    tick(progress, f"{SOURCE} reading", 0, 1)
    return await write_ror(engine, read_ror(path, report), report, progress=progress)


RorRecords = list[tuple[OrgRecord, list[tuple[str, str, str | None]]]]
"""Each record with its relationships."""


async def write_ror(
    engine: AsyncEngine,
    records: RorRecords,
    report: LoadReport,
    *,
    progress: Progress | None = None,
) -> LoadReport:
    """Write the records `read_ror` gave, in one transaction."""
    async with engine.begin() as connection:
        await lock_tables(connection, TABLES)
        now = utcnow()
        index = await OrganizationIndex.load(connection)
        keys: list[int] = []
        for done, (record, _) in enumerate(records):
            keys.append(index.add(record, report))
            tick(progress, f"{SOURCE} organizations", done, len(records), every=5000)
        _set_parents(index, records, keys, report)
        await index.write(connection, report, now)
        tick(progress, f"{SOURCE} organizations", len(records), len(records))
        tick(progress, f"{SOURCE} relations", 0, 1)
        await _write_relations(connection, index, records, keys, report)
        await write_ror_names(
            connection, ((key, r.names) for (r, _), key in zip(records, keys, strict=True)), report
        )
        await sync_sequences(connection, TABLES)
        if report.changed:
            await analyze(connection, TABLES)
        tick(progress, f"{SOURCE} relations", 1, 1)
    return report


def _set_parents(
    index: OrganizationIndex,
    records: list[tuple[OrgRecord, list[tuple[str, str, str | None]]]],
    keys: list[int],
    report: LoadReport,
) -> None:
    for (record, relations), key in zip(records, keys, strict=True):
        if not index.owns(key, SOURCE) and index.rows[key]["parent_id"] is not None:
            continue
        parents = [index.by_ror.get(target) for kind, target, _ in relations if kind == "parent"]
        parent = next((p for p in parents if p is not None and p != key), None)
        if parent is not None and _makes_cycle(index, key, parent):
            report.skip(record.where, f"parent {parent} would make a cycle; not linked")
            parent = None
        if parent is not None or index.owns(key, SOURCE):
            index.rows[key]["parent_id"] = parent


def _makes_cycle(index: OrganizationIndex, key: int, parent: int) -> bool:
    seen = {key}
    current: int | None = parent
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        current = index.rows[current]["parent_id"]
    return False


async def _write_relations(
    connection: AsyncConnection,
    index: OrganizationIndex,
    records: list[tuple[OrgRecord, list[tuple[str, str, str | None]]]],
    keys: list[int],
    report: LoadReport,
) -> None:
    existing = {
        (row.organization_id, row.kind, row.related_ror_id): row
        for row in await connection.execute(
            sa.select(
                RELATION.c.id,
                RELATION.c.organization_id,
                RELATION.c.kind,
                RELATION.c.related_ror_id,
                RELATION.c.related_id,
                RELATION.c.label,
            )
        )
    }
    new: dict[tuple[int, str, str], dict[str, Any]] = {}
    changed = []
    for (_, relations), key in zip(records, keys, strict=True):
        for kind, target, label in relations:
            related = index.by_ror.get(target)
            wanted = {"related_id": related, "label": label}
            had = existing.get((key, kind, target))
            if had is None:
                new.setdefault(
                    (key, kind, target),
                    {"organization_id": key, "kind": kind, "related_ror_id": target, **wanted},
                )
            elif (had.related_id, had.label) != (related, label):
                changed.append({"id": had.id, **wanted})
    report.rows["organization_relation"] += await insert_rows(
        connection, RELATION, list(new.values())
    )
    report.rows["organization_relation"] += await update_rows(connection, RELATION, changed)
