"""Request errors cross the pipe from a query worker pickled: each arrives as it was raised."""

from __future__ import annotations

import pickle

import pytest

from neaspec_kg.errors import Busy, NotAcceptable, ProtocolError, QueryTimeout, RequestError, TooManyRows


@pytest.mark.parametrize("error", [
    TooManyRows(100),
    Busy("every query worker stayed busy"),
    ProtocolError("PUT is not allowed", 405, {"Allow": "GET, POST"}),
    NotAcceptable("cannot answer in 'image/png'"),
    QueryTimeout("the query did not finish within 1 s"),
], ids=lambda e: type(e).__name__)
def test_a_pickled_request_error_keeps_its_class_message_status_and_headers(error: RequestError):
    again = pickle.loads(pickle.dumps(error, protocol=pickle.HIGHEST_PROTOCOL))
    assert type(again) is type(error)
    assert str(again) == str(error)
    assert (again.status, again.headers) == (error.status, error.headers)
