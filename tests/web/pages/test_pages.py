"""The pages at /app/ through the ASGI app, on SQLite and PostgreSQL: sign-in and the session
cookie, each view against the API's answer for the same token, what a token may not see, the
languages, refusals as messages, the CSV downloads, and no asset from elsewhere."""

import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from db.enums import TokenRole
from settings import Settings
from tests.conftest import Databases, api_client, make_token
from tests.graphql import query
from tests.web.pages.helpers import (
    JIANGXI,
    Demo,
    embedded_network,
    pages_client,
    prepare_demo,
)

pytestmark = pytest.mark.anyio

JUFE = "Jiangxi University of Finance and Economics"
NANCHANG = "Nanchang University"


@pytest.fixture
async def demo(demo_engine: AsyncEngine, databases: Databases) -> Demo:
    return await prepare_demo(demo_engine, databases.admin_token)


def text_of(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


async def test_a_good_token_is_kept_in_a_strict_http_only_session_cookie(
    demo_engine: AsyncEngine, demo: Demo
) -> None:
    async with pages_client(demo_engine, None) as http:
        signed = await http.post("/app/sign-in", data={"token": demo.tokens["secretariat"]})
        assert signed.status_code == 303
        cookie = signed.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "path=/app" in cookie
        assert "expires" not in cookie and "max-age" not in cookie  # ends with the browser
        home = await http.get("/app/")
        assert "secretariat: " + JIANGXI in text_of(home.text)
        out = await http.post("/app/sign-out")
        assert out.status_code == 303
        assert "secretariat" not in text_of((await http.get("/app/")).text)


async def test_a_bad_token_is_told_and_not_kept(demo_engine: AsyncEngine, demo: Demo) -> None:
    async with pages_client(demo_engine, None) as http:
        refused = await http.post("/app/sign-in", data={"token": "pgt_nope_nope"})
        assert refused.status_code == 401
        assert "not accepted" in text_of(refused.text)
        assert "set-cookie" not in refused.headers


async def test_another_sites_form_cannot_sign_in_or_out(
    demo_engine: AsyncEngine, demo: Demo
) -> None:
    async with pages_client(demo_engine, demo.tokens["secretariat"]) as http:
        elsewhere = {"Origin": "https://elsewhere.example"}
        signed = await http.post(
            "/app/sign-in", data={"token": demo.tokens["admin"]}, headers=elsewhere
        )
        assert signed.status_code == 403 and "set-cookie" not in signed.headers
        assert (await http.post("/app/sign-out", headers=elsewhere)).status_code == 403
        same = {"Origin": "http://testserver"}
        assert (await http.post("/app/sign-out", headers=same)).status_code == 303


async def test_a_token_revoked_after_sign_in_gets_a_clear_message(
    demo_engine: AsyncEngine, demo: Demo
) -> None:
    async with pages_client(demo_engine, demo.tokens["secretariat"]) as http:
        assert (await http.get(f"/app/alliances/{demo.alliance_id}")).status_code == 200
        async with api_client(demo_engine, demo.tokens["admin"]) as admin:
            tokens = await query(admin, "{ apiTokens(first: 100) { nodes { id role } } }")
            key = next(
                t["id"] for t in tokens["apiTokens"]["nodes"] if t["role"].lower() == "secretariat"
            )
            await query(
                admin,
                "mutation($id: ID!) { revokeApiToken(id: $id) { token { id } } }",
                {"id": key},
            )
        page = await http.get(f"/app/alliances/{demo.alliance_id}")
        assert page.status_code == 401
        assert "no longer accepted" in text_of(page.text)
        assert 'role="alert"' in page.text
        # the session was cleared: the next page is the anonymous one
        assert (await http.get("/app/")).status_code == 200


async def test_an_expired_token_cannot_sign_in(demo_engine: AsyncEngine) -> None:
    token = await make_token(
        demo_engine,
        TokenRole.VIEWER,
        organization=JUFE,
        expires_at=datetime.now(UTC) + timedelta(seconds=1),
    )
    async with api_client(demo_engine, token) as api:
        assert (await api.post("/graphql", json={"query": "{ viewer { role } }"})).status_code
    async with pages_client(demo_engine, None) as http:
        page = await http.post("/app/sign-in", data={"token": token + "x"})
        assert page.status_code == 401


ALLIANCE_QUERY = """
query($id: ID!) { node(id: $id) { ... on Alliance {
  memberships(first: 100) { nodes { role joinedOn organization { id name } } }
  network(filter: {ties: [AGREEMENT]}) { edgeCount }
} } }
"""


async def test_the_alliance_page_shows_the_members_and_edges_the_api_gives(
    demo_engine: AsyncEngine, demo: Demo
) -> None:
    async with api_client(demo_engine, demo.tokens["secretariat"]) as api:
        found = (await query(api, ALLIANCE_QUERY, {"id": demo.alliance_id}))["node"]
    async with pages_client(demo_engine, demo.tokens["secretariat"]) as http:
        page = await http.get(
            f"/app/alliances/{demo.alliance_id}", params={"gaps": "1", "bridges": "1"}
        )
    assert page.status_code == 200, page.text
    shown = text_of(page.text)
    for membership in found["memberships"]["nodes"]:
        assert membership["organization"]["name"] in shown
        assert f'data-id="{membership["organization"]["id"]}"' in page.text
    network = embedded_network(page.text)
    assert len(network["nodes"]) == len(found["memberships"]["nodes"])
    assert len(network["edges"]) == found["network"]["edgeCount"] == 3
    weights = {frozenset((e["source"], e["target"])): e["weight"] for e in network["edges"]}
    assert weights[frozenset((demo.ids[JUFE], demo.ids[NANCHANG]))] == 2
    assert all(e["bridge"] for e in network["edges"])  # a path: every edge is a bridge
    assert len(network["gaps"]) == 6 * 5 // 2 - 3
    assert {t["label"] for e in network["edges"] for t in e["ties"]} == set(demo.cooperation.titles)
    sizes = {n["id"]: n["size"] for n in network["nodes"]}
    assert sizes[demo.ids[NANCHANG]] > sizes[demo.ids[JUFE]]  # it lies between the others
    assert 'id="gaps-list"' in page.text


async def test_the_alliance_network_as_of_a_past_day(demo_engine: AsyncEngine, demo: Demo) -> None:
    day = demo.cooperation.started + timedelta(days=50)
    async with pages_client(demo_engine, demo.tokens["admin"]) as http:
        page = await http.get(
            f"/app/alliances/{demo.alliance_id}", params={"asOf": day.isoformat()}
        )
    network = embedded_network(page.text)
    assert [(e["weight"], len(e["ties"])) for e in network["edges"]] == [(1, 1)]
    assert f'value="{day.isoformat()}"' in page.text


async def test_a_portal_does_not_see_the_members_agreements(
    demo_engine: AsyncEngine, demo: Demo
) -> None:
    async with api_client(demo_engine, demo.tokens["editor"]) as api:
        found = (await query(api, ALLIANCE_QUERY, {"id": demo.alliance_id}))["node"]
        jufe = await query(
            api,
            "query($id: ID!) { node(id: $id) { ... on Organization {"
            " agreements { totalCount } } } }",
            {"id": demo.ids[JUFE]},
        )
    assert found["network"]["edgeCount"] == 0
    for role in ("editor", "reporter"):
        async with pages_client(demo_engine, demo.tokens[role]) as http:
            page = await http.get(f"/app/alliances/{demo.alliance_id}")
            assert embedded_network(page.text)["edges"] == []
            member = await http.get(f"/app/organizations/{demo.ids[JUFE]}")
        for title in demo.cooperation.titles:
            assert title not in page.text and title not in member.text
    assert jufe["node"]["agreements"]["totalCount"] == 0


ORGANIZATION_QUERY = """
query($id: ID!) { node(id: $id) { ... on Organization {
  name agreements(first: 50) { totalCount nodes { title status } }
  partners(depth: 2, first: 100) { nodes { hops organization { name } } }
} } }
"""


async def test_the_member_page_shows_what_the_api_gives(
    demo_engine: AsyncEngine, demo: Demo
) -> None:
    key = demo.ids[NANCHANG]
    async with api_client(demo_engine, demo.tokens["secretariat"]) as api:
        found = (await query(api, ORGANIZATION_QUERY, {"id": key}))["node"]
    async with pages_client(demo_engine, demo.tokens["secretariat"]) as http:
        page = await http.get(f"/app/organizations/{key}")
    assert page.status_code == 200
    table = page.text.split('id="agreements-table"')[1].split("</table>")[0]
    assert (
        sorted(re.findall(r'<tr data-id="([^"]+)"', table)).__len__()
        == found["agreements"]["totalCount"]
    )
    for agreement in found["agreements"]["nodes"]:
        assert agreement["title"] in text_of(table)
    assert demo.cooperation.overdue in text_of(page.text)
    for partner in found["partners"]["nodes"]:
        listed = page.text.split(f'id="partners-{partner["hops"]}"')[1].split("</ul>")[0]
        assert partner["organization"]["name"] in text_of(listed)


async def test_what_needs_attention_for_the_secretariat_and_for_a_portal(
    demo_engine: AsyncEngine, demo: Demo
) -> None:
    async with pages_client(demo_engine, demo.tokens["secretariat"]) as http:
        page = await http.get("/app/attention")
    assert page.status_code == 200, page.text
    expiring = text_of(page.text.split('id="expiring-table"')[1].split("</table>")[0])
    assert demo.cooperation.expiring in expiring and "someone must act" in expiring
    overdue = text_of(page.text.split('id="overdue-table"')[1].split("</table>")[0])
    assert demo.cooperation.overdue in overdue
    assert '<svg class="timeline"' in page.text
    async with api_client(demo_engine, demo.tokens["secretariat"]) as api:
        found = await query(api, NOTICE_QUERY)
    deadlines = {
        a["title"]: a["noticeDeadline"]
        for a in found["agreements"]["nodes"]
        if a["noticeDeadline"] and a["noticeDeadline"] <= (date.today() + timedelta(90)).isoformat()
    }
    assert demo.cooperation.expiring in deadlines, "its notice deadline passed 15 days ago"
    notice = page.text.split('id="notice-table"')[1].split("</table>")[0]
    rows = re.findall(r'<th scope="row">(.*?)</th><td><time datetime="([0-9-]+)"', notice)
    assert dict(rows) == deadlines, "the notice deadlines the API gives, no other"
    assert "(passed)" in text_of(notice)
    async with pages_client(demo_engine, demo.tokens["editor"]) as http:
        portal = await http.get("/app/attention", params={"within": "365"})
    assert demo.cooperation.expiring not in portal.text
    assert 'id="notice-table"' not in portal.text
    assert demo.cooperation.overdue not in portal.text
    outgoing = text_of(portal.text.split('id="proposals-out-table"')[1].split("</table>")[0])
    assert JUFE in outgoing


NOTICE_QUERY = """
{ agreements(first: 100, filter: {status: [SIGNED, ACTIVE]}) { nodes { title noticeDeadline } } }
"""

SUMMARY_QUERY = """
query($mode: AgreementFilter!) {
  all: cooperationSummary { total { agreements } groups { keys { value } } }
  byKind: cooperationSummary(groupBy: [AGREEMENT_KIND]) {
    groups { keys { value } measures { agreements } }
  }
  mode: cooperationSummary(filter: $mode) { total { agreements } }
}
"""


@pytest.mark.parametrize("role", ["admin", "secretariat", "reporter"])
async def test_the_summaries_count_what_the_api_counts(
    demo_engine: AsyncEngine, demo: Demo, role: str
) -> None:
    async with api_client(demo_engine, demo.tokens[role]) as api:
        found = await query(api, SUMMARY_QUERY, {"mode": {"mode": ["CREDIT_RECOGNITION"]}})
        csv_api = await api.get("/reports/summary.csv", params={"groupBy": "agreement_kind"})
    async with pages_client(demo_engine, demo.tokens[role]) as http:
        page = await http.get("/app/summaries", params={"alliance": demo.alliance_id})
        csv_page = await http.get("/app/reports/summary.csv", params={"groupBy": "agreement_kind"})
        modes = await http.get("/app/reports/modes.csv")
    assert page.status_code == 200, page.text
    total = re.search(r'id="summary-total">.*?<strong>(\d+)</strong>', page.text, re.S)
    assert total and int(total.group(1)) == found["all"]["total"]["agreements"]
    kinds = page.text.split('id="by-kind-table"')[1].split("</table>")[0]
    assert sorted(int(v) for v in re.findall(r"<td>(\d+)</td>", kinds)) == sorted(
        g["measures"]["agreements"] for g in found["byKind"]["groups"]
    )
    by_mode = text_of(page.text.split('id="by-mode-table"')[1].split("</table>")[0])
    assert f"Credit recognition {found['mode']['total']['agreements']}" in by_mode
    assert 'id="by-member-svg"' in page.text
    assert csv_page.status_code == 200 and csv_page.text == csv_api.text
    credit = next(r for r in modes.text.splitlines() if r.startswith("credit_recognition,"))
    assert credit.split(",")[1] == str(found["mode"]["total"]["agreements"])


async def test_the_summaries_take_the_api_filters(demo_engine: AsyncEngine, demo: Demo) -> None:
    async with api_client(demo_engine, demo.tokens["admin"]) as api:
        found = await query(
            api,
            '{ cooperationSummary(filter: {kind: [CREDIT_RECOGNITION]}, asOf: "2025-01-01")'
            " { total { agreements } } }",
        )
    async with pages_client(demo_engine, demo.tokens["admin"]) as http:
        page = await http.get(
            "/app/summaries", params={"kind": "credit_recognition", "asOf": "2025-01-01"}
        )
        bad = await http.get("/app/summaries", params={"kind": "colour"})
    total = re.search(r'id="summary-total">.*?<strong>(\d+)</strong>', page.text, re.S)
    assert total and int(total.group(1)) == found["cooperationSummary"]["total"]["agreements"]
    assert "kind=credit_recognition" in page.text  # the CSV links carry the filter
    assert bad.status_code == 400 and "colour" in text_of(bad.text)


async def test_chinese_from_the_browser_and_english_by_parameter(
    demo_engine: AsyncEngine, demo: Demo
) -> None:
    async with pages_client(demo_engine, demo.tokens["secretariat"]) as http:
        zh = await http.get("/app/attention", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
        en = await http.get(
            "/app/attention", params={"lang": "en"}, headers={"Accept-Language": "zh-CN"}
        )
    assert '<html lang="zh-Hans">' in zh.text and "待办提醒" in zh.text
    assert 'href="/app/summaries?lang=zh"' in zh.text  # links keep the language
    assert '<html lang="en">' in en.text and "Needs attention" in en.text
    assert "lang=zh" in en.text  # the switch


async def test_a_missing_or_malformed_id_is_a_not_found_message(
    demo_engine: AsyncEngine, demo: Demo
) -> None:
    async with pages_client(demo_engine, demo.tokens["editor"]) as http:
        for path in ("/app/organizations/nonsense", f"/app/alliances/{demo.ids[JUFE]}"):
            page = await http.get(path)
            assert page.status_code == 404, path
            assert "nothing here that your token may see" in text_of(page.text)


async def test_a_private_server_asks_anonymous_visitors_to_sign_in(
    demo_engine: AsyncEngine,
) -> None:
    settings = Settings(rate_limit_per_minute=0, private=True, pages_secret_key="p" * 40)
    async with pages_client(demo_engine, None, settings) as http:
        page = await http.get("/app/")
        sign_in = await http.get("/app/sign-in")
    assert page.status_code == 401 and 'href="/app/sign-in?lang=en"' in page.text
    assert sign_in.status_code == 200


async def test_every_asset_comes_from_the_app(demo_engine: AsyncEngine, demo: Demo) -> None:
    async with pages_client(demo_engine, demo.tokens["admin"]) as http:
        pages = [
            await http.get(path)
            for path in (
                "/app/",
                f"/app/alliances/{demo.alliance_id}",
                f"/app/organizations/{demo.ids[JUFE]}",
                "/app/attention",
                "/app/summaries",
            )
        ]
        for page in pages:
            assert page.status_code == 200
            assert "default-src 'self'" in page.headers["content-security-policy"]
            for asset in re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', page.text):
                assert asset.startswith("/app/static/"), asset
                served = await http.get(asset)
                assert served.status_code == 200, asset
        library = await http.get("/app/static/cytoscape@3.35.0/cytoscape.min.js")
    assert "immutable" in library.headers["cache-control"]


async def test_app_without_a_slash_and_pages_turned_off(demo_engine: AsyncEngine) -> None:
    async with pages_client(demo_engine, None) as http:
        moved = await http.get("/app")
        assert moved.status_code == 307 and moved.headers["location"] == "/app/"
    off = Settings(rate_limit_per_minute=0, pages=False)
    async with api_client(demo_engine, None, off) as http:
        assert (await http.get("/app/")).status_code == 404


async def test_the_members_chart_takes_the_api_filters(
    demo_engine: AsyncEngine, demo: Demo
) -> None:
    """By member counts each member's agreements (its units' included) under the page's filter,
    as the summary grouped by institution answers for the same filter and alliance."""
    members_query = """
    query($alliance: ID!, $filter: AgreementFilter) {
      allianceReport(alliance: $alliance) { members { organization { id name } } }
      cooperationSummary(filter: $filter, groupBy: [INSTITUTION]) {
        groups { keys { value } measures { agreements } } } }
    """
    charts: list[list[int]] = []
    for kind in ("SINO_FOREIGN_COOPERATIVE_EDUCATION", "CREDIT_RECOGNITION"):
        async with api_client(demo_engine, demo.tokens["admin"]) as api:
            found = await query(
                api,
                members_query,
                {
                    "alliance": demo.alliance_id,
                    "filter": {"kind": [kind], "partyAlliance": demo.alliance_id},
                },
            )
        counts = {
            g["keys"][0]["value"]: g["measures"]["agreements"]
            for g in found["cooperationSummary"]["groups"]
        }
        expected = sorted(
            counts.get(m["organization"]["id"], 0) for m in found["allianceReport"]["members"]
        )
        async with pages_client(demo_engine, demo.tokens["admin"]) as http:
            page = await http.get(
                "/app/summaries", params={"alliance": demo.alliance_id, "kind": kind.lower()}
            )
        assert page.status_code == 200, page.text
        table = page.text.split('id="by-member-table"')[1].split("</table>")[0]
        shown = sorted(int(v) for v in re.findall(r"<td>(\d+)</td>", table))
        assert shown == expected
        assert "groupBy=institution" in page.text and "partyAlliance=" in page.text
        charts.append(shown)
    assert charts[0] != charts[1]  # the kind filter changes what the chart counts
