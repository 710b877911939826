"""The benchmark's scenarios: the GraphQL document each user sends, and for each read the floor,
a hand-written PostgreSQL query that builds the same JSON `data` in the database.

The floor queries answer for the subject the scenario names and skip what only the server
does (token lookup, visibility conditions that the subject already passes, cost limits): they
are what the database needs to return the same bytes.
"""

from dataclasses import dataclass
from typing import Any

__all__ = ["SCENARIOS", "Scenario"]


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    document: str
    floor_sql: str | None
    """Takes the subject's integer id as $1 and returns one json value: the answer's `data`."""
    role: str
    """The token the scenario is sent with: editor (portal), secretariat, anonymous, admin."""


def gid(type_name: str, column: str) -> str:
    """`resolvers.ids.encode_id` in SQL: base64url of `Type:key` without padding."""
    return (
        f"rtrim(translate(encode(convert_to('{type_name}:' || {column}, 'UTF8'), 'base64'), "
        f"'+/', '-_'), '=')"
    )


STATUS = (
    "upper(CASE WHEN {a}.status IN ('signed', 'active') AND {a}.effective_to < current_date "
    "THEN 'expired' ELSE {a}.status END)"
)


def parties(a: str) -> str:
    """An agreement's parties (first 5, by id: agreements have at most 5), with organizations."""
    return f"""json_build_object('edges', coalesce((
        SELECT json_agg(json_build_object('node', json_build_object(
            'role', upper(p.role),
            'organization', json_build_object('id', {gid("Organization", "po.id")}, 'name', po.name)
        )) ORDER BY p.id)
        FROM (SELECT * FROM agreement_party WHERE agreement_id = {a}.id ORDER BY id LIMIT 5) p
        JOIN organization po ON po.id = p.organization_id), '[]'::json))"""


UNDER = """SELECT p.agreement_id FROM agreement_party p
    JOIN organization_unit u ON u.unit_id = p.organization_id WHERE u.ancestor_id = {o}"""
"""The agreements an organization, or one of its units at any depth, is a party to (units roll
up into their organization: docs/institutions.md)."""


PORTAL = Scenario(
    name="portal",
    description="one organization by id with its 20 latest agreements, their parties' names "
    "and statuses (sent with the organization's own editor token)",
    role="editor",
    document="""
query Portal($id: ID!) {
  node(id: $id) {
    ... on Organization {
      id name country
      agreements(first: 20, orderBy: {field: SIGNED_ON, direction: DESC}) {
        totalCount
        edges { node {
          id title status signedOn effectiveTo
          parties(first: 5) { edges { node { role organization { id name } } } }
        } }
      }
    }
  }
}""",
    floor_sql=f"""
SELECT json_build_object('node', json_build_object(
  'id', {gid("Organization", "o.id")}, 'name', o.name, 'country', o.country,
  'agreements', json_build_object(
    'totalCount', (SELECT count(*) FROM agreement a WHERE a.id IN ({UNDER.format(o="o.id")})),
    'edges', coalesce((
      SELECT json_agg(json_build_object('node', json_build_object(
        'id', {gid("Agreement", "a.id")}, 'title', a.title,
        'status', {STATUS.format(a="a")},
        'signedOn', a.signed_on, 'effectiveTo', a.effective_to,
        'parties', {parties("a")}
      )) ORDER BY a.signed_on DESC NULLS LAST, a.id)
      FROM (
        SELECT a.* FROM agreement a WHERE a.id IN ({UNDER.format(o="o.id")})
        ORDER BY a.signed_on DESC NULLS LAST, a.id LIMIT 20
      ) a), '[]'::json)
  )
))
FROM organization o WHERE o.id = $1
""",
)

ROLE_RANK = (
    "CASE m.role WHEN 'chair' THEN 0 WHEN 'vice_chair' THEN 1 WHEN 'director' THEN 2 "
    "WHEN 'member' THEN 3 WHEN 'observer' THEN 4 END"
)

ALLIED = """EXISTS (
    SELECT 1 FROM agreement_party q JOIN organization_unit uu ON uu.unit_id = q.organization_id
    JOIN membership mm ON mm.organization_id = uu.ancestor_id
    WHERE q.agreement_id = a.id AND mm.alliance_id = $1 AND mm.left_on IS NULL)"""
"""An agreement with a party that is a current member of the alliance, or a unit of one."""

SECRETARIAT = Scenario(
    name="secretariat",
    description="an alliance's current members with their roles and, for each, its 5 latest "
    "agreements with a party in the alliance, with their parties (sent with the alliance's "
    "secretariat token)",
    role="secretariat",
    document="""
query Secretariat($id: ID!) {
  node(id: $id) {
    ... on Alliance {
      name
      memberships(first: 100, filter: {current: true}) {
        totalCount
        edges { node {
          role
          organization {
            id name country
            agreements(first: 5, filter: {partyAlliance: $id}) {
              totalCount
              edges { node {
                id title status
                parties(first: 5) { edges { node { role organization { id name } } } }
              } }
            }
          }
        } }
      }
    }
  }
}""",
    floor_sql=f"""
SELECT json_build_object('node', json_build_object(
  'name', al.name,
  'memberships', json_build_object(
    'totalCount', (SELECT count(*) FROM membership WHERE alliance_id = al.id AND left_on IS NULL),
    'edges', coalesce((
      SELECT json_agg(json_build_object('node', json_build_object(
        'role', upper(m.role),
        'organization', (
          SELECT json_build_object(
            'id', {gid("Organization", "o.id")}, 'name', o.name, 'country', o.country,
            'agreements', json_build_object(
              'totalCount', (
                SELECT count(*) FROM agreement a
                WHERE a.id IN ({UNDER.format(o="o.id")}) AND {ALLIED}),
              'edges', coalesce((
                SELECT json_agg(json_build_object('node', json_build_object(
                  'id', {gid("Agreement", "a.id")}, 'title', a.title,
                  'status', {STATUS.format(a="a")},
                  'parties', {parties("a")}
                )) ORDER BY a.created_at DESC NULLS LAST, a.id)
                FROM (
                  SELECT a.* FROM agreement a
                  WHERE a.id IN ({UNDER.format(o="o.id")}) AND {ALLIED}
                  ORDER BY a.created_at DESC NULLS LAST, a.id LIMIT 5
                ) a), '[]'::json)
            ))
          FROM organization o WHERE o.id = m.organization_id)
      )) ORDER BY {ROLE_RANK}, m.joined_on, m.id)
      FROM (
        SELECT * FROM membership m
        WHERE alliance_id = al.id AND left_on IS NULL
        ORDER BY {ROLE_RANK}, m.joined_on, m.id LIMIT 100
      ) m), '[]'::json)
  )
))
FROM alliance al WHERE al.id = $1
""",
)

