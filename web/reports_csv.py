"""`GET /reports/<name>.csv`: the reports as CSV (RFC 4180, UTF-8, a header row), streamed.

The same bearer token as GraphQL, read the same way (`resolvers.tokens.authenticate`), the same
private mode and rate limiter; the filters of `agreements` as query parameters (a list as
repeated parameters or comma-separated; enum values as in GraphQL or in lower case).
Rows are written as they come: the agreements export reads a server-side cursor in batches, so
memory stays constant whatever the number of rows.
"""

import csv
import dataclasses
import io
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from db.enums import (
    AgreementKind,
    AgreementStatus,
    CollaborationMode,
    OrganizationKind,
)
from resolvers import report_lists as lists
from resolvers import report_terms as terms
from resolvers import report_trends as trends
from resolvers import reports
from resolvers.agreements import AgreementFilter
from resolvers.context import build_context
from resolvers.decimals import zero
from resolvers.errors import (
    ApiError,
    BadUserInput,
    NotFound,
    excerpt,
)
from resolvers.ids import decode_id_of, encode_id
from resolvers.rate_limit import RateLimiter
from resolvers.references import require_references
from resolvers.viewer import Viewer
from settings import Settings
from telemetry.facts import set_road
from web.access import admit, query_enums, query_values, refusal

__all__ = ["REPORTS", "report_routes"]

log = logging.getLogger("partnergraph.reports")

Rows = AsyncIterator[Iterable[Sequence[Any]]]

COST = 100
"""Rate-limit points one CSV download spends (a GraphQL summary costs about as much)."""


# --- query parameters ----------------------------------------------------------------------


def _date(request: Request, name: str) -> date | None:
    value = request.query_params.get(name)
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise BadUserInput(f"{excerpt(value)} is not an ISO 8601 date", field=name) from None


def _int(request: Request, name: str, default: int) -> int:
    value = request.query_params.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        raise BadUserInput(f"{excerpt(value)} is not an integer", field=name) from None


def _filter(request: Request) -> AgreementFilter:
    p = request.query_params
    return AgreementFilter(
        kind=query_enums(request, "kind", AgreementKind),
        status=query_enums(request, "status", AgreementStatus),
        mode=query_enums(request, "mode", CollaborationMode),
        party=p.get("party") or None,  # type: ignore[arg-type]
        party_kind=query_enums(request, "partyKind", OrganizationKind),
        party_country=query_values(request, "partyCountry"),
        party_alliance=p.get("partyAlliance") or None,  # type: ignore[arg-type]
        active_on=_date(request, "activeOn"),
        expiring_before=_date(request, "expiringBefore"),
        signed_from=_date(request, "signedFrom"),
        signed_to=_date(request, "signedTo"),
        text=p.get("text") or None,
        include_units=_flag(request, "includeUnits", default=True),
    )


def _flag(request: Request, name: str, *, default: bool) -> bool:
    value = request.query_params.get(name)
    if value is None or not value.strip():
        return default
    if value.strip().lower() not in ("true", "false"):
        raise BadUserInput(f"{excerpt(value)} is not true or false", field=name)
    return value.strip().lower() == "true"


# --- cells ---------------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, date | Decimal):
        return str(value)
    return value


_NO_FUNDING = zero(terms.FUNDING.c.amount)


def _currencies(found: Iterable[dict[str, Decimal]]) -> list[str]:
    return sorted({c for funding in found for c in funding})


MEASURES = [
    "agreements",
    "active",
    *[f"status_{s.value}" for s in AgreementStatus],
    "parties",
    "programs",
    "enrolments",
    "credits_earned",
    "credits_recognised",
    "resources_shared",
    "activities",
    "mean_evaluation_score",
]


def _measures(m: terms.Measures) -> list[Any]:
    return [
        m.agreements,
        m.active,
        *[m.by_status.get(s.value, 0) for s in AgreementStatus],
        m.parties,
        m.programs,
        m.enrolments,
        m.credits_earned,
        m.credits_recognised,
        m.resources_shared,
        m.activities,
        m.mean_score,
    ]


# --- the reports ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Call:
    engine: AsyncEngine
    viewer: Viewer
    request: Request


async def _one(rows: Sequence[Sequence[Any]]) -> Rows:
    yield rows


async def summary(call: Call) -> Rows:
    dimensions = query_enums(call.request, "groupBy", terms.Dimension) or []
    found = await reports.summary(
        engine=call.engine,
        viewer=call.viewer,
        filter=_filter(call.request),
        group_by=dimensions,
        as_of=_date(call.request, "asOf"),
    )
    currencies = _currencies(r.measures.funding for r in found)
    header = [d.value for d in dimensions] + MEASURES + [f"funding_{c}" for c in currencies]
    rows = [
        [r.keys[d] for d in dimensions]
        + _measures(r.measures)
        + [r.measures.funding.get(c, _NO_FUNDING) for c in currencies]
        for r in found
    ]
    return _one([header, *rows])


async def modes(call: Call) -> Rows:
    """The summary once per collaboration mode (the modes the filter names, else all): an
    agreement counts in each mode it covers, as with `cooperationSummary(filter: {mode: [M]})`."""
    base = _filter(call.request)
    as_of = _date(call.request, "asOf")
    rows = []
    for mode in base.mode or list(CollaborationMode):
        found = await reports.summary_with_total(
            engine=call.engine,
            viewer=call.viewer,
            filter=dataclasses.replace(base, mode=[mode]),
            group_by=[],
            as_of=as_of,
        )
        rows.append((mode, found.total))
    currencies = _currencies(m.funding for _, m in rows)
    header = ["mode", *MEASURES, *[f"funding_{c}" for c in currencies]]
    return _one(
        [
            header,
            *(
                [mode, *_measures(m), *[m.funding.get(c, _NO_FUNDING) for c in currencies]]
                for mode, m in rows
            ),
        ]
    )


