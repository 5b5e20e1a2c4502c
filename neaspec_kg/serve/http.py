"""uvicorn's HTTP protocol, with each response sent in one system call.

uvicorn writes a response's status line and headers as soon as the application starts the
response, then the body in a second write: two sends on the socket, two TCP segments, and on
loopback two wake-ups of the client. Profiled on the 30x benchmark mix with one sequential
client, the header write alone took a third of the web process's CPU for a point lookup.
:class:`HttpProtocol` hands uvicorn a transport that gathers everything written during one turn
of the event loop and sends it at the end of that turn with one ``writelines`` (a single
``writev`` in uvloop): the head and body of a reply the application sends at once leave together.
Everything else about the protocol is uvicorn's own.
"""

from __future__ import annotations

import asyncio

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class GatheringTransport:
    """A transport whose writes wait for the end of the current event-loop turn, then go out
    together; every other call goes straight to the real transport."""

    __slots__ = ("_transport", "_loop", "_pending")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop):
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not data:
            return
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(data)

    def writelines(self, chunks) -> None:
        for chunk in chunks:
            self.write(chunk)

    def flush(self) -> None:
        pending, self._pending = self._pending, []
        if pending and not self._transport.is_closing():
            self._transport.writelines(pending)

    def close(self) -> None:
        self.flush()  # what was written before close still goes out
        self._transport.close()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + sum(map(len, self._pending))

    def __getattr__(self, name: str):
        return getattr(self._transport, name)


class HttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol on a :class:`GatheringTransport`."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(GatheringTransport(transport, self.loop))  # type: ignore[arg-type]


def server_config(app, **where) -> uvicorn.Config:
    """uvicorn's settings for a web process (``where``: host and port, unless given a socket)."""
    return uvicorn.Config(app, http=HttpProtocol, log_level="warning", access_log=False,
                          timeout_graceful_shutdown=5, **where)
