"""Serve the graph: SPARQL 1.1 Protocol at /sparql, Linked Data pages, query page.

``run_server`` is what ``neaspec-kg serve`` calls: uvicorn (with ``web_workers`` processes,
uvicorn's own process model) runs the app of ``create_app``, which answers from the embedded
store of the current build (following build/current) or from a remote SPARQL store.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import sys
from pathlib import Path

from neaspec_kg.settings import Settings, load_settings
from neaspec_kg.store import GraphStore

STORE_ENV = "NEASPEC_KG_SERVE_STORE"  # how `serve --store` reaches uvicorn's worker processes


def app_from_env():
    """The app of one uvicorn worker process (settings and store folder from the environment),
    over the remote backend, a given store folder, or build/current (followed to each new build)."""
    from neaspec_kg.serve.app import create_app

    _stop_with_parent()
    settings = load_settings()
    if settings.backend_url:
        from neaspec_kg.store.remote import RemoteStore, served_release

        return create_app(settings, lambda: RemoteStore(settings), lambda: served_release(settings))
    from neaspec_kg.serve.state import build_signature
    from neaspec_kg.store.embedded import EmbeddedStore
    from neaspec_kg.store.release import locate_release

    store = Path(os.environ[STORE_ENV]) if os.environ.get(STORE_ENV) else None

    def open_embedded() -> GraphStore:
        return EmbeddedStore(locate_release(settings, store), workers=settings.query_workers,
                             in_memory=settings.store_in_memory, page_timeout_s=settings.query_timeout_s)

    return create_app(settings, open_embedded, build_signature(settings.current_build) if store is None else None)


PARENT_ENV = "NEASPEC_KG_SERVE_PARENT"


def _stop_with_parent() -> None:
    """A uvicorn worker process ends when the server process that started it ends, however it
    ended (uvicorn's workers outlive a killed parent, and would keep the port answering)."""
    import signal

    from neaspec_kg.store.worker import end_with_parent

    if parent := os.environ.get(PARENT_ENV):
        end_with_parent(int(parent), signal.SIGTERM)


def run_server(settings: Settings, host: str, port: int, store: Path | None = None) -> int:
    """Serve until stopped; returns the process exit code (1 when there is nothing to serve)."""
    import uvicorn

    from neaspec_kg.store.release import NoBuildError, locate_release

    if not settings.backend_url:
        try:
            release = locate_release(settings, store)
        except NoBuildError as exc:
            print(f"serve: {exc}", file=sys.stderr)
            return 1
        where = f"release {release.release} from {release.store_path}"
    else:
        from neaspec_kg.errors import RequestError
        from neaspec_kg.store.remote import RemoteStore, shown

        try:  # say now, in one line, what keeps the store from being served
            RemoteStore(settings).close()
        except RequestError as exc:
            print(f"serve: {shown(settings.backend_url)}: {exc}", file=sys.stderr)
            return 1
        where = f"the SPARQL store at {shown(settings.backend_url)}"
    listening = _listen(host, port)
    if isinstance(listening, str):
        print(f"serve: cannot listen on {host}:{port}: {listening}", file=sys.stderr)
        return 1
    if store is not None:
        os.environ[STORE_ENV] = str(store)
    print(f"serving {where} on http://{host}:{port} ({settings.web_workers} web process"
          f"{'es' if settings.web_workers > 1 else ''})", file=sys.stderr, flush=True)
    config = dict(host=host, port=port, workers=settings.web_workers, log_level="warning", access_log=False,
                  http="neaspec_kg.serve.limits:LimitedHead", timeout_graceful_shutdown=settings.shutdown_grace_s)
    if settings.web_workers > 1:  # uvicorn's supervisor binds the port before any app starts
        listening.close()
        os.environ[PARENT_ENV] = str(os.getpid())
        uvicorn.run("neaspec_kg.serve:app_from_env", factory=True, **config)
        return 0
    # One process: it serves the socket bound by the check, so no other process can take the port
    # while the app starts (uvicorn.run would bind only after that). Passed as a socket object:
    # with fd= uvicorn takes it for a Unix socket, and asyncio then leaves Nagle's algorithm on
    # (every answer waited ~40 ms for the client's delayed ACK; measured 2026-12-03).
    server = uvicorn.Server(uvicorn.Config(app_from_env(), **config))
    with listening, contextlib.suppress(KeyboardInterrupt):  # Ctrl-C, once shut down (as uvicorn.run)
        server.run(sockets=[listening])
    return 0 if server.started else 3  # 3: the app did not start, as uvicorn.run exits


def _listen(host: str, port: int) -> socket.socket | str:
    """A socket listening on ``host:port``, or why there cannot be one, to be said in one line
    before anything starts."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]  # IPv6 hosts, names
        return socket.create_server((host, port), family=family, backlog=2048)
    except socket.gaierror as exc:
        return exc.strerror or str(exc)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            return f"{os.strerror(exc.errno)} (is another server running there? --port chooses another)"
        return os.strerror(exc.errno) if exc.errno else str(exc)


__all__ = ["app_from_env", "run_server"]
