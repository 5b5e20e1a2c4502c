"""Example queries for the query page and the home page: ``queries/*.rq``, each starting
with ``# title: ...`` and ``# description: ...`` comment lines."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from neaspec_kg.namespaces import rebase
from neaspec_kg.query_files import query_headers


@dataclass(frozen=True)
class Example:
    name: str  # the file stem, used in URLs (/query?example=name)
    title: str
    description: str
    query: str


def load_examples(folder: Path) -> list[Example]:
    examples = []
    for path in sorted(folder.glob("*.rq")):  # none when the folder is missing
        text = rebase(path.read_text(encoding="utf-8"))
        meta = query_headers(text)
        title = meta.get("title") or path.stem.replace("-", " ").replace("_", " ")
        examples.append(Example(path.stem, title, meta.get("description", ""), text))
    return examples
