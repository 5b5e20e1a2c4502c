"""One lock for rdflib's SPARQL parser in a process.

rdflib parses with pyparsing, whose grammar objects are shared module state and not safe to use
from two threads at once. A web process parses on its event loop (the guard's SERVICE/FROM check)
and on the columnar engine's threads; every caller takes :data:`PARSER_LOCK`.
"""

from __future__ import annotations

import threading

PARSER_LOCK = threading.Lock()
