"""The HTTP layer under the endpoint: uvicorn's protocol on a transport that sends each
response's head and body together (neaspec_kg.serve.http), as unit and on a real server."""

from __future__ import annotations

import asyncio
import json
import socket
import urllib.parse
from pathlib import Path

import pytest

from neaspec_kg.serve.http import GatheringTransport, HttpProtocol, server_config
from neaspec_kg.serve.testing import ServerProcess, prepare_site

FIXTURES = Path(__file__).parent / "fixtures"


class RecordingTransport(asyncio.Transport):
    """What reached the socket: one entry per send."""

    def __init__(self):
        super().__init__()
        self.sends: list[bytes] = []
        self.closed = False

    def write(self, data):
        if self.closed:
            raise RuntimeError("the handle is closed")
        self.sends.append(bytes(data))

    def writelines(self, chunks):
        if self.closed:
            raise RuntimeError("the handle is closed")
        self.sends.append(b"".join(chunks))

    def is_closing(self):
        return self.closed

    def get_write_buffer_size(self):
        return 0

    def close(self):
        self.closed = True

    def get_extra_info(self, name, default=None):
        return ("127.0.0.1", 8000) if name == "sockname" else default


def test_writes_of_one_turn_leave_in_one_send():
    async def scenario():
        inner = RecordingTransport()
        gathering = GatheringTransport(inner, asyncio.get_running_loop())
        gathering.write(b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\n")
        gathering.write(b"")
        gathering.write(b"body")
        assert inner.sends == [], "nothing is sent before the turn ends"
        assert gathering.get_write_buffer_size() == len(b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nbody")
        await asyncio.sleep(0)
        assert inner.sends == [b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nbody"]
        gathering.writelines([b"next", b" one"])
        await asyncio.sleep(0)
        assert inner.sends[1:] == [b"next one"]
        assert gathering.get_extra_info("sockname") == ("127.0.0.1", 8000)  # the rest is the real transport's
    asyncio.run(scenario())


def test_close_sends_what_was_written_first():
    async def scenario():
        inner = RecordingTransport()
        gathering = GatheringTransport(inner, asyncio.get_running_loop())
        gathering.write(b"last words")
        gathering.close()
        assert inner.sends == [b"last words"] and inner.closed
        gathering.write(b"too late")  # the real transport refuses it; no error reaches the protocol
        await asyncio.sleep(0)
        assert inner.sends == [b"last words"]
    asyncio.run(scenario())


def test_writes_past_the_high_water_mark_leave_at_once():
    async def scenario():
        inner = RecordingTransport()
        gathering = GatheringTransport(inner, asyncio.get_running_loop())
        gathering.write(b"head\r\n\r\n")
        gathering.write(b"x" * GatheringTransport.HIGH_WATER)
        assert inner.sends == [b"head\r\n\r\n" + b"x" * GatheringTransport.HIGH_WATER], \
            "a large body goes out now, so that the transport's flow control sees it"
        await asyncio.sleep(0)
        assert len(inner.sends) == 1
    asyncio.run(scenario())


@pytest.mark.parametrize("protocol, sends", [("httptools", 2), (HttpProtocol, 1)])
def test_uvicorn_sends_a_response_in_one_write_with_our_protocol(protocol, sends):
    """uvicorn's own protocol sends the head, then the body; ours sends both at once."""
    import uvicorn
    from uvicorn.server import ServerState

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"5")]})
        await send({"type": "http.response.body", "body": b"hello"})

    async def scenario():
        config = uvicorn.Config(app, http=protocol, log_level="warning", lifespan="off")
        config.load()
        connection = config.http_protocol_class(config=config, server_state=ServerState(), app_state={})
        transport = RecordingTransport()
        connection.connection_made(transport)
        connection.data_received(b"GET / HTTP/1.1\r\nHost: example.org\r\n\r\n")
        for _ in range(10):
            await asyncio.sleep(0)
        assert len(transport.sends) == sends
        whole = b"".join(transport.sends)
        assert whole.startswith(b"HTTP/1.1 200") and whole.endswith(b"\r\n\r\nhello")
        connection.connection_lost(None)
    asyncio.run(scenario())


def test_the_server_runs_our_protocol():
    assert server_config(lambda scope, receive, send: None).http is HttpProtocol


# --- on a real server -------------------------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    env = prepare_site(tmp_path_factory.mktemp("site"), [FIXTURES / "server_dataset.trig"])
    with ServerProcess(env=env) as srv:
        yield srv


def _request(query: str, *, method: str = "GET", extra: str = "") -> bytes:
    if method == "HEAD" or method == "GET":
        target = "/sparql?" + urllib.parse.urlencode({"query": query})
        return (f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Accept: application/sparql-results+json\r\n{extra}\r\n").encode()
    body = urllib.parse.urlencode({"query": query}).encode()
    return (f"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/sparql-results+json\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n{extra}\r\n").encode() + body


class Reader:
    """HTTP/1.1 responses read off one socket (Content-Length framing, as the endpoint sends)."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buffer = b""

    def _fill(self) -> bool:
        chunk = self.sock.recv(1 << 20)
        self.buffer += chunk
        return bool(chunk)

    def response(self, head_only: bool = False) -> tuple[int, dict[str, str], bytes]:
        while b"\r\n\r\n" not in self.buffer:
            assert self._fill(), f"connection closed inside a response head: {self.buffer[:200]!r}"
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
        size = 0 if head_only or status == 304 else int(headers["content-length"])
        while len(self.buffer) < size:
            assert self._fill(), f"connection closed after {len(self.buffer)} of {size} body bytes"
        body, self.buffer = self.buffer[:size], self.buffer[size:]
        return status, headers, body

    def closed(self) -> bool:
        self.sock.settimeout(5)
        return self.buffer == b"" and not self._fill()


@pytest.fixture
def conn(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        yield sock, Reader(sock)


def test_pipelined_requests_are_answered_whole_and_in_order(conn):
    sock, reader = conn
    queries = ["ASK { ?s ?p ?o }", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "ASK { <urn:nothing> ?p ?o }"]
    sock.sendall(_request(queries[0]) + _request(queries[1], method="POST") + _request(queries[0], method="HEAD")
                 + _request(queries[2]))
    status, _, body = reader.response()
    assert status == 200 and json.loads(body)["boolean"] is True
    status, _, body = reader.response()
    assert status == 200 and int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 10
    status, headers, _ = reader.response(head_only=True)
    assert status == 200 and int(headers["content-length"]) > 0
    status, _, body = reader.response()
    assert status == 200 and json.loads(body)["boolean"] is False
    assert reader.buffer == b"", "a HEAD answer carries no body"


def test_connection_close_gets_the_whole_answer_then_the_end(conn):
    sock, reader = conn
    sock.sendall(_request("ASK { ?s ?p ?o }", extra="Connection: close\r\n"))
    status, headers, body = reader.response()
    assert status == 200 and json.loads(body)["boolean"] is True
    assert headers.get("connection") == "close"
    assert reader.closed()


def test_an_answer_larger_than_the_socket_buffers_arrives_whole(conn):
    """Megabytes: the transport pauses the protocol while the client is slow to read."""
    sock, reader = conn
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    sock.sendall(_request("SELECT * WHERE { ?s ?p ?o . ?a ?b ?c }") + _request("ASK { ?s ?p ?o }"))
    status, headers, body = reader.response()
    rows = json.loads(body)["results"]["bindings"]
    assert status == 200 and len(body) > 1 << 20 and len(rows) > 1000
    status, _, body = reader.response()
    assert status == 200 and json.loads(body)["boolean"] is True, "the connection goes on after a large answer"
