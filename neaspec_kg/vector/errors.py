"""The exceptions of the columnar engine (a module without imports: the query worker processes,
which never run the engine, catch these without loading numpy and rdflib)."""


class Unsupported(Exception):
    """This engine does not evaluate that part of SPARQL; oxigraph answers the query."""


class ExprError(Exception):
    """A SPARQL expression error: the FILTER is false, the BIND leaves the variable unbound."""


class QueryTimedOut(Exception):
    """The query passed its deadline; evaluation stops at the next check (between operators,
    and every few thousand values inside one)."""
