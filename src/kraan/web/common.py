"""What every page module shares: templates and their filters, the as-of navigation,
the per-session form token (CSRF) and the region map geometry.

Route modules (:mod:`~kraan.web.pages`, :mod:`~kraan.web.forms`,
:mod:`~kraan.web.forecast_pages`, :mod:`~kraan.web.spreading_pages`) import from here
and never from each other's helpers, so there is no import circle; they are mounted by
:func:`kraan.web.app.mount_web`.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from kraan.api import guard
from kraan.api.deps import parse_as_of, utc_now
from kraan.domain.access import Principal
from kraan.domain.indicators import is_share
from kraan.domain.phases import RegionStatus
from kraan.settings import Settings
from kraan.web import labels, words
from kraan.web.geo import load_topology, region_paths
from kraan.web.i18n import (
    LANGUAGES,
    SWITCH,
    current_language,
    fmt_date,
    fmt_datetime,
    fmt_decimal,
    fmt_percent,
    fmt_signed,
)
from kraan.web.i18n import gettext as _
from kraan.web.i18n_data import translate
from kraan.web.svg import fmt_number

WEB_DIR = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))

#: The statuses a coordinator may declare (everything but "unknown").
DECLARABLE = tuple(s for s in RegionStatus if s is not RegionStatus.UNKNOWN)


def _num(value: float | None) -> str:
    return "–" if value is None else fmt_number(value)


def _pct(value: float | None) -> str:
    return "–" if value is None else fmt_percent(value)


def _indicator(value: float | None) -> str:
    """Same rule as the status explanation (domain.indicators.format_indicator): shares
    as %, other values with one decimal; in the page's language."""
    if value is None or value != value:
        return "–"
    return fmt_percent(value) if is_share(value) else fmt_decimal(value)


# Dutch first (docs/i18n.md): gettext in every template, words for every internal code.
templates.env.add_extension("jinja2.ext.i18n")
templates.env.install_gettext_translations(SWITCH, newstyle=True)  # type: ignore[attr-defined]
templates.env.filters.update(
    num=_num,
    pct=_pct,
    indicator=_indicator,
    dt=fmt_datetime,
    date=fmt_date,
    dec=fmt_decimal,
    signed=fmt_signed,
    tr_data=translate,
)
templates.env.globals.update(
    status_label=labels.status_label,
    status_short=labels.status_short,
    provenance_label=labels.provenance_label,
    level_label=labels.level_label,
    level_status_label=labels.level_status_label,
    kind_label=labels.kind_label,
    role_label=labels.role_label,
    chain_label=labels.chain_label,
    transfer_state_label=labels.transfer_state_label,
    audit_action_label=labels.audit_action_label,
    audit_entity_label=labels.audit_entity_label,
    audit_value=labels.audit_value,
    word=words.word,
    field_word=words.field_word,
    data_text=translate,
    current_language=current_language,
    languages=LANGUAGES,
)


# ---- request helpers -------------------------------------------------------------------


class PageRefused(Exception):
    """A page that cannot be shown as asked: an HTML page in the page's language with the
    API's status code (``web.app`` renders it), rather than the API's JSON."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def read_as_of(request: Request) -> tuple[datetime, str, str | None]:
    """(moment, the query value to carry along in links, an error to show)."""
    raw = request.query_params.get("as_of", "").strip()
    try:
        moment = parse_as_of(raw or None)
    except HTTPException:
        if raw[:10].count("-") == 2 and raw[:4].isdigit():  # a date outside 2020..2100
            raise PageRefused(422, _(  # 422 as the API (issue 8), said on a page
                "The date %(raw)s lies outside 2020–2100; choose a day from 2020-01-01 to "
                "2100-01-01.", raw=raw[:40])) from None  # fmt: skip
        return (
            utc_now(),
            "",
            _("'%(raw)s' is not a date (use YYYY-MM-DD); showing now instead.", raw=raw),
        )
    return (moment or utc_now()), raw if moment else "", None


def query(**params: object) -> str:
    """``?a=1&b=2`` of the parameters that have a value ("" when none has)."""
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return "?" + urlencode(kept) if kept else ""


# ---- the form token (CSRF) ------------------------------------------------------------------


def csrf_token(session_token: str) -> str:
    """Bound to the session: a page from another site can neither read nor derive it."""
    return guard.csrf_token(session_token)  # the same token guards cookie API writes


def same_origin(request: Request) -> bool:
    """Origin (or Referer) must name this host when the browser sends one."""
    for header in ("origin", "referer"):
        value = request.headers.get(header)
        if value:
            return urlsplit(value).netloc == request.headers.get("host", "")
    return True


def form_ok(request: Request, settings: Settings, form_token: str) -> bool:
    """A POST from this site, in a session, with that session's form token."""
    session = request.cookies.get(settings.session_cookie)
    if not session or not same_origin(request):
        return False
    return hmac.compare_digest(csrf_token(session), form_token)


# ---- rendering ----------------------------------------------------------------------------


def render(
    request: Request,
    name: str,
    principal: Principal | None,
    *,
    status_code: int = 200,
    as_of: datetime | None = None,
    carry: str = "",
    **context: Any,
) -> HTMLResponse:
    """Every page gets the as-of navigation, the principal and its form token."""
    settings: Settings = request.app.state.settings
    session = request.cookies.get(settings.session_cookie)
    moment = as_of or utc_now()
    day = moment.date()
    base = {
        "principal": principal,
        "csrf": csrf_token(session) if session and principal else "",
        "as_of": moment,
        "as_of_day": day.isoformat(),
        "carry": carry,
        "q": query(as_of=carry),
        "prev_day": (day - timedelta(days=1)).isoformat(),
        "next_day": (day + timedelta(days=1)).isoformat(),
        "path": request.url.path,
        "lang": current_language(),
        "here": request.url.path
        + query(**{k: v for k, v in request.query_params.items() if k != "lang"}),
    }
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code)


@lru_cache(maxsize=4)
def map_geometry(
    path: Path, groups: tuple[tuple[str, tuple[str, ...]], ...]
) -> tuple[Mapping[str, str], Mapping[str, str]]:
    """Region shapes and outlines. Decoding and projecting the borders is the slow part;
    regions rarely change, so the result is cached."""
    shapes = MappingProxyType(region_paths(load_topology(path), dict(groups)))
    return shapes, shapes  # merged regions: the outline is the shape (geo.region_outlines)
