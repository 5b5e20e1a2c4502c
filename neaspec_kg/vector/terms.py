"""The terms one query sees: the index's dictionary plus the values the query computes.

A computed value (a COUNT, a BIND, a constant of the query) that the graph also holds gets
the graph's id, so that joins, DISTINCT and GROUP BY, which compare ids, stay correct; other
values get ids above the dictionary, valid for this query only.
"""

from __future__ import annotations

import math
import re
import time
from datetime import datetime
from decimal import Decimal, InvalidOperation

import numpy as np
from rdflib import BNode, Literal, URIRef

from neaspec_kg.vector.errors import ExprError, QueryTimedOut, Unsupported
from neaspec_kg.vector.index import (
    BNODE,
    IRI,
    LITERAL,
    NUMERIC_DATATYPES,
    RDF_LANG_STRING,
    XSD,
    XSD_STRING,
    Index,
    numeric_lexical_ok,
    numeric_value,
    order_key,
)

XSD_BOOLEAN = XSD + "boolean"
XSD_INTEGER = XSD + "integer"
XSD_DECIMAL = XSD + "decimal"
XSD_DOUBLE = XSD + "double"
XSD_FLOAT = XSD + "float"
XSD_DATETIME = XSD + "dateTime"
_INTEGER_TYPES = NUMERIC_DATATYPES - {XSD_DECIMAL, XSD_DOUBLE, XSD_FLOAT}




TRUE = (LITERAL, "true", XSD_BOOLEAN, None)
FALSE = (LITERAL, "false", XSD_BOOLEAN, None)


