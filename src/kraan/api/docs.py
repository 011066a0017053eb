"""API documentation that works offline, never from a CDN: Swagger UI and ReDoc from
assets vendored with their licences in ``kraan/web/static`` (served under /static;
versions, sources and checksums in ``kraan/web/static/LICENSES.md``).

Swagger UI is version 5 (npm ``swagger-ui-dist``): the ``swagger-ui-bundle`` package on
PyPI stops at Swagger UI 4.15, which cannot read the OpenAPI 3.1 document FastAPI writes
("Unable to render this definition"). ReDoc is the npm package ``redoc@2``.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse

ASSETS = "/static/swagger"
REDOC_JS = "/static/redoc/redoc.standalone.js"
CORRECTIONS = "/static/api-docs.css"


def mount_docs(app: FastAPI) -> None:
    """/docs (Swagger UI) and /redoc (ReDoc); create the app with ``docs_url=None,
    redoc_url=None`` so FastAPI's CDN versions are not registered."""

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return _accessible(get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} · API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
            oauth2_redirect_url="/docs/oauth2-redirect",
            # no deep-link anchors inside the operation buttons (axe: nested-interactive)
            swagger_ui_parameters={"deepLinking": False},
        ), css=CORRECTIONS)  # fmt: skip

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    def swagger_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return _accessible(get_redoc_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} · API",
            redoc_js_url=REDOC_JS,
            redoc_favicon_url="/static/favicon.svg",
            with_google_fonts=False,  # offline: the system fonts
        ), css=CORRECTIONS)  # fmt: skip


def _accessible(page: HTMLResponse, css: str | None = None) -> HTMLResponse:
    """FastAPI's pages name no language (axe: html-has-lang); the API documents are
    English. ``css``: a style sheet of corrections, linked after the tool's own."""
    html = bytes(page.body).decode("utf-8").replace("<html>", '<html lang="en">', 1)
    if css:
        html = html.replace("</head>", f'<link rel="stylesheet" href="{css}">\n</head>', 1)
    return HTMLResponse(html)
