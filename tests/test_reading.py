"""`resolvers.reading.narrowed`: a filter that repeats the viewer's visibility is applied once."""

import sqlalchemy as sa
import strawberry

from resolvers.agreements import AGREEMENT, AgreementFilter, agreement_conditions
from resolvers.ids import encode_id
from resolvers.reading import narrowed
from resolvers.viewer import Role, Viewer
from resolvers.visibility import visible

SECRETARIAT = Viewer(role=Role.SECRETARIAT, alliance_id=2, token_id=1)


def _party_alliance(alliance: int) -> list[sa.ColumnElement[bool]]:
    return agreement_conditions(
        AgreementFilter(party_alliance=strawberry.ID(encode_id("Alliance", alliance)))
    )


def _sql(statement: sa.Select[object]) -> str:
    return str(statement.compile(compile_kwargs={"literal_binds": True}))


def test_a_filter_equal_to_the_visibility_condition_is_left_out() -> None:
    base = sa.select(AGREEMENT).where(visible(SECRETARIAT, AGREEMENT))
    statement = narrowed(base, _party_alliance(2))
    assert _sql(statement) == _sql(base)
    assert _sql(statement).count("EXISTS") == 1


def test_a_filter_on_another_alliance_is_kept() -> None:
    base = sa.select(AGREEMENT).where(visible(SECRETARIAT, AGREEMENT))
    statement = narrowed(base, _party_alliance(3))
    assert _sql(statement).count("EXISTS") == 2
    assert "membership.alliance_id = 3" in _sql(statement)


def test_repeated_filters_are_applied_once_and_other_conditions_kept() -> None:
    base = sa.select(AGREEMENT)
    kind = AGREEMENT.c.kind == "mou"
    statement = narrowed(base, [*_party_alliance(3), kind, *_party_alliance(3), kind])
    sql = _sql(statement)
    assert sql.count("EXISTS") == 1
    assert sql.count("agreement.kind = 'mou'") == 1
