"""Several web processes on one port, each with its own listening socket (SO_REUSEPORT), and
a new release taken up without a restart.

Why not uvicorn's ``--workers``: its processes share one listening socket, and the first to
wake accepts a whole burst of connections; with keep-alive clients one process then does all
the work while the other idles (measured: 11.9 s of CPU against 0.0 s over a 10 s run). With
a socket per process the kernel spreads new connections over the processes.

Following the build: when the server answers from ``build/current`` (no ``--store``), the
supervisor looks at that link every second. When a build has swapped it, it starts a full set
of web processes on the new release next to the running ones, waits until each has said it is
ready (a byte on a pipe, once uvicorn listens), then stops the old ones gracefully (uvicorn
finishes the requests in flight). A new release whose web processes do not start is logged and
left alone; the old release goes on answering.

``python -m neaspec_kg.serve.supervisor`` is one web process; :class:`Supervisor` starts and
stops them (restarting one that dies) and is what ``neaspec-kg serve`` runs.
"""

from __future__ import annotations

import argparse
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
from neaspec_kg.settings import Settings

log = logging.getLogger("neaspec_kg.serve")
RESTARTS_PER_MINUTE = 5  # a web process that keeps dying is a bug to report, not to loop on
READY_ENV = "NEASPEC_KG_READY_FD"  # the pipe a web process writes to once it listens
FOLLOW_EVERY_S = 1.0
READY_TIMEOUT_S = 120.0  # a new release's web processes must listen by then
RETIRE_TIMEOUT_S = 15.0  # an old web process still running then is killed (uvicorn allows 5 s)


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


@dataclass
class WebProcess:
    process: subprocess.Popen
    ready_fd: int  # read end of its readiness pipe; -1 once closed
    store: Path

    def close_pipe(self) -> None:
        if self.ready_fd >= 0:
            os.close(self.ready_fd)
            self.ready_fd = -1


class Supervisor:
    """``processes`` web processes on ``host:port`` answering from the store in ``STORE_ENV``;
    with ``follow`` (the settings whose ``build/current`` to follow), each new release in turn."""

    def __init__(self, host: str, port: int, processes: int, follow: Settings | None = None):
        self.cmd = [sys.executable, "-m", "neaspec_kg.serve.supervisor", "--host", host, "--port", str(port)]
        self.processes = processes
        self.follow = follow
        self.store = Path(os.environ[STORE_ENV])
        self.serving = _release_folder(self.store) if follow is not None else None
        self.children: list[WebProcess] = []
        self.retiring: list[tuple[WebProcess, float]] = []
        self.refused: set[Path] = set()  # release folders whose web processes did not start
        self.stopping = False
        self.restarts: list[float] = []

    def run(self) -> int:
        """Until SIGINT/SIGTERM; the exit code of the server."""
        signal.signal(signal.SIGINT, self._stop)
        signal.signal(signal.SIGTERM, self._stop)
        self.children = [self._spawn(self.store) for _ in range(self.processes)]
        next_look = time.monotonic() + FOLLOW_EVERY_S
        try:
            while not self.stopping:
                time.sleep(0.2)
                if not self._keep_alive():
                    return 1
                self._reap()
                if self.follow is not None and time.monotonic() >= next_look:
                    self._take_up_new_release()
                    next_look = time.monotonic() + FOLLOW_EVERY_S
        finally:
            self._stop_all()
        return 0

    def _stop(self, _signum, _frame) -> None:
        self.stopping = True

    def _spawn(self, store: Path) -> WebProcess:
        read_fd, write_fd = os.pipe()
        env = {**os.environ, STORE_ENV: str(store), READY_ENV: str(write_fd)}
        try:
            process = subprocess.Popen(self.cmd, env=env, pass_fds=(write_fd,))
        finally:
            os.close(write_fd)
        return WebProcess(process, read_fd, store)

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
            self.children[i] = self._spawn(self.store)
        return True

    def _take_up_new_release(self) -> None:
        from neaspec_kg.serve.release import NoBuildError, locate_release

        target = _current_target(self.follow)
        if target is None or target == self.serving or target in self.refused:
            return
        try:
            release = locate_release(self.follow, target / "store")
            prepare_index(self.follow, release.store_path)
        except (NoBuildError, OSError, ValueError) as exc:
            print(f"serve: cannot take up the build at {target}: {exc}; still serving {self.store}", file=sys.stderr)
            self.refused.add(target)
            return
        fresh = [self._spawn(release.store_path) for _ in range(self.processes)]
        if not self._wait_ready(fresh):
            for child in fresh:
                _kill(child)
            if not self.stopping:
                print(f"serve: the web processes for release {release.release} did not start; "
                      f"still serving {self.store}", file=sys.stderr)
                self.refused.add(target)
            return
        now = time.monotonic()
        for child in self.children:
            child.process.send_signal(signal.SIGTERM)
            self.retiring.append((child, now))
        self.children, self.store, self.serving = fresh, release.store_path, target
        print(f"serve: now serving release {release.release} from {release.store_path}", file=sys.stderr)

    def _wait_ready(self, fresh: list[WebProcess]) -> bool:
        """True once every one of ``fresh`` listens; False when one exits first, at the time
        limit, or when the server is told to stop."""
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
        self.retiring = still

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


def _kill(child: WebProcess) -> None:
    if child.process.poll() is None:
        child.process.kill()
        child.process.wait()
    child.close_pipe()


def _release_folder(store: Path) -> Path:
    return store.resolve().parent


def _current_target(settings: Settings) -> Path | None:
    try:
        return (settings.current_build / "store").resolve(strict=True).parent
    except OSError:  # no build (yet), or one being swapped in
        return None


def supervise(host: str, port: int, processes: int, follow: Settings | None = None) -> int:
    """Run ``processes`` web processes until SIGINT/SIGTERM; the exit code of the server."""
    # Bind once here first: a port taken by another program fails now, with its error.
    probe = listening_socket(host, port)
    probe.close()
    return Supervisor(host, port, processes, follow).run()


def serve_one(host: str, port: int) -> int:
    """One web process (settings and store from the environment, see ``app_from_env``)."""
    import uvicorn

    from neaspec_kg.serve.app import app_from_env
    from neaspec_kg.serve.http import server_config

    class Server(uvicorn.Server):
        async def startup(self, sockets=None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                _say_ready()

    sock = listening_socket(host, port)
    server = Server(server_config(app_from_env()))
    server.run(sockets=[sock])
    return 0 if server.started else 1


def _say_ready() -> None:
    fd = os.environ.pop(READY_ENV, None)
    if fd:
        os.write(int(fd), b"ready\n")
        os.close(int(fd))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="one web process of neaspec-kg serve")
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    return serve_one(args.host, args.port)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
