"""A query worker process: opens the store read-only and answers jobs from its socket.

Started by ``workers.WorkerPool`` as ``python -m neaspec_kg.serve.worker``; killed (SIGKILL)
when a query outlives its time limit, which is the only way to stop an oxigraph query.
Frames: ``>IQ`` (header length, body length), a JSON header, then the body bytes.
"""

from __future__ import annotations

import argparse
import json
import socket
import struct
import sys

FRAME = struct.Struct(">IQ")


def send_frame(sock: socket.socket, header: dict, body: bytes = b"") -> None:
    head = json.dumps(header).encode()
    sock.sendall(FRAME.pack(len(head), len(body)) + head + body)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    chunks, remaining = [], n
    while remaining:
        chunk = sock.recv(min(remaining, 1 << 20))
        if not chunk:
            raise EOFError("pool closed the connection")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def recv_frame(sock: socket.socket) -> tuple[dict, bytes]:
    head_len, body_len = FRAME.unpack(_recv_exact(sock, FRAME.size))
    header = json.loads(_recv_exact(sock, head_len))
    return header, _recv_exact(sock, body_len) if body_len else b""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--store", required=True)
    parser.add_argument("--prefixes", default="{}")
    args = parser.parse_args(argv)

    from pyoxigraph import Store

    import time

    from neaspec_kg.serve.engine import QueryJob, known_graphs_of, run_query

    sock = socket.socket(fileno=args.fd)
    try:
        store = Store.read_only(args.store)
    except OSError as exc:
        send_frame(sock, {"ready": False, "error": str(exc)})
        return 1
    known = known_graphs_of(store)
    prefixes = json.loads(args.prefixes)
    send_frame(sock, {"ready": True})
    while True:
        try:
            header, _ = recv_frame(sock)
        except (EOFError, ConnectionError):
            return 0
        started = time.perf_counter()
        answer = run_query(store, QueryJob.from_dict(header), known, prefixes)
        send_frame(
            sock,
            {"status": answer.status, "content_type": answer.content_type, "format": answer.format, "form": answer.form,
             "seconds": time.perf_counter() - started},
            answer.body,
        )


if __name__ == "__main__":
    sys.exit(main())
