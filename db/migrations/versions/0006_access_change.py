"""the access change counter, moved by triggers on PostgreSQL

Revision ID: 0006_access_change
Revises: 0005_network
Create Date: 2026-11-28 06:10:00

Statement-level triggers raise `access_change.value` in the transaction of any statement that
can change what a token admits: on `api_token`, an update, delete or truncate; on
`organization`, an insert, delete, truncate or an update that sets `parent_id` (a token's scope
is its organization and every unit below it). Triggers, not application code, so that writes
from the command line, the loaders and plain SQL move it too. SQLite gets the table only: its
workers never keep token viewers (compiled reads are PostgreSQL's).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0006_access_change'
down_revision: Union[str, Sequence[str], None] = '0005_network'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_FUNCTION = """
CREATE FUNCTION access_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE access_change SET value = value + 1 WHERE id = 1;
    RETURN NULL;
END
$$
"""

_TRIGGERS = {
    'api_token_access_changed': 'AFTER UPDATE OR DELETE OR TRUNCATE ON api_token',
    'organization_access_changed': (
        'AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF parent_id ON organization'
    ),
}


def upgrade() -> None:
    change = op.create_table(
        'access_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_access_change')),
    )
    op.bulk_insert(change, [{'id': 1, 'value': 0}])
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(_FUNCTION)
    for name, when in _TRIGGERS.items():
        op.execute(
            f'CREATE TRIGGER {name} {when} FOR EACH STATEMENT EXECUTE FUNCTION access_changed()'
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for name, when in _TRIGGERS.items():
            table = when.rsplit(' ', 1)[1]
            op.execute(f'DROP TRIGGER {name} ON {table}')
        op.execute('DROP FUNCTION access_changed()')
    op.drop_table('access_change')
