"""The lists and computed values a compiled read can write, as the schema's fields declare them.

Each filtered list here reads its rows with the same visibility (`Reader.select`), conditions and
ordering as its ordinary resolver; every relation of `resolvers.relations.RELATIONS` (first and
after only) is a list as well, through `relation`. The schema names these objects in its field
declarations (`schema.compiled.declare`); nothing here knows a GraphQL name.
"""

from datetime import date
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from resolvers import activities as activity_reads
from resolvers import agreements as agreement_reads
from resolvers import alliances as alliance_reads
from resolvers import organizations as organization_reads
from resolvers import programs as program_reads
from resolvers import unit_lists
from resolvers.compiled.shapes import Expression, ListMaker, ListSource, ListSpec
from resolvers.context import Context
from resolvers.nodes import NODE_TABLES
from resolvers.ordering import order_by_field
from resolvers.reading import narrowed
from resolvers.relations import RELATIONS, relation_statement

__all__ = [
    "ACTIVITIES_OF_ORGANIZATIONS",
    "AGREEMENTS",
    "AGREEMENTS_OF_ORGANIZATIONS",
    "AGREEMENT_STATUS",
    "ALLIANCES",
    "MEMBERSHIPS_OF_ALLIANCES",
    "NOTICE_DEADLINE",
    "ORGANIZATIONS",
    "PROGRAMS_OF_ORGANIZATIONS",
    "UNITS",
    "relation",
]


def _organizations(ctx: Context, spec: ListSpec) -> ListSource:
    table = organization_reads.ORGANIZATION
    conditions = organization_reads.organization_conditions(spec.filter)
    return ListSource(
        table,
        narrowed(ctx.reader.select(table), conditions),
        organization_reads.organization_ordering(spec.order),
    )


def _units(ctx: Context, spec: ListSpec) -> ListSource:
    source = _organizations(ctx, spec)
    return ListSource(source.table, source.statement, source.order_by, source.table.c.parent_id)


def _agreements(ctx: Context, spec: ListSpec) -> ListSource:
    table = agreement_reads.AGREEMENT
    return ListSource(
        table,
        narrowed(ctx.reader.select(table), agreement_reads.agreement_conditions(spec.filter)),
        agreement_reads.agreement_ordering(spec.order),
    )


def _agreements_of_organizations(ctx: Context, spec: ListSpec) -> ListSource:
    table = agreement_reads.AGREEMENT
    statement, key = agreement_reads.organization_agreements(ctx.viewer, spec.filter)
    order_by = agreement_reads.organization_agreement_ordering(spec.filter, spec.order)
    total = agreement_reads.kept_total(ctx.viewer, spec.filter)
    return ListSource(table, statement, order_by, key, total)


def _programs_of_organizations(ctx: Context, spec: ListSpec) -> ListSource:
    statement, key = unit_lists.organization_programs(ctx.reader, spec.filter)
    return ListSource(
        program_reads.PROGRAM, statement, unit_lists.program_ordering(spec.order), key
    )


def _activities_of_organizations(ctx: Context, spec: ListSpec) -> ListSource:
    statement, key = unit_lists.organization_activities(ctx.reader, spec.filter)
    return ListSource(
        activity_reads.ACTIVITY,
        statement,
        unit_lists.activity_ordering(spec.order),
        key,
    )


def _alliances(ctx: Context, spec: ListSpec) -> ListSource:
    table = alliance_reads.ALLIANCE
    return ListSource(
        table,
        narrowed(ctx.reader.select(table), alliance_reads.alliance_conditions(spec.filter)),
        order_by_field(table, spec.order or alliance_reads.AllianceOrder()),
    )


def _memberships_of_alliances(ctx: Context, spec: ListSpec) -> ListSource:
    table = alliance_reads.MEMBERSHIP
    return ListSource(
        table,
        narrowed(ctx.reader.select(table), alliance_reads.membership_conditions(spec.filter)),
        alliance_reads.MEMBERSHIP_ORDER,
        table.c.alliance_id,
    )


ORGANIZATIONS = ListMaker("organizations", _organizations)
UNITS = ListMaker("units", _units)
AGREEMENTS = ListMaker("agreements", _agreements)
AGREEMENTS_OF_ORGANIZATIONS = ListMaker("agreements_of_organizations", _agreements_of_organizations)
ALLIANCES = ListMaker("alliances", _alliances)
PROGRAMS_OF_ORGANIZATIONS = ListMaker("programs_of_organizations", _programs_of_organizations)
ACTIVITIES_OF_ORGANIZATIONS = ListMaker("activities_of_organizations", _activities_of_organizations)
MEMBERSHIPS_OF_ALLIANCES = ListMaker("memberships_of_alliances", _memberships_of_alliances)


@cache
def relation(name: str) -> ListMaker:
    """The list of `RELATIONS[name]`, paged per parent like `resolvers.relations.related_page`."""
    found = RELATIONS[name]
    table = NODE_TABLES[found.node]

    def make(ctx: Context, spec: ListSpec) -> ListSource:
        statement = relation_statement(ctx, found)
        if statement is None:
            statement = ctx.reader.select(table)
        return ListSource(table, statement, found.order_by, found.key)

    return ListMaker(name, make)


def _agreement_status(table: sa.Table) -> ColumnElement[Any]:
    status = agreement_reads.effective_status(date.today())
    if table is not agreement_reads.AGREEMENT:
        raise ValueError(f"the agreement status is not a column of {table.name}")
    return sa.func.upper(status)


AGREEMENT_STATUS = Expression("agreement_status", _agreement_status)
"""`resolvers.agreements.status_as_read` in SQL, as the enum's name."""


def _notice_deadline(table: sa.Table) -> ColumnElement[Any]:
    if table is not agreement_reads.AGREEMENT:
        raise ValueError(f"the notice deadline is not a column of {table.name}")
    return agreement_reads.notice_deadline_sql(table)


NOTICE_DEADLINE = Expression("notice_deadline", _notice_deadline)
"""`resolvers.agreements.notice_deadline` in SQL (the compiled road runs on PostgreSQL)."""
