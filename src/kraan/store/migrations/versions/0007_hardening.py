"""hardening (issue 8): audit hash chain and append-only triggers; failed logins

Revision ID: 0007_hardening
Revises: 0006_chain_reports
Create Date: 2026-12-02 17:30:00

Hand-written; mirrors kraan.store.tables and kraan.store.hardening_tables.
"""
from alembic import op
import sqlalchemy as sa

from kraan.store.audit import CONTENT, row_digest


revision = '0007_hardening'
down_revision = '0006_chain_reports'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION kraan_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table('login_failures',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    op.create_index('ix_login_failures_username_at', 'login_failures', ['username', 'at'])
    op.create_index('ix_login_failures_ip_at', 'login_failures', ['ip', 'at'])
    with op.batch_alter_table('audit_log') as batch:
        batch.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('row_hash', sa.String(length=64), nullable=True))
    _chain_existing_rows()
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION kraan_audit_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION kraan_audit_append_only()"
        )
    else:
        for action in ('UPDATE', 'DELETE'):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{action.lower()} BEFORE {action} ON audit_log "
                f"BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: {action} refused'); END"
            )


def _chain_existing_rows() -> None:
    bind = op.get_bind()
    table = sa.table('audit_log', sa.column('id'), sa.column('prev_hash'),
                     sa.column('row_hash'), *(sa.column(name) for name in CONTENT))
    prev = None
    rows = bind.execute(sa.select(table).order_by(table.c.id)).mappings().all()
    for row in rows:
        digest = row_digest(prev, row)
        bind.execute(
            sa.update(table).where(table.c.id == row['id']).values(prev_hash=prev, row_hash=digest)
        )
        prev = digest


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS kraan_audit_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    with op.batch_alter_table('audit_log') as batch:
        batch.drop_column('row_hash')
        batch.drop_column('prev_hash')
    op.drop_index('ix_login_failures_ip_at', table_name='login_failures')
    op.drop_index('ix_login_failures_username_at', table_name='login_failures')
    op.drop_table('login_failures')