DIRECTORY_FIELDS = "id name localName shortName kind country region city website status"

DIRECTORY = Scenario(
    name="directory",
    description="a page of 100 organizations filtered by kind and country, 10 fields each "
    "(anonymous: public profiles)",
    role="anonymous",
    document=f"""
query Directory($country: String!) {{
  organizations(first: 100, filter: {{kind: [UNIVERSITY], country: [$country]}}) {{
    totalCount
    edges {{ node {{ {DIRECTORY_FIELDS} }} }}
  }}
}}""",
    floor_sql=f"""
SELECT json_build_object('organizations', json_build_object(
  'totalCount', (SELECT count(*) FROM organization WHERE kind = 'university' AND country = $1),
  'edges', coalesce((
    SELECT json_agg(json_build_object('node', json_build_object(
      'id', {gid("Organization", "o.id")}, 'name', o.name, 'localName', o.local_name,
      'shortName', o.short_name, 'kind', upper(o.kind), 'country', o.country,
      'region', o.region, 'city', o.city, 'website', o.website, 'status', upper(o.status)
    )) ORDER BY o.name, o.id)
    FROM (
      SELECT * FROM organization WHERE kind = 'university' AND country = $1
      ORDER BY name, id LIMIT 100
    ) o), '[]'::json)
))
""",
)

STATUS_ORDER = (
    "ARRAY['draft', 'under_negotiation', 'awaiting_approval', 'signed', 'active', 'suspended', "
    "'expired', 'terminated', 'superseded']"
)

REPORT = Scenario(
    name="report",
    description="a grouped cooperation summary: agreements, those in force and the count per "
    "status, by agreement kind and signing year, with the total (reporter token)",
    role="reporter",
    document="""
query Report {
  cooperationSummary(groupBy: [AGREEMENT_KIND, SIGNED_YEAR]) {
    total { agreements active byStatus { status count } }
    groups { keys { value } measures { agreements active byStatus { status count } } }
  }
}""",
    floor_sql=f"""
WITH day AS (SELECT CAST(CAST($1 AS text) AS date) AS today),
counted AS (
  SELECT a.kind AS kind, CAST(extract(year FROM a.signed_on) AS integer) AS year,
    CASE WHEN a.status IN ('signed', 'active') AND a.effective_to < day.today
      THEN 'expired' ELSE a.status END AS status,
    a.effective_from, day.today
  FROM agreement a, day
),
by_status AS (
  SELECT kind, year, status, count(*) AS n,
    count(*) FILTER (WHERE status IN ('signed', 'active')
      AND (effective_from IS NULL OR effective_from <= today)) AS active
  FROM counted GROUP BY kind, year, status
),
grouped AS (
  SELECT kind, year, sum(n) AS n, sum(active) AS active,
    json_agg(json_build_object('status', upper(status), 'count', n)
      ORDER BY array_position({STATUS_ORDER}, status)) AS statuses
  FROM by_status GROUP BY kind, year
),
totals AS (
  SELECT status, sum(n) AS n FROM by_status GROUP BY status
)
SELECT json_build_object('cooperationSummary', json_build_object(
  'total', json_build_object(
    'agreements', (SELECT coalesce(sum(n), 0) FROM grouped),
    'active', (SELECT coalesce(sum(active), 0) FROM grouped),
    'byStatus', (SELECT coalesce(json_agg(json_build_object('status', upper(status), 'count', n)
      ORDER BY array_position({STATUS_ORDER}, status)), '[]'::json) FROM totals)),
  'groups', (SELECT coalesce(json_agg(json_build_object(
      'keys', json_build_array(json_build_object('value', kind),
                               json_build_object('value', CAST(year AS text))),
      'measures', json_build_object('agreements', n, 'active', active, 'byStatus', statuses))
    ORDER BY kind, year), '[]'::json) FROM grouped)
))
""",
)

WRITE = Scenario(
    name="write",
    description="an agreement's title and end date changed with its version (history and "
    "terms hash kept), each client on agreements of its own, under concurrency (admin token)",
    role="admin",
    document="""
mutation Write($input: UpdateAgreementInput!) {
  updateAgreement(input: $input) {
    agreement { id version title effectiveTo termsHash }
    userErrors { field message code }
  }
}""",
    floor_sql=None,
)

SCENARIOS = [PORTAL, SECRETARIAT, DIRECTORY, REPORT, WRITE]


def normalise(data: Any) -> Any:
    """Dates come back as ISO strings from both sides; nothing else differs."""
    return data
