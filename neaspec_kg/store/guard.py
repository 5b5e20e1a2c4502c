"""What a query may do, decided before the engine runs it.

The engine (pyoxigraph) would call any ``SERVICE`` IRI over HTTP, so federation must be
refused before execution. ``FROM``/``FROM NAMED`` never make oxigraph read anything (they
select graphs of the store) but a graph that is not in the dataset is refused with a clear
message rather than answered with silence. Updates never reach the engine: the store is
opened read-only and only ``Store.query`` is ever called.

Checks are cheap on the common path: the keywords can only occur if their letters occur
after ``\\uXXXX`` escapes are expanded (SPARQL expands them over the whole query text, and
oxigraph does). Only queries that contain ``service`` or ``from`` are parsed (with rdflib's
parser, which resolves the grammar's ambiguities properly); a query that rdflib cannot parse
is then refused rather than guessed about.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache, wraps

from neaspec_kg.errors import QueryRefused, QueryTooLarge

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SERVICE = re.compile(r"service", re.IGNORECASE)
# Anywhere, even inside a word (prov:wasDerivedFrom): an engine's lexer may split a keyword off
# a token before it (`true` then `SERVICE`), so only a query without the letters skips the parse.
_SUSPECT = re.compile(r"service|from", re.IGNORECASE)
# Prologue: whitespace, comments, BASE <iri>, PREFIX pname: <iri>; then the query form keyword.
_GAP = r"(?:\s|\#[^\n\r]*)"  # whitespace, and comments, which may stand between any two tokens
_PROLOGUE_ITEM = re.compile(
    rf"""\s+|\#[^\n\r]*|BASE{_GAP}*<[^<>"{{}}|^`\\\x00-\x20]*>|PREFIX{_GAP}+[^\s:#]*:{_GAP}*<[^<>"{{}}|^`\\\x00-\x20]*>""",
    re.IGNORECASE,
)
_BASE = re.compile(rf"BASE{_GAP}*<", re.IGNORECASE)
_FORM = re.compile(r"(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_UPDATE = re.compile(
    r"(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.IGNORECASE
)
_NONDETERMINISTIC = re.compile(r"\b(RAND|NOW|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)
_NONDETERMINISTIC_WORDS = ("rand", "now", "uuid", "bnode", "service")


REMEMBERED_TEXT_CHARS = 16_384  # longer query texts are checked anew each time


def remembered(function):
    """``function(text, ...)`` remembered per query text (the same queries come back: the pages'
    links, a notebook's loop), only for texts up to ``REMEMBERED_TEXT_CHARS``: 512 texts of the
    1 MB a request may hold would keep half a gigabyte. A call that raises is not remembered."""
    cached = lru_cache(maxsize=512)(function)

    @wraps(function)
    def call(text: str, *args):
        return cached(text, *args) if len(text) <= REMEMBERED_TEXT_CHARS else function(text, *args)

    return call


UPDATE_REFUSED = (
    "this endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, ...) is refused; "
    "download the data dump and load it into your own store to modify it"
)


def unescape_codepoints(text: str) -> str:
    """Expand ``\\uXXXX`` and ``\\UXXXXXXXX`` as SPARQL does before tokenizing (one pass)."""
    if "\\u" not in text and "\\U" not in text:
        return text

    def repl(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else m.group(0)  # no surrogates

    return _ESCAPE.sub(repl, text)


def after_prologue(text: str) -> tuple[str, int]:
    """The query with ``\\u`` escapes expanded, and where its form keyword starts (after BASE/PREFIX)."""
    text = unescape_codepoints(text)
    pos, end = 0, len(text)
    while pos < end:
        m = _PROLOGUE_ITEM.match(text, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
    return text, pos


@remembered
def query_form(text: str) -> str | None:
    """``'SELECT'``, ``'ASK'``, ``'CONSTRUCT'``, ``'DESCRIBE'``, ``'UPDATE'``, or None when unknown."""
    text, pos = after_prologue(text)
    m = _FORM.match(text, pos)
    if m:
        return m.group(1).upper()
    if _UPDATE.match(text, pos):
        return "UPDATE"
    return None


@remembered
def is_deterministic(text: str) -> bool:
    """False when the answer may change between runs on the same data (no ETag, no caching):
    RAND(), NOW(), ... or a SERVICE call, whose other endpoint answers as it likes."""
    text = unescape_codepoints(text)
    lowered = text.lower()  # the regular expressions are slow on long queries: most have none of the words
    if not any(word in lowered for word in _NONDETERMINISTIC_WORDS):
        return True
    return _NONDETERMINISTIC.search(text) is None and not _SERVICE.search(text)


@remembered
def check_shape(text: str, max_depth: int, max_describe_terms: int) -> None:
    """Refuse, before any parser sees it, a query nested deeper than ``max_depth`` brackets or
    a DESCRIBE of more than ``max_describe_terms`` resources: oxigraph's parser and planner
    recurse once per level (and once per DESCRIBE term), and a deep enough query overflows
    the native stack of the process running it (measured: 2,200 nested groups, or a DESCRIBE
    of 2,700 IRIs, crash a process on its main thread's 8 MB stack)."""
    depth = deepest = 0
    for token in _SHAPE_TOKEN.finditer(text):
        char = token.group()
        if char in "({[":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > max_depth:
                raise QueryTooLarge(f"the query nests brackets more than {max_depth} deep; "
                                    "this endpoint refuses deeper queries before parsing them")
        elif char in ")}]":
            depth = max(0, depth - 1)
    unescaped, pos = after_prologue(text)
    if not _FORM_DESCRIBE.match(unescaped, pos):
        return
    head = _DESCRIBE_END.split(unescaped[pos + len("DESCRIBE"):], maxsplit=1)[0]
    terms = len(_DESCRIBE_TERM.findall(head))
    if terms > max_describe_terms:
        raise QueryTooLarge(f"the query describes {terms} resources; this endpoint describes at most "
                            f"{max_describe_terms} in one query: split it")


_LITERALS = (  # strings and IRIs, matched whole (the grammar's STRING_* and IRIREF)
    r"'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|"(?:[^"\\\n]|\\.)*"'
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
)
# Strings, IRIs and comments are matched whole, so that their brackets do not count; what
# remains is matched a bracket at a time. Linear in the length of the query.
_SHAPE_TOKEN = re.compile(
    _LITERALS +
    r"|#[^\n\r]*"
    r"|[(){}\[\]]"
)
_FORM_DESCRIBE = re.compile(r"DESCRIBE\b", re.IGNORECASE)
_DESCRIBE_END = re.compile(r"\{|\bWHERE\b", re.IGNORECASE)
_DESCRIBE_TERM = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>|[A-Za-z_][\w.-]*:[\w.-]*|[?$]\w+')


@dataclass
class Inspection:
    """What the dataset clause and SERVICE calls of a query name (IRIs as strings)."""

    from_graphs: list[str] = field(default_factory=list)
    from_named: list[str] = field(default_factory=list)
    services: list[str | None] = field(default_factory=list)  # None: a variable endpoint

    @property
    def has_dataset(self) -> bool:
        return bool(self.from_graphs or self.from_named)


@remembered  # a parse by rdflib costs 15-65 ms; the same text gives the same answer
def inspect(text: str) -> Inspection:
    """Dataset clause and SERVICE endpoints of a query; empty without parsing when impossible.
    The answer is shared between callers: do not change it."""
    if not _SUSPECT.search(unescape_codepoints(text)):
        return Inspection()
    return _parse_and_inspect(text)


# What cannot hold a GRAPH or FROM keyword, matched whole: strings, IRIs (the grammar's IRIREF),
# variables, prefixed names whose prefix has neither word (`prov:wasDerivedFrom`), and comments
# that start a line or follow a space (a `#` elsewhere may be inside an IRI not taken for one).
# An IRI-shaped stretch can never hide the keywords: GRAPH is followed by `{` and FROM by a
# space, `<` or a name, and an IRIREF holds none of `{`, `<` or a space.
_OPAQUE = re.compile(
    _LITERALS +
    r"|[?$]\w+"
    r"|(?<![\w.\-:%\\])(?P<prefix>[A-Za-z][\w.\-]*)?:(?:[\w.\-:%]|\\.)*"
    r"|(?:^|(?<=\s))\#[^\n\r]*",
    re.MULTILINE,
)
_NAMED_GRAPH_WORDS = re.compile(r"graph|from", re.IGNORECASE)


@remembered
def may_read_named_graphs(text: str) -> bool:
    """False only when the query surely reads the default graph alone: no GRAPH and no FROM
    outside its strings, IRIs, names and comments. Stricter than the grammar (a word that merely
    holds the letters counts), so a query in doubt is answered from the whole dataset."""
    text = unescape_codepoints(text)
    if not _NAMED_GRAPH_WORDS.search(text):
        return False
    return _NAMED_GRAPH_WORDS.search(_OPAQUE.sub(_blank_out, text)) is not None


def _blank_out(match: re.Match[str]) -> str:
    """A space for what cannot hold the keywords; a prefixed name whose prefix holds them is kept."""
    prefix = match.group("prefix")
    return match.group() if prefix and _NAMED_GRAPH_WORDS.search(prefix) else " "


# rdflib's parser (pyparsing, with its packrat cache) is not safe to run on two threads at once:
# seen as a valid query refused ("Expected SelectQuery") while the warm-up parsed beside it.
_RDFLIB_PARSER = threading.Lock()


def warm() -> None:
    """Load rdflib's SPARQL parser and run it once: about 0.4 s of imports and 0.05 s of first
    use (measured 2026-12-02), which the first query naming FROM or SERVICE would otherwise pay.
    A query worker calls it on a thread of its own as it starts."""
    _parse_and_inspect("SELECT * FROM <urn:x> WHERE { SERVICE <urn:y> { ?s ?p ?o } }")


def _resolved(text: str, what: str):
    """The query parsed by rdflib, its prefixed names resolved to IRIs; a query rdflib cannot
    parse is refused (``what`` says what the query has that made it be checked)."""
    from functools import partial

    from rdflib.plugins.sparql.algebra import translatePName, translatePrologue, traverse
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        with _RDFLIB_PARSER:
            parsed = parseQuery(text)
        prologue = translatePrologue(parsed[0], None)
        return traverse(parsed[1], partial(translatePName, prologue=prologue))
    except Exception as exc:  # rdflib's parser raises several types; all mean "could not verify"
        raise QueryRefused(f"the query {what}could not be verified by the safety check "
                           f"({type(exc).__name__}: {exc}); check its syntax") from exc


def _parse_and_inspect(text: str) -> Inspection:
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import URIRef, Variable

    body = _resolved(text, "mentions SERVICE or FROM and ")
    found = Inspection()

    def walk(node: object) -> None:
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                term = node["term"] if "term" in node else None
                found.services.append(str(term) if isinstance(term, URIRef) else None)
            if node.name == "DatasetClause":
                # CompValue.get returns the key itself when absent: test membership instead
                if "default" in node:
                    found.from_graphs.append(str(node["default"]))
                if "named" in node:
                    found.from_named.append(str(node["named"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, (list, tuple)):
            for item in node:
                walk(item)
        elif isinstance(node, Variable):
            return

    walk(body)
    return found


# IRIs that name a store's own functions and predicates, which run inside that store (Virtuoso's
# bif: and sql: functions, its bif:contains, its virtrdf: and other openlinksw.com namespaces).
FOREIGN_IRI = re.compile(r"(?:bif|sql):|https?://www\.openlinksw\.com/", re.IGNORECASE)


def has_base(text: str) -> bool:
    """Whether the query's prologue declares a BASE of its own."""
    text, pos = after_prologue(text)
    return _BASE.search(text, 0, pos) is not None


@remembered
def foreign_iris(text: str) -> list[str]:
    """The IRIs of the query under a store's own namespaces (``FOREIGN_IRI``): written whole, or
    made of a prefix and a local name (the query is parsed with rdflib to resolve them: a planner
    may drop an expression it never evaluates, which the store would still run). A query rdflib
    cannot parse is refused."""
    from rdflib.plugins.sparql.algebra import traverse
    from rdflib.term import URIRef

    text = unescape_codepoints(text)
    found = [iri for iri in _IRIREF.findall(text) if FOREIGN_IRI.match(iri)]

    def collect(node):
        if isinstance(node, URIRef) and FOREIGN_IRI.match(str(node)):
            found.append(str(node))

    traverse(_resolved(text, ""), collect)
    return sorted(set(found))


_IRIREF = re.compile(r'<([^<>"{}|^`\\\x00-\x20]*)>')


def check_services(found: Inspection, allow: tuple[str, ...]) -> None:
    """Refuse SERVICE unless every endpoint is a constant IRI under an allowed prefix."""
    for endpoint in found.services:
        if endpoint is None:
            raise QueryRefused("SERVICE with a variable endpoint is refused: name the endpoint IRI", 403)
        if not any(endpoint.startswith(prefix) for prefix in allow):
            if not allow:
                raise QueryRefused(
                    f"SERVICE <{endpoint}> is refused: federated query is disabled on this endpoint "
                    "(NEASPEC_KG_SERVICE_ALLOW lists the endpoints an operator allows)",
                    403,
                )
            raise QueryRefused(
                f"SERVICE <{endpoint}> is refused: not under an allowed prefix ({' '.join(allow)})", 403
            )


def check_graphs(iris: list[str], known: frozenset[str], where: str) -> None:
    """Refuse graph IRIs that are not graphs of the dataset (never fetched, never read from disk)."""
    for iri in iris:
        if iri not in known:
            raise QueryRefused(
                f"{where} <{iri}> is not a graph of this dataset; nothing is fetched from the web or "
                "read from files. The graphs are listed in the service description (GET /sparql)"
            )
