"""real ROAZ regions (issue 12): a region is a set of municipalities

Revision ID: 0008_roaz_municipalities
Revises: 0007_hardening
Create Date: 2026-12-03 06:40:00

Hand-written; mirrors kraan.store.tables. A safety region can lie in two or three ROAZ
regions, so ``safety_regions.region_code`` goes and each municipality gets its
``region_code``. Existing rows get NULL until the reference data is loaded again (a demo
database is best built anew: README, "Contract changes"). ``regions.approximation`` is
written false from now on (no server default is involved).
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_roaz_municipalities'
down_revision = '0007_hardening'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('municipalities') as batch:
        batch.add_column(sa.Column('region_code', sa.String(length=16), nullable=True))
        batch.create_foreign_key(
            op.f('fk_municipalities_region_code_regions'), 'regions', ['region_code'], ['code']
        )
    with op.batch_alter_table('safety_regions') as batch:
        batch.drop_constraint('fk_safety_regions_region_code_regions', type_='foreignkey')
        batch.drop_column('region_code')


def downgrade() -> None:
    # Before 0008 every safety region belonged to exactly one region: take the region of
    # most of its municipalities' population (NULL where none is known).
    with op.batch_alter_table('safety_regions') as batch:
        batch.add_column(sa.Column('region_code', sa.String(length=16), nullable=True))
    op.execute(
        """
        UPDATE safety_regions SET region_code = (
            SELECT m.region_code FROM municipalities m
            WHERE m.safety_region_code = safety_regions.code AND m.region_code IS NOT NULL
            GROUP BY m.region_code ORDER BY SUM(m.population) DESC, m.region_code LIMIT 1
        )
        """
    )
    op.execute("DELETE FROM safety_regions WHERE region_code IS NULL")
    with op.batch_alter_table('safety_regions') as batch:
        batch.alter_column('region_code', existing_type=sa.String(length=16), nullable=False)
        batch.create_foreign_key(
            op.f('fk_safety_regions_region_code_regions'), 'regions', ['region_code'], ['code']
        )
    with op.batch_alter_table('municipalities') as batch:
        batch.drop_constraint('fk_municipalities_region_code_regions', type_='foreignkey')
        batch.drop_column('region_code')
