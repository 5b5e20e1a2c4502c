"""Several web processes on one port, each on its own listening socket (SO_REUSEPORT), and
a new release taken up without a restart.

Why not uvicorn's ``--workers``: its processes share one listening socket, and the first to
wake accepts a whole burst of connections; with keep-alive clients one process then does all
the work while the other idles (measured: 11.9 s of CPU against 0.0 s over a 10 s run). With
a socket per process the kernel spreads new connections over the processes.

The supervisor owns those sockets, one per slot, and hands slot *i*'s to the web process
that serves it. A connection the kernel has queued on a slot therefore outlives the process:
it waits for the next process of that slot (one restarted after a crash, or one of a new
release) instead of being reset, and a process that is still opening its store takes no
connections, since uvicorn accepts only once its start-up is done.

Following the build: when the server answers from ``build/current`` (no ``--store``), the
supervisor looks at that link every second. When a build has swapped it, it starts a full set
of web processes on the new release next to the running ones (each on the socket of its slot),
waits until each has said it is ready (a byte on a pipe, once uvicorn accepts), then stops the
old ones gracefully (uvicorn finishes the requests in flight). A new release whose web
processes do not start is logged and left alone until its build changes; the old release goes
on answering. The release folders in use are held (``release.hold``) so that a build does not
prune them.

``python -m neaspec_kg.serve.supervisor`` is one web process; :class:`Supervisor` starts and
stops them (restarting one that dies) and is what ``neaspec-kg serve`` runs.
"""

from __future__ import annotations

import argparse
import ctypes
import logging
import os
import select
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from neaspec_kg.serve import STORE_ENV, prepare_index
from neaspec_kg.serve.release import hold
from neaspec_kg.settings import Settings

log = logging.getLogger("neaspec_kg.serve")
RESTARTS_PER_MINUTE = 5  # a web process that keeps dying is a bug to report, not to loop on
READY_ENV = "NEASPEC_KG_READY_FD"  # the pipe a web process writes to once it accepts
FOLLOW_EVERY_S = 1.0
READY_TIMEOUT_S = 120.0  # a new release's web processes must listen by then
RETIRE_TIMEOUT_S = 15.0  # an old web process still running then is killed (uvicorn allows 5 s)


