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
from resolvers.report_rollups import note_source
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

_FILTER = strawberry.argument(
    description="The agreements counted: the `agreements` list's filter, applied by the same "
    "code; every agreement the caller may see when left out."
)
_AS_OF = strawberry.argument(
    description="The day the figures are of: statuses, memberships and what was recorded by "
    "the end of that day (docs/reports.md); today when left out."
)


@strawberry.type(description="How many agreements were in one status.")
class StatusCount:
    status: AgreementStatus = strawberry.field(description="The status, as read on that date.")
    count: int = strawberry.field(description="How many agreements were in it.")


def _money(totals: dict[str, Decimal]) -> list[Money]:
    return [Money(amount=amount, currency=currency) for currency, amount in sorted(totals.items())]


@strawberry.type(
    description="The figures of a group of agreements (each agreement once), counted over what "
    "the caller may see; a reporter token counts every agreement."
)
class ReportMeasures:
    agreements: int = strawberry.field(description="How many agreements the group holds.")
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
    dimension: Dimension = strawberry.field(description="The dimension this key is of.")
    value: str | None = strawberry.field(
        description="The kind, status, country code, region, year ('2024'), quarter ('2024-Q1') "
        "or alliance ID; null for agreements without one (no program, not yet signed...)."
    )
    label: str | None = strawberry.field(description="A readable name where the value is an ID.")


@strawberry.type(description="One group of a summary: its keys and its figures.")
class SummaryGroup:
    keys: list[ReportKey] = strawberry.field(
        description="The group's value of each dimension, in the order of `groupBy`."
    )
    measures: ReportMeasures = strawberry.field(description="The figures of its agreements.")


@strawberry.type(description="Cooperation figures, in total and per group.")
class CooperationSummary:
    as_of: date = strawberry.field(description="The day the figures are of (today by default).")
    group_by: list[Dimension] = strawberry.field(
        description="The dimensions grouped by, repeats left out."
    )
    total: ReportMeasures = strawberry.field(
        description="Over every agreement counted, each once (so, for a dimension with several "
        "values per agreement such as PARTY_COUNTRY, less than the sum of the groups)."
    )
    groups: list[SummaryGroup] = strawberry.field(
        description="One entry per combination of values that has agreements; empty without "
        "`groupBy`."
    )


@strawberry.type(description="What happened in one period.")
class TrendPoint:
    period: str = strawberry.field(description="'2024', '2024-Q1' or '2024-01'.")
    starts_on: date = strawberry.field(description="The period's first day.")
    ends_on: date = strawberry.field(description="The period's last day.")
    signed: int = strawberry.field(description="Agreements signed in the period.")
    started: int = strawberry.field(description="Agreements whose effective period began in it.")
    ended: int = strawberry.field(description="Agreements whose effective period ended in it.")
    programs_started: int = strawberry.field(
        description="Programs under the agreements that started in the period."
    )
    enrolments: int = strawberry.field(description="Enrolments in those programs made in it.")
    credits_earned: Decimal = strawberry.field(
        description="Credits earned in those programs in it."
    )
    credits_recognised: Decimal = strawberry.field(
        description="Credits recognised under the agreements' recognition rules in it."
    )
    activities: int = strawberry.field(description="Activities concerning them held in it.")
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
    interval: Interval = strawberry.field(description="The length of each period.")
    points: list[TrendPoint] = strawberry.field(
        description="Every period from `from` to `to`, those without data as zeros."
    )


