"""Cooperation summaries, trends, an alliance's report and expiring agreements (docs/reports.md)."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from resolvers import report_lists as lists
from resolvers import report_terms as terms
from resolvers import report_trends as trends
from resolvers import reports as reads
from resolvers.errors import NotFound, excerpt
from resolvers.ids import decode_id_of
from resolvers.references import require_references
from schema.agreements import AgreementFilter
from schema.compiled.declare import referenced
from schema.enums import (
    AgreementStatus,
    Dimension,
    Interval,
    RenewalRule,
    RenewalStatus,
)
from schema.funding import Money
from schema.limits import CHECKS
from schema.relay import Info

if TYPE_CHECKING:
    from schema.agreements import Agreement
    from schema.organizations import Organization

__all__ = [
    "AllianceReport",
    "CooperationSummary",
    "CooperationTrend",
    "ExpiringAgreement",
    "ReportQuery",
]


AgreementRef = Annotated["Agreement", strawberry.lazy("schema.agreements")]
OrganizationRef = Annotated["Organization", strawberry.lazy("schema.organizations")]

MAX_EXPIRING = lists.MAX_EXPIRING

_STATUSES = {status.value: status for status in AgreementStatus}


@strawberry.type(description="How many agreements were in one status.")
class StatusCount:
    status: AgreementStatus
    count: int


def _money(totals: dict[str, Decimal]) -> list[Money]:
    return [Money(amount=amount, currency=currency) for currency, amount in sorted(totals.items())]


@strawberry.type(description="The figures of a group of agreements (each agreement once).")
class ReportMeasures:
    agreements: int
    by_status: list[StatusCount] = strawberry.field(
        description="Agreements per status (as of the report's date), statuses with none left out."
    )
    active: int = strawberry.field(
        description="Agreements in force (signed or active, not expired) and begun on that date."
    )
    parties: int = strawberry.field(description="Distinct organizations party to them.")
    programs: int = strawberry.field(description="Programs run under them.")
    enrolments: int = strawberry.field(description="Enrolments in those programs.")
    credits_earned: Decimal = strawberry.field(description="Credits earned in those programs.")
    credits_recognised: Decimal = strawberry.field(
        description="Credits recognised under their recognition rules."
    )
    resources_shared: int = strawberry.field(description="Resource shares under them.")
    activities: int = strawberry.field(description="Activities concerning them.")
    mean_evaluation_score: Decimal | None = strawberry.field(
        description="Mean score of their evaluations (0-100), none without a scored one."
    )
    funding: list[Money] = strawberry.field(
        description="Funding awarded to them or to their programs, summed per currency."
    )

    @classmethod
    def of(cls, m: terms.Measures) -> "ReportMeasures":
        return cls(
            agreements=m.agreements,
            by_status=[
                StatusCount(status=_STATUSES[s], count=n) for s, n in m.by_status.items() if n
            ],
            active=m.active,
            parties=m.parties,
            programs=m.programs,
            enrolments=m.enrolments,
            credits_earned=m.credits_earned,
            credits_recognised=m.credits_recognised,
            resources_shared=m.resources_shared,
            activities=m.activities,
            mean_evaluation_score=m.mean_score,
            funding=_money(m.funding),
        )


@strawberry.type(description="The value of one dimension for a group.")
class ReportKey:
    dimension: Dimension
    value: str | None = strawberry.field(
        description="The kind, status, country code, region, year ('2024'), quarter ('2024-Q1') "
        "or alliance ID; null for agreements without one (no program, not yet signed...)."
    )
    label: str | None = strawberry.field(description="A readable name where the value is an ID.")


@strawberry.type(description="One group of a summary: its keys and its figures.")
class SummaryGroup:
    keys: list[ReportKey]
    measures: ReportMeasures


@strawberry.type(description="Cooperation figures, in total and per group.")
class CooperationSummary:
    as_of: date
    group_by: list[Dimension]
    total: ReportMeasures = strawberry.field(
        description="Over every agreement counted, each once (so, for a dimension with several "
        "values per agreement such as PARTY_COUNTRY, less than the sum of the groups)."
    )
    groups: list[SummaryGroup]


@strawberry.type(description="What happened in one period.")
class TrendPoint:
    period: str = strawberry.field(description="'2024', '2024-Q1' or '2024-01'.")
    starts_on: date
    ends_on: date
    signed: int = strawberry.field(description="Agreements signed in the period.")
    started: int = strawberry.field(description="Agreements whose effective period began in it.")
    ended: int = strawberry.field(description="Agreements whose effective period ended in it.")
    programs_started: int
    enrolments: int
    credits_earned: Decimal
    credits_recognised: Decimal
    activities: int
    evaluations: int = strawberry.field(description="Evaluations whose period ended in it.")
    funding: list[Money] = strawberry.field(description="Funding awarded in it, per currency.")

    @classmethod
    def of(cls, p: trends.TrendPoint) -> "TrendPoint":
        return cls(
            period=p.period,
            starts_on=p.starts_on,
            ends_on=p.ends_on,
            signed=p.signed,
            started=p.started,
            ended=p.ended,
            programs_started=p.programs_started,
            enrolments=p.enrolments,
            credits_earned=p.credits_earned,
            credits_recognised=p.credits_recognised,
            activities=p.activities,
            evaluations=p.evaluations,
            funding=_money(p.funding),
        )


@strawberry.type(description="A time series over the agreements a filter selects.")
class CooperationTrend:
    interval: Interval
    points: list[TrendPoint] = strawberry.field(
        description="Every period from `from` to `to`, those without data as zeros."
    )


@strawberry.type(description="One member of an alliance and its cooperation.")
class AllianceMemberReport:
    role: str
    agreements_with_members: int
    agreements_with_non_members: int
    agreements_with_foreign_partners: int = strawberry.field(
        description="Agreements with a party in another country than the member's."
    )
    programs: int = strawberry.field(description="Programs it is a partner of.")
    last_activity_on: date | None
    mean_evaluation_score: Decimal | None
    organization_id: strawberry.Private[int]

    organization = referenced("Organization", "organization_id")


@strawberry.type(description="An alliance's totals, each agreement and program counted once.")
class AllianceTotals:
    members: int
    agreements_between_members: int = strawberry.field(
        description="Agreements with at least two member parties."
    )
    agreements_with_non_members: int
    agreements_with_foreign_partners: int
    programs: int
    activities: int = strawberry.field(description="Activities of the alliance itself.")
    mean_evaluation_score: Decimal | None


@strawberry.type(description="An alliance's members and their cooperation on a date.")
class AllianceReport:
    as_of: date
    members: list[AllianceMemberReport]
    totals: AllianceTotals


@strawberry.type(description="An agreement in force that ends soon, and its renewal.")
class ExpiringAgreement:
    effective_to: date
    days_left: int
    renewal_rule: RenewalRule
    renewal_status: RenewalStatus
    agreement_id: strawberry.Private[int]
    successor_id: strawberry.Private[int | None]

    agreement = referenced("Agreement", "agreement_id")

    successor = referenced(
        "Agreement",
        "successor_id",
        description="The agreement renewing it, if one is drafted or signed.",
    )


_ACTIVITY_FIELDS = {
    "programs",
    "enrolments",
    "creditsEarned",
    "creditsRecognised",
    "resourcesShared",
    "activities",
    "meanEvaluationScore",
}


def _field_names(selections: Sequence[Any]) -> set[str]:
    names: set[str] = set()
    for selection in selections:
        name = getattr(selection, "name", None)
        if name is not None:
            names.add(name)
        names |= _field_names(getattr(selection, "selections", []))
    return names


def _parts_asked(info: Info) -> frozenset[terms.Part]:
    """The families of figures the query selects: the others cost no SQL."""
    names = _field_names(info.selected_fields)
    parts = set()
    if names & _ACTIVITY_FIELDS:
        parts.add(terms.Part.ACTIVITY)
    if "parties" in names:
        parts.add(terms.Part.PARTIES)
    if "funding" in names:
        parts.add(terms.Part.FUNDING)
    return frozenset(parts)


@strawberry.type
class ReportQuery:
    @strawberry.field(
        description="Cooperation figures over the agreements `filter` selects (the filter of "
        "`agreements`), grouped by up to 4 dimensions, as they were on `asOf` (default today)."
    )
    async def cooperation_summary(
        self,
        info: Info,
        filter: AgreementFilter | None = None,
        group_by: list[Dimension] | None = None,
        as_of: date | None = None,
    ) -> CooperationSummary:
        ctx = info.context
        await require_references(ctx, filter)
        dimensions = list(dict.fromkeys(group_by or []))
        found = await reads.summary_with_total(
            engine=ctx.engine,
            viewer=ctx.viewer,
            filter=filter,
            group_by=dimensions,
            as_of=as_of,
            parts=_parts_asked(info),
        )
        return CooperationSummary(
            as_of=as_of or date.today(),
            group_by=dimensions,
            total=ReportMeasures.of(found.total),
            groups=[
                SummaryGroup(
                    keys=[
                        ReportKey(dimension=d, value=g.keys[d], label=g.labels.get(d))
                        for d in dimensions
                    ],
                    measures=ReportMeasures.of(g.measures),
                )
                for g in found.groups
            ],
        )

    @strawberry.field(
        description="What happened in each period (YEAR, QUARTER or MONTH) from `from` to `to` "
        "over the agreements `filter` selects; at most 400 periods."
    )
    async def cooperation_trend(
        self,
        info: Info,
        interval: Interval,
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
        filter: AgreementFilter | None = None,
    ) -> CooperationTrend:
        ctx = info.context
        await require_references(ctx, filter)
        points = await trends.trend(
            engine=ctx.engine,
            viewer=ctx.viewer,
            filter=filter,
            interval=interval,
            start=from_,
            end=to,
        )
        return CooperationTrend(interval=interval, points=[TrendPoint.of(p) for p in points])

    @strawberry.field(description="An alliance's members, their cooperation and its totals.")
    async def alliance_report(
        self, info: Info, alliance: strawberry.ID, as_of: date | None = None
    ) -> AllianceReport:
        ctx = info.context
        key = decode_id_of(alliance, "Alliance", field="alliance")
        found = await lists.alliance_report(
            engine=ctx.engine, viewer=ctx.viewer, alliance_id=key, as_of=as_of
        )
        if found is None:
            raise NotFound(f"no Alliance with ID {excerpt(alliance)}", field="alliance")
        members, totals = found
        return AllianceReport(
            as_of=as_of or date.today(),
            members=[
                AllianceMemberReport(
                    role=m.role,
                    agreements_with_members=m.agreements_with_members,
                    agreements_with_non_members=m.agreements_with_non_members,
                    agreements_with_foreign_partners=m.agreements_with_foreign_partners,
                    programs=m.programs,
                    last_activity_on=m.last_activity_on,
                    mean_evaluation_score=m.mean_score,
                    organization_id=m.organization_id,
                )
                for m in members
            ],
            totals=AllianceTotals(
                members=totals.members,
                agreements_between_members=totals.agreements_between_members,
                agreements_with_non_members=totals.agreements_with_non_members,
                agreements_with_foreign_partners=totals.agreements_with_foreign_partners,
                programs=totals.programs,
                activities=totals.activities,
                mean_evaluation_score=totals.mean_score,
            ),
        )

    @strawberry.field(
        description="Agreements in force ending within `within` days, soonest first, with the "
        f"renewal status of each; at most {MAX_EXPIRING} (the CSV export has them all).",
        metadata={CHECKS: {"first": lists.check_expiring_first, "within": lists.check_within}},
    )
    async def expiring_agreements(
        self, info: Info, within: int = 90, first: int = 100
    ) -> list[ExpiringAgreement]:
        ctx = info.context
        lists.check_expiring_first(first)
        found = await lists.expiring_agreements(
            engine=ctx.engine, viewer=ctx.viewer, within=within, limit=first
        )
        return [
            ExpiringAgreement(
                effective_to=e.effective_to,
                days_left=e.days_left,
                renewal_rule=RenewalRule(e.renewal_rule),
                renewal_status=e.renewal_status,
                agreement_id=e.agreement_id,
                successor_id=e.successor_id,
            )
            for e in found
        ]
