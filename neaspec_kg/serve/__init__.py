"""Serve the graph: SPARQL 1.1 Protocol at /sparql, Linked Data pages, query page.

``run_server`` is what ``neaspec-kg serve`` calls; ``create_app`` builds the ASGI app.
"""

from __future__ import annotations

import sys
from pathlib import Path

from neaspec_kg.settings import Settings


def run_server(settings: Settings, host: str, port: int, store: Path | None = None) -> int:
    """Serve until stopped; returns the process exit code (1 when there is nothing to serve)."""
    import uvicorn

    from neaspec_kg.serve.app import create_app
    from neaspec_kg.serve.release import NoBuildError, locate_release

    try:
        release = locate_release(settings, store)
    except NoBuildError as exc:
        print(f"serve: {exc}", file=sys.stderr)
        return 1
    app = create_app(settings, release)
    print(f"serving release {release.release} from {release.store_path} on http://{host}:{port}", file=sys.stderr)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                            timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    server.run()
    return 0 if server.started else 1


__all__ = ["run_server"]
