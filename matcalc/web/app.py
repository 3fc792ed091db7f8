"""`matcalc serve`: the page, the catalog and the JSON API on Starlette; every derivation runs in
a worker process with a time limit, and bad input is a 400 with the one-line error."""
from __future__ import annotations

import asyncio
import json
import sys

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from ..errors import MatcalcError
from ..proof_catalog import entries, listing
from ..prooffile import load
from . import page, work
from .pool import Pool

#: Request bodies, and the page's query strings, larger than these are refused.
MAX_BODY, MAX_QUERY = 64 * 1024, 16 * 1024


def _bad(error: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error}, status_code=status)


def _html(text: str, status: int = 200) -> HTMLResponse:
    """A page, with a policy that lets no script run but the page's own."""
    return HTMLResponse(text, status, headers={"Content-Security-Policy": page.CSP, "X-Content-Type-Options": "nosniff"})


async def _body(request: Request) -> object:
    """The JSON body, read up to MAX_BODY; a MatcalcError when larger or not JSON."""
    if int(request.headers.get("content-length") or 0) > MAX_BODY:
        raise MatcalcError(f"the request body is larger than {MAX_BODY // 1024} KB")
    data = b""
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_BODY:
            raise MatcalcError(f"the request body is larger than {MAX_BODY // 1024} KB")
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as e:
        raise MatcalcError(f"the body is not JSON: {str(e).splitlines()[0][:200]}") from None


def create_app(*, timeout: float = 10.0, workers: int | None = None) -> Starlette:
    """The web app; ``timeout`` (seconds) and ``workers`` limit the worker processes."""
    pool = Pool(workers=workers, timeout=timeout)
    work.warm_up()
    catalog_cache: dict[tuple[str, int], dict] = {}  # the catalog is fixed: each claim is checked once
    catalog_index: list[str] = []

    async def run(fn, *args) -> dict:
        try:
            return await run_in_threadpool(pool.run, fn, *args)
        except MatcalcError as e:
            return {"error": str(e), "field": ""}

    async def api_derive(request: Request) -> Response:
        try:
            body = await _body(request)
        except MatcalcError as e:
            return _bad(str(e))
        result = await run(work.derive, body)
        return JSONResponse(result["answer"]) if "answer" in result else _bad(result["error"])

    async def api_catalog(request: Request) -> Response:
        return JSONResponse(listing(entries()))

    async def home(request: Request) -> Response:
        if len(request.url.query) > MAX_QUERY:
            error = f"the address is longer than {MAX_QUERY // 1024} KB"
            return _html(page.document("matcalc", page.error_html(error)), 400)
        form = page.form_from_query(request.query_params.multi_items())
        if not form.get("f", "").strip():
            return _html(page.document("matcalc", page.form_html(form)))
        try:
            body = page.body_from_form(form)
        except MatcalcError as e:  # a declaration that is not NAME = VALUE
            result = {"error": e.message, "field": e.field}
        else:
            result = await run(work.derive, body)
        if "error" in result:
            field, error = result["field"], result["error"]
            html = page.form_html(form, field, error) + ("" if field else page.error_html(error))
            return _html(page.document("matcalc", html), 400)
        return _html(page.document(f"matcalc: {form['f']}", page.form_html(form) + page.result_html(form, body, result)))

    async def catalog(request: Request) -> Response:
        if not catalog_index:
            catalog_index.append(page.catalog_html([(e, load(e.path)) for e in entries()]))
        return _html(catalog_index[0])

    async def catalog_proof(request: Request) -> Response:
        entry = next((e for e in entries() if e.name == request.path_params["name"]), None)
        if entry is None:
            return _html(page.document("matcalc", page.error_html("no catalog proof of that name")), 404)

        async def claim(index: int) -> dict:
            key = (entry.name, index)
            if key not in catalog_cache:
                result = await run(work.catalog_claim, *key)
                if "error" in result:
                    return result
                catalog_cache[key] = result
            return catalog_cache[key]

        results = await asyncio.gather(*(claim(i) for i in range(1, entry.claims + 1)))
        return _html(page.catalog_proof_html(entry, list(results)))

    return Starlette(routes=[
        Route("/", home), Route("/catalog", catalog), Route("/catalog/{name}", catalog_proof),
        Route("/api/derive", api_derive, methods=["POST"]), Route("/api/catalog", api_catalog),
    ], exception_handlers={Exception: _internal, 404: _not_found, 405: _not_allowed})


async def _internal(request: Request, exc: Exception) -> Response:
    return _bad(f"matcalc failed on this request ({type(exc).__name__}); please report it", 500)


async def _not_found(request: Request, exc: Exception) -> Response:
    return _bad("no such page (the pages are /, /catalog and /api/...)", 404)


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return _bad("that method is not allowed here (POST /api/derive, GET the rest)", 405)


def serve(*, host: str = "127.0.0.1", port: int = 8765, timeout: float = 10.0, open_browser: bool = False) -> None:
    """Run the server until Ctrl-C."""
    import uvicorn

    url = f"http://{host if ':' not in host else f'[{host}]'}:{port}/"
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"matcalc: warning: serving on {host}: the page has no authentication, anyone who reaches it can use it",
              file=sys.stderr)
    print(f"matcalc serving on {url} (Ctrl-C stops it)", flush=True)
    if open_browser:
        import threading
        import webbrowser
        threading.Timer(1.0, webbrowser.open, (url,)).start()
    uvicorn.run(create_app(timeout=timeout), host=host, port=port, log_level="warning")
