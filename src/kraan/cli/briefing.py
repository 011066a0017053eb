"""``kraan briefing``: the weekly note for any date, as HTML, PDF, Markdown or JSON."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from kraan.cli.common import engine_for
from kraan.settings import Settings, get_settings

console = Console(stderr=True, soft_wrap=True)
FORMATS = ("html", "pdf", "md", "json")


def briefing(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="YYYY-MM-DD (end of that day) or ISO time; default now."),
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="html, pdf, md or json.")
    ] = "html",
    out: Annotated[
        Path | None, typer.Option("--out", help="File to write; default standard output.")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="nl (default) or en.")] = "nl",
    compare: Annotated[
        str | None, typer.Option("--compare", help="Another date: show what changed since.")
    ] = None,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database URL (default: KRAAN_DATABASE_URL)."),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="Server the figure links point to (default: host:port)."),
    ] = None,
) -> None:
    """Write the Hand aan de Kraan briefing at a date, in the form of the note of 21 Dec 2020."""
    from kraan.domain.briefing.compare import compare as compare_docs
    from kraan.services.briefing import BriefingInputError, build_briefing, resolve_as_of

    if output_format not in FORMATS:
        console.print(f"[red]--format must be one of {', '.join(FORMATS)}[/]")
        raise typer.Exit(2)
    if output_format == "pdf" and out is None:
        console.print("[red]--format pdf needs --out FILE[/] (a PDF is not written to a terminal)")
        raise typer.Exit(2)
    base = get_settings()
    settings: Settings = base.model_copy(update={"database_url": db}) if db else base
    now = datetime.now(UTC).replace(tzinfo=None)
    try:
        resolve_as_of(as_of, now=now)
        if compare:
            resolve_as_of(compare, now=now, field="compare")
    except BriefingInputError as error:
        console.print(f"[red]--{error.field.replace('_', '-')} '{as_of}': {error}[/]")
        raise typer.Exit(2) from None
    engine = engine_for(settings)
    if output_format == "json":
        from kraan.services.live_forecast import engine_key

        moment, param = resolve_as_of(as_of, now=now)
        with engine.connect() as conn:
            doc = build_briefing(
                conn, as_of=moment, as_of_param=param, settings=settings,
                engine_key=engine_key(engine), generated_at=now,
            )  # fmt: skip
            document = doc.as_dict()
            if compare:
                other_moment, other_param = resolve_as_of(compare, now=now, field="compare")
                other = build_briefing(
                    conn, as_of=other_moment, as_of_param=other_param, settings=settings,
                    engine_key=engine_key(engine), generated_at=now,
                )  # fmt: skip
                document["compare"] = {
                    "as_of": other.as_of,
                    "changes": [c.as_dict() for c in compare_docs(other, doc)],
                }
        _write(json.dumps(document, indent=2, ensure_ascii=False) + "\n", out)
        return
    from kraan.web.briefing_pages import render_briefing
    from kraan.web.briefing_render import PdfUnavailable, html_to_pdf

    link_base = base_url if base_url is not None else f"http://{settings.host}:{settings.port}"
    if output_format == "md":
        text = render_briefing(
            engine, settings, as_of_raw=as_of, compare_raw=compare, lang=lang, base_url=link_base,
            markdown=True,
        )  # fmt: skip
        _write(text, out)
        return
    html = render_briefing(
        engine, settings, as_of_raw=as_of, compare_raw=compare, lang=lang, base_url=link_base
    )
    if output_format == "html":
        _write(html, out)
        return
    try:
        pdf = html_to_pdf(html, chromium=settings.chromium_path)
    except PdfUnavailable as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from None
    assert out is not None
    out.write_bytes(pdf)
    console.print(f"wrote {out} ({len(pdf):,} bytes)")


def _write(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
        return
    out.write_text(text, encoding="utf-8")
    console.print(f"wrote {out}")
