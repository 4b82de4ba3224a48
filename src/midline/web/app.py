"""The web app factory: session cookie, templates, local static assets (no CDN), pages and API."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from midline.catalog import load_catalog
from midline.storage import open_repository
from midline.web import api, live, pages
from midline.web.deps import LoginRequiredError, WebState, signed_in
from midline.web.jobs import JobQueue
from midline.web.security import SESSION_MAX_AGE_S, LoginLimiter, RevokedSessions, csrf_token
from midline.web.settings import Settings

HERE = Path(__file__).parent
SESSION_COOKIE = "midline_session"
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:;"
    " media-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
"""Pages run only this app's script files (Plotly injects styles, hence inline styles)."""
REPORT_CSP = "sandbox allow-scripts; default-src 'self' 'unsafe-inline' data: blob:; frame-ancestors 'none'"


def plotly_js() -> Path:
    """Plotly's bundled JS from the installed ``plotly`` package (served locally, never a CDN)."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def swagger_dir() -> Path:
    from swagger_ui_bundle import swagger_ui_path

    return Path(str(swagger_ui_path))


SWAGGER_FILES = frozenset({"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"})


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["csrf_token"] = lambda request: csrf_token(request.session)
    repo = open_repository(settings.db)
    web = WebState(
        settings=settings,
        repo=repo,
        catalog=load_catalog(),
        templates=templates,
        limiter=LoginLimiter(repo.engine, settings.login_failures, settings.login_window_s),
        jobs=JobQueue(settings.data_dir, repo, settings.keep_videos_days, settings.analysis_workers),
        revoked=RevokedSessions(settings.data_dir / "ended_sessions.json"),
    )
    app = FastAPI(
        title="midline",
        summary="Local-first Pilates coach for the inner thighs: profile, plans, exercise library, log.",
        version=_version(),
        docs_url=None,
        redoc_url=None,
    )
    app.state.web = web
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret(),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE_S,
        same_site="lax",
        https_only=settings.https_only,
    )

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        response: Response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        path = request.url.path
        if path.endswith("/report.html"):
            # the self-contained report runs its own inline scripts, in a sandbox without this origin
            response.headers.setdefault("Content-Security-Policy", REPORT_CSP)
        elif path != "/docs":  # Swagger UI starts itself with an inline script
            response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """The API answers JSON; a page answers an HTML page with the same status and message."""
        if request.url.path.startswith("/api") or request.url.path.startswith("/docs"):
            return await http_exception_handler(request, exc)
        title = {403: "Not allowed", 404: "Not found"}.get(exc.status_code, "Something went wrong")
        context = {"status": exc.status_code, "title": title, "message": exc.detail, "flash": None}
        context["user"] = signed_in(request)
        return templates.TemplateResponse(request, "error.html", context, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def bad_input(request: Request, exc: RequestValidationError) -> Response:
        """The API answers 422 with the details; a form answers a page naming the fields."""
        if request.url.path.startswith("/api"):
            return await request_validation_exception_handler(request, exc)
        fields = ", ".join(str(e["loc"][-1]) for e in exc.errors() if e.get("loc")) or "the form"
        context = {
            "status": 400,
            "title": "Check the form",
            "message": f"these values are not valid: {fields}; go back and correct them",
            "flash": None,
            "user": signed_in(request),
        }
        return templates.TemplateResponse(request, "error.html", context, status_code=400)

    @app.exception_handler(LoginRequiredError)
    async def to_login(request: Request, exc: LoginRequiredError) -> RedirectResponse:
        return RedirectResponse("/login", status_code=303)

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_file() -> FileResponse:
        return FileResponse(plotly_js(), media_type="text/javascript")

    @app.get("/docs-assets/{name}", include_in_schema=False)
    def swagger_asset(name: str) -> FileResponse:
        if name not in SWAGGER_FILES:
            raise HTTPException(404)
        return FileResponse(swagger_dir() / name)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="midline API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon-32x32.png",
        )

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(live.router)
    return app


def _version() -> str:
    from midline.log.versions import midline_version

    return midline_version()
