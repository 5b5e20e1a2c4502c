"""CSV tables for people who do not use SPARQL, each the answer of one named query.

``queries/table-{name}.rq`` gives ``tables/{name}.csv``: the columns are the query's
variables, the cells the lexical values, so the table and the graph cannot disagree. A
Frictionless ``datapackage.json`` describes every column with a type read off the
datatypes of its values.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

from neaspec_kg.namespaces import rebase
from neaspec_kg.publish import names
from neaspec_kg.query_files import query_headers

TABLE_QUERY_GLOB = "table-*.rq"
URI_COLUMNS = ("iri", "source", "unit_code")  # IRIs the queries turn into strings with STR()
XSD = "http://www.w3.org/2001/XMLSchema#"
# Frictionless Table Schema types for the XSD datatypes the tables carry.
FIELD_TYPES = {
    XSD + "integer": "integer", XSD + "int": "integer", XSD + "nonNegativeInteger": "integer",
    XSD + "positiveInteger": "integer", XSD + "decimal": "number", XSD + "double": "number",
    XSD + "float": "number", XSD + "date": "date", XSD + "dateTime": "datetime",
    XSD + "gYear": "year", XSD + "boolean": "boolean",
}


@dataclass(frozen=True)
class Table:
    name: str
    path: str  # relative to the release folder
    title: str
    description: str
    query_file: str
    columns: list[str]
    types: dict[str, str]
    formats: dict[str, str]
    rows: int
    data: bytes


def merged_store(nquads: Path) -> pyoxigraph.Store:
    """All named graphs merged into the default graph of an in-memory store.

    The tables ask about the merge of the graphs (a triple stated in two graphs is one
    fact). Querying the on-disk store with the union default graph instead returns a
    statement once per graph, and a join over such duplicates took minutes.
    """
    store = pyoxigraph.Store()
    store.extend(pyoxigraph.Quad(q.subject, q.predicate, q.object)
                 for q in pyoxigraph.parse(path=str(nquads), format=pyoxigraph.RdfFormat.N_QUADS))
    return store


def table_queries(queries_dir: Path) -> list[Path]:
    return sorted(queries_dir.glob(TABLE_QUERY_GLOB))


def run_table(store: pyoxigraph.Store, query_file: Path) -> Table:
    text = rebase(query_file.read_text(encoding="utf-8"))
    title, description = _headers(text, query_file)
    solutions = store.query(text)
    if not isinstance(solutions, pyoxigraph.QuerySolutions):
        raise ValueError(f"{query_file.name}: a table query must be a SELECT query")  # noqa: TRY004 (a data error)
    columns = [v.value for v in solutions.variables]
    kinds: dict[str, set[str]] = {c: set() for c in columns}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180
    writer.writerow(columns)
    count = 0
    for solution in solutions:
        row = []
        for column in columns:
            term = solution[column]
            row.append("" if term is None else term.value)
            if term is not None:
                kinds[column].add(_kind(term))
        writer.writerow(row)
        count += 1
    name = query_file.stem.removeprefix("table-")
    types = {c: _field_type(kinds[c]) for c in columns}
    formats = {c: "uri" for c in columns if kinds[c] == {"iri"} or c in URI_COLUMNS}
    return Table(name, f"{names.TABLES}/{name}.csv", title, description, query_file.name, columns, types, formats,
                 count, buffer.getvalue().encode("utf-8"))


def write_tables(store: pyoxigraph.Store, queries_dir: Path, folder: Path, licence: dict) -> list[Table]:
    """Write every table and the datapackage.json that describes them."""
    tables = [run_table(store, q) for q in table_queries(queries_dir)]
    (folder / names.TABLES).mkdir(parents=True, exist_ok=True)
    (folder / names.TABLES / "queries").mkdir(exist_ok=True)
    for table, query in zip(tables, table_queries(queries_dir)):
        (folder / table.path).write_bytes(table.data)
        # the query beside its answer, so the package says how each table was made
        (folder / names.TABLES / "queries" / query.name).write_text(rebase(query.read_text(encoding="utf-8")),
                                                                     encoding="utf-8")
    package = datapackage(tables, licence)
    (folder / names.DATAPACKAGE).write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return tables


def datapackage(tables: list[Table], licence: dict) -> dict:
    """A Frictionless Data Package (v1) descriptor; paths relative to ``tables/``."""
    return {
        "profile": "tabular-data-package",
        "name": "neaspec-kg-tables",
        "title": "NEASPEC knowledge graph: tables",
        "description": "Tables derived from the NEASPEC knowledge graph, each the answer of a named SPARQL query "
                       "(queries/table-*.rq) over the same release.",
        "licenses": [licence],
        "resources": [
            {
                "profile": "tabular-data-resource",
                "name": t.name,
                "path": f"{t.name}.csv",
                "title": t.title,
                "description": t.description,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": len(t.data),
                "hash": "sha256:" + hashlib.sha256(t.data).hexdigest(),
                "sources": [{"title": f"SPARQL query {t.query_file}", "path": f"queries/{t.query_file}"}],
                "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
                "schema": {"fields": [_field(t, c) for c in t.columns]},
            }
            for t in tables
        ],
    }


def _field(table: Table, column: str) -> dict:
    field = {"name": column, "type": table.types[column]}
    if column in table.formats:
        field["format"] = table.formats[column]
    return field


def _kind(term) -> str:
    if isinstance(term, pyoxigraph.NamedNode):
        return "iri"
    if isinstance(term, pyoxigraph.BlankNode):
        return "blank"
    if term.language:
        return "string"
    return FIELD_TYPES.get(term.datatype.value, "string")


def _field_type(kinds: set[str]) -> str:
    kinds = {"string" if k in ("iri", "blank") else k for k in kinds}
    if len(kinds) == 1:
        return next(iter(kinds))
    if kinds == {"integer", "number"}:
        return "number"
    return "string"


def _headers(text: str, path: Path) -> tuple[str, str]:
    meta = query_headers(text)
    if "title" not in meta or "description" not in meta:
        raise ValueError(f"{path.name}: a table query needs '# title:' and '# description:' header lines")
    return meta["title"], meta["description"]
