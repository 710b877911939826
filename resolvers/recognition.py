"""Recognition as an application with review.

A learner's home organization (acting for the learner) applies to have outcomes earned at one
organization recognised by another, under a rule the receiving organization keeps; an editor of
the receiving organization approves or rejects it with a reason; the home organization may
withdraw it while it waits. The rule (`resolvers.recognition_rules`) decides what counts:

- its agreement must not be suspended or over (expired, terminated, superseded) to apply: an
  application may wait while the agreement is being made; and it must be in force (ACTIVE,
  inside its effective dates) to approve; else the refusal names why
  (`AGREEMENT_NOT_IN_FORCE`: "is suspended", "expired on ...", "is under negotiation");
- each outcome must be the learner's, earned at the rule's source (or a unit of it), in its
  source program and among its eligible courses when it names them, and still hold credits
  (its earned entry's net, after corrections and expiry);
- an outcome is recognised once per receiving organization, and waits in one application;
- approval grants each outcome's net times the ratio, up to what remains of the rule's cap
  for the account (`maxCredits`); once the cap is reached, applications are refused.

Applying and deciding lock the learner's account first (`resolvers.ledger.lock_account`), so
concurrent decisions on one account are serialised and the cap holds under concurrency.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from db import tables as t
from db.base import table_of, utcnow
from db.enums import AgreementStatus, ApplicationStatus, CreditEntryKind
from resolvers.agreement_lifecycle import InvalidTransition, status_of
from resolvers.decimals import scaled
from resolvers.errors import ApiError, BadUserInput
from resolvers.ledger import ENTRY, LedgerRefusal, append, entry_net, lock_account
from resolvers.viewer import Viewer
from resolvers.write_declarations import MUTATIONS
from resolvers.write_scope import check_arguments, check_reference
from resolvers.writes import StaleVersion, insert_row, update_row

__all__ = [
    "APPLICATION",
    "NotInForce",
    "apply_for_recognition",
    "decide_application",
    "recognised_under",
    "withdraw_application",
]

APPLICATION = table_of(t.RecognitionApplication)
APPLIED = table_of(t.ApplicationOutcome)
RULE = table_of(t.RecognitionRule)
RULE_COURSE = table_of(t.RecognitionRuleCourse)
AGREEMENT = table_of(t.Agreement)
OUTCOME = table_of(t.LearningOutcome)
ACCOUNT = table_of(t.CreditAccount)
ORGANIZATION = table_of(t.Organization)
RECOGNITION = table_of(t.CreditRecognition)
PROGRAM = table_of(t.Program)

CENT = Decimal("0.01")
S = ApplicationStatus


class NotInForce(ApiError):
    code = "AGREEMENT_NOT_IN_FORCE"


class CapReached(ApiError):
    code = "CAP_REACHED"


@dataclass(frozen=True, slots=True)
class _Claim:
    outcome: RowMapping
    net: Decimal


_ENDED = {
    AgreementStatus.SUSPENDED,
    AgreementStatus.EXPIRED,
    AgreementStatus.TERMINATED,
    AgreementStatus.SUPERSEDED,
}


async def _check_agreement(
    connection: AsyncConnection, rule: RowMapping, today: date, *, approving: bool
) -> None:
    """An application may wait for an agreement still being made, never for one that is
    suspended or over; credits are recognised only while it is ACTIVE within its dates."""
    if rule["agreement_id"] is None:
        raise NotInForce(
            "this rule belongs to no credit recognition agreement, so nothing is recognised "
            "under it",
            field="rule",
        )
    result = await connection.execute(
        sa.select(AGREEMENT).where(AGREEMENT.c.id == rule["agreement_id"])
    )
    agreement = result.mappings().one()
    status = status_of(agreement, today)
    title = agreement["title"]
    if status is AgreementStatus.EXPIRED:
        end = agreement["effective_to"]
        when = f" on {end.isoformat()}" if end is not None else ""
        raise NotInForce(f"the agreement {title!r} expired{when}", field="rule")
    if status in _ENDED or (approving and status is not AgreementStatus.ACTIVE):
        raise NotInForce(
            f"the agreement {title!r} is {status.value.replace('_', ' ')}, not active",
            field="rule",
        )
    start = agreement["effective_from"]
    if approving and start is not None and today < start:
        raise NotInForce(
            f"the agreement {title!r} takes effect on {start.isoformat()}", field="rule"
        )


async def _within(connection: AsyncConnection, organization: int, ancestor: int) -> bool:
    """Whether `organization` is `ancestor` or a unit below it (institutions are trees)."""
    seen: set[int] = set()
    current: int | None = organization
    while current is not None and current not in seen:
        if current == ancestor:
            return True
        seen.add(current)
        current = await connection.scalar(
            sa.select(ORGANIZATION.c.parent_id).where(ORGANIZATION.c.id == current)
        )
    return False


async def recognised_under(connection: AsyncConnection, account_id: int, rule_id: int) -> Decimal:
    """The credits the account holds under a rule (recognised entries with their corrections
    and expiries): converting them to another unit does not make room under the cap."""
    total = await connection.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(ENTRY.c.credits), 0)).where(
            ENTRY.c.account_id == account_id,
            ENTRY.c.rule_id == rule_id,
            ENTRY.c.kind != CreditEntryKind.CONVERTED.value,
        )
    )
    return scaled(total, ENTRY.c.credits)


async def _earned_entry(connection: AsyncConnection, outcome_id: int) -> RowMapping | None:
    result = await connection.execute(
        sa.select(ENTRY).where(
            ENTRY.c.outcome_id == outcome_id, ENTRY.c.kind == CreditEntryKind.EARNED.value
        )
    )
    return result.mappings().first()


def _recognised_key(outcome_id: int, organization_id: int) -> str:
    return f"recognised:{outcome_id}:to:{organization_id}"


async def _claim(
    connection: AsyncConnection,
    rule: RowMapping,
    outcome: RowMapping,
    *,
    field: str,
    application_id: int | None = None,
) -> _Claim:
    """What one outcome brings to an application under `rule`, or why it brings nothing."""
    if not await _within(connection, outcome["provider_id"], rule["from_organization_id"]):
        raise LedgerRefusal(
            "this outcome was not earned at the rule's source organization", field=field
        )
    if rule["from_program_id"] is not None and outcome["program_id"] != rule["from_program_id"]:
        raise LedgerRefusal("this outcome was not earned in the rule's source program", field=field)
    eligible = set(
        await connection.scalars(
            sa.select(RULE_COURSE.c.course_id).where(RULE_COURSE.c.rule_id == rule["id"])
        )
    )
    if eligible and outcome["course_id"] not in eligible:
        raise LedgerRefusal("this outcome's course is not one the rule accepts", field=field)
    earned = await _earned_entry(connection, outcome["id"])
    net = Decimal(0) if earned is None else await entry_net(connection, earned["id"])
    if net <= 0:
        raise LedgerRefusal(
            "the learner holds no credits for this outcome (none entered, expired or corrected "
            "to zero)",
            field=field,
        )
    key = _recognised_key(outcome["id"], rule["to_organization_id"])
    if await connection.scalar(sa.select(ENTRY.c.id).where(ENTRY.c.entry_key == key)):
        raise LedgerRefusal(
            "this outcome is already recognised by the receiving organization", field=field
        )
    waiting = await connection.scalar(
        sa.select(APPLICATION.c.id)
        .join(APPLIED, APPLIED.c.application_id == APPLICATION.c.id)
        .where(
            APPLIED.c.outcome_id == outcome["id"],
            APPLICATION.c.to_organization_id == rule["to_organization_id"],
            APPLICATION.c.status == S.SUBMITTED.value,
            APPLICATION.c.id != (application_id or 0),
        )
    )
    if waiting is not None:
        raise LedgerRefusal(
            "this outcome already waits in another application to the same organization",
            field=field,
        )
    return _Claim(outcome, net)


def _converted(credits: Decimal, ratio: Decimal) -> Decimal:
    return (credits * ratio).quantize(CENT, rounding=ROUND_DOWN)


async def _remaining_cap(
    connection: AsyncConnection, rule: RowMapping, account_id: int
) -> Decimal | None:
    if rule["max_credits"] is None:
        return None
    held = await recognised_under(connection, account_id, rule["id"])
    left: Decimal = rule["max_credits"] - held
    if left <= 0:
        raise CapReached(
            f"the rule's cap of {rule['max_credits']} credits is reached for this account",
            field="rule",
        )
    return left


async def apply_for_recognition(
    connection: AsyncConnection,
    viewer: Viewer,
    *,
    learner_id: int,
    rule_id: int,
    outcome_ids: list[int],
) -> RowMapping:
    """A submitted application; refused, with nothing written, when any outcome or the rule's
    agreement does not qualify."""
    rows = await check_arguments(
        connection, viewer, "applyForRecognition", {"learner": learner_id, "rule": rule_id}
    )
    learner, rule = rows["learner"], rows["rule"]
    outcomes_ref = MUTATIONS["applyForRecognition"][2]
    outcomes = [
        await check_reference(connection, viewer, outcomes_ref, key, field=f"outcomes.{index}")
        for index, key in enumerate(outcome_ids)
    ]
    if not outcomes:
        raise BadUserInput("name at least one outcome to recognise", field="outcomes")
    if len(set(outcome_ids)) != len(outcome_ids):
        raise BadUserInput("an outcome is named twice", field="outcomes")
    accounts = {o["account_id"] for o in outcomes}
    owners = set(
        await connection.scalars(sa.select(ACCOUNT.c.learner_id).where(ACCOUNT.c.id.in_(accounts)))
    )
    if owners != {learner["id"]}:
        raise LedgerRefusal(
            "the learner does not hold these outcomes: name only the learner's own",
            field="outcomes",
        )
    if len(accounts) != 1:
        raise BadUserInput("name outcomes of one account per application", field="outcomes")
    [account_id] = accounts
    await lock_account(connection, account_id)
    today = utcnow().date()
    await _check_agreement(connection, rule, today, approving=False)
    await _remaining_cap(connection, rule, account_id)
    claims = [
        await _claim(connection, rule, outcome, field=f"outcomes.{index}")
        for index, outcome in enumerate(outcomes)
    ]
    requested = sum((_converted(c.net, rule["ratio"]) for c in claims), Decimal(0))
    application = await insert_row(
        connection,
        APPLICATION,
        {
            "learner_id": learner["id"],
            "account_id": account_id,
            "rule_id": rule["id"],
            "from_organization_id": rule["from_organization_id"],
            "to_organization_id": rule["to_organization_id"],
            "status": S.SUBMITTED.value,
            "credits_requested": requested,
            "applied_on": today,
            "applied_by": viewer.label,
        },
        actor=viewer.label,
        action="applied",
    )
    await connection.execute(
        sa.insert(APPLIED),
        [
            {"application_id": application["id"], "outcome_id": c.outcome["id"], "credits": c.net}
            for c in claims
        ],
    )
    return application


async def _pending(
    connection: AsyncConnection, viewer: Viewer, mutation: str, application_id: int, version: int
) -> RowMapping:
    """The application, once the caller may act on it, its account is locked, and it waits."""
    rows = await check_arguments(connection, viewer, mutation, {"id": application_id})
    await lock_account(connection, rows["id"]["account_id"])
    result = await connection.execute(
        sa.select(APPLICATION).where(APPLICATION.c.id == application_id)
    )
    application = result.mappings().one()
    if application["status"] != S.SUBMITTED.value:
        raise InvalidTransition(
            f"this application is {application['status']}: only a submitted one is decided or "
            "withdrawn",
            field="id",
        )
    if application["version"] != version:
        raise _stale(version, application["version"])
    return application


def _stale(version: int, current: int) -> ApiError:
    return StaleVersion(
        f"this application changed since version {version} was read (it is at version "
        f"{current}): read it again and retry",
        field="version",
    )


async def _grant(
    connection: AsyncConnection, viewer: Viewer, application: RowMapping, today: date
) -> Decimal:
    """Recognises the application's outcomes up to the rule's cap; the credits granted."""
    rule = (
        (await connection.execute(sa.select(RULE).where(RULE.c.id == application["rule_id"])))
        .mappings()
        .one()
    )
    await _check_agreement(connection, rule, today, approving=True)
    left = await _remaining_cap(connection, rule, application["account_id"])
    result = await connection.execute(
        sa.select(OUTCOME)
        .join(APPLIED, APPLIED.c.outcome_id == OUTCOME.c.id)
        .where(APPLIED.c.application_id == application["id"])
        .order_by(APPLIED.c.id)
    )
    granted = Decimal(0)
    unit = None
    if rule["to_program_id"] is not None:
        unit = await connection.scalar(
            sa.select(PROGRAM.c.credit_unit_code).where(PROGRAM.c.id == rule["to_program_id"])
        )
    for outcome in list(result.mappings()):
        claim = await _claim(
            connection, rule, outcome, field="id", application_id=application["id"]
        )
        credits = _converted(claim.net, rule["ratio"])
        if left is not None:
            credits = min(credits, left)
            left -= credits
        if credits <= 0:
            continue
        await connection.execute(
            sa.insert(RECOGNITION).values(
                outcome_id=outcome["id"],
                rule_id=rule["id"],
                credits=credits,
                recognised_on=today,
                created_at=utcnow(),
                updated_at=utcnow(),
                version=1,
            )
        )
        await append(
            connection,
            viewer,
            {
                "account_id": application["account_id"],
                "kind": CreditEntryKind.RECOGNISED.value,
                "credits": credits,
                "organization_id": rule["to_organization_id"],
                "outcome_id": outcome["id"],
                "rule_id": rule["id"],
                "application_id": application["id"],
                "entry_key": _recognised_key(outcome["id"], rule["to_organization_id"]),
                "recorded_on": today,
                "unit_code": unit,
            },
        )
        granted += credits
    return granted


async def decide_application(
    connection: AsyncConnection,
    viewer: Viewer,
    *,
    application_id: int,
    version: int,
    approve: bool,
    reason: str,
) -> RowMapping:
    """The receiving organization's decision, with its reason; approval writes the recognised
    entries."""
    text = reason.strip()
    if not text:
        raise BadUserInput("a decision gives its reason", field="reason")
    application = await _pending(
        connection, viewer, "decideRecognitionApplication", application_id, version
    )
    today = utcnow().date()
    granted = await _grant(connection, viewer, application, today) if approve else None
    return await update_row(
        connection,
        APPLICATION,
        application_id,
        version,
        {
            "status": (S.APPROVED if approve else S.REJECTED).value,
            "credits_granted": granted,
            "decided_on": today,
            "decided_by": viewer.label,
            "reason": text,
        },
        actor=viewer.label,
        action="approved" if approve else "rejected",
        what="RecognitionApplication",
    )


async def withdraw_application(
    connection: AsyncConnection, viewer: Viewer, *, application_id: int, version: int
) -> RowMapping:
    await _pending(connection, viewer, "withdrawRecognitionApplication", application_id, version)
    return await update_row(
        connection,
        APPLICATION,
        application_id,
        version,
        {"status": S.WITHDRAWN.value, "decided_on": utcnow().date()},
        actor=viewer.label,
        action="withdrawn",
        what="RecognitionApplication",
    )
