"""The ``kraan`` command (entry point ``kraan.cli:main``).

One module per command group; :mod:`kraan.cli.common` holds what they share
(``--db`` -> settings -> migrated engine, ``--as-of`` and date parsing, ``fail``),
:mod:`kraan.cli.progress` the Rich bar behind the services' progress callbacks.

Adding a command
----------------
1. Write a plain function with Typer-annotated parameters in a new module
   ``kraan/cli/<group>.py`` (import heavy things inside the function, so that
   ``kraan --help`` stays fast; use ``common.settings_for``/``engine_for``).
2. Register it with one line below, e.g.
   ``app.command("simulate")(simulate.simulate)``; a group of sub-commands is a
   ``typer.Typer`` in its module, registered with ``app.add_typer(group.app, name=...)``.
3. Test it through ``main(argv)`` or ``CliRunner().invoke(app, [...])`` in ``tests/e2e``.
"""

from __future__ import annotations

from typing import Any

import typer

from kraan.cli import (
    briefing,
    db,
    demo,
    early_warning,
    forecast,
    home,
    imports,
    ops,
    requests,
    simulate,
    spread,
    status,
    token,
    user,
    vaccination,
)

app = typer.Typer(
    help="Kraan: care-capacity coordination in an epidemic surge.",
    no_args_is_help=True,
    add_completion=False,
)

# ---- registrations: one line per command ------------------------------------------------
app.command("demo")(demo.demo)
app.command("serve")(demo.serve)
app.command("import")(imports.import_)
app.command("status")(status.status)
app.add_typer(token.app, name="token")
app.command("backtest")(forecast.backtest)
app.command("forecast")(forecast.forecast)
app.command("spread")(spread.spread)
app.command("spread-eval")(spread.evaluate)
app.add_typer(requests.app, name="requests")
app.command("briefing")(briefing.briefing)
app.command("simulate")(simulate.simulate)
app.add_typer(vaccination.app, name="vaccination")
app.add_typer(home.app, name="home")
app.add_typer(early_warning.app, name="early-warning")
app.add_typer(db.app, name="db")
app.add_typer(user.app, name="user")
ops.register(app)  # audit verify, backup, restore (issue 8)


#: What an option's value looks like in --help (instead of Typer's <str>/<bool> tags).
METAVARS = {
    "db": "URL",
    "as_of": "DATE",
    "start": "DATE",
    "end": "DATE",
    "compare": "DATE",
    "output": "FORMAT",
    "output_format": "FORMAT",
}


def _help_type(param: Any, ctx: Any) -> str:
    """Flags show no value; other parameters a plain upper-case name, e.g. ``--db URL``."""
    if getattr(param, "is_flag", False):
        return ""
    return param.metavar or METAVARS.get(param.name, (param.name or "").upper())


typer.core.TyperOption.display_type_rich = _help_type  # type: ignore[method-assign]
typer.core.TyperArgument.display_type_rich = _help_type  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> None:
    app(args=argv, prog_name="kraan")


__all__ = ["app", "main"]
