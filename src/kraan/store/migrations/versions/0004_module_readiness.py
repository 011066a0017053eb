"""module readiness per region (weekly briefing)

Revision ID: 0004_module_readiness
Revises: 0003_requests

Hand-written; mirrors kraan.store.briefing_tables exactly.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_module_readiness'
down_revision = '0003_requests'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('module_readiness',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('region_code', sa.String(length=16), nullable=False),
    sa.Column('module', sa.String(length=4), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('valid_from', sa.DateTime(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_module_readiness'))
    )
    op.create_index('ix_module_readiness_region_module', 'module_readiness',
                    ['region_code', 'module', 'valid_from'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_module_readiness_region_module', table_name='module_readiness')
    op.drop_table('module_readiness')
