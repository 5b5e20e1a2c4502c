"""Serve the graph: SPARQL 1.1 Protocol at /sparql, Linked Data pages, query page.

``run_server`` is what ``neaspec-kg serve`` calls; ``create_app`` builds the ASGI app.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from neaspec_kg.settings import Settings

STORE_ENV = "NEASPEC_KG_SERVE_STORE"  # how `serve --store` reaches the web processes


def run_server(settings: Settings, host: str, port: int, store: Path | None = None) -> int:
    """Serve until stopped; returns the process exit code (1 when there is nothing to serve).

    ``settings.web_workers`` web processes (default: one per core) share the port; each
    answers the queries the columnar engine implements itself and hands the others to its
    own oxigraph worker processes (see ``workers``).
    """
    import uvicorn

    from neaspec_kg.serve.release import NoBuildError, locate_release
    from neaspec_kg.vector.index import ensure_index

    try:
        release = locate_release(settings, store)
    except NoBuildError as exc:
        print(f"serve: {exc}", file=sys.stderr)
        return 1
    if settings.engine != "oxigraph" and not ensure_index(release.store_path):
        print(f"serve: cannot write the columnar index next to {release.store_path}; "
              "oxigraph answers every query", file=sys.stderr)
    web_workers = settings.web_workers or os.cpu_count() or 1
    os.environ[STORE_ENV] = str(release.store_path)
    print(f"serving release {release.release} from {release.store_path} on http://{host}:{port} "
          f"({web_workers} web process{'es' if web_workers > 1 else ''})", file=sys.stderr)
    if web_workers == 1:
        from neaspec_kg.serve.app import app_from_env
        from neaspec_kg.serve.http import server_config

        server = uvicorn.Server(server_config(app_from_env(), host=host, port=port))
        server.run()
        return 0 if server.started else 1
    from neaspec_kg.serve.supervisor import supervise

    try:
        return supervise(host, port, web_workers)
    except OSError as exc:
        print(f"serve: cannot listen on {host}:{port}: {exc}", file=sys.stderr)
        return 1


__all__ = ["run_server"]
