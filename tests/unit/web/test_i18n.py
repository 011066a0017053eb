"""Dutch first: every string the pages mark has a Dutch translation, the compiled
catalog is in step with its source, and numbers and times follow nl-NL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from kraan.web.i18n import (
    LOCALE_DIR,
    fmt_date,
    fmt_datetime,
    fmt_decimal,
    fmt_percent,
    fmt_signed,
    gettext,
    language,
    negotiate,
    ngettext,
)

ROOT = Path(__file__).resolve().parents[3]
WEB = ROOT / "src" / "kraan" / "web"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def _marked() -> set[str | tuple[str, ...]]:
    """What `pybabel extract -F babel.cfg` finds (templates and page modules)."""
    found: set[str | tuple[str, ...]] = set()
    methods = [
        ("briefing_*.py", "ignore"),
        ("templates/briefing.*", "ignore"),
        ("templates/**.html", "jinja2"), ("**.py", "python")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(WEB), method_map=methods, options_map=options, keywords=KEYWORDS
    ):
        found.add(message)
    data = ROOT / "src" / "kraan" / "data"
    data_methods = [("playbook.json", "kraan.web.i18n_data.extract_data"),
                    ("phase_criteria.json", "kraan.web.i18n_data.extract_data")]  # fmt: skip
    data_options = {"playbook.json": {"keys": "definition, governance, financing"},
                    "phase_criteria.json": {"keys": "label"}}  # fmt: skip
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(data), method_map=data_methods, options_map=data_options, keywords=KEYWORDS
    ):
        found.add(message)
    return found


def _po() -> dict[object, object]:
    with (LOCALE_DIR / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="nl")
    return {m.id: m.string for m in catalog if m.id and "fuzzy" not in m.flags}


def _translated(value: object) -> bool:
    return bool(value) and (not isinstance(value, tuple | list) or all(value))


def test_every_marked_string_has_a_dutch_translation() -> None:
    po = _po()
    marked = _marked()
    assert len(marked) > 300
    missing = [m for m in marked if not _translated(po.get(m))]
    assert not missing, f"untranslated (run `make i18n`, then translate): {missing[:10]}"


def test_the_compiled_catalog_matches_its_source() -> None:
    """The .mo is committed so a fresh clone works; it must say what the .po says."""
    po = _po()
    mo_bytes = (LOCALE_DIR / "nl" / "LC_MESSAGES" / "messages.mo").read_bytes()
    def key(value: object) -> object:
        return tuple(value) if isinstance(value, list | tuple) else value

    mo = {key(m.id): key(m.string) for m in read_mo(BytesIO(mo_bytes)) if m.id}
    done = {key(k): key(v) for k, v in po.items() if v and (not isinstance(v, tuple) or all(v))}
    assert mo == done, "run `make i18n` to compile the catalog"


def test_dutch_is_the_default_and_english_is_chosen_by_query_cookie_or_browser() -> None:
    assert negotiate(None, None, None) == "nl"
    assert negotiate(None, None, "fr-FR,fr;q=0.9") == "nl"
    assert negotiate(None, None, "en-GB,en;q=0.9,nl;q=0.8") == "en"
    assert negotiate(None, None, "de;q=1, nl;q=0.5, en;q=0.9") == "en"
    assert negotiate(None, "en", "nl") == "en"
    assert negotiate("nl", "en", "en") == "nl"
    assert negotiate("xx", None, None) == "nl"


def test_words_plurals_and_formats_in_both_languages() -> None:
    moment = datetime(2020, 12, 21, 8, 0, tzinfo=UTC)
    summer = datetime(2020, 7, 1, 8, 0, tzinfo=UTC)
    with language("nl"):
        assert gettext("National picture") == "Landelijk beeld"
        assert ngettext("%(num)s day", "%(num)s days", 1) == "1 dag"
        assert ngettext("%(num)s day", "%(num)s days", 3) == "3 dagen"
        assert fmt_decimal(1576) == "1.576"
        assert fmt_decimal(2.25) == "2,3" or fmt_decimal(2.25) == "2,2"
        assert fmt_percent(0.456) == "46%"
        assert fmt_datetime(moment) == "21-12-2020 09:00 CET"
        assert fmt_datetime(summer) == "01-07-2020 10:00 CEST"
        assert fmt_datetime("2020-12-21T08:00:00+00:00") == "21-12-2020 09:00 CET"
        assert fmt_date(date(2020, 12, 21)) == "ma 21 dec 2020"
    with language("en"):
        assert gettext("National picture") == "National picture"
        assert ngettext("%(num)s day", "%(num)s days", 1) == "1 day"
        assert fmt_decimal(1576) == "1,576"
        assert fmt_datetime(moment) == "21-12-2020 09:00 CET"


def test_no_negative_zero_and_signed_deviations() -> None:
    with language("nl"):
        assert fmt_decimal(-0.04) == "0"
        assert fmt_signed(-0.04) == "0"
        assert fmt_signed(1.5) == "+1,5"
        assert fmt_signed(-2) == "-2"


def test_sentences_from_data_and_domain_are_translated_with_their_numbers() -> None:
    from kraan.web.i18n_data import translate

    with language("nl"):
        assert translate("all 11 regions are under pressure") == "alle 11 regio's staan onder druk"
        assert translate("HFNO on the ward") == "HFNO op de afdeling"
        assert translate("IC occupancy of staffed beds (all patients) is 85%, at or above 80% "
                         "(under pressure)") == ("IC-bezetting van de bemande bedden (alle "
                         "patiënten) is 85%, op of boven 80% (onder druk)")  # fmt: skip
        assert translate("an unknown sentence") == "an unknown sentence"
    with language("en"):
        assert translate("all 11 regions are under pressure") == "all 11 regions are under pressure"
