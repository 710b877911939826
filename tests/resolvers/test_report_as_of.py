"""Reports as of a past day (`asOf`): an agreement counts from its signing, with the status its
history gives for that day."""

from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from db.enums import AgreementKind, AgreementStatus, OrganizationKind
from db.tables import Agreement, AgreementParty, HistoryEntry, Organization
from tests.graphql import query
from tests.resolvers.report_data import SUMMARY

pytestmark = pytest.mark.anyio


async def _insert(engine: AsyncEngine, *rows: Any) -> list[int]:
    async with AsyncSession(engine) as session, session.begin():
        session.add_all(rows)
        await session.flush()
        return [r.id for r in rows if isinstance(r, Agreement) and r.id is not None]


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


async def _party(engine: AsyncEngine, agreement_id: int, name: str) -> None:
    async with AsyncSession(engine) as session, session.begin():
        org = Organization(kind=OrganizationKind.UNIVERSITY.value, name=name, country="NZ")
        session.add(org)
        await session.flush()
        assert org.id is not None
        session.add(AgreementParty(agreement_id=agreement_id, organization_id=org.id))


async def _summary_as_of(client: httpx.AsyncClient, day: date | None) -> dict[str, int]:
    data = await query(
        client,
        SUMMARY,
        {"filter": {"partyCountry": ["NZ"]}, "asOf": str(day) if day else None},
    )
    total = data["cooperationSummary"]["total"]
    counts = {s["status"]: s["count"] for s in total["byStatus"]}
    return {"agreements": total["agreements"], "active": total["active"], **counts}


async def test_as_of_counts_an_agreement_from_its_signing_and_reads_its_status_then(
    demo_engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    # Loaded without history: its signing date says when it began to exist.
    (loaded,) = await _insert(
        demo_engine,
        Agreement(
            title="Loaded",
            kind=AgreementKind.FRAMEWORK.value,
            status=AgreementStatus.ACTIVE.value,
            signed_on=date(2021, 5, 1),
            effective_from=date(2021, 6, 1),
            effective_to=date(2023, 12, 31),
        ),
    )
    await _party(demo_engine, loaded, "As-of University A")
    assert await _summary_as_of(client, date(2021, 4, 30)) == {"agreements": 0, "active": 0}
    assert await _summary_as_of(client, date(2021, 5, 15)) == {
        "agreements": 1,
        "active": 0,
        "SIGNED": 1,
    }
    assert await _summary_as_of(client, date(2022, 1, 1)) == {
        "agreements": 1,
        "active": 1,
        "ACTIVE": 1,
    }
    # Past its end date it reads as expired, though nothing wrote that down.
    expired = {"agreements": 1, "active": 0, "EXPIRED": 1}
    assert await _summary_as_of(client, date(2024, 1, 1)) == expired
    assert await _summary_as_of(client, None) == expired


async def test_as_of_follows_the_history_of_an_agreement_terminated_later(
    demo_engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    (key,) = await _insert(
        demo_engine,
        Agreement(
            title="Terminated in 2023",
            kind=AgreementKind.JOINT_PROGRAM.value,
            status=AgreementStatus.TERMINATED.value,
            signed_on=date(2020, 3, 1),
            effective_from=date(2020, 4, 1),
            created_at=_at(date(2020, 1, 10)),
        ),
    )
    await _party(demo_engine, key, "As-of University B")
    steps = [
        (date(2020, 1, 10), None, "draft"),
        (date(2020, 3, 1), "draft", "signed"),
        (date(2020, 4, 1), "signed", "active"),
        (date(2023, 6, 1), "active", "terminated"),
    ]
    await _insert(
        demo_engine,
        *[
            HistoryEntry(
                subject_type="agreement",
                subject_id=key,
                agreement_id=key,
                action="created" if old is None else new,
                changed_at=_at(day),
                changes={"status": {"old": old, "new": new}, "title": {"old": None, "new": "x"}},
            )
            for day, old, new in steps
        ],
    )
    assert await _summary_as_of(client, date(2020, 1, 9)) == {"agreements": 0, "active": 0}
    assert (await _summary_as_of(client, date(2020, 2, 1)))["DRAFT"] == 1
    assert await _summary_as_of(client, date(2022, 1, 1)) == {
        "agreements": 1,
        "active": 1,
        "ACTIVE": 1,
    }
    # Terminated on 2023-06-01: still counted, as active, the day before; terminated from then.
    assert (await _summary_as_of(client, date(2023, 5, 31)))["ACTIVE"] == 1
    terminated = {"agreements": 1, "active": 0, "TERMINATED": 1}
    assert await _summary_as_of(client, date(2023, 6, 1)) == terminated
    assert await _summary_as_of(client, None) == terminated
    # Filtering by status uses the status of that day.
    data = await query(
        client,
        SUMMARY,
        {"filter": {"partyCountry": ["NZ"], "status": ["ACTIVE"]}, "asOf": "2022-01-01"},
    )
    assert data["cooperationSummary"]["total"]["agreements"] == 1
