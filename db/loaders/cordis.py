"""CORDIS Horizon Europe: organizations, projects as research collaboration agreements, and
participations as parties with their EU contribution as funding from the European Commission.

Mapping (see the README section "Real registries"):
- organization: kind from the activity type (HES university, REC research institute, PRC
  business, PUB government body, OTH or none other); the CORDIS organization id is kept as
  identifier `cordis`; its website's domain as identifier `domain`;
- project -> agreement of kind research_collaboration, key (`cordis`, project id), reference
  the project id, short title the acronym, call, topic, funding scheme, effective from start to
  end, signed on the EC signature date; status SIGNED -> active (signed while its start is
  still ahead), CLOSED -> expired, TERMINATED -> terminated; one mode, joint research;
- participation -> party: coordinator -> lead, the others -> partner, the CORDIS role kept
  as `source_role`; every party has signed (on the EC signature date) the terms it has; an
  organization listed twice in a project is one party with its strongest role;
- EU contribution -> one funding row per party with a contribution above zero, in EUR, from the
  European Commission (one organization, ROR 00k4n6c32, a government body as in ROR) to the
  agreement, naming the party as recipient. The Commission is the funder, not a party, so the
  partner network is among the beneficiaries.

A run is one transaction: all of it is written, or (on any error) none of it.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db.base import table_of, utcnow
from db.enums import AgreementKind, AgreementStatus, CollaborationMode, OrganizationKind, PartyRole
from db.loaders.bulk import (
    analyze,
    delete_keys,
    insert_rows,
    lock_tables,
    next_keys,
    sync_sequences,
    update_rows,
)
from db.loaders.files import read_csv
from db.loaders.merge import LIMITS, OrganizationIndex, OrgRecord
from db.loaders.records import refuse_nul
from db.loaders.registry import (
    BadRecord,
    LoadError,
    LoadReport,
    Progress,
    country_code,
    domain_of,
)
from db.tables import (
    Agreement,
    AgreementMode,
    AgreementParty,
    Funding,
    HistoryEntry,
    Organization,
    OrganizationIdentifier,
)
from db.terms import terms_hash as canonical_terms_hash

__all__ = [
    "COLUMNS",
    "EUROPEAN_COMMISSION",
    "CordisInput",
    "load_cordis",
    "read_cordis",
    "terms_hash",
    "write_cordis",
]

SOURCE = "cordis"
ACTOR = "loader: CORDIS"
ORGANIZATION = table_of(Organization)
IDENTIFIER = table_of(OrganizationIdentifier)
AGREEMENT = table_of(Agreement)
PARTY = table_of(AgreementParty)
MODE = table_of(AgreementMode)
FUNDING = table_of(Funding)
HISTORY = table_of(HistoryEntry)
TABLES = [ORGANIZATION, IDENTIFIER, AGREEMENT, PARTY, MODE, FUNDING, HISTORY]

EUROPEAN_COMMISSION = OrgRecord(
    where="European Commission",
    source=SOURCE,
    key=("ror", "https://ror.org/00k4n6c32"),
    ror_id="https://ror.org/00k4n6c32",
    values={
        "kind": OrganizationKind.GOVERNMENT_BODY.value,
        "name": "European Commission",
        "short_name": "EC",
        "country": "BE",
        "city": "Brussels",
        "website": "https://commission.europa.eu",
        "status": "active",
    },
    domains=("commission.europa.eu",),
)

_KINDS = {
    "HES": OrganizationKind.UNIVERSITY,
    "REC": OrganizationKind.RESEARCH_INSTITUTE,
    "PRC": OrganizationKind.BUSINESS,
    "PUB": OrganizationKind.GOVERNMENT_BODY,
    "OTH": OrganizationKind.OTHER,
    "": OrganizationKind.OTHER,
}
_ROLES = {"coordinator": 0, "participant": 1, "associatedPartner": 2, "thirdParty": 3}
_MODE = CollaborationMode.JOINT_RESEARCH.value
_AGREEMENT_FIELDS = (
    "title",
    "short_title",
    "reference",
    "kind",
    "status",
    "signed_on",
    "effective_from",
    "effective_to",
    "call",
    "topic",
    "funding_scheme",
    "terms_hash",
)


COLUMNS = {
    "organizations": (
        "org_id",
        "legal_name",
        "short_name",
        "activity_type",
        "country",
        "city",
        "url",
        "geolocation",
    ),
    "projects": (
        "project_id",
        "acronym",
        "title",
        "status",
        "start_date",
        "end_date",
        "ec_signature_date",
        "call",
        "topic",
        "funding_scheme",
    ),
    "participations": ("project_id", "org_id", "role", "order", "ec_contribution"),
}
"""The columns each file's header must name (the ones the loader reads; others may follow)."""

