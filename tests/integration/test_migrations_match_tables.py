"""The Alembic head and the SQLAlchemy tables describe the same schema.

Tables (``kraan.store.tables.metadata``, with every ``*_tables`` module imported) and
migrations are written by hand; this guard compares a freshly migrated database with
the metadata through ``alembic.autogenerate.compare_metadata``, on SQLite and on
PostgreSQL. A failure lists each difference: add the missing migration (or fix the
table definition) until the list is empty.
"""

from __future__ import annotations

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from kraan.store.db import MIGRATIONS, alembic_config
from kraan.store.tables import metadata


def _differences(engine: Engine) -> list[object]:
    from alembic.autogenerate import compare_metadata

    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": False}
        )
        return list(compare_metadata(context, metadata))


def test_one_head_and_the_database_is_at_it(db_engine: Engine) -> None:
    script = ScriptDirectory.from_config(alembic_config(str(db_engine.url)))
    heads = script.get_heads()
    assert len(heads) == 1, f"the migration chain must stay linear; heads: {heads}"
    with db_engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == heads[0]
    assert (MIGRATIONS / "versions").is_dir()


def test_migrated_schema_equals_the_tables(db_engine: Engine) -> None:
    differences = _differences(db_engine)
    assert not differences, (
        "the migrations and kraan.store.tables differ (add a migration or fix the table):\n"
        + "\n".join(map(repr, differences))
    )
