"""Summaries as charts: agreements by year signed, by kind, by alliance member and by
collaboration mode, as of any day, through the filter of the `agreements` list (the same query
parameters as `/reports/*.csv`), each with its CSV (`web.reports_csv`, fetched with the
session's token). By member is the summary grouped by institution under the same filter plus
the alliance, read for the alliance's members: a member's count takes its units' agreements."""

from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from db.enums import AgreementKind, AgreementStatus, CollaborationMode
from web.pages.api import GraphQLRunner, PageError
from web.pages.charts import bar_chart
from web.pages.i18n import enum_label
from web.pages.page import TOKEN_KEY, Page

__all__ = ["SUMMARIES", "CsvDownload", "SummaryViews", "agreement_filter"]

MODES = [m.name for m in CollaborationMode]
LIST_PARAMS = {"kind": AgreementKind, "status": AgreementStatus, "mode": CollaborationMode}
CSV_NAMES = ("summary", "modes", "alliance")


def _summaries_query() -> str:
    modes = "\n".join(
        f"  mode_{m}: cooperationSummary(filter: $mode_{m}, asOf: $asOf) "
        "{ total { agreements } }"
        for m in MODES
    )
    variables = " ".join(f"$mode_{m}: AgreementFilter!" for m in MODES)
    return f"""
query PagesSummaries(
  $filter: AgreementFilter, $asOf: Date, $alliance: ID!, $withAlliance: Boolean!,
  $memberFilter: AgreementFilter, {variables}
) {{
  byYear: cooperationSummary(filter: $filter, groupBy: [SIGNED_YEAR], asOf: $asOf) {{
    asOf total {{ agreements }} groups {{ keys {{ value label }} measures {{ agreements }} }}
  }}
  byKind: cooperationSummary(filter: $filter, groupBy: [AGREEMENT_KIND], asOf: $asOf) {{
    total {{ agreements }} groups {{ keys {{ value label }} measures {{ agreements }} }}
  }}
  byMember: allianceReport(alliance: $alliance, asOf: $asOf) @include(if: $withAlliance) {{
    members {{
      role organization {{ id name localName }}
    }}
  }}
  byInstitution: cooperationSummary(
    filter: $memberFilter, groupBy: [INSTITUTION], asOf: $asOf
  ) @include(if: $withAlliance) {{
    groups {{ keys {{ value }} measures {{ agreements }} }}
  }}
  alliances(first: 50) {{ nodes {{ id name }} }}
{modes}
}}
"""


SUMMARIES = _summaries_query()


def agreement_filter(request: Request) -> dict[str, Any]:
    """The `AgreementFilter` of the query parameters the CSV reports read (`web.reports_csv`):
    lists repeated or comma-separated, enum values in any case; unknown values refused."""
    p = request.query_params
    found: dict[str, Any] = {}
    for name, enum in LIST_PARAMS.items():
        values = _values(request, name)
        if values:
            known = {m.name for m in enum}
            for value in values:
                if value.upper() not in known:
                    raise PageError("BAD_USER_INPUT", f"{value[:30]!r} is not a {name}")
            found[name] = [v.upper() for v in values]
    countries = _values(request, "partyCountry")
    if countries:
        found["partyCountry"] = [c.upper() for c in countries]
    for name in ("party", "partyAlliance", "text"):
        if p.get(name):
            found[name] = p[name]
    for name in ("signedFrom", "signedTo", "activeOn", "expiringBefore"):
        if p.get(name):
            found[name] = _iso(p[name], name)
    return found