_KEY = 100
"""The longest CORDIS id kept (the width of an agreement's reference)."""
_MOST = Decimal("1e15")
"""No contribution reaches a thousand billion euros: a larger number is a mistake."""


def _key(row: dict[str, str], name: str, what: str) -> str:
    value = _text(row, name)
    if value is None:
        raise BadRecord(f"no {name}")
    if not (value.isascii() and value.isdigit()) or len(value) > _KEY:
        raise BadRecord(f"{name} {value[:40]!r} is not a CORDIS {what} id")
    return value


def _text(row: dict[str, str], name: str, limit: int | None = None) -> str | None:
    value = (row.get(name) or "").strip()
    if not value:
        return None
    if limit is not None and len(value) > limit:
        raise BadRecord(f"{name} is longer than {limit} characters")
    return value


def _date(row: dict[str, str], name: str) -> date | None:
    value = _text(row, name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRecord(f"{name} {value[:40]!r} is not a date") from None


def _amount(row: dict[str, str], name: str) -> Decimal | None:
    value = _text(row, name)
    if value is None:
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise BadRecord(f"{name} {value[:40]!r} is not a number") from None
    if not amount.is_finite() or amount < 0 or amount >= _MOST:
        raise BadRecord(f"{name} {value[:40]!r} is not an amount")
    return amount.quantize(Decimal("0.01"))


def _coordinates(text: str | None) -> tuple[float | None, float | None]:
    try:
        lat, lng = (float(part) for part in (text or "").split(","))
    except ValueError:
        return None, None
    if -90 <= lat <= 90 and -180 <= lng <= 180:
        return lat, lng
    return None, None


def _organization(line: int, row: dict[str, str]) -> OrgRecord:
    refuse_nul(row)
    org_id = _key(row, "org_id", "organization")
    name = _text(row, "legal_name", LIMITS["name"])
    if name is None:
        raise BadRecord("no legal_name")
    activity = (row.get("activity_type") or "").strip()
    if activity not in _KINDS:
        raise BadRecord(f"unknown activity_type {activity[:40]!r}")
    try:
        country = country_code(row.get("country"))
    except ValueError as error:
        raise BadRecord(str(error)) from None
    short_name = _text(row, "short_name")
    website = _text(row, "url", LIMITS["website"])
    lat, lng = _coordinates(row.get("geolocation"))
    domain = domain_of(website)
    return OrgRecord(
        where=f"line {line} (org_id {org_id})",
        source=SOURCE,
        key=(SOURCE, org_id),
        values={
            "kind": _KINDS[activity].value,
            "name": name,
            "short_name": short_name if short_name and len(short_name) <= 100 else None,
            "country": country,
            "city": _text(row, "city", LIMITS["city"]),
            "website": website,
            "latitude": lat,
            "longitude": lng,
            "status": "active",
        },
        domains=(domain,) if domain else (),
    )


@dataclass(slots=True)
class _Party:
    organization_id: int
    rank: int
    source_role: str
    amount: Decimal | None


@dataclass(slots=True)
class _Participation:
    line: int
    order: int
    project_id: str
    org_id: str
    role: str
    amount: Decimal | None


@dataclass(slots=True)
class _Project:
    line: int
    values: dict[str, Any]
    parties: dict[int, _Party] = field(default_factory=dict)


@dataclass(slots=True)
class CordisInput:
    """The usable records of the three files, checked against each other: every project has a
    participation, every participation a project and an organization of the files."""

    organizations: list[OrgRecord]
    projects: dict[str, _Project]
    participations: list[_Participation]


_STATUSES = {"SIGNED", "CLOSED", "TERMINATED"}


def _status(text: str, start: date | None, today: date) -> str:
    if text == "CLOSED":
        return AgreementStatus.EXPIRED.value
    if text == "TERMINATED":
        return AgreementStatus.TERMINATED.value
    if start is not None and start > today:
        return AgreementStatus.SIGNED.value
    return AgreementStatus.ACTIVE.value


def _project(line: int, row: dict[str, str], today: date) -> tuple[str, _Project]:
    refuse_nul(row)
    project_id = _key(row, "project_id", "project")
    title = _text(row, "title", 1000) or _text(row, "acronym")
    if title is None:
        raise BadRecord("no title")
    status = (row.get("status") or "").strip()
    if not status:
        raise BadRecord("no status")
    if status not in _STATUSES:
        raise BadRecord(f"unknown status {status[:40]!r}")
    start, end = _date(row, "start_date"), _date(row, "end_date")
    if start and end and end < start:
        raise BadRecord(f"end_date {end} is before start_date {start}")
    scheme = _text(row, "funding_scheme", 101)
    values = {
        "title": title,
        "short_title": _text(row, "acronym", 100),
        "reference": project_id,
        "kind": AgreementKind.RESEARCH_COLLABORATION.value,
        "status": _status(status, start, today),
        "signed_on": _date(row, "ec_signature_date"),
        "effective_from": start,
        "effective_to": end,
        "call": _text(row, "call", 100),
        "topic": _text(row, "topic", 200),
        "funding_scheme": scheme.lstrip("/") if scheme else None,
    }
    return project_id, _Project(line=line, values=values)


def terms_hash(values: dict[str, Any], parties: list[list[Any]]) -> str:
    """The hash `db.terms.refresh_terms_hash` computes for these terms (one
    mode, joint research; no commitments); a test keeps the two equal."""

    return canonical_terms_hash(
        kind=values["kind"],
        effective_from=values["effective_from"],
        effective_to=values["effective_to"],
        parties=((organization, role) for organization, role in parties),
        modes=[_MODE],
        commitments=(),
    )


def _tick(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)


def read_cordis(directory: Path, report: LoadReport, today: date) -> CordisInput:
    """The usable records of `organizations.csv`, `projects.csv` and `participations.csv` in
    `directory`, the others skipped in `report` (a part per file); `LoadError` when a file
    cannot be read or one of them has no usable record (a project without a loadable
    participation is skipped: an agreement without parties says nothing)."""
    paths = {name: directory / f"{name}.csv" for name in COLUMNS}
    if not directory.exists():
        raise LoadError(directory, "is missing")
    if not directory.is_dir():
        raise LoadError(directory, f"is not a directory (of {', '.join(COLUMNS)} .csv files)")
    for path in paths.values():
        if not path.is_file():
            raise LoadError(path, "is missing")
    rows = {name: read_csv(path, COLUMNS[name], report.notes) for name, path in paths.items()}
    organizations = report.part("organizations", str(paths["organizations"]))
    records: list[OrgRecord] = []
    for line, row in rows.pop("organizations"):
        organizations.read += 1
        try:
            records.append(_organization(line, row))
        except BadRecord as error:
            organizations.skip(f"line {line}", str(error))
    org_ids = {record.key[1] for record in records}
    organizations.require_usable("organizations")

    projects_part = report.part("projects", str(paths["projects"]))
    projects: dict[str, _Project] = {}
    for line, row in rows.pop("projects"):
        projects_part.read += 1
        try:
            project_id, project = _project(line, row, today)
        except BadRecord as error:
            projects_part.skip(f"line {line}", str(error))
            continue
        if project_id in projects:
            projects_part.skip(f"line {line}", f"project {project_id} is listed again")
            continue
        projects[project_id] = project
    projects_part.require_usable("projects")

    participations = report.part("participations", str(paths["participations"]))
    usable: list[_Participation] = []
    for line, row in rows.pop("participations"):
        participations.read += 1
        try:
            usable.append(_participation(line, row, projects, org_ids))
        except BadRecord as error:
            participations.skip(f"line {line}", str(error))
    participations.require_usable("participations")
    with_parties = {p.project_id for p in usable}
    for project_id, project in list(projects.items()):
        if project_id not in with_parties:
            projects_part.skip(
                f"line {project.line}", f"project {project_id} has no participation to load"
            )
            del projects[project_id]
    return CordisInput(records, projects, usable)


def _participation(
    line: int, row: dict[str, str], projects: dict[str, _Project], org_ids: set[str]
) -> _Participation:
    refuse_nul(row)
    project_id = (row.get("project_id") or "").strip()
    if not project_id:
        raise BadRecord("no project_id")
    if project_id not in projects:
        raise BadRecord(f"project {project_id[:40]!r} is not loaded")
    org_id = (row.get("org_id") or "").strip()
    if not org_id:
        raise BadRecord("no org_id")
    if org_id not in org_ids:
        raise BadRecord(f"organization {org_id[:40]!r} is not loaded")
    role = (row.get("role") or "").strip()
    if not role:
        raise BadRecord("no role")
    if role not in _ROLES:
        raise BadRecord(f"unknown role {role[:40]!r}")
    order = (row.get("order") or "").strip()
    rank = int(order) if order.isascii() and order.isdigit() and len(order) < 10 else 1 << 30
    return _Participation(line, rank, project_id, org_id, role, _amount(row, "ec_contribution"))


async def load_cordis(
    engine: AsyncEngine, directory: Path, *, progress: Progress | None = None
) -> LoadReport:
    """Load `organizations.csv`, `projects.csv` and `participations.csv` from `directory` in
    one transaction; see the module's docstring for the mapping. Files that cannot be loaded
    whole raise `LoadError` before any write."""
    report = LoadReport(SOURCE, file=str(directory))
    _tick(progress, "reading", 0, 1)
    found = read_cordis(directory, report, date.today())
    _tick(progress, "reading", 1, 1)
    return await write_cordis(engine, found, report, progress=progress)


async def write_cordis(
    engine: AsyncEngine,
    found: CordisInput,
    report: LoadReport,
    *,
    progress: Progress | None = None,
) -> LoadReport:
    """Write what `read_cordis` gave, in one transaction."""
    records, projects = found.organizations, found.projects
    organizations = report.parts["organizations"]

    async with engine.begin() as connection:
        await lock_tables(connection, TABLES)
        now = utcnow()
        index = await OrganizationIndex.load(connection)
        commission = index.add(EUROPEAN_COMMISSION, LoadReport("commission"))
        by_org_id: dict[str, int] = {}
        for done, record in enumerate(records):
            by_org_id[record.key[1]] = index.add(record, organizations)
            if done % 5000 == 0:
                _tick(progress, "organizations", done, len(records))
        await index.write(connection, organizations, now)
        _tick(progress, "organizations", len(records), len(records))
        _parties(found.participations, projects, by_org_id, report.parts["participations"])
        await _write_agreements(
            connection, projects, commission, report.parts["projects"], report, now, progress
        )
        await sync_sequences(connection, [ORGANIZATION, IDENTIFIER, *TABLES[2:]])
        if report.changed or any(part.changed for part in report.parts.values()):
            await analyze(connection, TABLES)
    for part in report.parts.values():
        report.rows.update(part.rows)
        part.rows.clear()
    return report


def _parties(
    participations: list[_Participation],
    projects: dict[str, _Project],
    by_org_id: dict[str, int],
    report: LoadReport,
) -> None:
    """Each project's parties: one per organization (two CORDIS organizations may have merged
    into one), with its strongest role and the sum of its contributions."""
    for row in sorted(participations, key=lambda p: (p.order, p.line)):
        project = projects[row.project_id]
        organization = by_org_id[row.org_id]
        party = project.parties.get(organization)
        if party is None:
            project.parties[organization] = _Party(
                organization, _ROLES[row.role], row.role, row.amount
            )
            continue
        report.merged += 1
        report.merged_by["same organization twice in a project"] += 1
        if _ROLES[row.role] < party.rank:
            party.rank, party.source_role = _ROLES[row.role], row.role
        if row.amount is not None:
            party.amount = (party.amount or Decimal(0)) + row.amount


def _party_role(party: _Party) -> str:
    return (PartyRole.LEAD if party.rank == 0 else PartyRole.PARTNER).value


async def _write_agreements(
    connection: AsyncConnection,
    projects: dict[str, _Project],
    commission: int,
    report: LoadReport,
    whole: LoadReport,
    now: datetime,
    progress: Progress | None,
) -> None:
    existing = {
        row["source_key"]: row
        for row in (
            await connection.execute(
                sa.select(AGREEMENT.c.id, AGREEMENT.c.source_key, AGREEMENT.c.version)
                .add_columns(*(AGREEMENT.c[name] for name in _AGREEMENT_FIELDS))
                .where(AGREEMENT.c.source == SOURCE)
            )
        ).mappings()
    }
    loaded = {row["id"] for row in existing.values()}
    old_parties: dict[int, dict[int, Any]] = {}
    for row in (
        await connection.execute(
            sa.select(
                PARTY.c.id,
                PARTY.c.agreement_id,
                PARTY.c.organization_id,
                PARTY.c.role,
                PARTY.c.source_role,
                PARTY.c.signed_on,
                PARTY.c.signed_terms_hash,
            )
            .join(AGREEMENT, AGREEMENT.c.id == PARTY.c.agreement_id)
            .where(AGREEMENT.c.source == SOURCE)
        )
    ).mappings():
        old_parties.setdefault(row["agreement_id"], {})[row["organization_id"]] = row
    old_funding: dict[tuple[int, int | None], Any] = {}
    for row in (
        await connection.execute(
            sa.select(
                FUNDING.c.id,
                FUNDING.c.agreement_id,
                FUNDING.c.recipient_id,
                FUNDING.c.amount,
                FUNDING.c.title,
                FUNDING.c.awarded_on,
                FUNDING.c.starts_on,
                FUNDING.c.ends_on,
            ).where(FUNDING.c.funder_id == commission, FUNDING.c.agreement_id.is_not(None))
        )
    ).mappings():
        if row["agreement_id"] in loaded:
            old_funding[(row["agreement_id"], row["recipient_id"])] = row
    with_mode = set(
        await connection.scalars(
            sa.select(MODE.c.agreement_id)
            .join(AGREEMENT, AGREEMENT.c.id == MODE.c.agreement_id)
            .where(AGREEMENT.c.source == SOURCE, MODE.c.mode == _MODE)
        )
    )

    next_agreement = await next_keys(connection, AGREEMENT)
    new_agreements: list[dict[str, Any]] = []
    agreement_updates: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    new_parties: list[dict[str, Any]] = []
    party_updates: list[dict[str, Any]] = []
    gone_parties: list[int] = []
    new_funding: list[dict[str, Any]] = []
    funding_updates: list[dict[str, Any]] = []
    gone_funding: list[int] = []
    new_modes: list[dict[str, Any]] = []
    stamps = {"created_at": now, "updated_at": now, "version": 1}
    parties_report = whole.part("participations")

    for done, (project_id, project) in enumerate(projects.items()):
        if done % 2000 == 0:
            _tick(progress, "projects", done, len(projects))
        values = project.values
        values["terms_hash"] = terms_hash(
            values, [[p.organization_id, _party_role(p)] for p in project.parties.values()]
        )
        old = existing.get(project_id)
        if old is None:
            key = next_agreement
            next_agreement += 1
            new_agreements.append(
                {
                    "id": key,
                    **values,
                    "local_title": None,
                    "description": None,
                    "renewal_rule": "none",
                    "renewal_term_months": None,
                    "parent_id": None,
                    "predecessor_id": None,
                    "is_illustrative": False,
                    "source": SOURCE,
                    "source_key": project_id,
                    **stamps,
                }
            )
            history.append(_history(key, "imported", {"source": SOURCE, "project": project_id}))
            report.created += 1
        else:
            key = old["id"]
            changes = {name: value for name, value in values.items() if old[name] != value}
            if changes:
                agreement_updates.append(
                    {"id": key, **changes, "version": old["version"] + 1, "updated_at": now}
                )
                history.append(
                    _history(
                        key,
                        "reloaded",
                        {name: [_json(old[name]), _json(v)] for name, v in changes.items()},
                    )
                )
                report.updated += 1
            else:
                report.unchanged += 1
        if key not in with_mode:
            new_modes.append({"agreement_id": key, "mode": _MODE})
        before = old_parties.get(key, {})
        for organization, party in project.parties.items():
            wanted = {
                "role": _party_role(party),
                "source_role": party.source_role,
                "signed_on": values["signed_on"],
                "signed_terms_hash": values["terms_hash"],
            }
            had = before.get(organization)
            if had is None:
                parties_report.created += 1
                new_parties.append(
                    {
                        "agreement_id": key,
                        "organization_id": organization,
                        "signatory_id": None,
                        **wanted,
                        **stamps,
                    }
                )
            elif any(had[name] != value for name, value in wanted.items()):
                parties_report.updated += 1
                party_updates.append({"id": had["id"], **wanted, "updated_at": now})
            else:
                parties_report.unchanged += 1
        gone_parties += [row["id"] for org, row in before.items() if org not in project.parties]
        for organization, party in project.parties.items():
            had = old_funding.pop((key, organization), None)
            if not party.amount:
                if had is not None:
                    gone_funding.append(had["id"])
                continue
            wanted = {
                "title": f"EU contribution to {values['short_title'] or project_id}"[:500],
                "amount": party.amount,
                "awarded_on": values["signed_on"],
                "starts_on": values["effective_from"],
                "ends_on": values["effective_to"],
            }
            if had is None:
                new_funding.append(
                    {
                        "funder_id": commission,
                        "agreement_id": key,
                        "program_id": None,
                        "recipient_id": organization,
                        "currency": "EUR",
                        **wanted,
                        **stamps,
                    }
                )
            elif any(had[name] != value for name, value in wanted.items()):
                funding_updates.append({"id": had["id"], **wanted, "updated_at": now})
    in_file = {row["id"] for key, row in existing.items() if key in projects}
    gone_funding += [
        row["id"] for (agreement, _), row in old_funding.items() if agreement in in_file
    ]
    _tick(progress, "projects", len(projects), len(projects))

    rows = whole.rows
    rows["agreement"] += await insert_rows(connection, AGREEMENT, new_agreements)
    rows["agreement"] += await update_rows(connection, AGREEMENT, agreement_updates)
    rows["agreement_mode"] += await insert_rows(connection, MODE, new_modes)
    rows["agreement_party"] += await delete_keys(connection, PARTY, gone_parties)
    rows["agreement_party"] += await update_rows(connection, PARTY, party_updates)
    _tick(progress, "writing parties", 0, 1)
    rows["agreement_party"] += await insert_rows(connection, PARTY, new_parties)
    rows["funding"] += await delete_keys(connection, FUNDING, gone_funding)
    rows["funding"] += await update_rows(connection, FUNDING, funding_updates)
    _tick(progress, "writing funding", 0, 1)
    rows["funding"] += await insert_rows(connection, FUNDING, new_funding)
    rows["history_entry"] += await insert_rows(connection, HISTORY, history)
    _tick(progress, "writing", 1, 1)


def _json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value


def _history(key: int, action: str, changes: dict[str, Any]) -> dict[str, Any]:
    return {
        "subject_type": "agreement",
        "subject_id": key,
        "agreement_id": key,
        "action": action,
        "actor": ACTOR,
        "changed_at": utcnow(),
        "changes": changes,
    }
