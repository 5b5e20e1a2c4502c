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
    own oxigraph worker processes (see ``workers``). Without ``store``, the server answers
    from ``build/current`` and takes up each new build there without a restart (see ``supervisor``).
    """
    from neaspec_kg.serve.release import NoBuildError, locate_release

    try:
        release = locate_release(settings, store)
    except NoBuildError as exc:
        print(f"serve: {exc}", file=sys.stderr)
        return 1
    prepare_index(settings, release.store_path)
    web_workers = settings.web_workers or os.cpu_count() or 1
    os.environ[STORE_ENV] = str(release.store_path)
    print(f"serving release {release.release} from {release.store_path} on http://{host}:{port} "
          f"({web_workers} web process{'es' if web_workers > 1 else ''})", file=sys.stderr)
    from neaspec_kg.serve.supervisor import supervise

    try:
        return supervise(host, port, web_workers, follow=settings if store is None else None)
    except OSError as exc:
        print(f"serve: cannot listen on {host}:{port}: {exc}", file=sys.stderr)
        return 1


def prepare_index(settings: Settings, store_path: Path) -> None:
    """Write the columnar engine's index next to a store that lacks it (a store made before it)."""
    from neaspec_kg.vector.index import ensure_index

    if settings.engine != "oxigraph" and not ensure_index(store_path):
        print(f"serve: cannot write the columnar index next to {store_path}; oxigraph answers every query",
              file=sys.stderr)


__all__ = ["prepare_index", "run_server"]
