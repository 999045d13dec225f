"""The web console: static pages served at ``/`` by the API's own app.

Everything the browser loads comes from this package (``static/``: one HTML
page, one stylesheet, plain JavaScript modules, no build step), because
government networks are often isolated. The page is sent with a content
security policy that allows nothing from elsewhere, so a stray CDN link
would fail loudly in the browser tests instead of quietly in the field.
The console talks to the JSON API with the user's bearer token; the API
decides every permission.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"
ASSETS = "/console"
POLICY = "; ".join(
    (
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": POLICY,
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def install(app: FastAPI) -> None:
    """Serve the console page at ``/`` and its assets under ``/console``.

    ``HEAD`` is answered like ``GET`` (without the body), as the static files
    are: monitors and proxies check a page with it.
    """
    app.mount(ASSETS, StaticFiles(directory=STATIC), name="console")

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    def console() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers=HEADERS)