class SummaryViews:
    def __init__(self, runner: GraphQLRunner) -> None:
        self.runner = runner

    async def page(self, request: Request) -> Response:
        page = Page.of(request)
        try:
            filter_ = agreement_filter(request)
            as_of = request.query_params.get("asOf") or None
            if as_of:
                as_of = _iso(as_of, "asOf")
            alliance = request.query_params.get("alliance") or ""
            variables: dict[str, Any] = {
                "filter": filter_,
                "asOf": as_of,
                "alliance": alliance,
                "withAlliance": bool(alliance),
                "memberFilter": {**filter_, "partyAlliance": alliance} if alliance else None,
                **{f"mode_{m}": {**filter_, "mode": [m]} for m in MODES},
            }
            answer = await self.runner.run(request, page.token, SUMMARIES, variables)
        except PageError as error:
            return page.refusal(error)
        data = answer.data
        wanted_modes = filter_.get("mode", MODES)
        unsigned = page.t("unsigned")
        years = sorted(
            (
                (g["keys"][0]["value"] or unsigned, g["measures"]["agreements"])
                for g in data["byYear"]["groups"]
            ),
            key=lambda row: (row[0] == unsigned, row[0]),
        )
        kinds = sorted(
            (
                (page_label(page, g["keys"][0]["value"]), g["measures"]["agreements"])
                for g in data["byKind"]["groups"]
            ),
            key=lambda row: -row[1],
        )
        members = [m for m in (data.get("byMember") or {}).get("members", []) if m["organization"]]
        by_institution = {
            g["keys"][0]["value"]: g["measures"]["agreements"]
            for g in (data.get("byInstitution") or {}).get("groups", [])
        }
        member_rows = sorted(
            (
                (
                    (m["organization"]["localName"] or m["organization"]["name"])
                    if page.lang == "zh"
                    else m["organization"]["name"],
                    by_institution.get(m["organization"]["id"], 0),
                )
                for m in members
            ),
            key=lambda row: (-row[1], row[0]),
        )
        mode_rows = [
            (page_label(page, m), data[f"mode_{m}"]["total"]["agreements"])
            for m in MODES
            if m in wanted_modes
        ]
        params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("lang",) and v]
        return page.render(
            "app/summaries.html",
            title=page.t("summaries"),
            charts=[
                (
                    "by-year",
                    page.t("by_year"),
                    bar_chart(years),
                    page.csv_url("summary", params, groupBy="signed_year"),
                ),
                (
                    "by-kind",
                    page.t("by_kind"),
                    bar_chart(kinds),
                    page.csv_url("summary", params, groupBy="agreement_kind"),
                ),
                ("by-mode", page.t("by_mode"), bar_chart(mode_rows), page.csv_url("modes", params)),
                *(
                    [
                        (
                            "by-member",
                            page.t("by_member"),
                            bar_chart(member_rows),
                            page.csv_url(
                                "summary",
                                [
                                    *(p for p in params if p[0] != "alliance"),
                                    ("partyAlliance", alliance),
                                ],
                                groupBy="institution",
                            ),
                        )
                    ]
                    if alliance
                    else []
                ),
            ],
            total=data["byYear"]["total"]["agreements"],
            as_of_answered=data["byYear"]["asOf"],
            alliances=data["alliances"]["nodes"],
            chosen=alliance,
            values=request.query_params,
            filter=filter_,
            kinds=[k.name for k in AgreementKind],
            statuses=[s.name for s in AgreementStatus],
            modes=MODES,
            errors=answer.errors,
        )


def page_label(page: Page, value: str | None) -> str:
    return enum_label(value, page.lang) or page.t("none")


class CsvDownload:
    """`/app/reports/<name>.csv`: the CSV report of that name (`web.reports_csv`), asked with the
    session's token as its bearer token, so it is admitted and counted as that token's own."""

    def __init__(self, report: Any) -> None:
        self.report = report

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        name = request.path_params["name"]
        token = request.session.get(TOKEN_KEY)
        if name not in CSV_NAMES:
            await Response("no such download", 404, media_type="text/plain")(scope, receive, send)
            return
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"authorization"]
        if isinstance(token, str) and token:
            headers.append((b"authorization", f"Bearer {token}".encode("latin-1")))
        await self.report({**scope, "headers": headers}, receive, send)


def _values(request: Request, name: str) -> list[str]:
    return [
        part.strip()
        for raw in request.query_params.getlist(name)
        for part in raw.split(",")
        if part.strip()
    ]


def _iso(value: str, name: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise PageError("BAD_USER_INPUT", f"{name}: {value[:20]!r} is not a date") from None
