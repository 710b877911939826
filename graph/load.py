"""Reading the network's rows from the database: seven plain selects, no ORM objects."""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db import tables as t
from db.base import table_of
from db.network_counter import counter
from graph.data import Member, NetworkData, Organization, Tie, TieKind

__all__ = ["load_network", "read_change"]

ORGANIZATION = table_of(t.Organization)
AGREEMENT = table_of(t.Agreement)
PARTY = table_of(t.AgreementParty)
ALLIANCE = table_of(t.Alliance)
MEMBERSHIP = table_of(t.Membership)
PROGRAM = table_of(t.Program)
PROGRAM_PARTNER = table_of(t.ProgramPartner)


async def read_change(connection: AsyncConnection) -> int:
    """The network change counter (one cheap statement)."""
    value = await connection.scalar(sa.select(counter()))
    return int(value or 0)


async def _rows(connection: AsyncConnection, statement: sa.Select[Any]) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in (await connection.execute(statement)).all()]


async def load_network(engine: AsyncEngine) -> tuple[int, NetworkData]:
    """The change counter and every row the network is built from, read in one transaction
    (the counter first, so the rows are at least as new as the counter says)."""
    o, a, p = ORGANIZATION.c, AGREEMENT.c, PARTY.c
    al, m, pr, pp = ALLIANCE.c, MEMBERSHIP.c, PROGRAM.c, PROGRAM_PARTNER.c
    async with engine.connect() as connection:
        change = await read_change(connection)
        organizations = await _rows(
            connection, sa.select(o.id, o.name, o.kind, o.country, o.parent_id)
        )
        agreements = await _rows(
            connection,
            sa.select(
                a.id,
                a.title,
                a.kind,
                a.status,
                sa.func.coalesce(a.effective_from, a.signed_on),
                a.effective_to,
            ),
        )
        parties = await _rows(connection, sa.select(p.agreement_id, p.organization_id))
        alliances = await _rows(connection, sa.select(al.id, al.name, al.scope))
        memberships = await _rows(
            connection, sa.select(m.alliance_id, m.organization_id, m.joined_on, m.left_on)
        )
        programs = await _rows(
            connection, sa.select(pr.id, pr.name, pr.kind, pr.status, pr.starts_on, pr.ends_on)
        )
        partners = await _rows(connection, sa.select(pp.program_id, pp.organization_id))

    names = {row[0]: row[1] for row in organizations}
    ties = [Tie(TieKind.AGREEMENT, *row) for row in agreements]
    ties += [Tie(TieKind.ALLIANCE, row[0], row[1], row[2]) for row in alliances]
    ties += [Tie(TieKind.PROGRAM, *row) for row in programs]
    members = [Member(TieKind.AGREEMENT, row[0], row[1]) for row in parties]
    members += [Member(TieKind.ALLIANCE, *row) for row in memberships]
    members += [Member(TieKind.PROGRAM, row[0], row[1]) for row in partners]
    for child, _, _, _, parent in organizations:
        if parent is None:
            continue
        label = f"{names[child]} is a unit of {names.get(parent, '?')}"
        ties.append(Tie(TieKind.UNIT, child, label))
        members.append(Member(TieKind.UNIT, child, child))
        members.append(Member(TieKind.UNIT, child, parent))
    return change, NetworkData(
        organizations=[Organization(*row) for row in organizations],
        ties=ties,
        members=members,
    )
