"""The briefing as PDF through headless Chromium: it opens, has its headings, holds the figures."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from kraan.cli import app

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
AS_OF = "2020-12-21"


@pytest.mark.skipif(not CHROMIUM.exists(), reason="PDF output needs Debian's chromium")
@pytest.mark.parametrize(
    ("lang", "headings", "figures"),
    [
        ("nl", ["Nota Hand aan de Kraan-overleg", "Gevraagde besluiten deze week",
                "Spreiding van patiënten", "Gereedheid van modules per regio"],
         ["586", "1.576", "28 december 2020 16:00 CET"]),
        ("en", ["Briefing Hand aan de Kraan consultation", "Decisions asked this week",
                "Spreading of patients", "Module readiness per region"],
         ["586", "1,576", "28 December 2020 16:00 CET"]),
    ],
)  # fmt: skip
def test_pdf_opens_with_headings_and_key_figures(
    demo: Any, tmp_path: Path, artifacts_dir: Path, lang: str, headings: list[str],
    figures: list[str],
) -> None:  # fmt: skip
    out = tmp_path / f"briefing-{lang}.pdf"
    result = CliRunner().invoke(
        app,
        ["briefing", "--as-of", AS_OF, "--format", "pdf", "--out", str(out), "--lang", lang,
         "--db", demo.settings.database_url],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    reader = PdfReader(str(out))
    assert len(reader.pages) >= 2
    raw = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    text = unicodedata.normalize("NFKC", raw)  # undo ligatures such as "ﬁ"
    for expected in headings + figures:
        assert expected in text, expected
    shutil.copy(out, artifacts_dir / out.name)
    if shutil.which("pdftoppm"):  # poppler-utils: a picture of page 1 for a person to look at
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(out),
             str(artifacts_dir / f"briefing-{lang}-page1")],
            check=True,
        )  # fmt: skip
        assert (artifacts_dir / f"briefing-{lang}-page1.png").stat().st_size > 10_000


@pytest.mark.skipif(not CHROMIUM.exists(), reason="PDF output needs Debian's chromium")
def test_pdf_route(client: Any) -> None:
    response = client.get("/briefing.pdf", params={"as_of": AS_OF, "lang": "en"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="the page test needs Debian's chromium")
def test_briefing_page_in_the_browser(demo: Any, artifacts_dir: Path) -> None:
    """The printable page in Chromium: nothing overflows the page width, both languages."""
    import socket
    import threading
    import time

    import uvicorn
    from playwright.sync_api import sync_playwright

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(demo.app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            for lang, heading in (("nl", "Gevraagde besluiten"), ("en", "Decisions asked")):
                page.goto(f"http://127.0.0.1:{port}/briefing?as_of={AS_OF}&lang={lang}")
                assert heading in page.inner_text("#decisions h2")
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 0, f"page is {overflow}px wider than the window ({lang})"
                page.screenshot(path=str(artifacts_dir / f"briefing-page-{lang}.png"),
                                full_page=True)  # fmt: skip
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
