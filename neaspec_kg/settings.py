"""One typed settings object, read from environment variables prefixed ``NEASPEC_KG_``.

Defaults run on a laptop: the repository's own data, a ``build/`` folder beside it,
and a server on 127.0.0.1:8000. A value that does not parse (``NEASPEC_KG_PORT=abc``)
raises :class:`SettingsError`, whose message names the variable; the CLI prints it.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from typing_extensions import Annotated

REPO_ROOT = Path(__file__).resolve().parent.parent
PREFIX = "NEASPEC_KG_"


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=PREFIX, frozen=True, extra="ignore", populate_by_name=True)

    root: Path = REPO_ROOT
    build_dir: Path = REPO_ROOT / "build"
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    # Public base of every IRI the graph mints; the server maps request paths below it.
    base_iri: str = "https://w3id.org/neaspec/"
    # Where users reach the server (redirects, DCAT access URLs, the service description's
    # sd:endpoint); default: the local server. Never taken from a request's Host header.
    public_url: str = ""
    # Where `neaspec-kg publish` writes releases and where the server finds them for download.
    dist_dir: Path = REPO_ROOT / "dist"
    query_timeout_s: float = Field(30.0, gt=0, validation_alias="NEASPEC_KG_QUERY_TIMEOUT")
    max_result_rows: int = Field(100_000, gt=0, validation_alias="NEASPEC_KG_MAX_ROWS")
    max_request_bytes: int = Field(1_000_000, gt=0)
    # Limits checked before any SPARQL parser runs (a deeper or longer query is a 400).
    max_query_depth: int = Field(64, gt=0)
    max_describe_terms: int = Field(1000, gt=0)
    # HTTP request heads: bytes and seconds a client has to send them (431 / connection closed).
    max_header_bytes: int = Field(32 * 1024, gt=0)
    header_timeout_s: float = Field(10.0, gt=0)
    # Web processes (uvicorn workers) sharing the port; each follows build/current by itself.
    web_workers: int = Field(1, ge=1)
    # Seconds that requests under way get to finish when the server is stopped; one still running
    # then is answered 503 (a load balancer retries it on another server).
    shutdown_grace_s: float = Field(10.0, ge=0)
    # Query worker processes per web process (each holds the release and is killed at the
    # query time limit); 0 = one per core.
    query_workers: int = Field(0, ge=0)
    # Query workers answer from the release's on-disk store at once and meanwhile copy its default
    # graph into memory, then answer from the copy every query that reads the default graph alone
    # (about 3x faster; at 30 sessions about 90 MB per worker and 2-3 s, measured). False: on disk only.
    store_in_memory: bool = True
    # Make the pages of every session, State and programme area as soon as a release is served
    # (on a thread; they then come from the answer cache). False: each is made when first asked.
    warm_pages: bool = True
    # Seconds between two looks at build/current and dist/ (new build, new release list).
    follow_interval_s: float = Field(1.0, gt=0)
    # Answer cache size in bytes (keyed by release, query, dataset and format); 0 = off.
    answer_cache_bytes: int = Field(64 << 20, ge=0)
    answer_cache_entry_bytes: int = Field(16 << 20, ge=0)
    # Space-separated IRI prefixes that SERVICE may call; empty = federation off.
    service_allow: Annotated[tuple[str, ...], NoDecode] = ()
    # An existing SPARQL 1.1 store to serve from instead of the embedded one (serve --backend),
    # and to load releases into (load --into): its query endpoint, its Graph Store and update
    # endpoints (default: the query endpoint) and the credentials for them (HTTP digest).
    backend_url: str = ""
    backend_gsp_url: str = ""
    backend_update_url: str = ""
    backend_user: str = ""
    backend_password: SecretStr = SecretStr("")
    # The most bytes of one answer read from that store (past them the request is a 400 and the
    # connection is closed: a store sends every row, and the row cap is applied once they are in).
    backend_max_answer_bytes: int = Field(64 << 20, gt=0)

    @field_validator("service_allow", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return tuple(value.split()) if isinstance(value, str) else value

    @field_validator("base_iri")
    @classmethod
    def _slash(cls, value: str) -> str:
        return value if value.endswith(("/", "#")) else value + "/"

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


def load_settings(**overrides: object) -> Settings:
    """The settings from the environment (and ``overrides``), or a :class:`SettingsError`."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field_name = str(err["loc"][0]) if err["loc"] else "?"
            variable = _variable(field_name)
            problems.append(f"{variable}={err.get('input')!r}: {err['msg']}")
        raise SettingsError("invalid setting: " + "; ".join(problems)) from None


def _variable(field_name: str) -> str:
    if field_name.startswith(PREFIX):
        return field_name
    field = Settings.model_fields.get(field_name)
    alias = field.validation_alias if field is not None else None
    return alias if isinstance(alias, str) else PREFIX + field_name.upper()
