"""ETag and Cache-Control on the HTML pages (issue 8): a repeat visit gets 304, no body.

The ETag is a hash of the rendered body, so it changes with the data, the language, the
session's form token and the moment shown. Pages may name the logged-in user, so they are
``private`` and revalidated each time (``no-cache``); ``/api/v1/status`` has its own
ETag from the cache key (:mod:`kraan.api.routers.status`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class ConditionalPages:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or path.startswith(("/api/", "/static/", "/docs", "/openapi"))
        ):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await self._finish(scope, start, b"".join(chunks), send)
                return
            await send(message)

        await self.app(scope, receive, capture)

    async def _finish(self, scope: Scope, start: Message | None, body: bytes, send: Send) -> None:
        assert start is not None
        headers = list(start.get("headers", []))
        kind = dict(headers).get(b"content-type", b"")
        if start["status"] != 200 or not kind.startswith(b"text/html"):
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        etag = b'W/"' + hashlib.sha256(body).hexdigest()[:24].encode() + b'"'
        headers += [(b"etag", etag), (b"cache-control", b"private, no-cache")]
        asked = dict((k.lower(), v) for k, v in scope["headers"]).get(b"if-none-match", b"")
        if etag in asked:
            kept = [(k, v) for k, v in headers if k.lower() != b"content-length"]
            await send({**start, "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})
