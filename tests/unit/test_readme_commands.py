"""The README's "Using it" table names every command of ``kraan`` (issue 12)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

from kraan.cli import app

README = Path(__file__).resolve().parents[2] / "README.md"


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in group.commands.items():
        if hasattr(command, "commands"):  # a group (typer's own copy of click)
            yield from _commands(command, (*prefix, name))
        else:
            yield (*prefix, name)


def test_the_using_it_table_covers_every_command() -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Using it") : text.index("\n## ", text.index("## Using it") + 1)]
    table = "\n".join(line for line in section.splitlines() if line.startswith("|"))
    missing = []
    for command in _commands(typer.main.get_command(app)):
        *group, name = command
        # "kraan home scan\|summary\|module1" names three subcommands at once
        pattern = re.escape(" ".join(["kraan", *group])) + r" (?:[\w-]+\\\|)*" + re.escape(name)
        if not re.search(pattern + r"\b", table):
            missing.append("kraan " + " ".join(command))
    assert missing == []
