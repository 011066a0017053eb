"""The language switch in the header, and the favicon every browser asks for."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse, RedirectResponse

from kraan.web.common import WEB_DIR
from kraan.web.i18n import COOKIE, LANGUAGES

router = APIRouter(include_in_schema=False)


@router.get("/language")
def switch_language(lang: str = "nl", next: str = "/") -> RedirectResponse:
    """Remember the choice in a cookie (a preference, not a write), go back where we were."""
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    return response


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    return FileResponse(WEB_DIR / "static" / "favicon.svg", media_type="image/svg+xml")
