"""An alliance: its members by role, and the cooperation network of its members as of a day,
drawn from the elements the page carries and listed as a table (the date slider fetches the page
again for another day and redraws from its elements)."""

from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from web.pages import queries
from web.pages.api import Answer, GraphQLRunner, PageError
from web.pages.network import MemberNode, members_on, network_elements
from web.pages.page import Page

__all__ = ["AllianceViews"]

TIE_KINDS = ("agreement", "program", "unit")
ROLE_ORDER = ("CHAIR", "VICE_CHAIR", "DIRECTOR", "MEMBER", "OBSERVER")


class AllianceViews:
    def __init__(self, runner: GraphQLRunner) -> None:
        self.runner = runner

    async def page(self, request: Request) -> Response:
        page = Page.of(request)
        as_of = _day(request.query_params.get("asOf"))
        ties = _ties(request)
        try:
            alliance, members, answer = await self._network(request, page, as_of, ties)
        except PageError as error:
            return page.refusal(error)
        elements = network_elements(members, answer.data, lang=page.lang)
        memberships = alliance["memberships"]["nodes"]
        by_role = [
            (role, [m for m in memberships if m["role"] == role and m["organization"]])
            for role in ROLE_ORDER
        ]
        names = {n["id"]: n["label"] for n in elements["nodes"]}
        joined = [m["joinedOn"] for m in memberships if m.get("joinedOn")]
        earliest = min([alliance.get("foundedOn") or date.today().isoformat(), *joined])
        return page.render(
            "app/alliance.html",
            title=alliance["name"],
            alliance=alliance,
            by_role=[(role, found) for role, found in by_role if found],
            elements=elements,
            names=names,
            as_of=as_of,
            earliest=earliest,
            today=date.today().isoformat(),
            ties=ties,
            tie_kinds=TIE_KINDS,
            bridges=request.query_params.get("bridges") == "1",
            gaps=request.query_params.get("gaps") == "1",
            errors=answer.errors,
        )

    async def _network(
        self, request: Request, page: Page, as_of: date | None, ties: list[str]
    ) -> tuple[dict[str, Any], list[MemberNode], Answer]:
        alliance_id = request.path_params["id"]
        found = await self.runner.run(request, page.token, queries.ALLIANCE, {"id": alliance_id})
        alliance = found.data.get("node")
        if not alliance or alliance.get("__typename") != "Alliance":
            raise PageError("NOT_FOUND", "no such alliance")
        members = members_on(alliance["memberships"]["nodes"], as_of)
        network_filter: dict[str, Any] = {
            "alliance": alliance_id,
            "ties": [t.upper() for t in ties],
        }
        if as_of is not None:
            network_filter["asOf"] = as_of.isoformat()
        answer = await self.runner.run(
            request, page.token, queries.ALLIANCE_NETWORK, {"filter": network_filter}
        )
        return alliance, members, answer


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PageError("BAD_USER_INPUT", f"{value[:20]!r} is not a date (YYYY-MM-DD)") from None


def _ties(request: Request) -> list[str]:
    asked = [
        part.strip().lower()
        for raw in request.query_params.getlist("ties")
        for part in raw.split(",")
        if part.strip()
    ]
    return [t for t in TIE_KINDS if t in asked] or ["agreement"]
