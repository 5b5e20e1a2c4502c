"""SPARQL expressions over term ids, evaluated once per distinct binding of their variables.

``evaluate_column`` is the vectorized entry point: it finds the distinct combinations of the
variables an expression reads, evaluates the scalar function once for each, and maps the
results back to the rows. The scalar evaluator follows SPARQL 1.1 §17 for the operators and
functions it knows; anything else raises :class:`Unsupported` before any row is read, and the
query goes to oxigraph instead.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from decimal import Decimal

import numpy as np
from rdflib import BNode, Literal, URIRef, Variable
from rdflib.plugins.sparql.parserutils import CompValue

from neaspec_kg.vector.errors import ExprError, Unsupported
from neaspec_kg.vector.index import BNODE, IRI, LITERAL, NUMERIC_DATATYPES, RDF_LANG_STRING, XSD, XSD_STRING
from neaspec_kg.vector.terms import XSD_DECIMAL, XSD_DOUBLE, XSD_FLOAT, XSD_INTEGER, Terms

Scalar = Callable[[dict], int]  # a binding (variable name -> id, -1 unbound) -> an id, or ExprError


def variables_of(expr) -> set[str]:
    if isinstance(expr, Variable):
        return {str(expr)}
    found: set[str] = set()
    if isinstance(expr, CompValue):
        for key, value in expr.items():
            if key != "_vars":
                found |= variables_of(value)
    elif isinstance(expr, (list, tuple)):
        for item in expr:
            found |= variables_of(item)
    return found


def evaluate_column(expr, scalar: Scalar, table, terms: Terms, errors_as: int = -1) -> np.ndarray:
    """The value of ``expr`` on every row of ``table`` (ids; ``errors_as`` where it is an error)."""
    names = sorted(variables_of(expr))
    if not names:
        return np.full(table.n, _safe(scalar, {}, errors_as, terms), dtype=np.int64)
    if table.n == 0:
        return np.zeros(0, dtype=np.int64)
    cols = [table.column(v) for v in names]
    if len(cols) == 1:
        distinct, inverse = np.unique(cols[0], return_inverse=True)
        name = names[0]
        bindings = ({name: v} for v in distinct.tolist())
    else:
        distinct, inverse = np.unique(np.stack(cols, axis=1), axis=0, return_inverse=True)
        bindings = (dict(zip(names, row)) for row in distinct.tolist())
    values = np.empty(len(distinct), dtype=np.int64)
    for i, binding in enumerate(bindings):
        if i % 2048 == 0:
            terms.check_deadline()
        values[i] = _safe(scalar, binding, errors_as, terms)
    return values[inverse.reshape(-1)]


def _safe(scalar: Scalar, binding: dict, errors_as: int, terms: Terms) -> int:
    try:
        return terms.intern_value(scalar(binding))
    except ExprError:
        return errors_as


# ---------------------------------------------------------------------------------------------
# compiling an expression to a scalar function

_COMPARE = {"<": operator.lt, ">": operator.gt, "<=": operator.le, ">=": operator.ge}
_REGEX_FLAGS = {"i": re.IGNORECASE, "s": re.DOTALL, "m": re.MULTILINE, "x": re.VERBOSE}


def compile_expr(expr, terms: Terms) -> Scalar:
    if isinstance(expr, Variable):
        name = str(expr)

        def var(b: dict) -> int:
            value = b.get(name, -1)
            if value < 0:
                raise ExprError(f"?{name} is unbound")
            return value
        return var
    if isinstance(expr, (URIRef, Literal, BNode)):
        if isinstance(expr, BNode):
            raise Unsupported("blank node in an expression")
        constant = terms.from_rdflib(expr, create=True)
        return lambda b: constant
    if not isinstance(expr, CompValue):
        raise Unsupported(f"expression {type(expr).__name__}")
    handler = _HANDLERS.get(expr.name)
    if handler is None:
        raise Unsupported(f"expression {expr.name}")
    return handler(expr, terms)


def _relational(expr, terms: Terms) -> Scalar:
    left = compile_expr(expr.expr, terms)
    op = expr.op
    if op in ("IN", "NOT IN"):
        options = [compile_expr(o, terms) for o in expr.other]
        negate = op == "NOT IN"

        def member(b: dict) -> int:
            value, error = left(b), False
            for option in options:
                try:
                    if terms.equal(value, option(b)):
                        return terms.boolean(not negate)
                except ExprError:
                    error = True
            if error:
                raise ExprError("IN with an error and no match")
            return terms.boolean(negate)
        return member
    right = compile_expr(expr.other, terms)
    if op in ("=", "!="):
        want = op == "="
        return lambda b: terms.boolean(terms.equal(left(b), right(b)) == want)
    compare = _COMPARE[op]

    def relation(b: dict) -> int:
        _, va, vb = terms.compare(left(b), right(b))
        return terms.boolean(compare(va, vb))
    return relation


def _connective(settles: bool, name: str):
    """&& (settled by a false operand) or || (settled by a true one): an operand that settles
    the value wins over an error in another; otherwise an error is the result (SPARQL 17.2)."""
    def compile_connective(expr, terms: Terms) -> Scalar:
        parts = [compile_expr(expr.expr, terms)] + [compile_expr(o, terms) for o in expr.other or ()]

        def connective(b: dict) -> int:
            error = False
            for part in parts:
                try:
                    if terms.ebv(part(b)) == settles:
                        return terms.boolean(settles)
                except ExprError:
                    error = True
            if error:
                raise ExprError(f"error in {name}")
            return terms.boolean(not settles)
        return connective
    return compile_connective


_and = _connective(False, "&&")
_or = _connective(True, "||")


def _not(expr, terms: Terms) -> Scalar:
    inner = compile_expr(expr.expr, terms)
    return lambda b: terms.boolean(not terms.ebv(inner(b)))


def _result_type(a: str, b: str) -> str:
    for t in (XSD_DOUBLE, XSD_FLOAT, XSD_DECIMAL):
        if t in (a, b):
            return t
    return XSD_INTEGER


def _arithmetic(expr, terms: Terms) -> Scalar:
    first = compile_expr(expr.expr, terms)
    rest = [(op, compile_expr(o, terms)) for op, o in zip(expr.op or (), expr.other or ())]

    def arithmetic(b: dict) -> int:
        i = first(b)
        value, kind = terms.numeric(i), _numeric_kind(terms, i)
        for op, part in rest:
            j = part(b)
            other, other_kind = terms.numeric(j), _numeric_kind(terms, j)
            kind = _result_type(kind, other_kind)
            if op == "/" and kind == XSD_INTEGER:
                kind = XSD_DECIMAL
            if kind == XSD_FLOAT or (op == "/" and kind == XSD_DECIMAL):
                # oxigraph computes floats in single precision and decimals to 18 digits
                raise Unsupported("float arithmetic or decimal division")
            value, other = _coerce(value, kind), _coerce(other, kind)
            if op == "+":
                value = value + other
            elif op == "-":
                value = value - other
            elif op == "*":
                value = value * other
            else:
                if other == 0 and kind in (XSD_INTEGER, XSD_DECIMAL):
                    raise ExprError("division by zero")
                value = value / other if other != 0 else (float("nan") if value == 0 else float("inf") * (1 if value > 0 else -1))
        if kind == XSD_INTEGER and not -(1 << 63) <= value < (1 << 63):
            raise Unsupported("an integer beyond 64 bits (oxigraph: an error)")
        return terms.number(value, kind)
    return arithmetic


def _numeric_kind(terms: Terms, i: int) -> str:
    datatype = terms.numeric_type(i)
    if datatype in (XSD_DOUBLE, XSD_FLOAT, XSD_DECIMAL):
        return datatype
    return XSD_INTEGER


def _coerce(value, kind: str):
    if kind in (XSD_DOUBLE, XSD_FLOAT):
        return float(value)
    if kind == XSD_DECIMAL:
        return Decimal(value) if not isinstance(value, Decimal) else value
    return value


def _unary_minus(expr, terms: Terms) -> Scalar:
    inner = compile_expr(expr.expr, terms)

    def negate(b: dict) -> int:
        i = inner(b)
        return terms.number(-terms.numeric(i), _numeric_kind(terms, i))
    return negate


def _unary_plus(expr, terms: Terms) -> Scalar:
    inner = compile_expr(expr.expr, terms)

    def plus(b: dict) -> int:
        i = inner(b)
        terms.numeric(i)
        return i
    return plus


def _str(expr, terms: Terms) -> Scalar:
    inner = compile_expr(expr.arg, terms)

    def to_str(b: dict) -> int:
        kind, lexical, _, _ = terms.term(inner(b))
        if kind == BNODE:
            raise ExprError("STR of a blank node")
        return terms.literal(lexical)
    return to_str


def _string_map(fn: Callable[[str], str]):
    def handler(expr, terms: Terms) -> Scalar:
        inner = compile_expr(expr.arg, terms)

        def mapped(b: dict) -> int:
            i = inner(b)
            lexical, language = terms.string(i)
            datatype = terms.term(i)[2]
            return terms.literal(fn(lexical), None if language else datatype, language)
        return mapped
    return handler


def _strlen(expr, terms: Terms) -> Scalar:
    inner = compile_expr(expr.arg, terms)
    return lambda b: terms.literal(str(len(terms.string(inner(b))[0])), XSD_INTEGER)


def _string_test(fn: Callable[[str, str], bool]):
    def handler(expr, terms: Terms) -> Scalar:
        left, right = compile_expr(expr.arg1, terms), compile_expr(expr.arg2, terms)

        def test(b: dict) -> int:
            a, lang_a = terms.string(left(b))
            c, lang_c = terms.string(right(b))
            if lang_c and lang_c != lang_a:
                raise ExprError("incompatible language tags")
            return terms.boolean(fn(a, c))
        return test
    return handler


def _regex(expr, terms: Terms) -> Scalar:
    text = compile_expr(expr.text, terms)
    if not isinstance(expr.pattern, Literal) or (expr.flags is not None and not isinstance(expr.flags, Literal)):
        raise Unsupported("REGEX with a computed pattern")
    pattern, flags = str(expr.pattern), str(expr.flags or "")
    bits = 0
    for flag in flags:
        if flag == "q":
            pattern = re.escape(pattern)
        elif flag in _REGEX_FLAGS:
            bits |= _REGEX_FLAGS[flag]
        else:
            raise Unsupported(f"REGEX flag {flag!r}")
    literal_pattern = "q" in flags
    if not literal_pattern:
        pattern = xpath_to_python_regex(pattern, multiline=bool(bits & re.MULTILINE), dotall=bool(bits & re.DOTALL))
    try:
        compiled = re.compile(pattern, bits)
    except re.error as exc:
        raise Unsupported(f"REGEX pattern: {exc}") from exc
    # A pattern that is plain ASCII text: a substring test, exact on ASCII texts (the common
    # "find a word" query), where Python's case-insensitive regex search is slow.
    needle = None
    if bits & ~re.IGNORECASE == 0 and pattern.isascii() and not re.search(r"[\\.^$*+?()\[\]{}|]", pattern):
        needle = pattern.lower() if bits else pattern

    def regex(b: dict):
        lexical, _ = terms.string(text(b))
        if needle is not None and lexical.isascii():
            return terms.boolean(needle in (lexical.lower() if bits else lexical))
        return terms.boolean(compiled.search(lexical) is not None)
    return regex


_PLAIN_ESCAPES = set("\\.-^$*+?()[]{}|nrt")


def xpath_to_python_regex(pattern: str, multiline: bool, dotall: bool) -> str:
    """An XPath regular expression (XML Schema syntax) as a Python one with the same matches, or
    Unsupported where the two read a pattern differently (\\w, \\p{..}, class subtraction, Python-only
    syntax such as (?...), \\Z, {,n}, [[:alpha:]]). Translated: "." does not match \\r or \\n
    (XPath), "$" is the end of the text only (Python also matches before a final newline), "\\s" is
    XPath's four spaces."""
    out, i, n, in_class = [], 0, len(pattern), False
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                raise Unsupported("REGEX ending in a backslash")
            e = pattern[i + 1]
            if e in _PLAIN_ESCAPES:
                out.append("\\" + e)
            elif e == "d":
                out.append("\\d")
            elif e == "s":
                out.append(" \\t\\n\\r" if in_class else "[ \\t\\n\\r]")
            elif e == "S" and not in_class:
                out.append("[^ \\t\\n\\r]")
            else:
                raise Unsupported(f"REGEX escape \\{e} (XPath and Python differ)")
            i += 2
            continue
        if in_class:
            if c == "[" or (c == "-" and i + 1 < n and pattern[i + 1] == "["):
                raise Unsupported("REGEX class subtraction or nested class")
            if c == "]":
                in_class = False
            out.append(c)
        elif c == "[":
            if pattern.startswith("[:", i + 1) or pattern.startswith("[^:", i):
                raise Unsupported("REGEX POSIX class")
            in_class = True
            out.append(c)
            if i + 1 < n and pattern[i + 1] == "^":
                out.append("^")
                i += 1
            if i + 1 < n and pattern[i + 1] == "]":
                raise Unsupported("REGEX class starting with ]")
        elif c == "(" and pattern.startswith("(?", i):
            raise Unsupported("REGEX (?...) group")
        elif c == "{" and re.match(r"\{[0-9]+(,[0-9]*)?\}", pattern[i:]) is None:
            raise Unsupported("REGEX quantifier {,n} or a bare {")
        elif c == "." and not dotall:
            out.append("[^\\n\\r]")
        elif c == "$" and not multiline:
            out.append("\\Z")
        else:
            out.append(c)
        i += 1
    if in_class:
        raise Unsupported("REGEX with an unclosed class")
    return "".join(out)


