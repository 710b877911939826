"""Writing the CORDIS records in one transaction: organizations merged into the index of those
already stored, each project's parties (one per organization, its strongest role, the sum of its
contributions), agreements, modes, parties, EU funding from the European Commission and history
rows inserted, updated or deleted in bulk so that a reload changes only what changed.
`db.loaders.cordis_read` gives the records; `db.loaders.cordis` gives the mapping.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db.base import table_of, utcnow
from db.enums import CollaborationMode, OrganizationKind, PartyRole
from db.loaders.bulk import (
    analyze,
    delete_keys,
    insert_rows,
    lock_tables,
    next_keys,
    sync_sequences,
    update_rows,
)
from db.loaders.cordis_read import ROLES, SOURCE, CordisInput, Participation, Party, Project
from db.loaders.merge import OrganizationIndex, OrgRecord
from db.loaders.registry import LoadReport, Progress, tick
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

__all__ = ["EUROPEAN_COMMISSION", "terms_hash", "write_cordis"]

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
            tick(progress, f"{SOURCE} organizations", done, len(records), every=5000)
        await index.write(connection, organizations, now)
        tick(progress, f"{SOURCE} organizations", len(records), len(records))
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
    participations: list[Participation],
    projects: dict[str, Project],
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
            project.parties[organization] = Party(
                organization, ROLES[row.role], row.role, row.amount
            )
            continue
        report.merged += 1
        report.merged_by["same organization twice in a project"] += 1
        if ROLES[row.role] < party.rank:
            party.rank, party.source_role = ROLES[row.role], row.role
        if row.amount is not None:
            party.amount = (party.amount or Decimal(0)) + row.amount


def _party_role(party: Party) -> str:
    return (PartyRole.LEAD if party.rank == 0 else PartyRole.PARTNER).value


async def _write_agreements(
    connection: AsyncConnection,
    projects: dict[str, Project],
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
        tick(progress, f"{SOURCE} projects", done, len(projects), every=2000)
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
    tick(progress, f"{SOURCE} projects", len(projects), len(projects))

    rows = whole.rows
    rows["agreement"] += await insert_rows(connection, AGREEMENT, new_agreements)
    rows["agreement"] += await update_rows(connection, AGREEMENT, agreement_updates)
    rows["agreement_mode"] += await insert_rows(connection, MODE, new_modes)
    rows["agreement_party"] += await delete_keys(connection, PARTY, gone_parties)
    rows["agreement_party"] += await update_rows(connection, PARTY, party_updates)
    tick(progress, f"{SOURCE} writing parties", 0, 1)
    rows["agreement_party"] += await insert_rows(connection, PARTY, new_parties)
    rows["funding"] += await delete_keys(connection, FUNDING, gone_funding)
    rows["funding"] += await update_rows(connection, FUNDING, funding_updates)
    tick(progress, f"{SOURCE} writing funding", 0, 1)
    rows["funding"] += await insert_rows(connection, FUNDING, new_funding)
    rows["history_entry"] += await insert_rows(connection, HISTORY, history)
    tick(progress, f"{SOURCE} writing", 1, 1)


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
