"""The CLI says what is wrong instead of showing an empty picture, and manages logins."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from kraan.cli import app
from kraan.ingest.lcps import OLD_FEED
from kraan.services.demo import load_demo
from kraan.settings import get_settings
from kraan.store.access import principal_for_login
from kraan.store.audit import audit_entries
from kraan.store.db import make_engine, migrate

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli-ux') / 'demo.db'}"
    engine = make_engine(url)
    migrate(engine)
    load_demo(engine, get_settings(), start=date(2020, 12, 14), end=date(2020, 12, 21))
    engine.dispose()
    return url


def test_a_missing_or_empty_database_is_an_error_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "x.db"
    result = runner.invoke(app, ["status", "--db", f"sqlite:///{missing}"])
    assert result.exit_code == 1
    assert "kraan demo" in result.output and "kraan db upgrade" in result.output
    assert not missing.exists() and not missing.parent.exists()
    empty = tmp_path / "empty.db"
    empty.touch()
    result = runner.invoke(app, ["status", "--db", f"sqlite:///{empty}"])
    assert result.exit_code == 1 and "no Kraan schema" in result.output
    assert runner.invoke(app, ["db", "upgrade", "--db", f"sqlite:///{empty}"]).exit_code == 0
    assert runner.invoke(app, ["status", "--db", f"sqlite:///{empty}"]).exit_code == 0


def _every_command(group: Any, prefix: tuple[str, ...] = ()) -> Iterator[list[str]]:
    """Typer builds its groups on its own copy of click: recognise a group by its commands."""
    yield [*prefix, "--help"]
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from _every_command(command, (*prefix, name))
        else:
            yield [*prefix, name, "--help"]


def test_help_has_no_type_tags_or_internal_notes() -> None:
    commands = list(_every_command(typer.main.get_command(app)))
    assert len(commands) > 30
    for args in commands:
        result = runner.invoke(app, args, env={"COLUMNS": "80"})
        assert result.exit_code == 0, (args, result.output)
        text = result.output
        assert not re.search(r"<(bool|str|int|path)>", text), (args, text)
        assert "issue" not in text.lower(), args
        assert not re.search(r"\b(seed|part) \d+|TODO|FIXME", text), (args, text)


def test_the_status_table_fits_80_columns(demo_db: str) -> None:
    result = runner.invoke(
        app, ["status", "--db", demo_db, "--as-of", "2020-12-21"], env={"COLUMNS": "80"}
    )
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert "no_critical" not in result.stdout and "under_pressure" not in result.stdout


def test_spread_eval_refuses_reversed_and_empty_ranges(demo_db: str) -> None:
    reversed_ = runner.invoke(
        app, ["spread-eval", "--db", demo_db, "--start", "2020-12-20", "--end", "2020-12-10"]
    )
    assert reversed_.exit_code == 2 and "after" in reversed_.output
    empty = runner.invoke(
        app, ["spread-eval", "--db", demo_db, "--start", "2019-01-01", "--end", "2019-01-31"]
    )
    assert empty.exit_code == 1 and "no reports" in empty.output


def test_users_and_tokens_are_checked_against_the_database(demo_db: str) -> None:
    bad = runner.invoke(app, ["token", "create", "x", "--role", "regional_coordinator",
                              "--region", "NOPE", "--db", demo_db])  # fmt: skip
    assert bad.exit_code == 2 and "unknown region NOPE" in bad.output
    bare = runner.invoke(app, ["token", "create", "y", "--role", "regional_coordinator",
                               "--db", demo_db])  # fmt: skip
    assert bare.exit_code == 2 and "needs --region" in bare.output
    made = runner.invoke(app, ["user", "create", "anna", "--role", "regional_coordinator",
                               "--region", "AZE", "--db", demo_db])  # fmt: skip
    assert made.exit_code == 0, made.output
    password = made.stdout.strip().splitlines()[-1]
    engine = make_engine(demo_db)
    with engine.connect() as conn:
        assert principal_for_login(conn, username="anna", password=password) is not None
    reset = runner.invoke(app, ["user", "reset-password", "anna", "--db", demo_db])
    new_password = reset.stdout.strip().splitlines()[-1]
    assert reset.exit_code == 0 and new_password != password
    assert runner.invoke(app, ["user", "disable", "anna", "--db", demo_db]).exit_code == 0
    with engine.connect() as conn:
        assert principal_for_login(conn, username="anna", password=new_password) is None
        actions = {e["action"] for e in audit_entries(conn)}
    assert {"user.create", "user.reset_password", "user.disable"} <= actions
    engine.dispose()


def test_backtest_refuses_reversed_and_empty_ranges() -> None:
    feed = str(get_settings().raw_data_dir / OLD_FEED)
    reversed_ = runner.invoke(app, ["backtest", "--input", feed, "--start", "2021-01-20",
                                    "--end", "2020-12-01"])  # fmt: skip
    assert reversed_.exit_code == 2 and "after" in reversed_.output
    before = runner.invoke(app, ["backtest", "--input", feed, "--start", "2019-01-01",
                                 "--end", "2019-01-31"])  # fmt: skip
    assert before.exit_code == 2 and "before the series starts" in before.output
    empty = runner.invoke(app, ["backtest", "--input", feed, "--start", "2020-12-01",
                                "--end", "2020-12-01", "--format", "json"])  # fmt: skip
    assert empty.exit_code == 2 and "nothing to score" in empty.output


def test_user_create_checks_the_region_against_the_database(demo_db: str) -> None:
    bad = runner.invoke(app, ["user", "create", "bert", "--role", "regional_coordinator",
                              "--region", "NOPE", "--db", demo_db])  # fmt: skip
    assert bad.exit_code == 2 and "unknown region NOPE" in bad.output
    bare = runner.invoke(app, ["user", "create", "bert", "--role", "regional_coordinator",
                               "--db", demo_db])  # fmt: skip
    assert bare.exit_code == 2 and "needs --region" in bare.output


@pytest.mark.parametrize("args", [
    ["status"], ["requests", "list"], ["audit", "verify"], ["home", "summary"], ["home", "scan"],
    ["home", "module1"], ["early-warning", "aggregates"], ["briefing", "--as-of", "2020-12-21"],
    ["spread", "--as-of", "2020-12-21"], ["backup", "BACKUP"], ["user", "create", "x", "--role",
    "viewer"], ["token", "create", "x", "--role", "viewer"],
], ids=lambda a: "-".join(a[:2]))  # fmt: skip
def test_no_command_but_demo_and_db_upgrade_creates_a_database(
    tmp_path: Path, args: list[str]
) -> None:
    missing = tmp_path / "nowhere" / "x.db"
    args = [str(tmp_path / "b.db") if a == "BACKUP" else a for a in args]
    result = runner.invoke(app, [*args, "--db", f"sqlite:///{missing}"])
    assert result.exit_code == 1, result.output
    assert "kraan demo" in result.output and "kraan db upgrade" in result.output
    assert not missing.parent.exists()