def _kind_test(*kinds: int):
    def handler(expr, terms: Terms) -> Scalar:
        inner = compile_expr(expr.arg, terms)
        return lambda b: terms.boolean(terms.kind(inner(b)) in kinds)
    return handler


def _is_numeric(expr, terms: Terms) -> Scalar:
    inner = compile_expr(expr.arg, terms)

    def test(b: dict):
        value = inner(b)
        try:
            terms.numeric(value)
        except ExprError:
            return terms.boolean(False)
        return terms.boolean(True)
    return test


def _bound(expr, terms: Terms) -> Scalar:
    if not isinstance(expr.arg, Variable):
        raise Unsupported("BOUND of a non-variable")
    name = str(expr.arg)
    return lambda b: terms.boolean(b.get(name, -1) >= 0)


def _lang(expr, terms: Terms) -> Scalar:
    inner = compile_expr(expr.arg, terms)

    def lang(b: dict) -> int:
        kind, _, _, language = terms.term(inner(b))
        if kind != LITERAL:
            raise ExprError("LANG of a non-literal")
        return terms.literal(language or "")
    return lang


def _datatype(expr, terms: Terms) -> Scalar:
    inner = compile_expr(expr.arg, terms)

    def datatype(b: dict) -> int:
        kind, _, dt, _ = terms.term(inner(b))
        if kind != LITERAL:
            raise ExprError("DATATYPE of a non-literal")
        return (IRI, dt or XSD_STRING, None, None)
    return datatype


