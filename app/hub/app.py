"""The hub's ASGI application."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_to_bytes

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import __version__
from app.domain.errors import DomainError
from app.hub.api import catalog, channels, jobs, orders, people, picks, queue, returns, shipping
from app.hub.api.deps import public
from app.hub.api.docs import install_docs
from app.hub.database import make_engine, make_session_factory
from app.hub.services.errors import HubError
from app.hub.services.principals import PrincipalCache

MAX_BODY_BYTES = 1_048_576  # 1 MiB: a 500-event batch is well under it


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, whether or not Content-Length is sent."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await _too_large(send, self.limit)
                return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await _too_large(send, self.limit)


class _TooLarge(Exception):
    pass


async def _too_large(send: Send, limit: int) -> None:
    await _refuse(send, 413, f"request body over {limit} bytes")


async def _refuse(send: Send, status: int, error: str) -> None:
    body = json.dumps({"error": error}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RefuseNul:
    """The query and path rule: no NUL character in the path or any query parameter (422).

    Request bodies have theirs in ``schemas.Checked``; PostgreSQL refuses NUL in text, so a NUL
    must never get as far as a query."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = unquote_to_bytes(scope.get("query_string", b"").replace(b"+", b" "))
            if "\x00" in scope.get("path", "") or b"\x00" in query:
                await _refuse(send, 422, "invalid request: the path and query may not contain NUL characters")
                return
        await self.app(scope, receive, send)


def _describe(errors: list[Any]) -> str:
    parts = []
    for e in errors[:5]:
        loc = ".".join(str(x) for x in e.get("loc", ()) if x != "body")
        parts.append(f"{loc}: {e.get('msg')}" if loc else str(e.get("msg")))
    return "; ".join(parts)


def create_app(engine: Engine | None = None, *, db_url: str | None = None) -> FastAPI:
    """Build the hub app over ``engine`` (or a new engine for ``db_url``). Migrations are the caller's."""
    if engine is None:
        if db_url is None:
            raise ValueError("create_app needs an engine or a db_url")
        engine = make_engine(db_url)
    factory: sessionmaker[Session] = make_session_factory(engine)
    app = FastAPI(
        title="packbench hub",
        version=__version__,
        description="Orders in, pick queues out, bench events applied exactly once.",
        docs_url=None,  # served from local files by install_docs: no CDN
        redoc_url=None,
    )
    install_docs(app)
    app.state.engine = engine
    app.state.session_factory = factory
    app.state.principals = PrincipalCache()  # per-token authentication cache, emptied on revocation

    @app.exception_handler(HubError)
    async def hub_error(_request: Request, exc: HubError) -> JSONResponse:
        headers: dict[str, str] | None = getattr(exc, "headers", None)
        if exc.status == 401:
            headers = {"WWW-Authenticate": "Bearer"}
        return JSONResponse({"error": exc.message, **exc.details}, status_code=exc.status, headers=headers)

    @app.exception_handler(DomainError)
    async def domain_error(_request: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> Response:
        """Starlette's and FastAPI's own refusals (no such route, wrong method, unreadable body) as ``error``."""
        if exc.status_code in (204, 304):
            return Response(status_code=exc.status_code, headers=exc.headers)
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def bad_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        return JSONResponse(
            {
                "error": f"invalid request: {_describe(errors)}",
                "details": json.loads(json.dumps(errors, default=str)),
            },
            status_code=422,
        )

    @app.get("/health", tags=["health"], **public())
    def health() -> dict[str, str]:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    for module in (catalog, orders, queue, returns, people, shipping, channels, jobs, picks):
        app.include_router(module.router)
    app.add_middleware(BodyLimit)
    app.add_middleware(RefuseNul)
    return app
