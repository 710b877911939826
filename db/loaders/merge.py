"""One organization, one row: matching registry records to organizations, and writing the result.

A record is matched, in this order, by
1. its own key in its registry (the ROR id; the CORDIS organization id; the university's
   country and name), recorded as an identifier the first time, so a second run finds it again;
2. its ROR id (a record that has one never joins an organization with another ROR id);
3. one of its web domains, when both sides are in the same country (or one has none) and the
   organization has no key of the record's own registry yet (two CORDIS organizations are two
   legal entities even when a company group gives them one website);
4. its normalised name (see `normal_name`) within its country, when exactly one
   organization there has that name.
A record that matches nothing makes a new organization.

Which fields a record may change: registries rank ROR over CORDIS over the universities list. A
record overwrites the fields it has on an organization owned (`source`) by its own registry or
a lower one, and takes ownership; on an organization owned by a higher registry, or made by
hand (no source), it only fills fields that are empty. So the order of loading does not change
the result, and loading the same file again changes nothing.

Everything is decided in memory over a snapshot of the organizations, then written in bulk:
new rows, changed columns of changed rows (version + 1), new identifiers.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db.base import table_of
from db.loaders.bulk import insert_rows, next_keys, update_rows
from db.loaders.registry import LoadReport, normal_name
from db.tables import Organization, OrganizationIdentifier

__all__ = ["FIELDS", "LIMITS", "RANK", "OrgRecord", "OrganizationIndex"]

ORGANIZATION = table_of(Organization)
IDENTIFIER = table_of(OrganizationIdentifier)

FIELDS = (
    "kind",
    "name",
    "local_name",
    "short_name",
    "country",
    "region",
    "city",
    "website",
    "latitude",
    "longitude",
    "status",
)
"""The columns of `organization` that registries fill."""

LIMITS: dict[str, int] = {
    column.name: length
    for column in ORGANIZATION.columns
    if (length := getattr(column.type, "length", None))
}
"""The longest text each text column of `organization` holds (its declared length)."""

RANK = {"universities": 1, "cordis": 2, "ror": 3}
_BY_HAND = 100


@dataclass(slots=True)
class OrgRecord:
    """An organization as a registry gives it."""

    where: str
    """Where it is in the input, for reports: a line number or an id."""
    source: str
    key: tuple[str, str]
    """Its own key in its registry, as an identifier (scheme, value); scheme `ror` means the
    `ror_id` column."""
    values: dict[str, Any]
    ror_id: str | None = None
    domains: Sequence[str] = ()
    identifiers: Sequence[tuple[str, str]] = ()
    other_names: Sequence[str] = ()
    names: Sequence[tuple[str, str, str, bool]] = ()
    """Its names in other languages: (field, BCP 47 tag, value, the local name?)."""


@dataclass(slots=True)
class _Pending:
    key: int
    report: LoadReport


@dataclass(slots=True)
class OrganizationIndex:
    """The organizations of the database in memory, with the indexes the merge rules use."""

    rows: dict[int, dict[str, Any]] = field(default_factory=dict)
    original: dict[int, dict[str, Any]] = field(default_factory=dict)
    new: list[int] = field(default_factory=list)
    made: set[int] = field(default_factory=set)
    """Organizations made in this run."""
    fresh: set[tuple[str, str]] = field(default_factory=set)
    """Identifiers recorded in this run."""
    by_ror: dict[str, int] = field(default_factory=dict)
    owner: dict[tuple[str, str], int] = field(default_factory=dict)
    by_name: dict[tuple[str, str], set[int]] = field(default_factory=dict)
    new_identifiers: list[tuple[int, str, str]] = field(default_factory=list)
    pending: list[_Pending] = field(default_factory=list)
    keyed: dict[int, set[str]] = field(default_factory=dict)
    """The registries whose own key each organization carries (besides ROR's `ror_id`)."""
    next_key: int = 1

    @classmethod
    async def load(cls, connection: AsyncConnection) -> "OrganizationIndex":
        index = cls()
        columns = [ORGANIZATION.c[name] for name in (*FIELDS, "ror_id", "source", "parent_id")]
        result = await connection.execute(sa.select(ORGANIZATION.c.id, *columns))
        for row in result.mappings():
            values = dict(row)
            key = values.pop("id")
            index.rows[key] = values
            index.original[key] = dict(values)
            index._index(key, values, ())
        identifiers = await connection.execute(
            sa.select(IDENTIFIER.c.organization_id, IDENTIFIER.c.scheme, IDENTIFIER.c.value)
        )
        for organization_id, scheme, value in identifiers:
            index.owner[(scheme, value)] = organization_id
            if scheme in RANK:
                index.keyed.setdefault(organization_id, set()).add(scheme)
        index.next_key = await next_keys(connection, ORGANIZATION)
        return index

    def _index(self, key: int, values: Mapping[str, Any], other_names: Sequence[str]) -> None:
        if values.get("ror_id"):
            self.by_ror.setdefault(values["ror_id"], key)
        country = values.get("country")
        if not country:
            return
        for name in (values.get("name"), values.get("local_name"), *other_names):
            if name:
                self.by_name.setdefault((normal_name(name), country), set()).add(key)

    def _compatible(self, key: int, record: OrgRecord, *, same_country: bool) -> bool:
        row = self.rows[key]
        if record.ror_id and row["ror_id"] and row["ror_id"] != record.ror_id:
            return False
        if same_country:
            mine, theirs = record.values.get("country"), row["country"]
            return mine is None or theirs is None or mine == theirs
        return True

    def match(self, record: OrgRecord) -> tuple[int | None, str | None]:
        """The organization `record` belongs to, and the rule that matched (none: its own key)."""
        scheme, value = record.key
        own = self.by_ror.get(value) if scheme == "ror" else self.owner.get(record.key)
        if own is not None:
            return own, None
        if record.ror_id and record.ror_id in self.by_ror:
            return self.by_ror[record.ror_id], "ror id"
        for domain in record.domains:
            found = self.owner.get(("domain", domain))
            if (
                found is not None
                and record.source not in self.keyed.get(found, ())
                and self._compatible(found, record, same_country=True)
            ):
                return found, "web domain"
        country = record.values.get("country")
        if country:
            for name in (record.values["name"], *record.other_names):
                found_keys = self.by_name.get((normal_name(name), country), set())
                if len(found_keys) == 1:
                    (found,) = found_keys
                    if self._compatible(found, record, same_country=False):
                        return found, "name in country"
        return None, None

    def add(self, record: OrgRecord, report: LoadReport) -> int:
        """Match `record` and merge it into its organization or make a new one; its key."""
        key, rule = self.match(record)
        if key is None:
            key = self.next_key
            self.next_key += 1
            values = {name: record.values.get(name) for name in FIELDS}
            values.update(ror_id=record.ror_id, source=record.source, parent_id=None)
            self.rows[key] = values
            self.new.append(key)
            self.made.add(key)
            report.created += 1
        else:
            self._merge(key, record)
            if rule is None and (key in self.made or record.key in self.fresh):
                report.merged += 1
                report.merged_by["listed again"] += 1
            elif rule is None:
                self.pending.append(_Pending(key, report))
            else:
                report.merged += 1
                report.merged_by[rule] += 1
        row = self.rows[key]
        self._index(key, row, record.other_names)
        if record.ror_id and row["ror_id"] is None:
            row["ror_id"] = record.ror_id
            self.by_ror.setdefault(record.ror_id, key)
        identifiers = [] if record.key[0] == "ror" else [record.key]
        if record.key[0] != "ror":
            self.keyed.setdefault(key, set()).add(record.key[0])
        identifiers += [("domain", domain) for domain in record.domains]
        identifiers += list(record.identifiers)
        for identifier in identifiers:
            if identifier not in self.owner:
                self.owner[identifier] = key
                self.fresh.add(identifier)
                self.new_identifiers.append((key, *identifier))
        return key

    def owns(self, key: int, source: str) -> bool:
        """Whether `source` may overwrite the row's fields (see the module's rules)."""
        return RANK[source] >= RANK.get(self.rows[key]["source"] or "", _BY_HAND)

    def _merge(self, key: int, record: OrgRecord) -> None:
        row = self.rows[key]
        overwrite = self.owns(key, record.source)
        for name in FIELDS:
            value = record.values.get(name)
            if value is not None and (overwrite or row[name] is None):
                row[name] = value
        if overwrite:
            row["source"] = record.source

    def finish_counts(self) -> None:
        """Records found by their own key are `updated` when their row changed."""
        for pending in self.pending:
            if pending.key in self.original and self._changes(pending.key):
                pending.report.updated += 1
            else:
                pending.report.unchanged += 1
        self.pending.clear()

    def _changes(self, key: int) -> dict[str, Any]:
        before, after = self.original[key], self.rows[key]
        return {name: value for name, value in after.items() if before[name] != value}

    def _parents_first(self) -> list[int]:
        new = set(self.new)
        depth: dict[int, int] = {}

        def depth_of(key: int) -> int:
            seen = []
            while key not in depth:
                parent = self.rows[key]["parent_id"]
                if parent is None or parent not in new or parent in seen:
                    depth[key] = 0
                    break
                seen.append(key)
                key = parent
            level = depth[key]
            for child in reversed(seen):
                level += 1
                depth[child] = level
            return depth[seen[0]] if seen else depth[key]

        return sorted(self.new, key=depth_of)

    async def write(self, connection: AsyncConnection, report: LoadReport, now: datetime) -> None:
        """Insert the new organizations and identifiers, update the changed ones."""
        self.finish_counts()
        inserts = [
            {
                "id": key,
                **self.rows[key],
                "description": None,
                "is_illustrative": False,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
            for key in self._parents_first()
        ]
        report.rows["organization"] += await insert_rows(connection, ORGANIZATION, inserts)
        updates = []
        for key in self.original:
            changes = self._changes(key)
            if changes:
                updates.append({"id": key, **changes, "updated_at": now})
        if updates:
            await _update_versioned(connection, updates)
            report.rows["organization"] += len(updates)
        identifiers = [
            {"organization_id": key, "scheme": scheme, "value": value}
            for key, scheme, value in self.new_identifiers
        ]
        report.rows["organization_identifier"] += await insert_rows(
            connection, IDENTIFIER, identifiers
        )
        for key in self.new:
            self.original[key] = dict(self.rows[key])
        for key in self.original:
            self.original[key] = dict(self.rows[key])
        self.new.clear()
        self.made.clear()
        self.fresh.clear()
        self.new_identifiers.clear()


async def _update_versioned(connection: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    """The changed columns, then `version` + 1 of the same rows (an expression, which an
    executemany cannot bind per row)."""
    await update_rows(connection, ORGANIZATION, rows)
    keys = [row["id"] for row in rows]
    for start in range(0, len(keys), 5_000):
        await connection.execute(
            sa.update(ORGANIZATION)
            .where(ORGANIZATION.c.id.in_(keys[start : start + 5_000]))
            .values(version=ORGANIZATION.c.version + 1)
        )