def _langmatches(expr, terms: Terms) -> Scalar:
    tag, rng = compile_expr(expr.arg1, terms), compile_expr(expr.arg2, terms)

    def matches(b: dict) -> int:
        t = terms.plain_string(tag(b)).lower()
        r = terms.plain_string(rng(b)).lower()
        if r == "*":
            return terms.boolean(t != "")
        return terms.boolean(t == r or t.startswith(r + "-"))
    return matches


def _same_term(expr, terms: Terms) -> Scalar:
    a, c = compile_expr(expr.arg1, terms), compile_expr(expr.arg2, terms)
    return lambda b: terms.boolean(terms.same_term(a(b), c(b)))


def _if(expr, terms: Terms) -> Scalar:
    test, then, other = (compile_expr(e, terms) for e in (expr.arg1, expr.arg2, expr.arg3))
    return lambda b: then(b) if terms.ebv(test(b)) else other(b)


def _coalesce(expr, terms: Terms) -> Scalar:
    parts = [compile_expr(e, terms) for e in expr.arg]

    def coalesce(b: dict) -> int:
        for part in parts:
            try:
                return part(b)
            except ExprError:
                continue
        raise ExprError("COALESCE: every argument is an error")
    return coalesce


def _str_split(after: bool):
    """STRBEFORE / STRAFTER (SPARQL 1.1 §17.4.3.7-8)."""
    def handler(expr, terms: Terms) -> Scalar:
        left, right = compile_expr(expr.arg1, terms), compile_expr(expr.arg2, terms)

        def split(b: dict):
            a, lang_a = terms.string(left(b))
            c, lang_c = terms.string(right(b))
            if lang_c and lang_c != lang_a:
                raise ExprError("incompatible language tags")
            datatype = terms.term(left(b))[2]
            at = a.find(c)
            if at < 0:
                return terms.literal("")  # no match: the empty simple literal
            text = a[at + len(c):] if after else a[:at]
            return terms.literal(text, datatype, lang_a)  # a match keeps the first argument's tag or type
        return split
    return handler


