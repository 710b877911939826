"""ledger units: each credit entry carries its credit unit; conversions between units

Revision ID: 0022_ledger_units
Revises: 0019_summary_rollup
Create Date: 2026-12-02 04:10:00

`credit_entry` gains `unit_code` (the `credit_unit` the credits count in) and
`converted_from_id` (for the entry a conversion puts in: the entry that took the credits out),
and the kind `converted` (the kind check and the source check change, so SQLite rebuilds the
table, inside `triggers_off`; `db.migrate` runs migrations on SQLite with foreign keys off, as
the rebuild drops a table whose rows refer to each other, and checks them before the commit).

Existing entries get the unit they were recorded in, as far as it is known today:

- an earned entry: its outcome's course's `credit_unit_code`, else the course's program's
  (the credits entered are the course's own credits, counted in that unit);
- a recognised entry: its rule's receiving program's (`to_program_id`) `credit_unit_code`
  (the ratio turns source credits into the receiving side's credits); null when the rule names
  no receiving program or that program has no unit;
- a correction or expiry: the unit of the entry it corrects.

Null stays null: the unit was never recorded, it is not guessed, and such credits cannot be
converted (`convertCredits` answers `UNIT_UNKNOWN`). New entries take their unit the same way.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401

from db import change_triggers


# revision identifiers, used by Alembic.
revision: str = '0022_ledger_units'
down_revision: Union[str, Sequence[str], None] = '0019_summary_rollup'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

OLD_SOURCE = (
    "(kind = 'earned' AND outcome_id IS NOT NULL AND credits >= 0 AND corrects_id IS NULL)"
    " OR (kind = 'recognised' AND outcome_id IS NOT NULL AND rule_id IS NOT NULL"
    " AND credits >= 0 AND corrects_id IS NULL)"
    " OR (kind IN ('expired', 'corrected') AND corrects_id IS NOT NULL"
    " AND reason IS NOT NULL)"
)
NEW_SOURCE = (
    OLD_SOURCE + " OR (kind = 'converted' AND unit_code IS NOT NULL AND ((credits < 0"
    " AND corrects_id IS NOT NULL AND converted_from_id IS NULL) OR (credits > 0"
    " AND corrects_id IS NULL AND converted_from_id IS NOT NULL)))"
)
OLD_KINDS = "kind IN ('earned', 'recognised', 'expired', 'corrected')"
NEW_KINDS = "kind IN ('earned', 'recognised', 'expired', 'corrected', 'converted')"

BACKFILL = [
    "UPDATE credit_entry SET unit_code = (SELECT COALESCE(c.credit_unit_code, p.credit_unit_code)"
    " FROM learning_outcome o JOIN course c ON c.id = o.course_id"
    " LEFT JOIN program p ON p.id = c.program_id WHERE o.id = credit_entry.outcome_id)"
    " WHERE kind = 'earned'",
    "UPDATE credit_entry SET unit_code = (SELECT p.credit_unit_code FROM recognition_rule r"
    " JOIN program p ON p.id = r.to_program_id WHERE r.id = credit_entry.rule_id)"
    " WHERE kind = 'recognised'",
    "UPDATE credit_entry SET unit_code = (SELECT s.unit_code FROM credit_entry s"
    " WHERE s.id = credit_entry.corrects_id) WHERE kind IN ('corrected', 'expired')",
]


def upgrade() -> None:
    """Upgrade schema."""
    with change_triggers.triggers_off(op.get_bind()):
        with op.batch_alter_table('credit_entry', schema=None) as batch_op:
            batch_op.add_column(sa.Column('converted_from_id', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column('unit_code', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
            batch_op.create_index(batch_op.f('ix_credit_entry_converted_from_id'), ['converted_from_id'], unique=False)
            batch_op.create_index(batch_op.f('ix_credit_entry_unit_code'), ['unit_code'], unique=False)
            batch_op.create_foreign_key(batch_op.f('fk_credit_entry_converted_from_id_credit_entry'), 'credit_entry', ['converted_from_id'], ['id'], ondelete='RESTRICT')
            batch_op.create_foreign_key(batch_op.f('fk_credit_entry_unit_code_credit_unit'), 'credit_unit', ['unit_code'], ['code'], ondelete='RESTRICT')
            batch_op.drop_constraint(batch_op.f('ck_credit_entry_source_of_kind'), type_='check')
            batch_op.drop_constraint(batch_op.f('ck_credit_entry_kind_valid'), type_='check')
            batch_op.create_check_constraint(batch_op.f('ck_credit_entry_source_of_kind'), NEW_SOURCE)
            batch_op.create_check_constraint(batch_op.f('ck_credit_entry_kind_valid'), NEW_KINDS)
        for statement in BACKFILL:
            op.execute(statement)


def downgrade() -> None:
    """Downgrade schema. With conversions in the ledger it fails on the old kind check: they
    are not thrown away silently."""
    with change_triggers.triggers_off(op.get_bind()):
        with op.batch_alter_table('credit_entry', schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f('ck_credit_entry_source_of_kind'), type_='check')
            batch_op.drop_constraint(batch_op.f('ck_credit_entry_kind_valid'), type_='check')
            batch_op.create_check_constraint(batch_op.f('ck_credit_entry_source_of_kind'), OLD_SOURCE)
            batch_op.create_check_constraint(batch_op.f('ck_credit_entry_kind_valid'), OLD_KINDS)
            batch_op.drop_constraint(batch_op.f('fk_credit_entry_unit_code_credit_unit'), type_='foreignkey')
            batch_op.drop_constraint(batch_op.f('fk_credit_entry_converted_from_id_credit_entry'), type_='foreignkey')
            batch_op.drop_index(batch_op.f('ix_credit_entry_unit_code'))
            batch_op.drop_index(batch_op.f('ix_credit_entry_converted_from_id'))
            batch_op.drop_column('unit_code')
            batch_op.drop_column('converted_from_id')
