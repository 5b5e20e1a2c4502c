"""The test helpers' server (neaspec_kg.serve.testing.ServerProcess) under two test processes:
a port it picked that another process takes first is given up for another one."""

from __future__ import annotations

import socket
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
