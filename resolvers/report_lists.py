"""Reports that list things: an alliance's members and their cooperation, agreements about to
expire with their renewal status, and the agreements themselves for export.

Figures obey the same rule as the summaries (`resolvers.report_terms.counted`).
"""

from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.enums import AgreementStatus, RenewalRule
from resolvers.agreements import NOT_YET_BINDING, AgreementFilter
from resolvers.decimals import scaled
from resolvers.errors import BadUserInput
from resolvers.report_as_of import agreements_as_of
from resolvers.report_terms import (
    ACTIVITY,
    AGREEMENT,
    ALLIANCE,
    EVALUATION,
    IN_FORCE,
    MEMBERSHIP,
    ORGANIZATION,
    PARTY,
    counted,
    mean_score,
)
from resolvers.viewer import Viewer
from resolvers.visibility import visible

__all__ = [
    "EXPORT_COLUMNS",
    "MAX_EXPIRING",
    "AllianceMember",
    "AllianceTotals",
    "Expiring",
    "RenewalStatus",
    "alliance_report",
    "check_expiring_first",
    "check_within",
    "expiring_agreements",
    "export_agreements",
]

MAX_WITHIN_DAYS = 3660
MAX_EXPIRING = 500


@dataclass
class AllianceMember:
    organization_id: int
    name: str
    country: str | None
    role: str
    agreements_with_members: int
    agreements_with_non_members: int
    agreements_with_foreign_partners: int
    programs: int
    last_activity_on: date | None
    mean_score: Decimal | None


@dataclass
class AllianceTotals:
    members: int
    agreements_between_members: int
    agreements_with_non_members: int
    agreements_with_foreign_partners: int
    programs: int
    activities: int
    mean_score: Decimal | None


def _members(alliance_id: int, day: date) -> Any:
    m = MEMBERSHIP.c
    return (
        sa.select(m.organization_id, m.role)
        .where(
            m.alliance_id == alliance_id,
            sa.or_(m.joined_on.is_(None), m.joined_on <= day),
            sa.or_(m.left_on.is_(None), m.left_on > day),
        )
        .subquery("member")
    )


def _score_sum_and_count(total: sa.Select[Any]) -> list[Any]:
    """The sum of the scores `total` selects and their number, as two scalar subqueries: the
    mean is taken from them in Python (`_mean`), not with SQL's AVG, which SQLite takes over
    floats (the mean of 70.10 and 80.25 came out 75.17 there, 75.18 on PostgreSQL)."""
    count = total.with_only_columns(sa.func.count(EVALUATION.c.score))
    return [
        total.scalar_subquery().label("score_sum"),
        count.scalar_subquery().label("scores"),
    ]


def _mean(total: Any, n: Any) -> Decimal | None:
    return mean_score(scaled(total, EVALUATION.c.score), int(n or 0))


