"""The guard around every request (issue 8): what no route should have to repeat.

* security headers on every response (CSP, frame options, nosniff, referrer policy, and
  HSTS when the cookie is secure or the request came over HTTPS);
* NUL characters in the path, the query or a JSON or form body: 422, before any route;
* cookie-authenticated writes to ``/api/`` need the session's CSRF token in the
  ``X-CSRF-Token`` header (Bearer tokens are exempt: a browser never sends them by itself);
* request bodies are capped (a little over ``max_csv_bytes``): 413;
* a lost database connection: the request runs once more on a fresh connection, then 503
  with ``Retry-After``.

A pure ASGI middleware, so the body is read once and replayed to the route (and to the retry).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from kraan.settings import Settings
from kraan.store.faults import is_connection_lost

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'"
)
#: Swagger UI (served from the package, kraan.api.docs) starts itself with an inline script.
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'"
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Room for multipart framing and form fields around an uploaded CSV.
BODY_MARGIN = 64 * 1024


def csrf_token(session_token: str) -> str:
    """Bound to the session: a page from another site can neither read nor derive it."""
    return hashlib.sha256(b"kraan-form:" + session_token.encode()).hexdigest()


class Guard:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.max_body = settings.max_csv_bytes + BODY_MARGIN

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        secure = self.settings.cookie_secure or scope.get("scheme") == "https"
        extra = _security_headers(scope["path"], secure)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in extra if k not in present
                ]
            await send(message)

        problem = self._refusal(scope, headers)
        if problem:
            await _answer(send_with_headers, *problem)
            return
        body, too_big = await _read_body(receive, self.max_body)
        if too_big:
            await _answer(
                send_with_headers,
                413,
                {
                    "detail": f"the request is larger than {self.max_body} "
                    "bytes; send less per request"
                },  # fmt: skip
            )
            return
        if _has_nul(headers.get("content-type", ""), body):
            await _answer(send_with_headers, 422, _field_error("body", "NUL characters"))
            return
        for attempt in (1, 2):
            started = False

            async def tracking_send(message: Message) -> None:
                nonlocal started
                if message["type"] == "http.response.start":
                    started = True
                await send_with_headers(message)

            try:
                await self.app(scope, _replay(body, receive), tracking_send)
                return
            except Exception as error:
                if started or not is_connection_lost(error):
                    raise
                logger.warning("database connection lost (attempt %d): %s", attempt, error)
        await _answer(
            send_with_headers,
            503,
            {"detail": "the database is unreachable right now; nothing was stored, try again"},
            [(b"retry-after", str(self.settings.db_retry_after_seconds).encode())],
        )

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, dict[str, Any]] | None:
        path: str = scope["path"]
        query: bytes = scope.get("query_string", b"")
        if "\x00" in path or b"%00" in query or b"\x00" in query:
            return 422, _field_error("query", "NUL characters")
        if scope["method"] in SAFE_METHODS or not path.startswith("/api/"):
            return None
        if headers.get("authorization", "").lower().startswith("bearer "):
            return None
        session = _cookie(headers.get("cookie", ""), self.settings.session_cookie)
        if session is None:
            return None  # no credentials at all: the route answers 401
        sent = headers.get("x-csrf-token", "")
        if not hmac.compare_digest(sent.encode(), csrf_token(session).encode()):
            return 403, {
                "detail": "a cookie-authenticated write needs the X-CSRF-Token header of the "
                "page's form token; API clients send 'Authorization: Bearer <token>' instead"
            }
        return None


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name and value:
            return value
    return None


def _security_headers(path: str, secure: bool) -> list[tuple[bytes, bytes]]:
    docs = path in ("/docs", "/redoc") or path.startswith("/docs/")
    out = [
        (b"content-security-policy", (DOCS_CSP if docs else CSP).encode()),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    ]
    if secure:
        out.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
    return out


def _field_error(field: str, what: str) -> dict[str, Any]:
    return {
        "detail": [{"field": field, "message": f"must not contain {what}", "type": "value_error"}],
        "message": "nothing was stored: fix the fields listed and send again",
    }


def _has_nul(content_type: str, body: bytes) -> bool:
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json" or kind.endswith("+json"):
        return b"\x00" in body or b"\\u0000" in body.lower()
    if kind == "application/x-www-form-urlencoded":
        return b"\x00" in body or b"%00" in body
    return False


async def _read_body(receive: Receive, limit: int) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", True
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks), False


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _answer(
    send: Send,
    status: int,
    payload: dict[str, Any],
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
