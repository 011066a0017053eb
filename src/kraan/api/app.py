"""The FastAPI application: JSON API under /api/v1, dashboard pages at /."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from kraan import __version__
from kraan.api.conditional import ConditionalPages
from kraan.api.docs import mount_docs
from kraan.api.guard import Guard
from kraan.api.problems import document_problems
from kraan.api.routers import (
    admin,
    briefing,
    chain,
    early_warning,
    forecast,
    home_monitoring,
    reports,
    requests,
    saner,
    simulation,
    spreading,
    status,
    vaccination,
)
from kraan.services.status_cache import StatusCache
from kraan.settings import Settings, get_settings
from kraan.store.db import Engine, make_engine, migrate
from kraan.store.faults import DataError, IntegrityError
from kraan.store.report_batch import ConcurrentWriteError
from kraan.store.versions import track_commits
from kraan.web.app import mount_web


def _field_name(loc: tuple[object, ...]) -> str:
    parts = [p for p in loc if p not in ("body", "query", "path", "header")]
    name = ""
    for part in parts:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or ".".join(map(str, loc))


async def _validation_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    detail = [
        {"field": _field_name(tuple(e["loc"])), "message": e["msg"], "type": e["type"]}
        for e in error.errors()
    ]
    return JSONResponse(
        {"detail": detail, "message": "nothing was stored: fix the fields listed and send again"},
        status_code=422,
    )


async def _concurrent_write(_: Request, error: Exception) -> JSONResponse:
    return JSONResponse(
        {
            "detail": str(error),
            "message": "another request changed these reports meanwhile; "
            "nothing was stored from this request: send it again",
        },
        status_code=409,
    )


async def _data_error(_: Request, error: Exception) -> JSONResponse:
    """A value the database cannot hold (a safety net behind the schema limits)."""
    first = str(getattr(error, "orig", error)).splitlines()[0][:200]
    return JSONResponse(
        {
            "detail": [{"field": "body", "message": first, "type": "value_error"}],
            "message": "nothing was stored: a value is out of range or malformed",
        },
        status_code=422,
    )


async def _integrity_error(_: Request, __: Exception) -> JSONResponse:
    return JSONResponse(
        {"detail": "a concurrent request wrote the same item; nothing was stored, send again"},
        status_code=409,
    )


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    if engine is None:
        engine = make_engine(settings.database_url)
        migrate(engine)
    app = FastAPI(
        title="Kraan",
        version=__version__,
        description="Care-capacity coordination: reports, chain-wide monitor, LNAZ phases.",
        docs_url=None,  # both served offline by kraan.api.docs
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    track_commits(engine)  # a write here re-reads the status cache's data version at once
    app.state.status_cache = (
        StatusCache(settings.status_cache_size, settings.status_version_seconds)
        if settings.status_cache
        else None
    )
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ConcurrentWriteError, _concurrent_write)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_middleware(ConditionalPages)
    app.add_middleware(Guard, settings=settings)
    app.include_router(reports.router)
    app.include_router(status.router)
    app.include_router(admin.router)
    app.include_router(forecast.router)
    app.include_router(spreading.router)
    app.include_router(briefing.router)
    app.include_router(requests.router)
    app.include_router(chain.router)
    app.include_router(simulation.router)
    app.include_router(vaccination.router)
    app.include_router(home_monitoring.router)
    app.include_router(early_warning.router)
    app.include_router(saner.router)
    mount_docs(app)
    document_problems(app)
    mount_web(app)
    return app