async def alliance_report(
    *, engine: AsyncEngine, viewer: Viewer, alliance_id: int, as_of: date | None
) -> tuple[list[AllianceMember], AllianceTotals] | None:
    """Each member's cooperation on `as_of` (today by default), and the alliance's totals;
    `None` when there is no such alliance."""
    day = as_of or date.today()
    members = _members(alliance_id, day)
    agreements = agreements_as_of(viewer, None, as_of)
    me, other = PARTY.alias("me"), PARTY.alias("other")
    org, other_org = ORGANIZATION.alias("org"), ORGANIZATION.alias("other_org")
    is_member = other.c.organization_id.in_(sa.select(members.c.organization_id))

    def with_other(condition: Any, organization: Any) -> Any:
        """Counted agreements of `organization` with another party meeting `condition`."""
        return (
            sa.select(sa.func.count(sa.distinct(me.c.agreement_id)))
            .select_from(
                me.join(agreements, agreements.c.id == me.c.agreement_id)
                .join(other, other.c.agreement_id == me.c.agreement_id)
                .join(other_org, other_org.c.id == other.c.organization_id)
            )
            .where(
                me.c.organization_id == organization,
                other.c.organization_id != me.c.organization_id,
                condition,
            )
            .scalar_subquery()
        )

    from db import tables as t
    from db.base import table_of

    partner = table_of(t.ProgramPartner)
    participant = table_of(t.ActivityParticipant)
    evaluated = PARTY.alias("evaluated")
    per_member = (
        sa.select(
            org.c.id,
            org.c.name,
            org.c.country,
            members.c.role,
            with_other(is_member, org.c.id).label("with_members"),
            with_other(~is_member, org.c.id).label("with_non_members"),
            with_other(
                sa.and_(other_org.c.country.is_not(None), other_org.c.country != org.c.country),
                org.c.id,
            ).label("with_foreign"),
            sa.select(sa.func.count())
            .where(partner.c.organization_id == org.c.id)
            .scalar_subquery()
            .label("programs"),
            sa.select(sa.func.max(ACTIVITY.c.held_on))
            .join_from(participant, ACTIVITY, ACTIVITY.c.id == participant.c.activity_id)
            .where(
                participant.c.organization_id == org.c.id,
                ACTIVITY.c.held_on <= day,
                counted(viewer, ACTIVITY),
            )
            .scalar_subquery()
            .label("last_activity_on"),
            *_score_sum_and_count(
                sa.select(sa.func.sum(EVALUATION.c.score))
                .join_from(
                    EVALUATION, evaluated, evaluated.c.agreement_id == EVALUATION.c.agreement_id
                )
                .where(
                    evaluated.c.organization_id == org.c.id,
                    EVALUATION.c.agreement_id.in_(sa.select(agreements.c.id)),
                    sa.or_(EVALUATION.c.period_end.is_(None), EVALUATION.c.period_end <= day),
                    counted(viewer, EVALUATION),
                )
            ),
        )
        .join_from(members, org, org.c.id == members.c.organization_id)
        .order_by(org.c.name, org.c.id)
    )
    # Totals: each agreement once, over the members as a whole.
    member_party = PARTY.alias("member_party")
    member_org = ORGANIZATION.alias("member_org")
    of_members = (
        sa.select(member_party.c.agreement_id, member_org.c.country)
        .join(member_org, member_org.c.id == member_party.c.organization_id)
        .where(member_party.c.organization_id.in_(sa.select(members.c.organization_id)))
        .where(member_party.c.agreement_id.in_(sa.select(agreements.c.id)))
        .subquery("of_members")
    )

    def total_with(condition: Any) -> Any:
        return (
            sa.select(sa.func.count(sa.distinct(of_members.c.agreement_id)))
            .join_from(of_members, other, other.c.agreement_id == of_members.c.agreement_id)
            .join(other_org, other_org.c.id == other.c.organization_id)
            .where(condition)
            .scalar_subquery()
        )

    member_ids = sa.select(members.c.organization_id)
    totals = sa.select(
        sa.select(sa.func.count()).select_from(members).scalar_subquery(),
        # Between members: at least two member parties.
        sa.select(sa.func.count())
        .select_from(
            sa.select(of_members.c.agreement_id)
            .group_by(of_members.c.agreement_id)
            .having(sa.func.count() > 1)
            .subquery()
        )
        .scalar_subquery(),
        total_with(other.c.organization_id.not_in(member_ids)),
        total_with(
            sa.and_(other_org.c.country.is_not(None), other_org.c.country != of_members.c.country)
        ),
        sa.select(sa.func.count(sa.distinct(partner.c.program_id)))
        .where(partner.c.organization_id.in_(member_ids))
        .scalar_subquery(),
        sa.select(sa.func.count())
        .where(
            ACTIVITY.c.alliance_id == alliance_id,
            ACTIVITY.c.held_on <= day,
            counted(viewer, ACTIVITY),
        )
        .scalar_subquery(),
        *_score_sum_and_count(
            sa.select(sa.func.sum(EVALUATION.c.score)).where(
                EVALUATION.c.agreement_id.in_(sa.select(of_members.c.agreement_id)),
                sa.or_(EVALUATION.c.period_end.is_(None), EVALUATION.c.period_end <= day),
                counted(viewer, EVALUATION),
            )
        ),
    )
    async with engine.connect() as connection:
        if (
            await connection.scalar(sa.select(ALLIANCE.c.id).where(ALLIANCE.c.id == alliance_id))
            is None
        ):
            return None
        rows = (await connection.execute(per_member)).mappings().all()
        total = (await connection.execute(totals)).one()
    found = [
        AllianceMember(
            organization_id=r["id"],
            name=r["name"],
            country=r["country"],
            role=r["role"],
            agreements_with_members=int(r["with_members"] or 0),
            agreements_with_non_members=int(r["with_non_members"] or 0),
            agreements_with_foreign_partners=int(r["with_foreign"] or 0),
            programs=int(r["programs"] or 0),
            last_activity_on=r["last_activity_on"],
            mean_score=_mean(r["score_sum"], r["scores"]),
        )
        for r in rows
    ]
    return found, AllianceTotals(
        members=int(total[0]),
        agreements_between_members=int(total[1] or 0),
        agreements_with_non_members=int(total[2] or 0),
        agreements_with_foreign_partners=int(total[3] or 0),
        programs=int(total[4] or 0),
        activities=int(total[5] or 0),
        mean_score=_mean(total[6], total[7]),
    )


