"""Which graph release the server answers from: the build contract, read once at start-up.

A build is ``build/builds/<release>/`` with ``store/`` (an on-disk pyoxigraph store),
``dataset.nq`` and ``build.json``; ``build/current`` points at the last good one. The
release id (12 hex digits) keys the answer cache: a new release changes every key.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # not imported at run time: query workers import this module and need no settings
    from neaspec_kg.settings import Settings


def hold(folder: Path) -> int:
    """A shared lock on a release folder for as long as a server answers from it (closing the
    returned descriptor lets go); the build does not prune a folder someone holds."""
    fd = os.open(folder, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_SH)
    return fd


def in_use(folder: Path) -> bool:
    """True when a server holds ``folder`` (see :func:`hold`)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


class NoBuildError(RuntimeError):
    """There is nothing to serve yet; the message says which command makes it."""


@dataclass(frozen=True)
class Release:
    release: str
    store_path: Path
    built_at: str = ""
    graphs: dict[str, int] = field(default_factory=dict)  # graph IRI -> triple count
    triples: int = 0
    dump_path: Path | None = None


def locate_release(settings: Settings, store: Path | None = None) -> Release:
    """The release behind ``store`` (a store folder) or, by default, behind ``build/current``."""
    store_path = Path(store) if store is not None else settings.current_build / "store"
    if not store_path.is_dir():
        advice = "run `neaspec-kg build` first (`make serve` does it for you)" if store is None else \
            "--store names the store/ folder of a release's build folder"
        raise NoBuildError(f"no graph store at {store_path}: {advice}")
    if not (store_path / "CURRENT").is_file():  # every on-disk store of oxigraph (RocksDB) has one
        raise NoBuildError(f"{store_path} is not a whole graph store (it has no CURRENT file): a copy that did not "
                           "finish? Copy the release's whole build folder")
    store_path = store_path.resolve()
    build_json = store_path.parent / "build.json"
    if not build_json.is_file():
        return Release(release=_fingerprint(store_path), store_path=store_path)
    info = json.loads(build_json.read_text(encoding="utf-8"))
    dump = store_path.parent / "dataset.nq"
    return Release(
        release=str(info.get("release") or _fingerprint(store_path)),
        store_path=store_path,
        built_at=str(info.get("built_at", "")),
        graphs={str(k): int(v) for k, v in (info.get("graphs") or {}).items()},
        triples=int(info.get("triples") or 0),
        dump_path=dump if dump.is_file() else None,
    )


def _fingerprint(store_path: Path) -> str:
    """A store without build.json (``--store`` on a hand-made store): name it by its files' names
    and sizes, so that copies of one store at two places have one name."""
    h = hashlib.sha256()
    for f in sorted(store_path.iterdir()):
        if f.is_file():
            h.update(f"{f.name}:{f.stat().st_size}\n".encode())
    return h.hexdigest()[:12]
