"""Every briefing string has a Dutch translation, and formats follow nl-NL."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from kraan.web.briefing_i18n import LOCALE_DIR, Formatter, translations

SRC = Path(__file__).resolve().parents[3] / "src" / "kraan"


def marked_messages() -> set[str]:
    """What pybabel would extract (the same config as docs/briefing.md)."""
    method_map = [("**/web/briefing_*.py", "python"), ("**/templates/briefing.*", "jinja2")]
    options = {"**/templates/briefing.*": {"extensions": "jinja2.ext.i18n"}}
    found = extract_from_dir(
        str(SRC), method_map, options_map=options, keywords={"_": None, "gettext": None,
                                                             "N_": None},
    )  # fmt: skip
    return {msg if isinstance(msg, str) else msg[0] for _, _, msg, _, _ in found}


def test_every_marked_string_is_translated_to_dutch() -> None:
    with (LOCALE_DIR / "nl" / "LC_MESSAGES" / "briefing.po").open("rb") as handle:
        catalog = read_po(handle, locale="nl")
    translated = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    marked = marked_messages()
    assert len(marked) > 100
    assert sorted(marked - set(translated)) == []
    # format placeholders survive translation
    for msgid, text in translated.items():
        for name in ("%(level)s", "%(label)s", "%(count)s", "%(days)s", "%(phase)s"):
            assert (name in msgid) == (name in text), msgid


def test_dutch_formats_and_amsterdam_time() -> None:
    nl, en = Formatter("nl", "Europe/Amsterdam"), Formatter("en", "Europe/Amsterdam")
    assert nl.number(1576) == "1.576" and en.number(1576) == "1,576"
    assert nl.number(-0.3) == "0"  # never "-0"
    assert nl.share(0.7443) == "74,4 %"
    assert nl.moment("2020-12-21T15:00:00") == "21 december 2020 16:00 CET"
    assert nl.moment("2021-07-01T14:00:00") == "1 juli 2021 16:00 CEST"
    dutch = translations("nl").gettext("Decisions asked this week")
    assert dutch == "Gevraagde besluiten deze week"
    assert translations("en").gettext("Decisions asked this week") == "Decisions asked this week"
