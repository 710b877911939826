"""Reading the CORDIS Horizon Europe files: `organizations.csv`, `projects.csv` and
`participations.csv` are parsed and checked row by row into records (organizations, projects
as agreement values, participations), each unusable row skipped in the load report with its
reason, and the three files checked against each other; nothing here touches the database.
`db.loaders.cordis_write` writes what `read_cordis` returns; `db.loaders.cordis` gives the mapping.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from db.enums import AgreementKind, AgreementStatus, OrganizationKind
from db.loaders.files import read_csv
from db.loaders.merge import LIMITS, OrgRecord
from db.loaders.records import refuse_nul
from db.loaders.registry import BadRecord, LoadError, LoadReport, country_code, domain_of

__all__ = [
    "COLUMNS",
    "ROLES",
    "SOURCE",
    "CordisInput",
    "Participation",
    "Party",
    "Project",
    "read_cordis",
]

SOURCE = "cordis"

_KINDS = {
    "HES": OrganizationKind.UNIVERSITY,
    "REC": OrganizationKind.RESEARCH_INSTITUTE,
    "PRC": OrganizationKind.BUSINESS,
    "PUB": OrganizationKind.GOVERNMENT_BODY,
    "OTH": OrganizationKind.OTHER,
    "": OrganizationKind.OTHER,
}
ROLES = {"coordinator": 0, "participant": 1, "associatedPartner": 2, "thirdParty": 3}
"""The CORDIS roles, strongest first: an organization listed twice keeps the stronger."""

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
class Party:
    """An organization's one party in a project, filled in by `db.loaders.cordis_write`."""

    organization_id: int
    rank: int
    source_role: str
    amount: Decimal | None


@dataclass(slots=True)
class Participation:
    """A usable row of `participations.csv`."""

    line: int
    order: int
    project_id: str
    org_id: str
    role: str
    amount: Decimal | None


@dataclass(slots=True)
class Project:
    """A usable row of `projects.csv`: its agreement's values and (once written) its parties."""

    line: int
    values: dict[str, Any]
    parties: dict[int, Party] = field(default_factory=dict)


@dataclass(slots=True)
class CordisInput:
    """The usable records of the three files, checked against each other: every project has a
    participation, every participation a project and an organization of the files."""

    organizations: list[OrgRecord]
    projects: dict[str, Project]
    participations: list[Participation]


_STATUSES = {"SIGNED", "CLOSED", "TERMINATED"}


def _status(text: str, start: date | None, today: date) -> str:
    if text == "CLOSED":
        return AgreementStatus.EXPIRED.value
    if text == "TERMINATED":
        return AgreementStatus.TERMINATED.value
    if start is not None and start > today:
        return AgreementStatus.SIGNED.value
    return AgreementStatus.ACTIVE.value


def _project(line: int, row: dict[str, str], today: date) -> tuple[str, Project]:
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
    return project_id, Project(line=line, values=values)


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
    projects: dict[str, Project] = {}
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
    usable: list[Participation] = []
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
    line: int, row: dict[str, str], projects: dict[str, Project], org_ids: set[str]
) -> Participation:
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
    if role not in ROLES:
        raise BadRecord(f"unknown role {role[:40]!r}")
    order = (row.get("order") or "").strip()
    rank = int(order) if order.isascii() and order.isdigit() and len(order) < 10 else 1 << 30
    return Participation(line, rank, project_id, org_id, role, _amount(row, "ec_contribution"))
