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
APPLICATION = table_of(t.RecognitionApplication)
K = CreditEntryKind


def _round(value: sa.ColumnElement[Decimal]) -> sa.ColumnElement[Decimal]:
    """To the cent: SQLite sums NUMERIC columns as floats."""
    return sa.func.round(value, 2)


def _net() -> sa.Subquery:
    """Each earned or recognised entry with its net (itself plus its corrections and expiry)."""
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
        .where(ENTRY.c.kind.in_((K.EARNED.value, K.RECOGNISED.value)))
        .group_by(ENTRY.c.id, ENTRY.c.account_id, ENTRY.c.credits)
        .subquery("net")
    )


async def _rows(connection: AsyncConnection, statement: sa.Select[tuple[object, ...]]) -> list[str]:
    return [str(tuple(row)) for row in (await connection.execute(statement)).all()]


async def audit(connection: AsyncConnection) -> dict[str, list[str]]:
    """Every broken invariant, by name, with the rows that break it (empty when none is)."""
    net = _net()
    source = ENTRY.alias("source")
    balances = (
        sa.select(ENTRY.c.account_id, ENTRY.c.organization_id, sa.func.sum(ENTRY.c.credits))
        .group_by(ENTRY.c.account_id, ENTRY.c.organization_id)
        .having(_round(sa.func.sum(ENTRY.c.credits)) < 0)
    )
    found = {
        "an entry's net below zero": sa.select(net.c.id, net.c.net).where(net.c.net < 0),
        "an entry's net above what its source gave": sa.select(net.c.id, net.c.net).where(
            net.c.net > net.c.credits
        ),
        "a balance below zero (per account and organization)": balances,
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
        "a correction or expiry off its source": sa.select(ENTRY.c.id)
        .join(source, source.c.id == ENTRY.c.corrects_id)
        .where(
            sa.or_(
                source.c.account_id != ENTRY.c.account_id,
                source.c.organization_id != ENTRY.c.organization_id,
                source.c.kind.not_in((K.EARNED.value, K.RECOGNISED.value)),
                sa.func.coalesce(source.c.rule_id, 0) != sa.func.coalesce(ENTRY.c.rule_id, 0),
            )
        ),
        "recognised credits over the rule's cap": sa.select(
            ENTRY.c.account_id, ENTRY.c.rule_id, sa.func.sum(ENTRY.c.credits)
        )
        .join(RULE, RULE.c.id == ENTRY.c.rule_id)
        .where(RULE.c.max_credits.is_not(None))
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
