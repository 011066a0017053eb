"""``GET /briefing``: the weekly note as a printable page, and ``/briefing.pdf``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from kraan.api.deps import EngineDep, SettingsDep, utc_now
from kraan.domain.briefing.compare import compare
from kraan.services.briefing import (
    BriefingBundle,
    BriefingInputError,
    briefing_bundle,
    resolve_as_of,
)
from kraan.services.live_forecast import engine_key
from kraan.settings import Settings
from kraan.store.db import Engine
from kraan.web.briefing_i18n import language
from kraan.web.briefing_render import (
    PdfUnavailable,
    context,
    printer,
    render_html,
    render_markdown,
)
from kraan.web.common import map_geometry
from kraan.web.geo import region_groups, region_map_svg
from kraan.web.i18n import COOKIE, negotiate
from kraan.web.i18n import language as page_language
from kraan.web.labels import STATUS, status_label

router = APIRouter(include_in_schema=False)


def _status_words(lang: str) -> dict[str, str]:
    """The pages' own words for the statuses, so the map legend reads as the dashboard's."""
    with page_language(lang):
        return {code: status_label(code) for code in STATUS}


def briefing_map(bundle: BriefingBundle, settings: Settings, lang: str, carry: str) -> str | None:
    groups = region_groups(bundle.regions)
    try:
        paths, outlines = map_geometry(
            settings.raw_data_dir / "geo" / "geography-simplified.topo.json", groups
        )
    except (OSError, ValueError, KeyError):
        return None  # no geography: the regional table still says everything
    regions = bundle.status["regions"]
    return region_map_svg(
        paths,
        statuses={r["code"]: r["status"] for r in regions},
        labels={r["code"]: r["name"] for r in regions},
        links={code: f"/regions/{code}?as_of={carry}" for code in paths},
        outlines=outlines,
        status_labels=_status_words(lang),
        title="Status per ROAZ-regio" if lang == "nl" else "Status per ROAZ region",
    )


def _resolve(raw: str | None, field: str) -> tuple[datetime, str]:
    try:
        return resolve_as_of(raw, now=utc_now(), field=field)
    except BriefingInputError as error:
        raise HTTPException(422, detail=[{"field": error.field, "message": str(error)}]) from None


def render_briefing(
    engine: Engine,
    settings: Settings,
    *,
    as_of_raw: str | None,
    compare_raw: str | None,
    lang: str,
    base_url: str = "",
    markdown: bool = False,
) -> str:
    """The whole note as HTML (page and PDF source) or Markdown; the route and the CLI use it."""
    ctx = briefing_context(
        engine, settings, as_of_raw=as_of_raw, compare_raw=compare_raw, lang=lang,
        base_url=base_url, with_map=not markdown,
    )  # fmt: skip
    return render_markdown(ctx) if markdown else render_html(ctx)


def briefing_context(
    engine: Engine,
    settings: Settings,
    *,
    as_of_raw: str | None,
    compare_raw: str | None,
    lang: str,
    base_url: str = "",
    with_map: bool = True,
) -> dict[str, Any]:
    moment, param = _resolve(as_of_raw, "as_of")
    key = engine_key(engine)
    with engine.connect() as conn:
        bundle = briefing_bundle(
            conn, as_of=moment, as_of_param=param, settings=settings, engine_key=key,
            generated_at=utc_now(),
        )  # fmt: skip
        changes = None
        if compare_raw:
            other_moment, other_param = _resolve(compare_raw, "compare")
            other = briefing_bundle(
                conn, as_of=other_moment, as_of_param=other_param, settings=settings,
                engine_key=key, generated_at=utc_now(),
            ).document  # fmt: skip
            changes = compare(other, bundle.document)
    lang = language(lang)
    ctx = context(
        bundle,
        lang=lang,
        zone=settings.display_timezone,
        as_of_param=param,
        changes=changes,
        compare_param=compare_raw,
        region_map=briefing_map(bundle, settings, lang, param) if with_map else None,
    )
    ctx["base_url"] = base_url
    return ctx


def _lang(request: Request, lang: str | None) -> str:
    return language(
        negotiate(lang, request.cookies.get(COOKIE), request.headers.get("accept-language"))
    )


LangQuery = Annotated[str | None, Query(description="nl (default) or en")]


@router.get("/briefing", response_class=HTMLResponse)
def briefing_page(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    as_of: str | None = None,
    compare: str | None = None,
    lang: LangQuery = None,
) -> HTMLResponse:
    html = render_briefing(
        engine, settings, as_of_raw=as_of, compare_raw=compare or None, lang=_lang(request, lang)
    )
    return HTMLResponse(html)


@router.get("/briefing.pdf")
def briefing_pdf(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    as_of: str | None = None,
    compare: str | None = None,
    lang: LangQuery = None,
) -> Response:
    base = str(request.base_url).rstrip("/")
    html = render_briefing(
        engine, settings, as_of_raw=as_of, compare_raw=compare or None,
        lang=_lang(request, lang), base_url=base,
    )  # fmt: skip
    try:
        pdf = printer(settings.chromium_path).print(html)
    except PdfUnavailable as error:
        raise HTTPException(503, detail=str(error)) from error
    name = f"kraan-briefing-{(as_of or 'now')[:10]}.pdf"
    return Response(
        pdf, media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )  # fmt: skip
