"""Run one SPARQL query on a store and serialize the answer to bytes.

This is the whole query path: it runs inside a query worker process (see ``workers``),
and a test, a notebook or the benchmark's "in-process ceiling" can call it directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pyoxigraph import NamedNode, QueryBoolean, QuerySolutions, QueryTriples, RdfFormat, Store, serialize

from neaspec_kg.serve import conneg, guard, results
from neaspec_kg.vector import QueryTimedOut  # light: the engine itself loads only where it runs

if TYPE_CHECKING:
    from neaspec_kg.vector import VectorEngine


@dataclass(frozen=True)
class QueryJob:
    query: str
    format: str | None = None  # a conneg key chosen by the caller; None: negotiate here
    accept: str | None = None
    format_param: str | None = None
    default_graphs: list[str] | None = None  # protocol dataset (default-graph-uri)
    named_graphs: list[str] | None = None  # protocol dataset (named-graph-uri)
    base_iri: str | None = None
    max_rows: int = 100_000
    service_allow: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}

    @classmethod
    def from_dict(cls, data: dict) -> QueryJob:
        data = dict(data)
        data["service_allow"] = tuple(data.get("service_allow") or ())
        return cls(**data)


@dataclass
class Answer:
    status: int
    body: bytes
    content_type: str = "text/plain; charset=utf-8"
    format: str | None = None
    form: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    cost_s: float | None = None  # seconds a query worker spent answering (see workers.QueryRunner)


RDF_FORMATS = {
    "turtle": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES,
    "jsonld": RdfFormat.JSON_LD,
    "rdfxml": RdfFormat.RDF_XML,
    "nquads": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
}
_BY_KEY = {f.key: f for f in (*conneg.RESULT_FORMATS, *conneg.GRAPH_FORMATS)}


def error(status: int, message: str) -> Answer:
    return Answer(status=status, body=(message.rstrip() + "\n").encode())


def serialize_graph(triples, fmt: str, prefixes: dict[str, str] | None = None) -> bytes:
    """Triples (or quads) in one of the GRAPH_FORMATS; prefixes only where the syntax has them."""
    rdf_format = RDF_FORMATS[fmt]
    if fmt in ("turtle", "trig", "rdfxml") and prefixes:
        used = used_prefixes(triples, prefixes)
        if used:
            return serialize(triples, format=rdf_format, prefixes=used)
    return serialize(triples, format=rdf_format)


def used_prefixes(triples, prefixes: dict[str, str]) -> dict[str, str]:
    """Only the prefixes whose namespace some IRI of ``triples`` is in (readable Turtle)."""
    by_ns = {ns: p for p, ns in prefixes.items()}
    used: dict[str, str] = {}
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            iri = getattr(term, "value", None)
            if not isinstance(term, NamedNode):
                continue
            cut = max(iri.rfind("#"), iri.rfind("/")) + 1
            ns = iri[:cut]
            if ns in by_ns and by_ns[ns] not in used:
                used[by_ns[ns]] = ns
    return used


def _pick(job: QueryJob, offered: tuple[conneg.Format, ...]) -> conneg.Format:
    if job.format and any(f.key == job.format for f in offered):
        return _BY_KEY[job.format]
    return conneg.choose(job.accept, job.format_param, offered)


def run_query(store: Store, job: QueryJob, known_graphs: frozenset[str], prefixes: dict[str, str] | None = None,
              columnar: VectorEngine | None = None) -> Answer:
    """Answer ``job`` from ``store``; refusals and errors come back as 4xx/5xx answers, never raised.

    ``columnar``, when given, answers the SELECT and ASK queries on the default graph that it
    fully implements (``neaspec_kg.vector``); oxigraph answers everything else.
    """
    def answer() -> Answer:
        found = _guard(job, known_graphs)
        return _columnar(job, found, columnar, None) or _oxigraph(store, job, prefixes)
    return _answered(answer, job)


def answer_columnar(job: QueryJob, known_graphs: frozenset[str], columnar: VectorEngine,
                    deadline: float | None = None) -> Answer | None:
    """The columnar engine's answer (or refusal) to ``job``, or None when oxigraph must answer.

    Raises :class:`QueryTimedOut` when ``deadline`` (``time.monotonic()``) passes.
    """
    return _answered(lambda: _columnar(job, _guard(job, known_graphs), columnar, deadline), job)


def _answered(answer, job: QueryJob):
    try:
        return answer()
    except guard.QueryRefused as exc:
        return error(exc.status, str(exc))
    except conneg.NotAcceptable as exc:
        return error(406, str(exc))
    except results.TooManyRows as exc:
        return error(400, str(exc))
    except SyntaxError as exc:
        return error(400, f"SPARQL syntax error: {exc}")
    except OSError as exc:  # the store, or an allowed SERVICE endpoint, failed
        return error(502 if job.service_allow else 500, f"query failed: {exc}")
    except QueryTimedOut:
        raise
    except Exception as exc:  # a bug here must not take the worker down with it; report it
        return error(500, f"internal error while answering: {type(exc).__name__}: {exc}")


def _guard(job: QueryJob, known_graphs: frozenset[str]) -> guard.Inspection:
    if guard.query_form(job.query) == "UPDATE":
        raise guard.QueryRefused(guard.UPDATE_REFUSED, 403)
    found = guard.inspect(job.query)
    guard.check_services(found, job.service_allow)
    guard.check_graphs(found.from_graphs, known_graphs, "FROM")
    guard.check_graphs(found.from_named, known_graphs, "FROM NAMED")
    return found


def _columnar(job: QueryJob, found: guard.Inspection, columnar: VectorEngine | None, deadline: float | None) -> Answer | None:
    if columnar is None or job.default_graphs is not None or job.named_graphs is not None \
            or found.has_dataset or found.services:
        return None
    solved = columnar.solve(job.query, job.base_iri, deadline)
    if isinstance(solved, bool):
        fmt = _pick(job, conneg.BOOLEAN_FORMATS)
        return Answer(200, results.BOOLEAN_WRITERS[fmt.key](solved), _content_type(fmt), fmt.key, "ASK")
    if solved is None:
        return None
    from neaspec_kg.vector.results import write_select

    fmt = _pick(job, conneg.RESULT_FORMATS)
    body = write_select(fmt.key, solved, job.max_rows)
    return Answer(200, body, _content_type(fmt), fmt.key, "SELECT")


def _oxigraph(store: Store, job: QueryJob, prefixes: dict[str, str] | None) -> Answer:
    kwargs: dict = {}
    if job.default_graphs is not None or job.named_graphs is not None:
        # The protocol dataset replaces the query's own (SPARQL 1.1 Protocol §2.1.4).
        kwargs["default_graph"] = [NamedNode(g) for g in job.default_graphs or ()]
        kwargs["named_graphs"] = [NamedNode(g) for g in job.named_graphs or ()]
    # Otherwise the store's default graph answers: the build materializes there the union of
    # all named graphs, deduplicated (the documented default-graph policy; oxigraph's own
    # union mode would return a triple once per graph holding it).
    result = store.query(job.query, base_iri=job.base_iri, **kwargs)

    if isinstance(result, QuerySolutions):
        fmt = _pick(job, conneg.RESULT_FORMATS)
        variables = [v.value for v in result.variables]
        body = results.SELECT_WRITERS[fmt.key](variables, results.capped(result, job.max_rows))
        return Answer(200, body, _content_type(fmt), fmt.key, "SELECT")
    if isinstance(result, QueryBoolean):
        fmt = _pick(job, conneg.BOOLEAN_FORMATS)
        return Answer(200, results.BOOLEAN_WRITERS[fmt.key](bool(result)), _content_type(fmt), fmt.key, "ASK")
    if isinstance(result, QueryTriples):
        fmt = _pick(job, conneg.GRAPH_FORMATS)
        triples = list(results.capped(result, job.max_rows))
        return Answer(200, serialize_graph(triples, fmt.key, prefixes), _content_type(fmt), fmt.key, "GRAPH")
    raise TypeError(f"unexpected query result {type(result).__name__}")


def _content_type(fmt: conneg.Format) -> str:
    textual = fmt.media_type.startswith("text/") or fmt.key in ("json", "xml", "jsonld", "rdfxml", "ntriples", "nquads", "trig")
    return f"{fmt.media_type}; charset=utf-8" if textual else fmt.media_type


def known_graphs_of(store: Store) -> frozenset[str]:
    return frozenset(g.value for g in store.named_graphs() if isinstance(g, NamedNode))
