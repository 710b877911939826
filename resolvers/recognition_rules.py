"""What a recognition rule may say, checked on every create and update of one: a ratio above 0
and at most `MAX_RATIO`, a cap above 0 and at most `MAX_CAP` (or none), two different
organizations; and once credits were recognised under it (or an application waits on it), its
terms (ratio, cap, organizations, programs, agreement) no longer change: define a new rule."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.base import table_of
from resolvers.errors import ApiError, BadUserInput

__all__ = ["MAX_CAP", "MAX_RATIO", "RuleInUse", "check_rule"]

MAX_RATIO = Decimal(10)
MAX_CAP = Decimal(1000)
_TERMS = (
    "ratio",
    "max_credits",
    "from_organization_id",
    "to_organization_id",
    "from_program_id",
    "to_program_id",
    "agreement_id",
)
APPLICATION = table_of(t.RecognitionApplication)
ENTRY = table_of(t.CreditEntry)


class RuleInUse(ApiError):
    code = "RULE_IN_USE"


def _field(column: str) -> str:
    head, *rest = column.removesuffix("_id").split("_")
    return head + "".join(part.title() for part in rest)


async def check_rule(
    connection: AsyncConnection, current: Mapping[Any, Any] | None, values: Mapping[str, Any]
) -> None:
    ratio = values.get("ratio")
    if "ratio" in values and (ratio is None or not 0 < Decimal(ratio) <= MAX_RATIO):
        raise BadUserInput(
            f"a ratio is above 0 and at most {MAX_RATIO} (credits recognised per credit earned)",
            field="ratio",
        )
    cap = values.get("max_credits")
    if cap is not None and not 0 < Decimal(cap) <= MAX_CAP:
        raise BadUserInput(
            f"a cap is above 0 and at most {MAX_CAP} credits (leave it out for none)",
            field="maxCredits",
        )
    merged = {**(current or {}), **values}
    if merged.get("from_organization_id") == merged.get("to_organization_id"):
        raise BadUserInput(
            "a rule recognises credits of one organization at another: name two",
            field="toOrganization",
        )
    if current is None:
        return
    changed = [c for c in _TERMS if c in values and values[c] != current[c]]
    if not changed:
        return
    used = await connection.scalar(
        sa.select(sa.func.count()).where(ENTRY.c.rule_id == current["id"])
    ) or await connection.scalar(
        sa.select(sa.func.count()).where(APPLICATION.c.rule_id == current["id"])
    )
    if used:
        raise RuleInUse(
            "applications were made under this rule, so its terms stay as they were decided "
            "on: define a new rule for new terms",
            field=_field(changed[0]),
        )