async def trend(call: Call) -> Rows:
    request = call.request
    interval = (query_enums(request, "interval", terms.Interval) or [terms.Interval.YEAR])[0]
    start, end = _date(request, "from"), _date(request, "to")
    if start is None or end is None:
        raise BadUserInput("give both `from` and `to` (ISO 8601 dates)", field="from")
    points = await trends.trend(
        engine=call.engine,
        viewer=call.viewer,
        filter=_filter(request),
        interval=interval,
        start=start,
        end=end,
    )
    currencies = _currencies(p.funding for p in points)
    names = [
        "signed",
        "started",
        "ended",
        "programs_started",
        "enrolments",
        "credits_earned",
        "credits_recognised",
        "activities",
        "evaluations",
    ]
    header = ["period", "starts_on", "ends_on", *names, *[f"funding_{c}" for c in currencies]]
    rows = [
        [p.period, p.starts_on, p.ends_on, *[getattr(p, n) for n in names]]
        + [p.funding.get(c, _NO_FUNDING) for c in currencies]
        for p in points
    ]
    return _one([header, *rows])


async def alliance(call: Call) -> Rows:
    raw = call.request.query_params.get("alliance")
    if not raw:
        raise BadUserInput("give the alliance's ID as `alliance`", field="alliance")
    key = decode_id_of(raw, "Alliance", field="alliance")
    found = await lists.alliance_report(
        engine=call.engine, viewer=call.viewer, alliance_id=key, as_of=_date(call.request, "asOf")
    )
    if found is None:
        raise NotFound(f"no Alliance with ID {excerpt(raw)}", field="alliance")
    names = [
        "agreements_with_members",
        "agreements_with_non_members",
        "agreements_with_foreign_partners",
        "programs",
        "last_activity_on",
        "mean_score",
    ]
    header = ["organization_id", "name", "country", "role", *names]
    rows = [
        [encode_id("Organization", m.organization_id), m.name, m.country, m.role]
        + [getattr(m, n) for n in names]
        for m in found[0]
    ]
    return _one([header, *rows])


async def expiring(call: Call) -> Rows:
    found = await lists.expiring_agreements(
        engine=call.engine,
        viewer=call.viewer,
        within=_int(call.request, "within", 90),
        limit=None,
    )
    header = [
        "agreement_id",
        "title",
        "effective_to",
        "days_left",
        "renewal_rule",
        "renewal_status",
        "successor_id",
    ]
    rows = [
        [
            encode_id("Agreement", e.agreement_id),
            e.title,
            e.effective_to,
            e.days_left,
            e.renewal_rule,
            e.renewal_status,
            encode_id("Agreement", e.successor_id) if e.successor_id else None,
        ]
        for e in found
    ]
    return _one([header, *rows])


async def agreements(call: Call) -> Rows:
    batches = lists.export_agreements(
        engine=call.engine,
        viewer=call.viewer,
        filter=_filter(call.request),
        as_of=_date(call.request, "asOf"),
    )

    first = await anext(batches, None)  # before the answer starts: a failure can still be told

    async def rows() -> Rows:
        try:
            yield [lists.EXPORT_COLUMNS]
            if first is not None:
                yield [(encode_id("Agreement", r[0]), *r[1:]) for r in first]
            async for batch in batches:
                yield [(encode_id("Agreement", r[0]), *r[1:]) for r in batch]
        finally:
            await batches.aclose()

    return rows()


REPORTS: dict[str, Callable[[Call], Any]] = {
    "summary": summary,
    "modes": modes,
    "trend": trend,
    "alliance": alliance,
    "expiring": expiring,
    "agreements": agreements,
}


# --- HTTP ----------------------------------------------------------------------------------


async def _encoded(rows: Rows) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    async for batch in rows:
        writer.writerows([_cell(v) for v in row] for row in batch)
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()


def report_routes(
    *,
    engine: AsyncEngine,
    settings: Settings,
    limiter: RateLimiter,
    credentials_of: Callable[[str | None], str | None],
) -> list[Route]:
    """The CSV routes; `credentials_of` reads the Authorization header as GraphQL does."""

    async def endpoint(request: Request) -> Response:
        set_road("csv")
        name = request.path_params["name"]
        report = REPORTS.get(name)
        if report is None:
            known = ", ".join(f"{n}.csv" for n in REPORTS)
            return refusal(NotFound(f"no report {excerpt(name)}; there are {known}"))
        try:
            viewer = await admit(
                request,
                engine=engine,
                settings=settings,
                limiter=limiter,
                credentials_of=credentials_of,
                cost=COST,
            )
            ctx = build_context(engine=engine, viewer=viewer, settings=settings)
            await require_references(ctx, _filter(request), path="query")
            rows = await report(Call(engine=engine, viewer=viewer, request=request))
        except ApiError as error:
            log.info("refused report %s: %s (%s)", name, error.code, error.message)
            return refusal(error)
        return StreamingResponse(
            _encoded(rows),
            media_type="text/csv; charset=utf-8; header=present",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )

    return [Route("/reports/{name}.csv", endpoint, methods=["GET"])]
