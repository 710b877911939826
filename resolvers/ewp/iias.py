"""Reading bilateral agreements as EWP IIAs, in a fixed number of statements for any number
of agreements (agreements, parties, conditions, then organizations and their identifiers one
level of the tree at a time).

An agreement is exported when it has exactly two parties and each party, and each side of a
condition, is an institution with a SCHAC code (identifier scheme `schac`) or a unit of one; a
unit's `ewp_ounit` identifier, where recorded, is its `ounit-id`. The first partner is the
local one: the lead party, else the first party recorded. Its `iia-id` is the agreement's
global ID and its `iia-code` the agreement's reference; the other partner's own IIA ID is not
known here and is left out. `in-effect` is true once the agreement has been signed.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry.dataloader import DataLoader

from db import tables as t
from db.base import table_of
from db.enums import AgreementStatus, PartyRole
from resolvers.context import Context
from resolvers.ewp.iia_hash import valid_for_approval
from resolvers.ewp.iia_xml import Condition, Iia, Partner, Side, iia_element, response
from resolvers.ids import encode_id

__all__ = ["IiaExport", "export", "iia_of", "iias_response"]

AGREEMENT = table_of(t.Agreement)
PARTY = table_of(t.AgreementParty)
CONDITION = table_of(t.MobilityCondition)
ORGANIZATION = table_of(t.Organization)
IDENTIFIER = table_of(t.OrganizationIdentifier)
SCHAC, OUNIT = "schac", "ewp_ounit"
_DEPTH = 8
"""The deepest an institution's tree is followed up to find its SCHAC code."""
_IN_EFFECT = {
    AgreementStatus.SIGNED,
    AgreementStatus.ACTIVE,
    AgreementStatus.SUSPENDED,
    AgreementStatus.EXPIRED,
    AgreementStatus.TERMINATED,
    AgreementStatus.SUPERSEDED,
}


@dataclass(frozen=True, slots=True)
class IiaExport:
    iia_id: str
    xml: bytes | None
    """One `iias-get-response` holding this IIA; None when something is missing."""
    iia_hash: str | None
    valid_for_approval: bool
    missing: tuple[str, ...]
    element: Any = None


@dataclass
class _Organizations:
    rows: dict[int, RowMapping]
    identifiers: dict[tuple[int, str], str]

    def side(self, organization_id: int) -> Side | None:
        found: int | None = organization_id
        for _ in range(_DEPTH):
            if found is None or found not in self.rows:
                return None
            hei = self.identifiers.get((found, SCHAC))
            if hei is not None:
                ounit = self.identifiers.get((organization_id, OUNIT))
                return Side(hei, ounit if found != organization_id else None)
            found = self.rows[found]["parent_id"]
        return None

    def name(self, organization_id: int) -> str:
        row = self.rows.get(organization_id)
        return str(row["name"]) if row is not None else f"organization {organization_id}"


async def _organizations(connection: AsyncConnection, ids: set[int]) -> _Organizations:
    found = _Organizations({}, {})
    wanted = set(ids)
    for _ in range(_DEPTH):
        wanted -= set(found.rows)
        if not wanted:
            break
        rows = await connection.execute(
            sa.select(ORGANIZATION.c.id, ORGANIZATION.c.name, ORGANIZATION.c.parent_id).where(
                ORGANIZATION.c.id.in_(wanted)
            )
        )
        new = {row["id"]: row for row in rows.mappings()}
        found.rows.update(new)
        identifiers = await connection.execute(
            sa.select(IDENTIFIER.c.organization_id, IDENTIFIER.c.scheme, IDENTIFIER.c.value).where(
                IDENTIFIER.c.organization_id.in_(list(new)),
                IDENTIFIER.c.scheme.in_([SCHAC, OUNIT]),
            )
        )
        for row in identifiers:
            found.identifiers[(row.organization_id, row.scheme)] = row.value
        wanted = {row["parent_id"] for row in new.values() if row["parent_id"] is not None}
    return found


def _party_order(party: RowMapping) -> tuple[int, int]:
    return (0 if party["role"] == PartyRole.LEAD.value else 1, party["id"])