class Terms:
    """Values are ids (terms of the graph or interned) or ``(kind, lexical, datatype, language)``
    tuples that expressions compute; a tuple gets an id only when a row keeps it (``intern_value``).
    """

    def __init__(self, index: Index, deadline: float | None = None):
        self.index = index
        self.base = index.terms
        self.deadline = deadline
        self._extra: list[tuple[int, str, str | None, str | None]] = []
        self._extra_ids: dict[tuple, int] = {}

    def check_deadline(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise QueryTimedOut("the query ran past its time limit")

    # -- reading a term ------------------------------------------------------------------
    def term(self, v) -> tuple[int, str, str | None, str | None]:
        if v.__class__ is tuple:
            return v
        if v < 0:
            raise ExprError("unbound")
        if v < self.base:
            ix = self.index
            return ix.kind[v], ix.lex[v], ix.datatype[v], ix.language[v]
        return self._extra[v - self.base]

    def kind(self, v) -> int:
        return self.term(v)[0]

    def has_extra(self, ids: np.ndarray) -> bool:
        return bool(len(ids)) and int(ids.max()) >= self.base

    # -- making a term -------------------------------------------------------------------
    def intern(self, kind: int, lexical: str, datatype: str | None = None, language: str | None = None) -> int:
        if kind == LITERAL:
            if language:
                datatype, language = RDF_LANG_STRING, language.lower()
            elif not datatype:
                datatype = XSD_STRING
        found = self.index.term_id(kind, lexical, datatype, language)
        if found is not None:
            return found
        key = (kind, lexical, datatype, language)
        found = self._extra_ids.get(key)
        if found is None:
            found = self._extra_ids[key] = self.base + len(self._extra)
            self._extra.append(key)
        return found

    def intern_value(self, v) -> int:
        return self.intern(*v) if v.__class__ is tuple else v

    @staticmethod
    def literal(lexical: str, datatype: str | None = None, language: str | None = None) -> tuple:
        if language:
            return (LITERAL, lexical, RDF_LANG_STRING, language.lower())
        return (LITERAL, lexical, datatype or XSD_STRING, None)

    @staticmethod
    def boolean(value: bool) -> tuple:
        return TRUE if value else FALSE

    def number(self, value, datatype: str) -> tuple:
        """A computed number, written as oxigraph writes it (so that both engines agree):
        integers plainly, decimals without a trailing ".0", doubles in the shortest form."""
        if datatype in _INTEGER_TYPES:
            return self.literal(str(int(value)), XSD_INTEGER)
        if datatype == XSD_DECIMAL:
            text = format(Decimal(value).normalize(), "f")
            return self.literal("0" if text in ("-0", "") else text, XSD_DECIMAL)
        value = float(value)
        if math.isnan(value):
            text = "NaN"
        elif math.isinf(value):
            text = "INF" if value > 0 else "-INF"
        else:
            text = repr(value)
            text = text.removesuffix(".0")
        return self.literal(text, datatype)

    def from_rdflib(self, term, create: bool) -> int | None:
        """The id of a constant of the query; None when the graph lacks it and ``create`` is False."""
        if isinstance(term, URIRef):
            args = (IRI, str(term), None, None)
        elif isinstance(term, BNode):
            args = (BNODE, str(term), None, None)
        elif isinstance(term, Literal):
            args = (LITERAL, str(term), str(term.datatype) if term.datatype else None, term.language)
        else:
            raise TypeError(f"not an RDF term: {term!r}")
        if create:
            return self.intern(*args)
        kind, lexical, datatype, language = args
        return self.index.term_id(kind, lexical, datatype, language)

    # -- values ----------------------------------------------------------------------------
    def order_key(self, v):
        if v.__class__ is not tuple and v < 0:
            return (-1, 0, 0.0, "", "", "")
        kind, lexical, datatype, language = self.term(v)
        return order_key(kind, lexical, datatype, language, numeric_value(lexical, datatype))

    def numeric(self, v):
        """The Python value of a numeric literal (int, Decimal or float), else ExprError."""
        kind, lexical, datatype, _ = self.term(v)
        if kind != LITERAL or datatype not in NUMERIC_DATATYPES:
            raise ExprError("not a number")
        if not numeric_lexical_ok(lexical, datatype):
            raise ExprError("ill-typed number")
        if datatype in _INTEGER_TYPES:
            return int(lexical)
        if datatype == XSD_DECIMAL:
            return Decimal(lexical)
        return float(lexical.replace("INF", "inf"))

    def numeric_type(self, v) -> str:
        return self.term(v)[2]

    def string(self, v) -> tuple[str, str | None]:
        """(lexical form, language) of a string literal (simple, xsd:string or language-tagged)."""
        kind, lexical, datatype, language = self.term(v)
        if kind != LITERAL or datatype not in (XSD_STRING, RDF_LANG_STRING):
            raise ExprError("not a string literal")
        return lexical, language

    def plain_string(self, v) -> str:
        kind, lexical, datatype, _ = self.term(v)
        if kind != LITERAL or datatype != XSD_STRING:
            raise ExprError("not a simple literal")
        return lexical

    def ebv(self, v) -> bool:
        """Effective boolean value (SPARQL 1.1 §17.2.2)."""
        if v is TRUE:
            return True
        if v is FALSE:
            return False
        kind, lexical, datatype, _ = self.term(v)
        if kind != LITERAL:
            raise ExprError("no boolean value for an IRI or blank node")
        if datatype == XSD_BOOLEAN:
            return lexical in ("true", "1")
        if datatype == XSD_STRING:
            return lexical != ""
        if datatype in NUMERIC_DATATYPES:
            number = numeric_value(lexical, datatype)
            return not (math.isnan(number) or number == 0)
        raise ExprError("no boolean value")

    def comparable(self, v):
        """(family, value) for ordering comparisons; ExprError when the term has none."""
        kind, lexical, datatype, _ = self.term(v)
        if kind != LITERAL:
            raise ExprError("IRIs and blank nodes are not ordered by < and >")
        if datatype in NUMERIC_DATATYPES:
            return "number", self.numeric(v)
        if datatype == XSD_STRING:
            return "string", lexical
        if datatype == XSD_BOOLEAN:
            if lexical not in ("true", "false", "1", "0"):
                raise ExprError("ill-typed boolean")
            return "boolean", lexical in ("true", "1")
        if datatype in (XSD_DATETIME, XSD_DATE):
            return _temporal(datatype, lexical)
        raise ExprError("literals of this datatype are not ordered")

    def compare(self, a, b):
        """(family, left value, right value), numbers promoted to a common type (XPath)."""
        fa, va = self.comparable(a)
        fb, vb = self.comparable(b)
        if fa != fb:
            raise ExprError("values of different kinds are not ordered")
        if fa == "number" and (isinstance(va, float) or isinstance(vb, float)):
            va, vb = _as_double(va), _as_double(vb)
        elif fa in ("dateTime", "date") and (va.tzinfo is None) != (vb.tzinfo is None):
            raise Unsupported("comparing a time with and one without a time zone")  # XPath: indeterminate
        return fa, va, vb

    def same_term(self, a, b) -> bool:
        if a.__class__ is not tuple and b.__class__ is not tuple:
            return a == b
        return self.term(a) == self.term(b)

    def equal(self, a, b) -> bool:
        """SPARQL ``=`` (RDFterm-equal, extended to values of the known datatypes)."""
        ta, tb = self.term(a), self.term(b)
        if ta == tb:
            if ta[0] == LITERAL and ta[2] in NUMERIC_DATATYPES:
                number = self.numeric(a)
                return not (isinstance(number, float) and math.isnan(number))
            return True
        if ta[0] != LITERAL or tb[0] != LITERAL:
            return False
        known_a, known_b = ta[2] in _KNOWN_DATATYPES, tb[2] in _KNOWN_DATATYPES
        if not (known_a and known_b):
            raise ExprError("cannot compare literals of unknown datatypes")  # RDFterm-equal
        if ta[2] == RDF_LANG_STRING or tb[2] == RDF_LANG_STRING:
            return False  # different terms, one language-tagged
        fa, _ = self.comparable(a)  # an ill-typed value is an error, not "unequal"
        fb, _ = self.comparable(b)
        if fa != fb:
            return False  # values of different known kinds are simply unequal
        _, va, vb = self.compare(a, b)
        return va == vb


XSD_DATE = XSD + "date"
_KNOWN_DATATYPES = NUMERIC_DATATYPES | {XSD_STRING, RDF_LANG_STRING, XSD_BOOLEAN, XSD_DATETIME, XSD_DATE}
_DATE = re.compile(r"(-?[0-9]{4,})-([0-9]{2})-([0-9]{2})(Z|[+-][0-9]{2}:[0-9]{2})?")


def _temporal(datatype: str, lexical: str):
    if datatype == XSD_DATE:
        match = _DATE.fullmatch(lexical)
        if not match or match.group(1).startswith("-") or len(match.group(1)) > 4:
            raise Unsupported("a date outside what Python reads")
        lexical = f"{match.group(1)}-{match.group(2)}-{match.group(3)}T00:00:00{match.group(4) or ''}"
    try:
        value = datetime.fromisoformat(lexical)
    except ValueError as exc:
        raise ExprError("ill-typed date or time") from exc
    return ("date" if datatype == XSD_DATE else "dateTime"), value


def _as_double(value) -> float:
    try:
        return float(value)
    except (ValueError, InvalidOperation) as exc:
        raise ExprError("no double value") from exc