def listening_socket(host: str, port: int, share: bool = True) -> socket.socket:
    """Bound and listening; ``share``: other sockets with SO_REUSEPORT may take the port too."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if share:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


@dataclass
class WebProcess:
    process: subprocess.Popen
    ready_fd: int  # read end of its readiness pipe; -1 once closed
    store: Path
    slot: int

    def close_pipe(self) -> None:
        if self.ready_fd >= 0:
            os.close(self.ready_fd)
            self.ready_fd = -1


class Supervisor:
    """``processes`` web processes on ``host:port`` answering from the store in ``STORE_ENV``;
    with ``follow`` (the settings whose ``build/current`` to follow), each new release in turn."""

    def __init__(self, host: str, port: int, processes: int, follow: Settings | None = None):
        self.cmd = [sys.executable, "-m", "neaspec_kg.serve.supervisor", "--host", host, "--port", str(port),
                    "--parent", str(os.getpid())]
        self.processes = processes
        self.follow = follow
        self.store = Path(os.environ[STORE_ENV])
        self.serving = _release_folder(self.store) if follow is not None else None
        self.sockets: list[socket.socket] = []  # one per slot, made in run()
        self.children: list[WebProcess] = []
        self.retiring: list[tuple[WebProcess, float]] = []
        self.held: dict[Path, int] = {}  # release folder -> its lock (release.hold)
        self.refused: set[tuple[Path, int]] = set()  # (release folder, build.json mtime) that did not start
        self.stopping = False
        self.failed = False
        self.restarts: list[float] = []
        self.host, self.port = host, port

    def run(self) -> int:
        """Until SIGINT/SIGTERM; the exit code of the server."""
        signal.signal(signal.SIGINT, self._stop)
        signal.signal(signal.SIGTERM, self._stop)
        next_look = time.monotonic() + FOLLOW_EVERY_S
        try:
            self.sockets = [listening_socket(self.host, self.port) for _ in range(self.processes)]
            self._hold(self.store)
            for slot in range(self.processes):
                self.children.append(self._spawn(self.store, slot))
            while not self.stopping:
                time.sleep(0.2)
                self._tend()
                if self.follow is not None and not self.stopping and time.monotonic() >= next_look:
                    self._take_up_new_release()
                    next_look = time.monotonic() + FOLLOW_EVERY_S
        finally:
            self._stop_all()
        return 1 if self.failed else 0

    def _stop(self, _signum, _frame) -> None:
        self.stopping = True

    def _spawn(self, store: Path, slot: int) -> WebProcess:
        read_fd, write_fd = os.pipe()
        listen_fd = self.sockets[slot].fileno()
        env = {**os.environ, STORE_ENV: str(store), READY_ENV: str(write_fd)}
        try:
            process = subprocess.Popen([*self.cmd, "--fd", str(listen_fd)], env=env, pass_fds=(write_fd, listen_fd))
        except BaseException:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)
        return WebProcess(process, read_fd, store, slot)

    def _tend(self) -> None:
        """Restart what died, stop what retires too slowly, let go of releases no one serves."""
        if not self._keep_alive():
            self.failed = self.stopping = True
        self._reap()

    def _keep_alive(self) -> bool:
        """Restart a web process of the current release that died; False when they keep dying."""
        for i, child in enumerate(self.children):
            if child.process.poll() is None or self.stopping:
                continue
            now = time.monotonic()
            self.restarts = [t for t in self.restarts if now - t < 60] + [now]
            if len(self.restarts) > RESTARTS_PER_MINUTE:
                print(f"serve: web processes keep exiting (last status {child.process.returncode}); stopping",
                      file=sys.stderr)
                return False
            print(f"serve: a web process exited with {child.process.returncode}; starting another", file=sys.stderr)
            child.close_pipe()
            self.children[i] = self._spawn(self.store, child.slot)
        return True

    def _take_up_new_release(self) -> None:
        from neaspec_kg.serve.release import locate_release

        target = _current_target(self.follow)
        if target is None or target == self.serving:
            return
        attempt = (target, _mtime_ns(target / "build.json"))
        if attempt in self.refused:
            return
        try:
            release = locate_release(self.follow, target / "store")
            prepare_index(self.follow, release.store_path)
            self._hold(release.store_path)
        except Exception as exc:  # noqa: BLE001 - whatever is wrong with the new build, the old one answers on
            print(f"serve: cannot take up the build at {target}: {exc}; still serving {self.store}", file=sys.stderr)
            self.refused.add(attempt)
            return
        fresh: list[WebProcess] = []
        ready = False
        try:
            for slot in range(self.processes):
                fresh.append(self._spawn(release.store_path, slot))
            ready = self._wait_ready(fresh)
        finally:
            if not ready:
                for child in fresh:
                    _kill(child)
        if not ready:
            if not self.stopping:
                print(f"serve: the web processes for release {release.release} did not start; "
                      f"still serving {self.store}", file=sys.stderr)
                self.refused.add(attempt)
            self._let_go()
            return
        now = time.monotonic()
        for child in self.children:
            child.process.send_signal(signal.SIGTERM)
            self.retiring.append((child, now))
        self.children, self.store, self.serving = fresh, release.store_path, target
        print(f"serve: now serving release {release.release} from {release.store_path}", file=sys.stderr)

    def _wait_ready(self, fresh: list[WebProcess]) -> bool:
        """True once every one of ``fresh`` accepts; False when one exits first, at the time
        limit, or when the server is told to stop. The running processes are tended meanwhile."""
        pending = {child.ready_fd: child for child in fresh}
        deadline = time.monotonic() + READY_TIMEOUT_S
        while pending and not self.stopping and time.monotonic() < deadline:
            readable, _, _ = select.select(list(pending), [], [], 0.2)
            for fd in readable:
                child = pending.pop(fd)
                said = os.read(fd, 16)
                child.close_pipe()
                if not said:  # the pipe closed without a word: the process ended
                    return False
            self._tend()
        return not pending

    def _reap(self) -> None:
        now = time.monotonic()
        still = []
        for child, since in self.retiring:
            if child.process.poll() is not None:
                child.close_pipe()
            elif now - since > RETIRE_TIMEOUT_S:
                _kill(child)
            else:
                still.append((child, since))
        if len(still) < len(self.retiring):
            self.retiring = still
            self._let_go()

    def _hold(self, store: Path) -> None:
        folder = _release_folder(store)
        if folder not in self.held:
            self.held[folder] = hold(folder)

    def _let_go(self) -> None:
        """Release the hold on folders no web process answers from any more."""
        in_use = {_release_folder(c.store) for c in self.children} | {_release_folder(c.store) for c, _ in self.retiring}
        in_use.add(_release_folder(self.store))
        for folder in [f for f in self.held if f not in in_use]:
            os.close(self.held.pop(folder))

    def _stop_all(self) -> None:
        everyone = self.children + [child for child, _ in self.retiring]
        for child in everyone:
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for child in everyone:
            try:
                child.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _kill(child)
            child.close_pipe()
        for sock in self.sockets:
            sock.close()
        for fd in self.held.values():
            os.close(fd)
        self.held.clear()


def _kill(child: WebProcess) -> None:
    if child.process.poll() is None:
        child.process.kill()
        child.process.wait()
    child.close_pipe()


def _release_folder(store: Path) -> Path:
    return store.resolve().parent


def _mtime_ns(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def _current_target(settings: Settings) -> Path | None:
    try:
        return (settings.current_build / "store").resolve(strict=True).parent
    except OSError:  # no build (yet), or one being swapped in
        return None


def supervise(host: str, port: int, processes: int, follow: Settings | None = None) -> int:
    """Run ``processes`` web processes until SIGINT/SIGTERM; the exit code of the server."""
    # Bind once here first, without sharing: a port taken by another program (or by web
    # processes left over from a server that was killed) fails now, with its error.
    probe = listening_socket(host, port, share=False)
    probe.close()
    return Supervisor(host, port, processes, follow).run()


def serve_one(listen_fd: int, parent: int) -> int:
    """One web process on the supervisor's socket ``listen_fd`` (settings and store from the
    environment, see ``app_from_env``); it stops when the supervisor ``parent`` is gone."""
    import uvicorn

    from neaspec_kg.serve.app import app_from_env
    from neaspec_kg.serve.http import server_config

    _stop_with_parent(parent)

    class Server(uvicorn.Server):
        async def startup(self, sockets=None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                _say_ready()

    sock = socket.socket(fileno=listen_fd)
    sock.set_inheritable(False)  # not into the oxigraph workers
    if READY_ENV in os.environ:
        os.set_inheritable(int(os.environ[READY_ENV]), False)
    server = Server(server_config(app_from_env()))
    server.run(sockets=[sock])
    return 0 if server.started else 1


def _stop_with_parent(parent: int) -> None:
    """SIGTERM this process when the supervisor dies, even by SIGKILL (Linux); a web process
    left behind would keep answering on the port from a release no one watches."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the supervisor's own stop is all there is
        return
    if os.getppid() != parent:  # it died before the prctl
        sys.exit(1)


def _say_ready() -> None:
    fd = os.environ.pop(READY_ENV, None)
    if fd:
        os.write(int(fd), b"ready\n")
        os.close(int(fd))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="one web process of neaspec-kg serve")
    parser.add_argument("--host", required=True, help="for the process list only: the socket is --fd")
    parser.add_argument("--port", type=int, required=True, help="for the process list only")
    parser.add_argument("--fd", type=int, required=True, help="the listening socket, from the supervisor")
    parser.add_argument("--parent", type=int, required=True, help="the supervisor's pid")
    args = parser.parse_args(argv)
    return serve_one(args.fd, args.parent)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