def _concat(expr, terms: Terms) -> Scalar:
    parts = [compile_expr(e, terms) for e in expr.arg]

    def concat(b: dict):
        values = [terms.term(p(b)) for p in parts]
        texts = []
        for v in values:
            if v[0] != LITERAL or v[2] not in (XSD_STRING, RDF_LANG_STRING):
                raise ExprError("CONCAT of a non-string")
            texts.append(v[1])
        languages = {v[3] for v in values}
        datatypes = {v[2] for v in values}
        if len(languages) == 1 and None not in languages:
            return terms.literal("".join(texts), None, languages.pop())
        return terms.literal("".join(texts), XSD_STRING if datatypes == {XSD_STRING} else None)
    return concat


def _date_part(index: int):
    """YEAR / MONTH / DAY of an xsd:dateTime or xsd:date."""
    def handler(expr, terms: Terms) -> Scalar:
        inner = compile_expr(expr.arg, terms)

        def part(b: dict):
            kind, lexical, datatype, _ = terms.term(inner(b))
            if kind != LITERAL or datatype not in (XSD + "dateTime", XSD + "date"):
                raise ExprError("not a date")
            match = _DATE.match(lexical)
            if not match:
                raise ExprError("ill-typed date")
            return terms.literal(str(int(match.group(index))), XSD_INTEGER)
        return part
    return handler


