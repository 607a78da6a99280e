"""``search serve``: Datasette over an opened index, with the writers' desk plugin."""

from __future__ import annotations

import errno
import socket

from ...errors import SearchError
from ...indexing import layout as L

__all__ = ["make_datasette", "serve", "TITLE"]

TITLE = "Writers' desk — reports on following Hồ Chí Minh's example"


def make_datasette(idx):
    """A Datasette instance serving ``idx``: its store read-only (immutable), arbitrary SQL off,
    the plugin's pages attached to ``idx``."""
    from datasette.app import Datasette

    from . import pages, tables

    store = idx.path / L.STORE
    ds = Datasette(
        immutables=[str(store)],
        metadata=tables.metadata(TITLE),
        settings={"default_allow_sql": False, "allow_download": False, "suggest_facets": False,
                  "default_page_size": 50, "truncate_cells_html": 140, "sql_time_limit_ms": 3000},
    )
    pages.attach(ds, idx)
    return ds


def _check_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise SearchError(f"port {port} is in use on {host}; try --port {port + 1}") from None
            raise SearchError(f"cannot listen on {host}:{port} ({exc.strerror})") from None


def serve(idx, host: str = "127.0.0.1", port: int = 8001) -> None:
    """Serve ``idx`` until interrupted (blocks)."""
    import asyncio

    import uvicorn

    _check_port(host, port)
    # a long-running server holds the chunks it shows: searches then keep answering from the
    # build it opened when a rebuild swaps another one in (a cold Index reads result rows only)
    idx.chunks  # noqa: B018
    ds = make_datasette(idx)
    asyncio.run(ds.invoke_startup())
    print(f"Writers' desk: http://{host}:{port}/  (index {idx.path}; Ctrl+C stops it)", flush=True)
    # a long query in the URL (percent-encoded Vietnamese triples in length) must reach the app,
    # which answers it with a message rather than the server refusing the request line
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning", lifespan="on", workers=1,
                h11_max_incomplete_event_size=256 * 1024)
