"""One typed settings object, read from environment variables prefixed ``NEASPEC_KG_``.

Defaults run on a laptop: the repository's own data, a ``build/`` folder beside it,
and a server on 127.0.0.1:8000.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    return os.environ.get(f"NEASPEC_KG_{name}", default)


@dataclass(frozen=True)
class Settings:
    root: Path = field(default_factory=lambda: Path(_env("ROOT", str(REPO_ROOT))))
    build_dir: Path = field(default_factory=lambda: Path(_env("BUILD_DIR", str(REPO_ROOT / "build"))))
    host: str = field(default_factory=lambda: _env("HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: int(_env("PORT", "8000")))
    # Public base of every IRI the graph mints; the server maps request paths below it.
    base_iri: str = field(default_factory=lambda: _env("BASE_IRI", "https://w3id.org/neaspec/"))
    # Where the server and the published release are reached by users (redirect rules, DCAT
    # access URLs); default: the local server.
    public_url: str = field(default_factory=lambda: _env("PUBLIC_URL", ""))
    # Where `neaspec-kg publish` writes releases and where the server finds them for download.
    dist_dir: Path = field(default_factory=lambda: Path(_env("DIST_DIR", str(REPO_ROOT / "dist"))))
    query_timeout_s: float = field(default_factory=lambda: float(_env("QUERY_TIMEOUT", "30")))
    max_result_rows: int = field(default_factory=lambda: int(_env("MAX_ROWS", "100000")))
    max_request_bytes: int = field(default_factory=lambda: int(_env("MAX_REQUEST_BYTES", "1000000")))
    # Web processes answering HTTP (each runs the columnar engine itself); 0 = CPU count.
    web_workers: int = field(default_factory=lambda: int(_env("WEB_WORKERS", "0")))
    # Oxigraph query worker processes per web process (each opens the store read-only and is
    # killed at the query time limit); 0 = 2.
    query_workers: int = field(default_factory=lambda: int(_env("QUERY_WORKERS", "0")))
    # Answer cache size in bytes (keyed by release, query, dataset and format); 0 = off.
    answer_cache_bytes: int = field(default_factory=lambda: int(_env("ANSWER_CACHE_BYTES", "0")))
    # Largest single answer the cache keeps (a 400-session GROUP BY answer is about 1.8 MB).
    answer_cache_entry_bytes: int = field(default_factory=lambda: int(_env("ANSWER_CACHE_ENTRY_BYTES", str(16 << 20))))
    # Which engine answers SELECT/ASK (see neaspec_kg.vector): auto (the columnar engine from a
    # query's second sighting in a worker), columnar (always tried first), oxigraph (never).
    engine: str = field(default_factory=lambda: _env("ENGINE", "auto"))
    # Space-separated IRI prefixes that SERVICE may call; empty = federation off.
    service_allow: tuple[str, ...] = field(
        default_factory=lambda: tuple(_env("SERVICE_ALLOW", "").split())
    )

    @property
    def public_base(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}/").rstrip("/") + "/"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def current_build(self) -> Path:
        """The last good build (a symlink swapped atomically by the build)."""
        return self.build_dir / "current"


def load_settings() -> Settings:
    return Settings()
