"""Mounting the dashboard on the FastAPI app: static files and every page router.

A new page module registers with one line in :func:`mount_web`.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from kraan.api.deps import get_engine, optional_principal
from kraan.web import (
    audit_pages,
    briefing_pages,
    chain_pages,
    forecast_pages,
    forms,
    home_pages,
    language_pages,
    pages,
    requests_pages,
    simulation_pages,
    spreading_actions,
    spreading_pages,
    vaccination_pages,
)
from kraan.web.common import WEB_DIR, PageRefused, render
from kraan.web.i18n import LocaleMiddleware
from kraan.web.i18n import gettext as _


async def _page_refused(request: Request, error: Exception) -> Response:
    assert isinstance(error, PageRefused)
    principal = optional_principal(request, get_engine(request))
    return render(request, "error.html", principal, status_code=error.status,
                  title=_("Not shown"), message=error.message)  # fmt: skip


def mount_web(app: FastAPI) -> None:
    """Static files at /static and the page routes (called by create_app)."""
    app.add_middleware(LocaleMiddleware)
    app.add_exception_handler(PageRefused, _page_refused)
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    app.include_router(pages.router)
    app.include_router(forms.router)
    app.include_router(forecast_pages.router)
    app.include_router(spreading_pages.router)
    app.include_router(spreading_actions.router)
    app.include_router(requests_pages.router)
    app.include_router(chain_pages.router)
    app.include_router(simulation_pages.router)
    app.include_router(briefing_pages.router)
    app.include_router(language_pages.router)
    app.include_router(audit_pages.router)
    app.include_router(vaccination_pages.router)
    app.include_router(home_pages.router)
