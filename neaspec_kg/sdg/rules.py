"""The curated inputs of the SDG linker (``sdg.link``), read and checked: term rules
(``data/curated/sdg-rules.csv``, each with a reason and a source) and links added or vetoed
by hand (``data/curated/sdg-links-curated.csv``, each with a reason and who judged it).
A bad row stops the build with the file and line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef

from neaspec_kg.curated import Curated, CuratedDataError, read_table, split_list
from neaspec_kg.namespaces import ID
from neaspec_kg.sdg.kos import GOAL_OR_TARGET_RE, sdg_code

RULES_FILE = Path("curated") / "sdg-rules.csv"
CURATED_LINKS_FILE = Path("curated") / "sdg-links-curated.csv"
KINDS = ("programme-area", "mechanism", "project", "decision", "statement", "commitment", "progress")


def subject_path(iri: URIRef) -> str:
    """``https://w3id.org/neaspec/id/project/x`` -> ``project/x`` (how curated files name subjects)."""
    text = str(iri)
    return text.removeprefix(str(ID))


@dataclass(frozen=True)
class Rule:
    key: str
    pattern: re.Pattern[str]
    target: str
    kinds: frozenset[str]
    reason: str
    line: int

    def applies_to(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


@dataclass(frozen=True)
class CuratedLink:
    subject: str  # IRI path below id/ ("project/x") or a full IRI
    target: str
    action: str  # add | veto
    reason: str
    judged_by: str
    line: int

    @property
    def ref(self) -> str:
        return f"data/{CURATED_LINKS_FILE.as_posix()}#L{self.line}"


def load_rules(curated: Curated) -> list[Rule]:
    path = curated.data_dir / RULES_FILE
    rows = read_table(path, "key", ("pattern", "case_sensitive", "target", "kinds", "reason", "source"))
    rules = []
    for row in rows:
        where = f"{path}, line {row['_line']}"
        _check_target(row["target"], curated, where)
        kinds = frozenset(split_list(row["kinds"]))
        if kinds - set(KINDS):
            raise CuratedDataError(f"{where}: unknown kind(s) {sorted(kinds - set(KINDS))}; use {', '.join(KINDS)}")
        if not row["reason"] or not row["source"]:
            raise CuratedDataError(f"{where}: every rule needs a reason and a source")
        flags = 0 if row["case_sensitive"] == "yes" else re.IGNORECASE
        try:
            # Whole words only: "GHG" must not fire inside "GHGs-free", "MPA" inside "MPAs" is
            # covered by the pattern itself.
            pattern = re.compile(rf"(?<![\w-])(?:{row['pattern']})(?![\w-])", flags)
        except re.error as exc:
            raise CuratedDataError(f"{where}: bad pattern ({exc})") from exc
        rules.append(Rule(row["key"], pattern, row["target"], kinds, row["reason"], int(row["_line"])))
    return rules


def load_curated_links(curated: Curated) -> list[CuratedLink]:
    path = curated.data_dir / CURATED_LINKS_FILE
    rows = read_table(path, "", ("subject", "target", "action", "reason", "judged_by"))
    out = []
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        where = f"{path}, line {row['_line']}"
        target = _target_code(row["target"])
        _check_target(target, curated, where)
        if row["action"] not in ("add", "veto"):
            raise CuratedDataError(f"{where}: action must be 'add' or 'veto', not {row['action']!r}")
        if not row["reason"] or not row["judged_by"]:
            raise CuratedDataError(f"{where}: every curated link needs a reason and judged_by")
        subject = subject_path(URIRef(row["subject"]))
        if (subject, target) in seen:
            raise CuratedDataError(f"{where}: {subject} -> {target} already on line {seen[(subject, target)]}")
        seen[(subject, target)] = int(row["_line"])
        out.append(CuratedLink(subject, target, row["action"], row["reason"], row["judged_by"], int(row["_line"])))
    return out


def _target_code(cell: str) -> str:
    """A code ("13.2") or an SDG IRI (http or https) -> the code."""
    return sdg_code(cell) if "://" in cell else cell


def _check_target(code: str, curated: Curated, where: str) -> None:
    known = curated.by_key("sdg")
    if not GOAL_OR_TARGET_RE.match(code) or code not in known or known[code]["kind"] not in ("goal", "target"):
        raise CuratedDataError(f"{where}: {code!r} is not an SDG goal or target in data/vocab/sdg.csv")


def target_texts(curated: Curated) -> dict[str, str]:
    """Official English texts of the 169 targets, from data/vocab/sdg.csv (UN KOS prefLabels)."""
    return {row["code"]: row["title_en"] for row in curated.rows("sdg") if row["kind"] == "target"}
