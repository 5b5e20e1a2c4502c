"""Starting a server on a port that is taken: ``neaspec-kg serve`` says so in one line, and the
test helpers' server (neaspec_kg.serve.testing.ServerProcess), run by two test processes at once,
gives up a port it picked that the other process took first for another one, and never takes another
server's answer on that port for its own."""

from __future__ import annotations

import http.server
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx

from neaspec_kg.serve import testing

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_picked_port_taken_before_the_server_binds_it_is_replaced(tmp_path, monkeypatch):
    store = testing.make_build([FIXTURES / "server_dataset.trig"], tmp_path / "build") / "store"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        first = [taken.getsockname()[1]]
        pick = testing.free_port
        monkeypatch.setattr(testing, "free_port", lambda: first.pop() if first else pick())
        with testing.ServerProcess(store=store) as server:
            assert server.port != taken.getsockname()[1]
            assert httpx.get(server.url + "/health", timeout=30).json()["status"] == "ok"


def test_serve_on_a_port_in_use_says_so_in_one_line(tmp_path):
    store = testing.make_build([FIXTURES / "server_dataset.trig"], tmp_path / "build") / "store"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run([sys.executable, "-m", "neaspec_kg.cli", "serve", "--host", "127.0.0.1", "--port",
                              str(port), "--store", str(store)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert run.stderr.strip() == (f"serve: cannot listen on 127.0.0.1:{port}: Address already in use "
                                  "(is another server running there? --port chooses another)")


def test_another_servers_health_on_the_port_is_not_taken_for_ours(tmp_path, monkeypatch):
    """Another server answers /health on the port picked: ours cannot listen there, and the
    helper tries another port, instead of taking the other server's answer for ours."""
    store = testing.make_build([FIXTURES / "server_dataset.trig"], tmp_path / "build") / "store"

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Health)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        first = [other.server_address[1]]
        pick = testing.free_port
        monkeypatch.setattr(testing, "free_port", lambda: first.pop() if first else pick())
        with testing.ServerProcess(store=store) as server:
            assert server.port != other.server_address[1]
            assert httpx.get(server.url + "/health", timeout=30).json()["status"] == "ok"
    finally:
        other.shutdown()
        other.server_close()
