"""The pages without a drawing: sign-in, home, an organization, what needs attention."""

from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from web.pages import queries
from web.pages.api import GraphQLRunner, PageError
from web.pages.charts import timeline
from web.pages.page import TOKEN_KEY, Page

__all__ = ["Views"]

WITHIN_CHOICES = (30, 90, 180, 365)
MAX_TOKEN_LENGTH = 512


class Views:
    def __init__(self, runner: GraphQLRunner) -> None:
        self.runner = runner

    async def sign_in(self, request: Request) -> Response:
        """The token form (GET), or the token tried with `{ viewer }` and kept in the session
        (POST): an unknown, expired or revoked token is told at once."""
        page = Page.of(request)
        if request.method == "GET":
            return page.render("app/sign_in.html", title=page.t("sign_in"), error=None)
        if not same_origin(request):
            return page.refusal(PageError("FORBIDDEN", "a form of another site"))
        form = parse_qs((await request.body()).decode("utf-8", "replace"), max_num_fields=10)
        token = (form.get("token") or [""])[0].strip()[:MAX_TOKEN_LENGTH]
        if not token:
            return page.render("app/sign_in.html", title=page.t("sign_in"), error=None)
        try:
            answer = await self.runner.run(request, token, queries.VIEWER)
        except PageError as error:
            if error.code != "UNAUTHENTICATED":
                return page.refusal(error)
            return page.render(
                "app/sign_in.html", status=401, title=page.t("sign_in"), error=page.t("bad_token")
            )
        request.session.clear()
        request.session[TOKEN_KEY] = token
        request.session["who"] = _who(answer.data["viewer"])
        return RedirectResponse(page.url("/"), status_code=303)

    async def sign_out(self, request: Request) -> Response:
        page = Page.of(request)
        if not same_origin(request):
            return page.refusal(PageError("FORBIDDEN", "a form of another site"))
        request.session.clear()
        return RedirectResponse(page.url("/sign-in"), status_code=303)

    async def home(self, request: Request) -> Response:
        page = Page.of(request)
        try:
            answer = await self.runner.run(request, page.token, queries.HOME)
        except PageError as error:
            return page.refusal(error)
        return page.render(
            "app/home.html",
            title=page.t("welcome"),
            viewer=answer.data["viewer"],
            alliances=answer.data["alliances"]["nodes"],
            errors=answer.errors,
        )

    async def organization(self, request: Request) -> Response:
        page = Page.of(request)
        try:
            answer = await self.runner.run(
                request, page.token, queries.ORGANIZATION, {"id": request.path_params["id"]}
            )
        except PageError as error:
            return page.refusal(error)
        node = answer.data.get("node")
        if not node or node.get("__typename") != "Organization":
            return page.refusal(PageError("NOT_FOUND", "no such organization"))
        agreements = node["agreements"]["nodes"]
        commitments = [
            {**c, "agreement": {"id": a["id"], "title": a["title"]}}
            for a in agreements
            for c in a["commitments"]["nodes"]
        ]
        commitments.sort(key=lambda c: c["dueOn"] or "9999")
        partners = node["partners"]["nodes"]
        return page.render(
            "app/organization.html",
            title=node["name"],
            org=node,
            agreements=agreements,
            commitments=commitments,
            direct=[p for p in partners if p["hops"] == 1 and p["organization"]],
            second=[p for p in partners if p["hops"] == 2 and p["organization"]],
            errors=answer.errors,
        )

    async def attention(self, request: Request) -> Response:
        page = Page.of(request)
        within = _int(request.query_params.get("within"), 90)
        if within not in WITHIN_CHOICES:
            within = 90
        today = date.today()
        end = today + timedelta(days=within)
        try:
            answer = await self.runner.run(
                request,
                page.token,
                queries.ATTENTION,
                {"within": within},
            )
        except PageError as error:
            return page.refusal(error)
        data = answer.data
        expiring = [e for e in data["expiringAgreements"] if e["agreement"]]
        commitments = [
            {**c, "agreement": {"id": a["id"], "title": a["title"]}}
            for a in data["agreements"]["nodes"]
            for c in a["commitments"]["nodes"]
        ]
        overdue = sorted(
            (c for c in commitments if c["status"] == "OVERDUE"), key=lambda c: c["dueOn"]
        )
        upcoming = sorted(
            (
                c
                for c in commitments
                if c["status"] == "OPEN" and c["dueOn"] and c["dueOn"] <= end.isoformat()
            ),
            key=lambda c: c["dueOn"],
        )
        notice = sorted(
            (
                {**a, "passed": a["noticeDeadline"] < today.isoformat()}
                for a in data["notice"]["nodes"]
                if a["noticeDeadline"] and a["noticeDeadline"] <= end.isoformat()
            ),
            key=lambda a: (a["noticeDeadline"], a["id"]),
        )
        incoming = data["incoming"]["nodes"]
        outgoing = [] if data["viewer"]["role"] == "admin" else data["outgoing"]["nodes"]
        items = [
            (date.fromisoformat(e["effectiveTo"]), e["agreement"]["title"], "expiring")
            for e in expiring
        ]
        items += [(date.fromisoformat(a["noticeDeadline"]), a["title"], "notice") for a in notice]
        items += [(date.fromisoformat(c["dueOn"]), c["description"], "overdue") for c in overdue]
        items += [(date.fromisoformat(c["dueOn"]), c["description"], "due") for c in upcoming]
        items += [
            (date.fromisoformat(p["expiresOn"]), p["subject"]["name"], "proposal")
            for p in incoming + outgoing
            if p["expiresOn"] <= end.isoformat()
        ]
        return page.render(
            "app/attention.html",
            title=page.t("attention"),
            within=within,
            choices=WITHIN_CHOICES,
            expiring=expiring,
            notice=notice,
            overdue=overdue,
            upcoming=upcoming,
            incoming=incoming,
            outgoing=outgoing,
            admin=data["viewer"]["role"] == "admin",
            line=timeline(items, today=today, end=end),
            errors=answer.errors,
        )


def same_origin(request: Request) -> bool:
    """False for a form another site's page sent (its `Origin` names another host): the session
    cookie is SameSite=Strict, but signing in or out is a change another site must not make."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host")


def _who(viewer: dict[str, Any]) -> str:
    subject = viewer.get("organization") or viewer.get("alliance")
    return f"{viewer['role']}: {subject['name']}" if subject else str(viewer["role"])


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default
