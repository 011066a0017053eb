"""Mounting the dashboard on the FastAPI app: static files and every page router.

A new page module registers with one line in :func:`mount_web`.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

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
from kraan.web.common import WEB_DIR
from kraan.web.i18n import LocaleMiddleware


def mount_web(app: FastAPI) -> None:
    """Static files at /static and the page routes (called by create_app)."""
    app.add_middleware(LocaleMiddleware)
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
