"""The ledger's invariants, checked over the whole database in a few statements: what the tests
assert after random operation sequences and concurrent requests, and what the benchmark checks
after its run. Each query returns the rows that break one invariant; an empty audit is a clean
ledger."""

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.base import table_of
from db.enums import ApplicationStatus, CreditEntryKind

__all__ = ["audit"]

ENTRY = table_of(t.CreditEntry)
RULE = table_of(t.RecognitionRule)
UNIT = table_of(t.CreditUnit)
APPLICATION = table_of(t.RecognitionApplication)
K = CreditEntryKind


def _round(value: sa.ColumnElement[Decimal]) -> sa.ColumnElement[Decimal]:
    """To the cent: SQLite sums NUMERIC columns as floats."""
    return sa.func.round(value, 2)


def _is_source(entry: sa.FromClause) -> sa.ColumnElement[bool]:
    """Earned, recognised, or put in by a conversion (`resolvers.ledger.is_source`)."""
    return sa.or_(
        entry.c.kind.in_((K.EARNED.value, K.RECOGNISED.value)),
        sa.and_(entry.c.kind == K.CONVERTED.value, entry.c.corrects_id.is_(None)),
    )


def _net() -> sa.Subquery:
    """Each source entry with its net (itself plus its corrections, expiry and conversions
    out)."""
    follow = ENTRY.alias("follow")
    return (
        sa.select(
            ENTRY.c.id,
            ENTRY.c.account_id,
            ENTRY.c.credits,
            _round(ENTRY.c.credits + sa.func.coalesce(sa.func.sum(follow.c.credits), 0)).label(
                "net"
            ),
        )
        .outerjoin(follow, follow.c.corrects_id == ENTRY.c.id)
        .where(_is_source(ENTRY))
        .group_by(ENTRY.c.id, ENTRY.c.account_id, ENTRY.c.credits)
        .subquery("net")
    )


async def _rows(connection: AsyncConnection, statement: sa.Select[tuple[object, ...]]) -> list[str]:
    return [str(tuple(row)) for row in (await connection.execute(statement)).all()]


async def audit(connection: AsyncConnection) -> dict[str, list[str]]:
    """Every broken invariant, by name, with the rows that break it (empty when none is)."""
    net = _net()
    source = ENTRY.alias("source")
    unit = sa.func.coalesce(ENTRY.c.unit_code, "")
    balances = (
        sa.select(ENTRY.c.account_id, ENTRY.c.organization_id, unit, sa.func.sum(ENTRY.c.credits))
        .group_by(ENTRY.c.account_id, ENTRY.c.organization_id, unit)
        .having(_round(sa.func.sum(ENTRY.c.credits)) < 0)
    )
    out = ENTRY.alias("taken_out")
    out_unit, in_unit = UNIT.alias("out_unit"), UNIT.alias("in_unit")
    found = {
        "an entry's net below zero": sa.select(net.c.id, net.c.net).where(net.c.net < 0),
        "an entry's net above what its source gave": sa.select(net.c.id, net.c.net).where(
            net.c.net > net.c.credits
        ),
        "a balance below zero (per account, organization and unit)": balances,
        "an outcome earned twice": sa.select(ENTRY.c.outcome_id)
        .where(ENTRY.c.kind == K.EARNED.value)
        .group_by(ENTRY.c.outcome_id)
        .having(sa.func.count() > 1),
        "an outcome recognised twice at one organization": sa.select(
            ENTRY.c.outcome_id, ENTRY.c.organization_id
        )
        .where(ENTRY.c.kind == K.RECOGNISED.value)
        .group_by(ENTRY.c.outcome_id, ENTRY.c.organization_id)
        .having(sa.func.count() > 1),
        "an entry expired twice": sa.select(ENTRY.c.corrects_id)
        .where(ENTRY.c.kind == K.EXPIRED.value)
        .group_by(ENTRY.c.corrects_id)
        .having(sa.func.count() > 1),
        "a correction, expiry or conversion off its source": sa.select(ENTRY.c.id)
        .join(source, source.c.id == ENTRY.c.corrects_id)
        .where(
            sa.or_(
                source.c.account_id != ENTRY.c.account_id,
                source.c.organization_id != ENTRY.c.organization_id,
                sa.not_(_is_source(source)),
                sa.func.coalesce(source.c.rule_id, 0) != sa.func.coalesce(ENTRY.c.rule_id, 0),
                sa.func.coalesce(source.c.unit_code, "") != unit,
            )
        ),
        "credits taken out for a conversion not put in exactly once": sa.select(ENTRY.c.id)
        .outerjoin(out, out.c.converted_from_id == ENTRY.c.id)
        .where(ENTRY.c.kind == K.CONVERTED.value, ENTRY.c.corrects_id.is_not(None))
        .group_by(ENTRY.c.id)
        .having(sa.func.count(out.c.id) != 1),
        "a conversion putting in more than it took out, or off its pair": sa.select(ENTRY.c.id)
        .join(out, out.c.id == ENTRY.c.converted_from_id)
        .outerjoin(out_unit, out_unit.c.code == out.c.unit_code)
        .outerjoin(in_unit, in_unit.c.code == ENTRY.c.unit_code)
        .where(
            sa.or_(
                out.c.kind != K.CONVERTED.value,
                out.c.corrects_id.is_(None),
                out.c.account_id != ENTRY.c.account_id,
                out.c.organization_id != ENTRY.c.organization_id,
                out.c.unit_code == ENTRY.c.unit_code,
                sa.func.round(ENTRY.c.credits * in_unit.c.ects_per_unit, 6)
                > sa.func.round(-out.c.credits * out_unit.c.ects_per_unit, 6),
                in_unit.c.ects_per_unit.is_(None),
                out_unit.c.ects_per_unit.is_(None),
            )
        ),
        "recognised credits over the rule's cap": sa.select(
            ENTRY.c.account_id, ENTRY.c.rule_id, sa.func.sum(ENTRY.c.credits)
        )
        .join(RULE, RULE.c.id == ENTRY.c.rule_id)
        .where(RULE.c.max_credits.is_not(None), ENTRY.c.kind != K.CONVERTED.value)
        .group_by(ENTRY.c.account_id, ENTRY.c.rule_id, RULE.c.max_credits)
        .having(_round(sa.func.sum(ENTRY.c.credits)) > RULE.c.max_credits),
        "recognised credits without an approved application": sa.select(ENTRY.c.id)
        .join(APPLICATION, APPLICATION.c.id == ENTRY.c.application_id)
        .where(
            ENTRY.c.kind == K.RECOGNISED.value,
            APPLICATION.c.status != ApplicationStatus.APPROVED.value,
        ),
        "an approved application granting other than its entries": sa.select(
            APPLICATION.c.id,
            APPLICATION.c.credits_granted,
        )
        .outerjoin(
            ENTRY,
            sa.and_(
                ENTRY.c.application_id == APPLICATION.c.id,
                ENTRY.c.kind == K.RECOGNISED.value,
            ),
        )
        .where(APPLICATION.c.status == ApplicationStatus.APPROVED.value)
        .group_by(APPLICATION.c.id, APPLICATION.c.credits_granted)
        .having(
            _round(sa.func.coalesce(sa.func.sum(ENTRY.c.credits), 0))
            != _round(sa.func.coalesce(APPLICATION.c.credits_granted, Decimal(0)))
        ),
    }
    return {name: await _rows(connection, statement) for name, statement in found.items()}
