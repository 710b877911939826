"""A synthetic cooperation network for benchmarks: N organizations, M agreements and what hangs
off them (parties, modes, commitments, alliances with memberships, programs, activities,
funding, evaluations), bulk-inserted (COPY on PostgreSQL, executemany in batches on SQLite).

    uv run python -m bench.generate --organizations 1000 --agreements 10000 \
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench

The database must be migrated and may hold other data (the demo): generated rows take ids above
the current maximum of each table, and sequences are moved past them. Same seed, same network.

The shape, so that the benchmark scenarios find what real users would:
- kinds and countries are skewed (many Chinese universities and businesses, fewer foreign ones);
  one organization in ten is a unit (school, department) of an earlier university;
- partners are drawn with a heavy tail (a few hubs sign many agreements, most sign a few), and one
  agreement in three is between members of the same alliance;
- alliances: one per 200 organizations (at least 3), 20-120 members each, one chair, vice-chairs,
  directors, members and observers, and some past memberships;
- every agreement has 2-5 parties (the first leads), 1-3 collaboration modes, dates in order,
  and a `terms_hash` equal to what `db.terms.refresh_terms_hash` computes;
  signed parties carry the hash they signed;
- programs (one per 20 agreements) with partners and target groups, activities (one per 50
  agreements) with participants and the agreement they concern, funding and evaluations (one per
  20 agreements each).
"""

import argparse
import asyncio
import random
import time
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.generate.agreements import insert_agreements
from bench.generate.alliances import insert_alliances
from bench.generate.organizations import insert_organizations
from bench.generate.programs import insert_programs_and_more
from bench.generate.shape import Picker
from bench.generate.writer import Writer
from db import (
    change_feed,
    change_triggers,
    listing_triggers,
    party_rollup,
    summary_rollup,
    trend_rollup,
)
from db.engine import create_engine

__all__ = ["generate", "main"]


TABLES = [
    "organization",
    "alliance",
    "membership",
    "agreement",
    "agreement_party",
    "agreement_mode",
    "commitment",
    "program",
    "program_partner",
    "program_target_group",
    "activity",
    "activity_participant",
    "activity_agreement",
    "activity_program",
    "funding",
    "evaluation",
    "evaluation_measure",
]


async def generate(
    engine: AsyncEngine, *, organizations: int, agreements: int, seed: int = 1, events: bool = True
) -> None:
    """Add a generated network to a migrated database (see the module's docstring).

    `organization_agreement`'s triggers are off during the load and the table is remade from
    scratch after it, in the same transaction (one join instead of a trigger per party row);
    so are the summary rollups' (`db.summary_rollup`, `db.party_rollup`, `db.trend_rollup`),
    rebuilt after it with their window from today (with their triggers on, 100,000
    organizations had not loaded after 50 minutes).
    Without `events` the change feed's triggers are off too (reinstalled after): the generated
    rows then have no change events, and at 100,000 organizations the load takes minutes
    instead of hours (each party row's event is a PL/pgSQL call and an insert)."""
    if organizations < 10:
        raise ValueError("at least 10 organizations")
    rng = random.Random(seed)
    async with engine.begin() as connection:
        await connection.run_sync(listing_triggers.uninstall)
        rollups = await connection.run_sync(summary_rollup.installed)
        parties = await connection.run_sync(party_rollup.installed)
        if rollups:
            await connection.run_sync(summary_rollup.uninstall)
        if parties:
            await connection.run_sync(party_rollup.uninstall)
            await connection.run_sync(trend_rollup.uninstall)
        if not events:
            await connection.run_sync(_change_triggers_off)
        w = Writer(connection)
        ids, _kinds, _countries = await insert_organizations(w, rng, organizations)
        picker = Picker(rng, ids)
        members_of = await insert_alliances(w, rng, picker, organizations)
        first, count = await insert_agreements(w, rng, picker, members_of, agreements)
        await insert_programs_and_more(w, rng, picker, len(members_of), first, count)
        await w.reset_sequences(TABLES)
        await connection.execute(sa.text("DELETE FROM organization_agreement"))
        await connection.run_sync(listing_triggers.fill)
        await connection.run_sync(listing_triggers.install)
        if (rollups or parties) and engine.dialect.name == "postgresql":
            # statistics for the rows loaded in this transaction, or the rebuilds' joins are
            # planned for empty tables (a nested loop over a million agreements)
            await connection.execute(sa.text("ANALYZE"))
        if rollups:
            await connection.run_sync(summary_rollup.rebuild, date.today())
            await connection.run_sync(summary_rollup.install)
        if parties:
            await connection.run_sync(party_rollup.rebuild)
            await connection.run_sync(party_rollup.install)
            await connection.run_sync(trend_rollup.rebuild)
            await connection.run_sync(trend_rollup.install)
        if not events:
            await connection.run_sync(change_triggers.install)
    if engine.dialect.name == "postgresql":
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(sa.text("VACUUM ANALYZE"))


def _change_triggers_off(connection: Connection) -> None:
    tables = [e.table for e in change_feed.ENTITIES] + [p.table for p in change_feed.PARTS]
    change_triggers.uninstall(connection, tables)


async def _main(
    url: str, organizations: int, agreements: int, seed: int, migrate: bool, events: bool
) -> None:
    engine = create_engine(url)
    if migrate:
        from db.migrate import upgrade

        await upgrade(engine)
    start = time.perf_counter()
    await generate(
        engine, organizations=organizations, agreements=agreements, seed=seed, events=events
    )
    await engine.dispose()
    print(
        f"generated {organizations} organizations and {agreements} agreements "
        f"in {time.perf_counter() - start:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--organizations", type=int, required=True)
    parser.add_argument("--agreements", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--no-migrate", action="store_true", help="the database is migrated")
    parser.add_argument(
        "--without-change-events",
        action="store_true",
        help="no change events for the generated rows (the change feed's triggers off during "
        "the load): minutes instead of hours at 100,000 organizations",
    )
    args = parser.parse_args()
    agreements = args.agreements if args.agreements is not None else args.organizations * 10
    asyncio.run(
        _main(
            args.database_url,
            args.organizations,
            agreements,
            args.seed,
            not args.no_migrate,
            not args.without_change_events,
        )
    )
