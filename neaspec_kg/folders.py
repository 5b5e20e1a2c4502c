"""Writing folders so that readers never see half of one: staging names, atomic swaps, and
the clean-up of what a killed build or publish left behind.

A build or publish writes into ``.staging-<pid>-<ns>`` beside its target and renames it into
place. A process killed while writing leaves its staging folder; the next run removes every
staging folder whose process is gone (never one of a run still under way).
"""

from __future__ import annotations

import ctypes
import os
import shutil
import sys
import time
from pathlib import Path

_RENAME_EXCHANGE = 2  # linux/fs.h


def staging_folder(parent: Path) -> Path:
    folder = parent / f".staging-{os.getpid()}-{time.time_ns()}"
    folder.mkdir(parents=True)
    return folder


def remove_stale(parent: Path) -> list[Path]:
    """Remove ``.staging-*`` and ``.old-*`` folders in ``parent`` left by processes that are gone."""
    removed = []
    for path in parent.glob(".*-*"):
        kind, _, rest = path.name[1:].partition("-")
        if kind not in ("staging", "old") or not path.is_dir():
            continue
        pid = rest.split("-", 1)[0]
        if kind == "staging" and pid.isdigit() and _alive(int(pid)):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def swap_symlink(link: Path, target: Path) -> None:
    """Point ``link`` (build/current, dist/latest) at ``target`` in one rename (atomic on POSIX)."""
    tmp = link.with_name(f".{link.name}-{os.getpid()}")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(os.path.relpath(target, link.parent))
    os.replace(tmp, link)


def replace_folder(new: Path, final: Path) -> None:
    """Put the folder ``new`` at ``final`` (which exists) so that ``final`` never goes missing:
    one atomic exchange (Linux renameat2), then the old content goes. Elsewhere: two renames."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        at_fdcwd = -100
        if libc.renameat2(at_fdcwd, os.fsencode(new), at_fdcwd, os.fsencode(final), _RENAME_EXCHANGE) == 0:
            shutil.rmtree(new, ignore_errors=True)  # ``new`` now holds the old content
            return
    old = final.with_name(f".old-{os.getpid()}-{final.name}")
    final.rename(old)
    new.rename(final)
    shutil.rmtree(old, ignore_errors=True)
