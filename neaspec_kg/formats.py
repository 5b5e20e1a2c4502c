"""Content negotiation: ``Accept`` with q-values and wildcards, and the ``format`` parameter.

Result forms and graph forms have separate format tables: SELECT/ASK answer in SPARQL
result formats, CONSTRUCT/DESCRIBE (and Linked Data documents) in RDF syntaxes. Choosing
from the wrong table is the most common bug in SPARQL servers (PEERS.md §A2.1).
"""

from __future__ import annotations

from dataclasses import dataclass

from neaspec_kg.errors import NotAcceptable


@dataclass(frozen=True)
class Format:
    key: str  # short name, also accepted by ?format=
    media_type: str  # the Content-Type we send
    extension: str
    aliases: tuple[str, ...] = ()  # other media types that select it
    names: tuple[str, ...] = ()  # other ?format= spellings
    label: str = ""


# SELECT and ASK. CSV and TSV have no boolean form, so ASK offers JSON and XML only.
RESULT_FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", "srj", ("application/json",), ("srj",), "JSON"),
    Format("xml", "application/sparql-results+xml", "srx", ("application/xml", "text/xml"), ("srx",), "XML"),
    Format("csv", "text/csv", "csv", (), (), "CSV"),
    Format("tsv", "text/tab-separated-values", "tsv", (), (), "TSV"),
)
BOOLEAN_FORMATS = RESULT_FORMATS[:2]

# CONSTRUCT, DESCRIBE, Linked Data documents. Turtle first: the default.
GRAPH_FORMATS: tuple[Format, ...] = (
    Format("turtle", "text/turtle", "ttl", ("application/x-turtle", "application/turtle"), ("ttl",), "Turtle"),
    Format("ntriples", "application/n-triples", "nt", ("text/plain",), ("nt", "n-triples"), "N-Triples"),
    Format("jsonld", "application/ld+json", "jsonld", ("application/x-json+ld", "application/json"), ("json-ld",),
           "JSON-LD"),
    Format("rdfxml", "application/rdf+xml", "rdf", (), ("rdf", "rdf-xml", "owl"), "RDF/XML"),
    Format("nquads", "application/n-quads", "nq", ("text/x-nquads",), ("nq", "n-quads"), "N-Quads"),
    Format("trig", "application/trig", "trig", ("application/x-trig",), (), "TriG"),
)
HTML = Format("html", "text/html", "html", ("application/xhtml+xml",), (), "HTML")


def not_acceptable(offered: tuple[Format, ...], asked: str) -> NotAcceptable:
    types = ", ".join(f.media_type for f in offered)
    return NotAcceptable(f"cannot answer in {asked!r}; this resource is available as: {types}")


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """``'text/turtle;q=0.9, */*;q=0.1'`` -> ``[('text/turtle', 0.9), ('*/*', 0.1)]``."""
    ranges: list[tuple[str, float]] = []
    for part in (header or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        if media == "*":  # some old clients send a bare star
            media = "*/*"
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value.strip())))
                except ValueError:
                    q = 0.0
        ranges.append((media, q))
    return ranges


def _match_quality(fmt: Format, ranges: list[tuple[str, float]]) -> tuple[float, int]:
    """(q, specificity) of the most specific range that matches ``fmt``; q=0 when none. An alias
    counts only when named exactly: ``application/*`` does not select HTML through
    ``application/xhtml+xml``, since HTML is sent as ``text/html``, outside that range."""
    best: tuple[float, int] = (0.0, -1)
    major = fmt.media_type.split("/")[0]
    for media, q in ranges:
        if media == fmt.media_type:
            spec = 3
        elif media in fmt.aliases:
            spec = 2
        elif media == f"{major}/*":
            spec = 1
        elif media == "*/*":
            spec = 0
        else:
            continue
        if spec > best[1] or (spec == best[1] and q > best[0]):
            best = (q, spec)
    return best


def negotiate(accept: str | None, offered: tuple[Format, ...]) -> Format:
    """The offered format the client prefers; the first offered one when Accept is absent or ``*/*``."""
    ranges = parse_accept(accept)
    if not ranges:
        return offered[0]
    scored = []
    for rank, fmt in enumerate(offered):
        q, spec = _match_quality(fmt, ranges)
        if q > 0:
            # prefer higher q; then an explicitly named type over a wildcard; then server order
            scored.append((-q, -(1 if spec >= 2 else 0), rank, fmt))
    if not scored:
        raise not_acceptable(offered, accept or "")
    scored.sort(key=lambda t: t[:3])
    return scored[0][3]


def by_name(name: str, offered: tuple[Format, ...]) -> Format | None:
    """``?format=csv``, ``text/csv`` or a media subtype (``rdf+xml``); for graph forms ``json``
    means JSON-LD and ``xml`` RDF/XML. None when no offered format has that name."""
    wanted = name.strip().lower()
    graph_synonyms = {"json": "jsonld", "xml": "rdfxml"}
    if any(f in GRAPH_FORMATS for f in offered) and not any(f in RESULT_FORMATS for f in offered):
        wanted = graph_synonyms.get(wanted, wanted)
    for fmt in offered:
        subtype = fmt.media_type.split("/")[1]
        if wanted in (fmt.key, fmt.extension, fmt.media_type, subtype, *fmt.aliases, *fmt.names):
            return fmt
    return None


def choose(accept: str | None, format_param: str | tuple[str, ...] | None, offered: tuple[Format, ...]) -> Format:
    """``format`` wins over ``Accept`` (it exists for clients that cannot set headers). Of several
    values (SPARQLWrapper sends a short name and a media type) the first that names an offered
    format is taken. When none does, an Accept that names a type decides (the client said what
    it takes); otherwise the answer is 406, naming the format asked for."""
    names = (format_param,) if isinstance(format_param, str) else tuple(format_param or ())
    for name in names:
        if (fmt := by_name(name, offered)) is not None:
            return fmt
    if names and not any(media != "*/*" and q > 0 for media, q in parse_accept(accept)):
        raise not_acceptable(offered, names[0])
    return negotiate(accept, offered)


BY_KEY = {f.key: f for f in (*RESULT_FORMATS, *GRAPH_FORMATS, HTML)}


def content_type(fmt: Format) -> str:
    """The Content-Type header of an answer in ``fmt`` (UTF-8 for every textual syntax)."""
    return f"{fmt.media_type}; charset=utf-8"
