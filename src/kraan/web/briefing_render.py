"""Render the briefing as HTML (page and PDF source), Markdown, or PDF.

PDF: Chromium's print-to-PDF through Playwright. The page a coordinator sees and
the PDF come from one HTML document, rendered by the same engine as the browser
tests, with vector (SVG) charts and print CSS that keeps table rows whole; it needs
no system library beyond Debian's ``chromium``. (WeasyPrint would add Pango and a
second CSS engine whose SVG support is narrower.)
"""

from __future__ import annotations

import atexit
import queue
import threading
from concurrent.futures import Future
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from kraan.domain.briefing.compare import Change
from kraan.services.briefing import BriefingBundle
from kraan.services.live_forecast import ForecastError
from kraan.web.briefing_i18n import Formatter, language, translations
from kraan.web.briefing_view import View
from kraan.web.fan import fan_chart
from kraan.web.svg import HLine

TEMPLATES = Path(__file__).resolve().parent / "templates"
MEDIAN, LO90, HI90, LO50, HI50 = "0.5", "0.05", "0.95", "0.25", "0.75"


def _environment(lang: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


def _fan(doc: dict[str, Any], title: str) -> str | None:
    rows = doc.get("occupancy") or []
    history = doc.get("history") or {}
    if not rows or not history.get("dates"):
        return None

    def q(level: str) -> list[float]:
        return [float(r["quantiles"].get(level, r["median"])) for r in rows]

    lines = [
        HLine(float(c["beds"]), c["label"], label_left=True)
        for c in doc.get("capacities", [])
        if c["kind"] == "scale_up_plan"
    ]
    top = max([v for v in history["occupancy"][-28:] if v is not None] + q(HI90))
    return fan_chart(
        history_dates=[date.fromisoformat(d) for d in history["dates"][-28:]],
        history=history["occupancy"][-28:],
        forecast_dates=[date.fromisoformat(r["date"]) for r in rows],
        median=[float(r["median"]) for r in rows],
        intervals=[("90 %", q(LO90), q(HI90)), ("50 %", q(LO50), q(HI50))],
        title=title,
        hlines=[h for h in lines if h.value <= 1.6 * top],
        width=520,
        height=240,
    )


def context(
    bundle: BriefingBundle,
    *,
    lang: str,
    zone: str,
    as_of_param: str,
    changes: list[Change] | None = None,
    compare_param: str | None = None,
    region_map: str | None = None,
) -> dict[str, Any]:
    lang = language(lang)
    fmt = Formatter(lang, zone)
    view = View(bundle.document, fmt)
    _ = fmt.gettext
    charts = []
    for level, title in (("ic", _("IC: COVID patients")), ("ward", _("Clinical: COVID patients"))):
        doc = bundle.forecasts.get(level)
        if doc is not None and not isinstance(doc, ForecastError):
            chart = _fan(doc, title)
            if chart:
                charts.append(chart)
    doc = bundle.document
    return {
        "lang": lang,
        "other_lang": "en" if lang == "nl" else "nl",
        "doc": doc,
        "view": view,
        "sections": view.sections(),
        "key_figures": view.key_figures(),
        "decisions": [
            {"text": view.decision(d), "severity": d.severity,
             "href": d.source.path if d.source else None}
            for d in doc.decisions
        ],  # fmt: skip
        "provenance": [view.note(n) for n in doc.provenance_notes],
        "as_of_day": fmt.day(doc.as_of),
        "as_of_param": as_of_param,
        "generated": fmt.moment(doc.generated_at),
        "cutoff": fmt.moment(doc.data_cutoff),
        "next_meeting": fmt.moment(doc.next_meeting),
        "charts": charts,
        "region_map": region_map,
        "changes": None if changes is None else view.changes(changes),
        "compare_param": compare_param,
    }


def render_html(ctx: dict[str, Any]) -> str:
    return _environment(ctx["lang"]).get_template("briefing.html").render(**ctx)


def render_markdown(ctx: dict[str, Any]) -> str:
    return _environment(ctx["lang"]).get_template("briefing.md").render(**ctx)


class PdfUnavailable(RuntimeError):
    """No Chromium/Playwright to print with; the message says what to install."""


PDF_OPTIONS: dict[str, Any] = {
    "format": "A4",
    "print_background": True,
    "prefer_css_page_size": True,
    "margin": {"top": "14mm", "bottom": "14mm", "left": "12mm", "right": "12mm"},
}


def _check(chromium: str) -> None:
    if not Path(chromium).exists():
        raise PdfUnavailable(
            f"PDF output needs Chromium at {chromium}: apt-get install chromium, "
            "or set KRAAN_CHROMIUM_PATH"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as error:  # pragma: no cover - depends on the install
        raise PdfUnavailable("PDF output needs Playwright: pip install 'kraan[pdf]'") from error


def html_to_pdf(html: str, *, chromium: str) -> bytes:
    """Print the HTML once with a fresh headless Chromium (the CLI's one-shot path)."""
    _check(chromium)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.set_content(html, wait_until="load")
            return page.pdf(**PDF_OPTIONS)
        finally:
            browser.close()


class ChromiumPrinter:
    """One Chromium kept open by a worker thread, so a server prints in well under a second.

    Playwright's sync API is bound to the thread that started it, so every print job
    goes through a queue to that one thread. A crashed browser is started anew.
    """

    def __init__(self, chromium: str) -> None:
        self.chromium = chromium
        self._jobs: queue.Queue[tuple[str, Future[bytes]] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def print(self, html: str, timeout: float = 60.0) -> bytes:
        _check(self.chromium)
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="pdf-printer", daemon=True)
                self._thread.start()
        future: Future[bytes] = Future()
        self._jobs.put((html, future))
        return future.result(timeout=timeout)

    def close(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join(timeout=10)

    def _run(self) -> None:
        from playwright.sync_api import Error, sync_playwright

        with sync_playwright() as pw:
            browser = None
            while True:
                job = self._jobs.get()
                if job is None:
                    break
                html, future = job
                try:
                    if browser is None or not browser.is_connected():
                        browser = pw.chromium.launch(
                            executable_path=self.chromium, args=["--no-sandbox"]
                        )
                    page = browser.new_page()
                    try:
                        page.set_content(html, wait_until="load")
                        future.set_result(page.pdf(**PDF_OPTIONS))
                    finally:
                        page.close()
                except (Error, OSError) as error:
                    browser = None
                    future.set_exception(PdfUnavailable(f"Chromium could not print: {error}"))
            if browser is not None:
                browser.close()


_PRINTERS: dict[str, ChromiumPrinter] = {}


def printer(chromium: str) -> ChromiumPrinter:
    """The process's printer for this Chromium (closed at exit)."""
    if chromium not in _PRINTERS:
        _PRINTERS[chromium] = ChromiumPrinter(chromium)
        atexit.register(_PRINTERS[chromium].close)
    return _PRINTERS[chromium]