_DATE = re.compile(r"(-?\d{4,})-(\d{2})-(\d{2})")

_HANDLERS: dict[str, Callable[[CompValue, Terms], Scalar]] = {
    "RelationalExpression": _relational,
    "ConditionalAndExpression": _and,
    "ConditionalOrExpression": _or,
    "UnaryNot": _not,
    "UnaryMinus": _unary_minus,
    "UnaryPlus": _unary_plus,
    "AdditiveExpression": _arithmetic,
    "MultiplicativeExpression": _arithmetic,
    "Builtin_STR": _str,
    "Builtin_LCASE": _string_map(str.lower),
    "Builtin_UCASE": _string_map(str.upper),
    "Builtin_STRLEN": _strlen,
    "Builtin_CONTAINS": _string_test(lambda a, c: c in a),
    "Builtin_STRSTARTS": _string_test(str.startswith),
    "Builtin_STRENDS": _string_test(str.endswith),
    "Builtin_REGEX": _regex,
    "Builtin_isIRI": _kind_test(IRI),
    "Builtin_isBLANK": _kind_test(BNODE),
    "Builtin_isLITERAL": _kind_test(LITERAL),
    "Builtin_isNUMERIC": _is_numeric,
    "Builtin_BOUND": _bound,
    "Builtin_LANG": _lang,
    "Builtin_DATATYPE": _datatype,
    "Builtin_LANGMATCHES": _langmatches,
    "Builtin_sameTerm": _same_term,
    "Builtin_IF": _if,
    "Builtin_COALESCE": _coalesce,
    "Builtin_STRBEFORE": _str_split(after=False),
    "Builtin_STRAFTER": _str_split(after=True),
    "Builtin_CONCAT": _concat,
    "Builtin_YEAR": _date_part(1),
    "Builtin_MONTH": _date_part(2),
    "Builtin_DAY": _date_part(3),
}
# isURI is isIRI (rdflib names both)
_HANDLERS["Builtin_isURI"] = _HANDLERS["Builtin_isIRI"]
__all__ = ["NUMERIC_DATATYPES", "RDF_LANG_STRING", "Unsupported", "compile_expr", "evaluate_column", "variables_of"]
