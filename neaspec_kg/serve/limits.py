"""Limits on request heads: how many bytes, and how long a client may take to send them.

uvicorn has neither (a 200 MB head was read into memory; a head sent a byte at a time held
its connection for good), so this subclass of its httptools protocol, passed as ``http=``
(uvicorn's own extension point), adds both: past ``max_bytes`` the client gets 431, past
``timeout_s`` 408, and the connection is closed. Bodies have their own limit (``sparql``).
"""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


_SAY = {
    414: b"the request URL is longer than this server takes (its whole head: %(limit)d bytes); POST the query instead\n",
    431: b"the request head is larger than %(limit)d bytes\n",
    408: b"the request head did not arrive in time\n",
}


class LimitedHead(HttpToolsProtocol):
    """uvicorn's httptools protocol with the head limits of the settings (read once per process:
    uvicorn's worker processes import this class by name)."""

    _limits: tuple[int, float] | None = None

    @classmethod
    def limits(cls) -> tuple[int, float]:
        if cls._limits is None:
            from neaspec_kg.settings import load_settings

            settings = load_settings()
            cls._limits = (settings.max_header_bytes, settings.header_timeout_s)
        return cls._limits

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._head_timer = None
        self._expect_head()
        self._start_timer()

    def _expect_head(self) -> None:
        self._in_head = True
        self._head_bytes = 0
        self._tail = b""
        self._line_bytes, self._line_whole = 0, False  # the request line: its bytes so far

    def _start_timer(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.limits()[1], self._refuse, 408, b"Request Timeout")

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            # Only the head counts: the chunk that ends it may carry the start of the body.
            end = (self._tail + data).find(b"\r\n\r\n")
            self._head_bytes += len(data) if end < 0 else end + 4 - len(self._tail)
            self._tail = (self._tail + data)[-3:]
            if not self._line_whole:
                line_end = data.find(b"\n")
                self._line_bytes += len(data) if line_end < 0 else line_end + 1
                self._line_whole = line_end >= 0
            if self._head_bytes > self.limits()[0]:
                if self._line_bytes * 2 > self._head_bytes:  # the request line is most of it: a query by GET
                    return self._refuse(414, b"URI Too Long")
                return self._refuse(431, b"Request Header Fields Too Large")
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._cancel_timer()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._expect_head()  # what follows is the next request's head (pipelining)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self._in_head and not self.transport.is_closing():
            self._start_timer()

    def connection_lost(self, exc) -> None:
        self._cancel_timer()
        super().connection_lost(exc)

    def _cancel_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _refuse(self, status: int, reason: bytes) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        answering = self.cycle is not None and not self.cycle.response_complete
        if not self._in_head or answering:  # a request is being answered: not a slow head
            return
        if self._head_bytes:
            body = _SAY.get(status, b"") % {b"limit": self.limits()[0]}
            self.transport.write(b"HTTP/1.1 %d %s\r\ncontent-type: text/plain; charset=utf-8\r\n"
                                 b"content-length: %d\r\nconnection: close\r\n\r\n%s"
                                 % (status, reason, len(body), body))
        self.transport.close()

