"""The web console: static pages served at ``/`` by the API's own app.

Everything the browser loads comes from this package (``static/``: one HTML
page, one stylesheet, plain JavaScript modules, no build step), because
government networks are often isolated. The page is sent with a content
security policy that allows nothing from elsewhere, so a stray CDN link
would fail loudly in the browser tests instead of quietly in the field.
The console talks to the JSON API with the user's bearer token; the API
decides every permission.

The page names its assets under ``/console/v/<version>/``, where the version
is a digest of every static file: those addresses never change what they
hold, so the browser keeps them (``immutable``) and a page load asks the
server only for the page and its data. A new release changes the digest,
hence the addresses. The plain ``/console/…`` addresses stay (revalidated on
every use) for anything that links to them.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from fastapi import FastAPI, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import Scope

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
KEEP = "public, max-age=31536000, immutable"


def version(folder: Path = STATIC) -> str:
    """A digest of every file under ``folder`` (names and contents), 12 hex digits."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


class KeptFiles(StaticFiles):
    """Static files whose address names their version: the browser may keep them for good."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = KEEP
        return response


def install(app: FastAPI) -> None:
    """Serve the console page at ``/`` and its assets under ``/console``.

    ``HEAD`` is answered like ``GET`` (without the body), as the static files
    are: monitors and proxies check a page with it.
    """
    kept = f"{ASSETS}/v/{version()}"
    page = (STATIC / "index.html").read_text().replace(f'"{ASSETS}/', f'"{kept}/').encode()
    # The versioned mount goes first: the plain one would take its addresses too.
    app.mount(kept, KeptFiles(directory=STATIC), name="console-kept")
    app.mount(ASSETS, StaticFiles(directory=STATIC), name="console")

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    def console() -> Response:
        return Response(page, media_type="text/html; charset=utf-8", headers=HEADERS)
