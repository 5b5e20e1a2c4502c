"""Example queries for the query page and the home page: ``queries/*.rq``, each starting
with ``# title: ...`` and ``# description: ...`` comment lines."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from neaspec_kg.namespaces import rebase


@dataclass(frozen=True)
class Example:
    name: str  # the file stem, used in URLs (/query?example=name)
    title: str
    description: str
    query: str


def load_examples(folder: Path) -> list[Example]:
    if not folder.is_dir():
        return []
    examples = []
    for path in sorted(folder.glob("*.rq")):
        text = rebase(path.read_text(encoding="utf-8"))
        meta = {}
        for line in text.splitlines():
            stripped = line.strip()
            if not stripped.startswith("#"):
                if stripped:
                    break
                continue
            key, sep, value = stripped.lstrip("#").strip().partition(":")
            if sep and key.strip().lower() in ("title", "description"):
                meta[key.strip().lower()] = value.strip()
        examples.append(
            Example(path.stem, meta.get("title") or path.stem.replace("-", " ").replace("_", " "), meta.get("description", ""), text)
        )
    return examples
