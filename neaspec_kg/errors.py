"""Every fault a request can meet, under one base class that carries its HTTP status.

Raised where the fault is found (protocol, guard, content negotiation, the store); turned
into a plain-text answer in one place, the app's exception handler (``serve.app``).
"""

from __future__ import annotations


class RequestError(Exception):
    """A request this service will not or cannot answer; ``status`` is the HTTP status."""

    status = 400

    def __init__(self, message: str, status: int | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        if status is not None:
            self.status = status
        self.headers = headers or {}

    def __reduce__(self):
        # Errors cross the pipe from a query worker pickled; the default would call the class
        # with the message alone, which a subclass with its own arguments (TooManyRows) misreads.
        return _rebuilt, (type(self), str(self), self.__dict__)


def _rebuilt(cls: type[RequestError], message: str, state: dict) -> RequestError:
    error = Exception.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class ProtocolError(RequestError):
    """The HTTP request is not a SPARQL 1.1 Protocol request we accept."""


class QueryRefused(RequestError):
    """The query is well-formed but this endpoint will not run it (400 or 403)."""


class QueryTooLarge(RequestError):
    """Nested deeper or listing more terms than any parser here is allowed to see."""


class NotAcceptable(RequestError):
    """Nothing the client accepts fits; the message lists what would."""

    status = 406


class NotFound(RequestError):
    status = 404


class TooManyRows(RequestError):
    def __init__(self, limit: int):
        super().__init__(
            f"the answer has more than {limit} rows, the limit of this endpoint; "
            "add LIMIT/OFFSET to page through it, or download the data dump"
        )


class QueryTimeout(RequestError):
    status = 504


class Busy(RequestError):
    status = 503

    def __init__(self, message: str):
        super().__init__(message, headers={"Retry-After": "1"})


class BackendError(RequestError):
    """The SPARQL store behind the server failed or could not be reached."""

    status = 502
