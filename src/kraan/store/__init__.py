"""Persistence: SQLAlchemy tables, repositories, Alembic migrations."""
