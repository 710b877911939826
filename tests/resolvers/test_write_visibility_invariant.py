"""What a write reveals, with hypothesis, over the cases of the write matrix
(`write_matrix_cases.py`) on the demo data: after any accepted write by a caller who is not an
admin, the records it can see grow only by the records the write created, or, when a proposal
was accepted (by the caller or, as a step of its own, by the side the caller's proposal is
addressed to), by what the proposal's other side sees: it consented to the link.
"""

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.elements import ColumnElement

from db import tables as t
from db.base import table_of, utcnow
from db.engine import create_engine
from db.enums import TokenRole
from resolvers.ids import encode_id
from resolvers.nodes import NODE_TABLES
from resolvers.tokens import authenticate
from resolvers.viewer import Role, Viewer
from resolvers.visibility import visible
from tests.conftest import Databases, api_client, make_token
from tests.resolvers.matrix_subjects import EDITOR, SECRETARIAT, token_for
from tests.resolvers.write_matrix_cases import FULL_ROLES, Case, all_cases, request
from tests.resolvers.write_matrix_oracle import send, viewer_of
from tests.resolvers.write_matrix_targets import prepare

pytestmark = pytest.mark.anyio


async def visible_keys(engine: AsyncEngine, viewer: Viewer) -> set[tuple[str, int]]:
    """Every record `viewer` can see, through the read rule."""
    found: set[tuple[str, int]] = set()
    async with engine.connect() as c:
        for type_name, table in NODE_TABLES.items():
            keys = await c.scalars(sa.select(table.c.id).where(visible(viewer, table)))
            found.update((type_name, int(k)) for k in keys)
    return found


async def all_keys(engine: AsyncEngine) -> set[tuple[str, int]]:
    return await visible_keys(engine, Viewer(role=Role.ADMIN))


@dataclass(frozen=True)
class OtherSideAccepts:
    """A step of the walk: the side that the caller's newest pending proposal is addressed
    to accepts it (nothing happens when there is none)."""

    def __str__(self) -> str:
        return "the other side accepts"


Step = Case | OtherSideAccepts


PROPOSALS = table_of(t.Proposal)


ORGANIZATIONS = table_of(t.Organization)


ALLIANCES = table_of(t.Alliance)


Side = tuple[str, int]
"""("organization" or "alliance", its key)."""


def _sides(row: Any, ends: tuple[str, ...] = ("proposer", "addressed")) -> list[Side]:
    return [
        (kind, int(row[f"{end}_{kind}_id"]))
        for end in ends
        for kind in ("organization", "alliance")
        if row[f"{end}_{kind}_id"] is not None
    ]


def _is_caller(viewer: Viewer, side: Side) -> bool:
    kind, key = side
    return key in viewer.scope if kind == "organization" else key == viewer.alliance_id


class Sides:
    """The callers a proposal's sides act through: an editor of the organization, or the
    alliance's secretariat (tokens made on first use)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.tokens: dict[Side, str] = {}

    async def token(self, side: Side) -> str:
        if side not in self.tokens:
            kind, key = side
            table = ORGANIZATIONS if kind == "organization" else ALLIANCES
            async with self.engine.connect() as c:
                name = await c.scalar(sa.select(table.c.name).where(table.c.id == key))
            role = TokenRole.EDITOR if kind == "organization" else TokenRole.SECRETARIAT
            self.tokens[side] = await make_token(self.engine, role, **{kind: name})
        return self.tokens[side]

    async def sees(self, side: Side) -> set[tuple[str, int]]:
        return await visible_keys(
            self.engine, await authenticate(self.engine, await self.token(side))
        )


async def _accepted(engine: AsyncEngine) -> dict[int, Any]:
    async with engine.connect() as c:
        rows = await c.execute(sa.select(PROPOSALS).where(PROPOSALS.c.status == "accepted"))
        return {int(row["id"]): row for row in rows.mappings()}


async def _other_side_accepts(engine: AsyncEngine, viewer: Viewer, sides: Sides) -> None:
    p = PROPOSALS.c
    proposer: list[ColumnElement[bool]] = (
        [p.proposer_organization_id.in_(sorted(viewer.scope))] if viewer.scope else []
    )
    if viewer.alliance_id is not None:
        proposer.append(p.proposer_alliance_id == viewer.alliance_id)
    async with engine.connect() as c:
        result = await c.execute(
            sa.select(PROPOSALS)
            .where(
                sa.or_(sa.false(), *proposer),
                p.status == "pending",
                p.expires_on >= utcnow().date(),
            )
            .order_by(p.id.desc())
            .limit(1)
        )
        row = result.mappings().first()
    if row is None:
        return
    addressed = [side for side in _sides(row, ("addressed",)) if not _is_caller(viewer, side)]
    if not addressed:
        return
    async with api_client(engine, await sides.token(addressed[-1])) as other:
        await send(
            other,
            "acceptProposal",
            {"id": encode_id("Proposal", row["id"]), "version": row["version"]},
        )


async def _walk(databases: Databases, role: str, steps: list[Step]) -> list[str]:
    """Runs the steps as `role`; after each, what the caller sees may have grown only by rows
    the step created and, for a proposal accepted in it, by what its other side sees."""
    engine = create_engine(await databases.demo())
    broken: list[str] = []
    try:
        known = await prepare(engine)
        token = await token_for(role, engine, databases)
        viewer = await viewer_of(engine, token)
        sides = Sides(engine)
        async with api_client(engine, token) as client:
            for step in steps:
                before, existing = await visible_keys(engine, viewer), await all_keys(engine)
                accepted = await _accepted(engine)
                if isinstance(step, Case):
                    await send(client, step.mutation, request(step, known))
                else:
                    await _other_side_accepts(engine, viewer, sides)
                after, now = await visible_keys(engine, viewer), await all_keys(engine)
                grown = after - before - (now - existing)
                for key, row in (await _accepted(engine)).items():
                    if key not in accepted and grown:
                        for side in _sides(row):
                            if not _is_caller(viewer, side):
                                grown -= await sides.sees(side)
                if grown:
                    broken.append(f"{role} {step}: now sees {sorted(grown)}")
    finally:
        await engine.dispose()
    return broken


PROPOSAL_CASES = [c for c in all_cases() if "Proposal" in c.mutation or "propose" in c.mutation]


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    role=st.sampled_from(sorted(FULL_ROLES)),
    steps=st.lists(
        st.one_of(
            st.sampled_from(all_cases()),
            st.sampled_from(PROPOSAL_CASES),
            st.just(OtherSideAccepts()),
        ),
        min_size=1,
        max_size=6,
    ),
)
@example(role=SECRETARIAT, steps=[Case("proposeMembership", 1, "Art"), OtherSideAccepts()])
@example(role=EDITOR, steps=[Case("acceptProposal", 0, "to JOU")])
@example(role=EDITOR, steps=[Case("proposeAgreementParty", 1, "NJU"), OtherSideAccepts()])
def test_what_a_caller_sees_grows_only_by_what_it_created_or_another_side_accepted(
    databases: Databases, role: str, steps: list[Step]
) -> None:
    assert asyncio.run(_walk(databases, role, steps)) == []