def _build(
    agreement: RowMapping,
    parties: list[RowMapping],
    conditions: list[RowMapping],
    organizations: _Organizations,
) -> IiaExport:
    iia_id = encode_id("Agreement", agreement["id"])
    missing: list[str] = []
    if len(parties) != 2:
        missing.append(f"exactly two partners (it has {len(parties)})")
    sides: dict[int, Side | None] = {}
    ids = [p["organization_id"] for p in parties] + [
        c[f"{end}_organization_id"] for c in conditions for end in ("sending", "receiving")
    ]
    for organization_id in ids:
        if organization_id not in sides:
            sides[organization_id] = organizations.side(organization_id)
            if sides[organization_id] is None:
                missing.append(
                    f"a SCHAC code (identifier scheme `{SCHAC}`) for "
                    f"{organizations.name(organization_id)} or an institution it belongs to"
                )
    if missing:
        return IiaExport(iia_id, None, None, False, tuple(missing))
    first, second = sorted(parties, key=_party_order)
    local = Partner(
        sides[first["organization_id"]],  # type: ignore[arg-type]
        iia_id=iia_id,
        iia_code=agreement["reference"] or iia_id,
        signing_date=first["signed_on"],
    )
    other = Partner(
        sides[second["organization_id"]],  # type: ignore[arg-type]
        signing_date=second["signed_on"],
    )
    iia = Iia(
        partners=(local, other),
        in_effect=AgreementStatus(agreement["status"]) in _IN_EFFECT,
        conditions=tuple(
            Condition(
                c,
                sides[c["sending_organization_id"]],  # type: ignore[arg-type]
                sides[c["receiving_organization_id"]],  # type: ignore[arg-type]
            )
            for c in conditions
        ),
    )
    element = iia_element(iia)
    digest = element[-1].text
    return IiaExport(
        iia_id,
        response([element]),
        digest,
        valid_for_approval(element),
        (),
        element,
    )


async def export(
    connection: AsyncConnection, agreements: Sequence[RowMapping]
) -> dict[int, IiaExport]:
    """The IIAs of these (visible) agreements, by agreement id."""
    keys = [a["id"] for a in agreements]
    if not keys:
        return {}
    parties: dict[int, list[RowMapping]] = {k: [] for k in keys}
    for row in (
        await connection.execute(
            sa.select(PARTY).where(PARTY.c.agreement_id.in_(keys)).order_by(PARTY.c.id)
        )
    ).mappings():
        parties[row["agreement_id"]].append(row)
    conditions: dict[int, list[RowMapping]] = {k: [] for k in keys}
    for row in (
        await connection.execute(
            sa.select(CONDITION).where(CONDITION.c.agreement_id.in_(keys)).order_by(CONDITION.c.id)
        )
    ).mappings():
        conditions[row["agreement_id"]].append(row)
    involved = {p["organization_id"] for found in parties.values() for p in found} | {
        c[f"{end}_organization_id"]
        for found in conditions.values()
        for c in found
        for end in ("sending", "receiving")
    }
    organizations = await _organizations(connection, involved)
    return {
        a["id"]: _build(a, parties[a["id"]], conditions[a["id"]], organizations) for a in agreements
    }


def iia_of(ctx: Context) -> DataLoader[int, IiaExport | None]:
    """The IIA of each visible agreement (None for one the caller cannot see), batched."""

    async def batch(keys: Sequence[int]) -> list[IiaExport | None]:
        statement = ctx.reader.select(AGREEMENT).where(AGREEMENT.c.id.in_(list(keys)))
        async with ctx.engine.connect() as connection:
            agreements = list((await connection.execute(statement)).mappings())
            found = await export(connection, agreements)
        return [found.get(k) for k in keys]

    loader: DataLoader[int, IiaExport | None] = ctx.loaders.lists("ewp_iias", batch)
    return loader


async def iias_response(ctx: Context, agreement_ids: Sequence[int]) -> bytes:
    """An `iias-get-response` with the IIAs of those agreements the caller may see and that
    can be exported; unknown, hidden and incomplete ones are left out, as the spec says of
    unknown IDs."""
    found = await iia_of(ctx).load_many(list(dict.fromkeys(agreement_ids)))
    return response(f.element for f in found if f is not None and f.element is not None)
