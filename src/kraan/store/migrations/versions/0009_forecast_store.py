"""forecast store (issue 13, "Speed"): raw forecast runs computed when data is loaded

Revision ID: 0009_forecast_store
Revises: 0008_roaz_municipalities
Create Date: 2026-12-03 06:40:00

Hand-written; mirrors kraan.store.forecast_tables.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_forecast_store'
down_revision = '0008_roaz_municipalities'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('forecast_raw_runs',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('model', sa.String(length=32), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=True),
    sa.Column('payload', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_forecast_raw_runs'))
    )
    op.create_index('ix_forecast_raw_runs_day', 'forecast_raw_runs', ['day'])
    op.create_index('ix_forecast_raw_runs_model', 'forecast_raw_runs', ['model'])


def downgrade() -> None:
    op.drop_index('ix_forecast_raw_runs_model', table_name='forecast_raw_runs')
    op.drop_index('ix_forecast_raw_runs_day', table_name='forecast_raw_runs')
    op.drop_table('forecast_raw_runs')
