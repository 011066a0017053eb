"""Dutch first, English too: gettext catalogs (Babel) for the pages, nl-NL formats.

The catalogs live in ``src/kraan/web/locale/<lang>/LC_MESSAGES/messages.po`` (the
source) with their compiled ``messages.mo`` next to them (committed, so a fresh
clone works; ``tests/unit/web/test_i18n.py`` checks that they are in step). The
msgids are English; English therefore needs no catalog of its own.

The language of a request is chosen once, by :class:`LocaleMiddleware`, from (in
order) a ``?lang=`` query parameter, the ``kraan_lang`` cookie set by the header
switch, and the ``Accept-Language`` header; Dutch is the default. It is kept in a
context variable, so that page code and templates translate with plain ``_()``
without passing the request around. See ``docs/i18n.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_datetime, get_timezone
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES: dict[str, str] = {"nl": "Nederlands", "en": "English"}
DEFAULT_LANGUAGE = "nl"
COOKIE = "kraan_lang"
BABEL_LOCALES = {"nl": "nl_NL", "en": "en_GB"}
TIMEZONE = get_timezone("Europe/Amsterdam")  # storage is UTC; every time shown is local

_current: ContextVar[str] = ContextVar("kraan_language", default=DEFAULT_LANGUAGE)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark only"
    """Mark a string for extraction without translating it yet (module-level tables)."""
    return message


@cache
def catalog(language: str) -> NullTranslations:
    if language == "en":
        return NullTranslations()
    return Translations.load(str(LOCALE_DIR), [language], domain="messages")


def current_language() -> str:
    return _current.get()


def babel_locale() -> str:
    return BABEL_LOCALES[_current.get()]


def gettext(message: str, **variables: Any) -> str:
    """Translate and fill in; like Jinja's newstyle gettext, '%%' is a literal '%'."""
    return catalog(_current.get()).gettext(message) % variables


def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
    text = catalog(_current.get()).ngettext(singular, plural, n)
    return text % {"num": n, **variables}


_ = gettext


class _Switch:
    """What ``install_gettext_translations`` gets: one object, the language per request."""

    def gettext(self, message: str) -> str:
        return catalog(_current.get()).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return catalog(_current.get()).ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return catalog(_current.get()).pgettext(context, message)

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        return catalog(_current.get()).npgettext(context, singular, plural, n)


SWITCH = _Switch()


@contextmanager
def language(code: str) -> Iterator[None]:
    """Run a block in one language (tests, the CLI, background renders)."""
    token = _current.set(code if code in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _current.reset(token)


def negotiate(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The query switch, then the cookie, then the browser's first known language."""
    for choice in (query, cookie):
        if choice and choice.lower() in LANGUAGES:
            return choice.lower()
    weighted: list[tuple[float, int, str]] = []
    for i, part in enumerate((accept_language or "").split(",")):
        tag, _sep, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().split("-")[0].lower()
        if primary in LANGUAGES and q > 0:
            weighted.append((-q, i, primary))
    return min(weighted)[2] if weighted else DEFAULT_LANGUAGE


class LocaleMiddleware:
    """Pure ASGI: sets the request's language before any page code runs."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        query = None
        for pair in scope.get("query_string", b"").decode("latin-1").split("&"):
            if pair.startswith("lang="):
                query = pair[5:]
        cookie = None
        for item in headers.get("cookie", "").split(";"):
            name, _sep, value = item.strip().partition("=")
            if name == COOKIE:
                cookie = value
        token = _current.set(negotiate(query, cookie, headers.get("accept-language")))
        try:
            await self.app(scope, receive, send)
        finally:
            _current.reset(token)


# ---- formats ---------------------------------------------------------------------------


def fmt_decimal(value: float, digits: int = 1) -> str:
    """1576 -> '1.576' (nl) / '1,576' (en); never '-0,0'."""
    rounded = round(float(value), digits)
    if rounded == 0:
        rounded = 0.0
    pattern = "#,##0" if rounded == int(rounded) else "#,##0." + "#" * digits
    return format_decimal(rounded, format=pattern, locale=babel_locale())


def fmt_percent(value: float, digits: int = 0) -> str:
    pattern = "#,##0%" if digits == 0 else "#,##0." + "0" * digits + "%"
    rounded = round(float(value), digits + 2)
    return format_percent(0.0 if rounded == 0 else rounded, format=pattern, locale=babel_locale())


def local(moment: datetime) -> datetime:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(TIMEZONE)


def fmt_datetime(moment: datetime | str | None, *, long: bool = False) -> str:
    """'21-12-2020 09:00 CET': Europe/Amsterdam, always with its zone (ISO text too)."""
    if moment is None or moment == "":
        return "–"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    pattern = "EEE d MMM yyyy, HH:mm zzz" if long else "dd-MM-yyyy HH:mm zzz"
    return format_datetime(aware, pattern, tzinfo=TIMEZONE, locale=babel_locale())


def fmt_date(value: date | str | None, pattern: str = "EEE d MMM yyyy") -> str:
    """A calendar day (no time, so no zone): 'ma 21 dec 2020'."""
    if value is None or value == "":
        return "–"
    day = date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return format_date(day, pattern, locale=babel_locale())


def data_text(text: str | None) -> str:
    """A sentence from data or the domain (playbook, criteria, explanations): its
    translation when the catalog has one, else the text itself."""
    return catalog(_current.get()).gettext(text) if text else (text or "")


def fmt_signed(value: float, digits: int = 1) -> str:
    """+1,5 / -2 / 0 (never '-0,0')."""
    text = fmt_decimal(value, digits)
    return text if text.startswith("-") or text == "0" else "+" + text
