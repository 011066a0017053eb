"""chain reports by time (issue 14): the national chain picture reads every reporter's
newest report in the 7 days up to as_of; with thousands of GP practices reporting daily
that query needs an index that leads on reported_at (the other two lead on region or
reporter).

Revision ID: 0010_chain_reports_time
Revises: 0009_forecast_store
Create Date: 2026-12-03 07:20:00

Hand-written; mirrors kraan.store.requests_tables.
"""
from alembic import op


revision = '0010_chain_reports_time'
down_revision = '0009_forecast_store'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_chain_reports_time', 'chain_reports', ['reported_at'])


def downgrade() -> None:
    op.drop_index('ix_chain_reports_time', table_name='chain_reports')
