"""The HTTP floor: a constant-answer FastAPI route on the same uvicorn stack as our server.

It reads the form body (as a SPARQL endpoint must) and answers a fixed ASK result, so its
throughput is what FastAPI + uvicorn + the load generator can do on this machine with no
query work at all; a peer near it is limited by HTTP, not by its engine.
"""

from __future__ import annotations

import argparse

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import Response


ANSWER = b'{"head":{},"boolean":true}\n'
app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


@app.api_route("/sparql", methods=["GET", "POST"])
async def sparql(request: Request) -> Response:
    await request.body()
    return Response(ANSWER, media_type="application/sparql-results+json")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)
