"""Builds and releases leave no debris and never a missing folder (neaspec_kg.folders)."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from neaspec_kg.folders import remove_stale, replace_folder, staging_folder

ROOT = Path(__file__).resolve().parent.parent


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(30)
    return child.pid


def test_stale_stagings_of_dead_processes_are_removed_and_live_ones_kept(tmp_path):
    dead = tmp_path / f".staging-{_dead_pid()}-1"
    (dead / "store").mkdir(parents=True)
    old = tmp_path / ".old-123-2026.11.24"
    old.mkdir()
    live = staging_folder(tmp_path)  # this process: still writing
    kept = tmp_path / "abc123def456"
    kept.mkdir()
    removed = remove_stale(tmp_path)
    assert sorted(removed) == sorted([dead, old])
    assert live.is_dir() and kept.is_dir() and not dead.exists() and not old.exists()


def test_a_replaced_folder_is_never_missing(tmp_path):
    final = tmp_path / "2026.12.01"
    final.mkdir()
    (final / "v").write_text("old")
    missing = []
    stop = threading.Event()

    def watch() -> None:
        for _ in range(200_000):
            if stop.is_set():
                return
            if not final.is_dir():
                missing.append(1)

    watcher = threading.Thread(target=watch)
    watcher.start()
    for n in range(50):
        new = staging_folder(tmp_path)
        (new / "v").write_text(str(n))
        replace_folder(new, final)
    stop.set()
    watcher.join(30)
    assert missing == []
    assert (final / "v").read_text() == "49"
    assert [p.name for p in tmp_path.iterdir()] == ["2026.12.01"]


def test_a_build_that_cannot_write_says_so_in_one_line(tmp_path):
    build_dir = tmp_path / "build"
    build_dir.mkdir()
    (build_dir / "builds").write_text("a file where the builds folder should be")
    run = subprocess.run([sys.executable, "-m", "neaspec_kg.cli", "build", "--quiet", "--force"],
                         env={"PATH": "/usr/bin:/bin", "NEASPEC_KG_BUILD_DIR": str(build_dir), "HOME": str(tmp_path)},
                         capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    lines = [ln for ln in run.stderr.splitlines() if ln.startswith("build failed")]
    assert len(lines) == 1 and str(build_dir / "builds") in lines[0] and "last good build is kept" in lines[0]