@strawberry.type(description="One member of an alliance and its cooperation.")
class AllianceMemberReport:
    role: str = strawberry.field(
        description="Its office in the alliance on that date, in lower case (`vice_chair`)."
    )
    agreements_with_members: int = strawberry.field(
        description="Its agreements with another member as a party."
    )
    agreements_with_non_members: int = strawberry.field(
        description="Its agreements with a party that is not a member."
    )
    agreements_with_foreign_partners: int = strawberry.field(
        description="Agreements with a party in another country than the member's."
    )
    programs: int = strawberry.field(description="Programs it is a partner of.")
    last_activity_on: date | None = strawberry.field(
        description="The day of the last activity it took part in; null when none."
    )
    mean_evaluation_score: Decimal | None = strawberry.field(
        description="The mean score (0-100) of the evaluations of its agreements; null when "
        "none is scored."
    )
    organization_id: strawberry.Private[int]

    organization = referenced("Organization", "organization_id", description="The member.")


@strawberry.type(description="An alliance's totals, each agreement and program counted once.")
class AllianceTotals:
    members: int = strawberry.field(description="Members on that date.")
    agreements_between_members: int = strawberry.field(
        description="Agreements with at least two member parties."
    )
    agreements_with_non_members: int = strawberry.field(
        description="Agreements of a member with a party that is not a member."
    )
    agreements_with_foreign_partners: int = strawberry.field(
        description="Agreements of a member with a party in another country than that member's."
    )
    programs: int = strawberry.field(description="Programs with a member as a partner.")
    activities: int = strawberry.field(description="Activities of the alliance itself.")
    mean_evaluation_score: Decimal | None = strawberry.field(
        description="The mean score (0-100) of the evaluations of the members' agreements; "
        "null when none is scored."
    )


@strawberry.type(description="An alliance's members and their cooperation on a date.")
class AllianceReport:
    as_of: date = strawberry.field(description="The day the report is of (today by default).")
    members: list[AllianceMemberReport] = strawberry.field(
        description="Each member on that date, by name."
    )
    totals: AllianceTotals = strawberry.field(description="The alliance as a whole.")


@strawberry.type(description="An agreement in force that ends soon, and its renewal.")
class ExpiringAgreement:
    effective_to: date = strawberry.field(description="The agreement's last day in force.")
    days_left: int = strawberry.field(description="Days from today to that day.")
    renewal_rule: RenewalRule = strawberry.field(description="How the agreement renews.")
    renewal_status: RenewalStatus = strawberry.field(
        description="Where its renewal stands: whether someone must act."
    )
    agreement_id: strawberry.Private[int]
    successor_id: strawberry.Private[int | None]

    agreement = referenced("Agreement", "agreement_id", description="The expiring agreement.")

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
        filter: Annotated[AgreementFilter | None, _FILTER] = None,
        group_by: Annotated[
            list[Dimension] | None,
            strawberry.argument(
                description="Up to 4 dimensions to group by; only the total when left out."
            ),
        ] = None,
        as_of: Annotated[date | None, _AS_OF] = None,
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
        note_source(ctx.extensions, found.source)
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
        interval: Annotated[
            Interval, strawberry.argument(description="The length of each period.")
        ],
        from_: Annotated[
            date,
            strawberry.argument(
                name="from", description="The trend starts with the period holding this day."
            ),
        ],
        to: Annotated[
            date,
            strawberry.argument(
                description="The trend ends with the period holding this day (not before `from`)."
            ),
        ],
        filter: Annotated[AgreementFilter | None, _FILTER] = None,
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
            sources=ctx.extensions,
        )
        return CooperationTrend(interval=interval, points=[TrendPoint.of(p) for p in points])

    @strawberry.field(description="An alliance's members, their cooperation and its totals.")
    async def alliance_report(
        self,
        info: Info,
        alliance: Annotated[
            strawberry.ID, strawberry.argument(description="The alliance (its global ID).")
        ],
        as_of: Annotated[date | None, _AS_OF] = None,
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
        self,
        info: Info,
        within: Annotated[
            int,
            strawberry.argument(
                description=f"How many days ahead to look, from 0 to {lists.MAX_WITHIN_DAYS}."
            ),
        ] = 90,
        first: Annotated[
            int,
            strawberry.argument(
                description=f"How many agreements to answer, from 1 to {MAX_EXPIRING}."
            ),
        ] = 100,
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
