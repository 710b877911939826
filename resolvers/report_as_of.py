"""The agreements a report counts, and their status, as of a date (`agreements_as_of`). The
filter is the one of the `agreements` list, applied through the same `agreement_conditions`, so a
summary without `asOf` counts exactly the agreements that the list with that filter pages through.
"As of a date" (docs/reports.md): an agreement exists on day D when it was created by the end of
D; for data loaded without a status history (registries, the demo) the signing date decides
instead (signed by D, or unsigned and created by D). Its status on D is the last status its
history recorded by the end of D (a change after D is undone by reading its old value), or the
stored status when it has no status history; then the expiry rule of `effective_status` applies
on D (in force past its end date reads as expired; recorded as expired but still within its
period on D reads as active; recorded as active before its period began reads as signed).
"""

from dataclasses import replace
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from db.enums import AgreementStatus
from resolvers.agreements import AgreementFilter, agreement_conditions, effective_status
from resolvers.report_terms import AGREEMENT, HISTORY, IN_FORCE, counted, end_of
from resolvers.viewer import Viewer
from resolvers.visibility import visible

__all__ = ["agreements_as_of"]

S = AgreementStatus


def _status_changes(*, before: datetime | None = None, after: datetime | None = None) -> Any:
    h = HISTORY.c
    conditions = [
        h.subject_type == "agreement",
        h.subject_id == AGREEMENT.c.id,
        h.changes[("status", "new")].as_string().is_not(None),
    ]
    if before is not None:
        conditions.append(h.changed_at < before)
    if after is not None:
        conditions.append(h.changed_at >= after)
    return conditions


def _as_of_columns(day: date) -> tuple[ColumnElement[bool], ColumnElement[str]]:
    """Whether an agreement existed on `day`, and its status then (see the module's text)."""
    a, h = AGREEMENT.c, HISTORY.c
    end = end_of(day)
    last_before = (
        sa.select(h.changes[("status", "new")].as_string())
        .where(*_status_changes(before=end))
        .order_by(h.changed_at.desc(), h.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    first_after = (
        sa.select(h.changes[("status", "old")].as_string())
        .where(*_status_changes(after=end))
        .order_by(h.changed_at, h.id)
        .limit(1)
        .scalar_subquery()
    )
    has_history = sa.exists(sa.select(h.id).where(*_status_changes()))
    exists = sa.case(
        (has_history, a.created_at < end),
        else_=sa.or_(a.signed_on <= day, sa.and_(a.signed_on.is_(None), a.created_at < end)),
    )
    recorded = sa.func.coalesce(last_before, first_after, a.status)
    status = sa.case(
        (sa.and_(recorded.in_(IN_FORCE), a.effective_to < day), S.EXPIRED.value),
        (
            sa.and_(recorded == S.EXPIRED.value, a.effective_to >= day),
            sa.case(
                (sa.or_(a.effective_from.is_(None), a.effective_from <= day), S.ACTIVE.value),
                else_=S.SIGNED.value,
            ),
        ),
        (
            sa.and_(recorded == S.ACTIVE.value, a.effective_from > day),
            S.SIGNED.value,
        ),
        else_=recorded,
    )
    return exists == sa.true(), status


def agreements_as_of(
    viewer: Viewer, filter: AgreementFilter | None, as_of: date | None, *, rows: bool = False
) -> sa.Subquery:
    """The agreements counted (visible, matching `filter`, existing on `as_of`) with their
    `status` and whether they were `active` (in force, and within their period) on that day.
    Without `as_of`, today, read exactly as the `agreements` list reads it. With `rows`, the
    agreements listed (a reporter counts every agreement but lists none)."""
    a = AGREEMENT.c
    day = as_of or date.today()
    if as_of is None:
        status: ColumnElement[str] = effective_status(day)
        conditions = agreement_conditions(filter)
    else:
        exists, status = _as_of_columns(as_of)
        rest = replace(filter, status=None) if filter is not None else None
        conditions = [exists, *agreement_conditions(rest)]
        if filter is not None and filter.status:
            conditions.append(status.in_([s.value for s in filter.status]))
    active = sa.and_(
        status.in_(IN_FORCE), sa.or_(a.effective_from.is_(None), a.effective_from <= day)
    )
    return (
        sa.select(
            a.id,
            a.kind,
            status.label("status"),
            sa.case((active, 1), else_=0).label("active"),
            a.signed_on,
            a.effective_from,
            a.effective_to,
        )
        .where((visible if rows else counted)(viewer, AGREEMENT), *conditions)
        .subquery("counted_agreement")
    )