class RenewalStatus(StrEnum):
    """Where the renewal of an expiring agreement stands, for the secretariat's reminders."""

    RENEWED = "renewed"
    """A successor is signed or in force."""
    IN_PROGRESS = "in_progress"
    """A successor is being drafted, negotiated or approved."""
    AUTOMATIC = "automatic"
    """No successor yet, but the agreement renews itself."""
    DUE = "due"
    """No successor, and renewal is by hand: someone must act."""
    NOT_RENEWABLE = "not_renewable"


@dataclass
class Expiring:
    agreement_id: int
    title: str
    effective_to: date
    days_left: int
    renewal_rule: str
    renewal_status: RenewalStatus
    successor_id: int | None


def check_within(within: int) -> None:
    """`within` of the expiring agreements, refused out of range."""
    if within < 0 or within > MAX_WITHIN_DAYS:
        raise BadUserInput(f"within must be between 0 and {MAX_WITHIN_DAYS} days", field="within")


def check_expiring_first(first: int) -> None:
    """`first` of the expiring agreements (a list of its own, up to `MAX_EXPIRING`)."""
    if not 0 < first <= MAX_EXPIRING:
        raise BadUserInput(f"first must be between 1 and {MAX_EXPIRING}", field="first")


async def expiring_agreements(
    *, engine: AsyncEngine, viewer: Viewer, within: int, limit: int | None
) -> list[Expiring]:
    """Agreements in force that end within `within` days from today, soonest first."""
    check_within(within)
    today = date.today()
    base = agreements_as_of(viewer, None, None, rows=True)
    a = AGREEMENT.c
    successor = AGREEMENT.alias("successor")
    statement = (
        sa.select(
            a.id,
            a.title,
            a.effective_to,
            a.renewal_rule,
            successor.c.id.label("successor_id"),
            successor.c.status.label("successor_status"),
        )
        .join_from(base, AGREEMENT, a.id == base.c.id)
        .outerjoin(
            successor,
            sa.and_(
                successor.c.predecessor_id == a.id,
                successor.c.status.not_in(
                    [AgreementStatus.TERMINATED.value, AgreementStatus.SUPERSEDED.value]
                ),
                successor.c.id.in_(sa.select(AGREEMENT.c.id).where(visible(viewer, AGREEMENT))),
            ),
        )
        .where(
            base.c.status.in_(IN_FORCE),
            a.effective_to >= today,
            a.effective_to <= today + timedelta(days=within),
        )
        .order_by(a.effective_to, a.id)
    )
    if limit is not None:
        statement = statement.limit(limit)
    found: dict[int, Expiring] = {}
    async with engine.connect() as connection:
        for r in (await connection.execute(statement)).mappings():
            status = _renewal(r["renewal_rule"], r["successor_status"])
            known = found.get(r["id"])
            if known is not None and _RANK[known.renewal_status] <= _RANK[status]:
                continue
            found[r["id"]] = Expiring(
                agreement_id=r["id"],
                title=r["title"],
                effective_to=r["effective_to"],
                days_left=(r["effective_to"] - today).days,
                renewal_rule=r["renewal_rule"],
                renewal_status=status,
                successor_id=r["successor_id"],
            )
    return list(found.values())


_RANK = {s: i for i, s in enumerate(RenewalStatus)}


def _renewal(rule: str, successor_status: str | None) -> RenewalStatus:
    if successor_status is not None:
        if successor_status in {s.value for s in NOT_YET_BINDING}:
            return RenewalStatus.IN_PROGRESS
        return RenewalStatus.RENEWED
    if rule == RenewalRule.AUTOMATIC:
        return RenewalStatus.AUTOMATIC
    if rule == RenewalRule.MANUAL:
        return RenewalStatus.DUE
    return RenewalStatus.NOT_RENEWABLE


EXPORT_COLUMNS: Sequence[str] = (
    "id",
    "reference",
    "title",
    "kind",
    "status",
    "signed_on",
    "effective_from",
    "effective_to",
    "renewal_rule",
)


async def export_agreements(
    *,
    engine: AsyncEngine,
    viewer: Viewer,
    filter: AgreementFilter | None,
    as_of: date | None,
    batch: int = 2000,
) -> AsyncGenerator[Sequence[tuple[Any, ...]], None]:
    """The counted agreements in batches, from a server-side cursor: memory stays constant
    whatever the number of rows."""
    base = agreements_as_of(viewer, filter, as_of, rows=True)
    a = AGREEMENT.c
    statement = (
        sa.select(
            a.id,
            a.reference,
            a.title,
            a.kind,
            base.c.status,
            a.signed_on,
            a.effective_from,
            a.effective_to,
            a.renewal_rule,
        )
        .join_from(base, AGREEMENT, a.id == base.c.id)
        .order_by(a.id)
        .execution_options(yield_per=batch)
    )
    async with engine.connect() as connection:
        result = await connection.stream(statement)
        async for rows in result.partitions(batch):
            yield [tuple(r) for r in rows]
