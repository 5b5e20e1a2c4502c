"""Precision of the SDG links against a hand-judged set (data/curated/sdg-gold.csv).

Each gold row is one candidate link (subject path, target code) judged ``correct`` or
``incorrect`` from the report text, with a reason. Precision counts only produced links
that are judged; coverage says how many produced links that is. Links are counted once
per method that produced them, so per-method precision is what each method alone would
have achieved on the judged links. ``automatic`` is the output before the curated file
(no vetoes, no adds): the method's own precision, which vetoes would otherwise flatter.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from neaspec_kg.curated import Curated, CuratedDataError, read_table
from neaspec_kg.sdg.link import METHODS, Linking, SdgLink

GOLD_FILE = Path("curated") / "sdg-gold.csv"


@dataclass(frozen=True)
class Score:
    judged: int
    correct: int
    produced: int

    @property
    def precision(self) -> float | None:
        return self.correct / self.judged if self.judged else None

    @property
    def coverage(self) -> float | None:
        return self.judged / self.produced if self.produced else None

    def __str__(self) -> str:
        p = "n/a" if self.precision is None else f"{self.precision:.3f}"
        return f"precision {p} ({self.correct}/{self.judged} judged; {self.produced} produced)"


@dataclass(frozen=True)
class Evaluation:
    overall: Score  # the published links (after vetoes and adds)
    automatic: Score  # term rules + measure mapping + lexical similarity, before curation
    by_method: dict[str, Score]  # published links, per method
    automatic_by_method: dict[str, Score]
    gold_size: int
    unjudged: tuple[tuple[str, str], ...]  # produced links without a judgement


def load_gold(curated: Curated) -> dict[tuple[str, str], bool]:
    path = curated.data_dir / GOLD_FILE
    gold: dict[tuple[str, str], bool] = {}
    for row in read_table(path, "", ("subject", "target", "judgement", "reason", "judged_by")):
        where = f"{path}, line {row['_line']}"
        if row["judgement"] not in ("correct", "incorrect"):
            raise CuratedDataError(f"{where}: judgement must be 'correct' or 'incorrect'")
        if not row["reason"]:
            raise CuratedDataError(f"{where}: every judgement needs a reason")
        key = (row["subject"], row["target"])
        if key in gold:
            raise CuratedDataError(f"{where}: {key} judged twice")
        gold[key] = row["judgement"] == "correct"
    return gold


def score(links: list[SdgLink], gold: dict[tuple[str, str], bool]) -> Score:
    judged = [gold[l.key] for l in links if l.key in gold]
    return Score(judged=len(judged), correct=sum(judged), produced=len(links))


def _per_method(links: list[SdgLink], gold: dict[tuple[str, str], bool]) -> dict[str, Score]:
    return {m: score([l for l in links if m in l.methods], gold) for m in METHODS}


def automatic_links(linking: Linking) -> list[SdgLink]:
    """Links as the automatic methods made them: vetoed ones back in, curated evidence out."""
    out = []
    for link in [*linking.links, *(v.link for v in linking.vetoed)]:
        evidence = tuple(e for e in link.evidence if e.method != "curated")
        if evidence:
            out.append(SdgLink(link.subject, link.target, link.score, evidence))
    return out


def evaluate(linking: Linking, gold: dict[tuple[str, str], bool]) -> Evaluation:
    published = list(linking.links)
    automatic = automatic_links(linking)
    return Evaluation(
        overall=score(published, gold),
        automatic=score(automatic, gold),
        by_method=_per_method(published, gold),
        automatic_by_method=_per_method(automatic, gold),
        gold_size=len(gold),
        unjudged=tuple(sorted(l.key for l in published if l.key not in gold)),
    )


def format_evaluation(ev: Evaluation) -> str:
    lines = [f"gold set: {ev.gold_size} judged candidate links",
             f"published links: {ev.overall}",
             f"automatic methods, before curation: {ev.automatic}"]
    for method in METHODS:
        lines.append(f"  {method}: published {ev.by_method[method]}; automatic {ev.automatic_by_method[method]}")
    if ev.unjudged:
        lines.append(f"unjudged produced links: {len(ev.unjudged)}")
    return "\n".join(lines)
