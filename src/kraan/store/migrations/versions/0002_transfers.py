"""spreading workflow: transfer plans, transfers, their events, bed offers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 12:30:00

Hand-written; mirrors kraan.store.tables exactly.
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('transfer_plans',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('as_of', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfer_plans'))
    )
    op.create_index(op.f('ix_transfer_plans_as_of'), 'transfer_plans', ['as_of'], unique=False)
    op.create_table('bed_offers',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('region_code', sa.String(length=16), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('care_level', sa.String(length=8), nullable=False),
    sa.Column('beds_offered', sa.Integer(), nullable=False),
    sa.Column('beds_taken', sa.Integer(), nullable=False),
    sa.Column('offered_by', sa.String(length=100), nullable=False),
    sa.Column('offered_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('beds_taken >= 0 AND beds_taken <= beds_offered', name='beds_within_offer'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bed_offers'))
    )
    op.create_index('ix_bed_offers_region_day', 'bed_offers', ['region_code', 'day'], unique=False)
    op.create_table('transfers',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('plan_id', ID, nullable=True),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('from_area', sa.String(length=16), nullable=False),
    sa.Column('to_area', sa.String(length=16), nullable=False),
    sa.Column('patients', sa.Integer(), nullable=False),
    sa.Column('care_level', sa.String(length=8), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('offer_id', ID, nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['offer_id'], ['bed_offers.id'], name=op.f('fk_transfers_offer_id_bed_offers')),
    sa.ForeignKeyConstraint(['plan_id'], ['transfer_plans.id'], name=op.f('fk_transfers_plan_id_transfer_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfers'))
    )
    op.create_index(op.f('ix_transfers_day'), 'transfers', ['day'], unique=False)
    op.create_index(op.f('ix_transfers_plan_id'), 'transfers', ['plan_id'], unique=False)
    op.create_table('transfer_events',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('transfer_id', ID, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=True),
    sa.Column('to_state', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['transfer_id'], ['transfers.id'], name=op.f('fk_transfer_events_transfer_id_transfers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfer_events'))
    )
    op.create_index(op.f('ix_transfer_events_transfer_id'), 'transfer_events', ['transfer_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_transfer_events_transfer_id'), table_name='transfer_events')
    op.drop_table('transfer_events')
    op.drop_index(op.f('ix_transfers_plan_id'), table_name='transfers')
    op.drop_index(op.f('ix_transfers_day'), table_name='transfers')
    op.drop_table('transfers')
    op.drop_index('ix_bed_offers_region_day', table_name='bed_offers')
    op.drop_table('bed_offers')
    op.drop_index(op.f('ix_transfer_plans_as_of'), table_name='transfer_plans')
    op.drop_table('transfer_plans')
