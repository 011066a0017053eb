"""Language for the briefing: gettext catalogs (Babel), nl-NL formats, Amsterdam time.

Message ids are English; ``src/kraan/locale/nl/LC_MESSAGES/briefing.po`` holds the
Dutch. The ``.po`` files are the source: they are compiled in memory on first use
(Babel's ``write_mo``), so a fresh clone needs no build step and no binary files.
"""

from __future__ import annotations

import io
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "briefing"
LANGUAGES = ("nl", "en")  # Dutch first (the users' language), English beside it
BABEL_LOCALES = {"nl": "nl_NL", "en": "en_GB"}


def language(value: str | None) -> str:
    """A supported language code; anything else falls back to Dutch."""
    code = (value or "nl").strip().lower()[:2]
    return code if code in LANGUAGES else "nl"


@lru_cache(maxsize=8)
def translations(lang: str, domain: str = DOMAIN) -> NullTranslations:
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"
    if not po.is_file():
        return NullTranslations()  # English: the message ids are the text
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=domain)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=domain)


class Formatter:
    """Numbers, dates and times for one language, times in the display zone."""

    def __init__(self, lang: str, zone: str) -> None:
        self.lang = language(lang)
        self.locale = Locale.parse(BABEL_LOCALES[self.lang])
        self.zone = ZoneInfo(zone)
        self.gettext = translations(self.lang).gettext

    def number(self, value: float | int | None, digits: int = 0) -> str:
        if value is None:
            return "–"
        if digits == 0:
            value = round(float(value))
            if value == 0:
                value = 0  # never "-0"
        fmt = "#,##0" if digits == 0 else "#,##0." + "0" * digits
        return format_decimal(value, format=fmt, locale=self.locale)

    def share(self, value: float | None) -> str:
        if value is None:
            return "–"
        return format_percent(value, format="#,##0.0 %", locale=self.locale)

    def moment(self, iso: str | None) -> str:
        """A stored UTC moment shown in the display zone, with the zone named."""
        if not iso:
            return "–"
        at = datetime.fromisoformat(iso).replace(tzinfo=ZoneInfo("UTC")).astimezone(self.zone)
        return format_datetime(at, "d MMMM y HH:mm zzz", tzinfo=self.zone, locale=self.locale)

    def day(self, iso: str) -> str:
        return format_date(datetime.fromisoformat(iso).date(), "d MMMM y", locale=self.locale)
