"""The FastAPI application: routers found in `web/routes`, security headers, error pages."""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
import threading
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from watchfloor import __version__
from watchfloor.config import Settings
from watchfloor.store import Store, open_store
from watchfloor.web import routes
from watchfloor.web.security import Forbidden, NotAuthenticated
from watchfloor.web.settings import web_settings
from watchfloor.web.templating import render

API_PREFIX = "/api/v1"
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
        "form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
}


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    """The app over one workspace; `store` lets a caller (a test, the demo) share its own."""
    app = FastAPI(
        title="Watchfloor",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # served by routes/api_meta.py behind authentication
    )
    app.state.settings = settings
    app.state.web = web_settings(settings)
    app.state.store = store if store is not None else open_store(settings)
    app.state.routes = []
    for module in _route_modules():
        app.include_router(module.router)
        app.state.routes.extend(r for r in module.router.routes if isinstance(r, APIRoute))
    app.state.page_paths = {r.path for r in app.state.routes if "GET" in r.methods}
    _install_handlers(app)
    threading.Thread(target=_warm_map, name="warm-map", daemon=True).start()
    return app


def _warm_map() -> None:
    """Build the map's country outlines (about a second) before the first visitor asks."""
    from watchfloor.web.assets import AssetsMissing
    from watchfloor.web.svg.worldmap import country_layer

    with contextlib.suppress(AssetsMissing):  # the targets page says how to install them
        country_layer()


def _route_modules():
    for info in sorted(pkgutil.iter_modules(routes.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{routes.__name__}.{info.name}")
        if hasattr(module, "router"):
            yield module


def is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def _install_handlers(app: FastAPI) -> None:
    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response: Response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if (
            request.url.path.startswith((API_PREFIX, "/media"))
            or "cache-control" not in response.headers
        ):
            response.headers.setdefault("cache-control", "no-store")
        return response

    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, _exc: NotAuthenticated):
        if is_api(request) or request.method != "GET":
            return JSONResponse(
                {
                    "error": "authentication required: log in or send 'Authorization: Bearer <token>'"
                },
                status_code=401,
                headers={"www-authenticate": "Bearer"},
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden):
        if is_api(request):
            return JSONResponse({"error": exc.message}, status_code=403)
        return render(request, "error.html", {"status": 403, "message": exc.message}, 403)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if is_api(request) or getattr(request.state, "principal", None) is None:
            return JSONResponse(
                {"error": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        return render(
            request,
            "error.html",
            {"status": exc.status_code, "message": exc.detail},
            exc.status_code,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        problems = [
            {"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg")}
            for e in exc.errors()
        ]
        return JSONResponse({"error": "invalid request", "problems": problems}, status_code=422)
