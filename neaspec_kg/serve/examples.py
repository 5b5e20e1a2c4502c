"""Example queries for the query page and the home page: ``queries/*.rq``, each starting
with ``# title: ...`` and ``# description: ...`` comment lines."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import takewhile
from pathlib import Path

from neaspec_kg.namespaces import rebase


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
        meta = {}
        head = takewhile(lambda line: not line.strip() or line.strip().startswith("#"), text.splitlines())
        for line in head:  # the comment lines before the query
            key, sep, value = line.strip().lstrip("#").partition(":")
            if sep and key.strip().lower() in ("title", "description"):
                meta[key.strip().lower()] = value.strip()
        title = meta.get("title") or path.stem.replace("-", " ").replace("_", " ")
        examples.append(Example(path.stem, title, meta.get("description", ""), text))
    return examples
