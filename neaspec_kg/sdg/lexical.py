"""Lexical similarity between a text and the official SDG target texts (plain TF-IDF).

Why this and not embeddings: it is deterministic, explainable (the shared terms are the
evidence) and needs no model. The corpus is the English text of the 169 targets; a
subject text is split into sentences and its score for a target is the best cosine over
its sentences, because report paragraphs cover several topics and a whole-paragraph
vector dilutes each of them.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

_STOPWORDS_FILE = Path(__file__).with_name("stopwords.txt")
_WORD_RE = re.compile(r"[a-z][a-z0-9]*(?:[-‑][a-z0-9]+)*")
# Sentence ends: ". " before a capital or a quote; keeps "e.g. x" and "13.3%" intact.
_SENTENCE_RE = re.compile(r"(?<=[.;!?])\s+(?=[A-Z“\"(])")


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    words: set[str] = set()
    for line in _STOPWORDS_FILE.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            words.update(line.split())
    return frozenset(words)


def stem(word: str) -> str:
    """A small suffix stripper (not Porter): enough to join 'forests'/'forest',
    'emissions'/'emission', 'reducing'/'reduce', 'protected'/'protect'."""
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4 and not word.endswith("ss"):
            return word[: -len(suffix)] + keep
    return word


def terms(text: str) -> list[str]:
    """Content-word stems of a text, in order (hyphen variants unified)."""
    out = []
    for word in _WORD_RE.findall(text.lower().replace("‑", "-")):
        if word in stopwords() or len(word) < 3:
            continue
        out.append(stem(word))
    return out


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_RE.split(" ".join(text.split())) if s.strip()]


@dataclass(frozen=True)
class Match:
    code: str
    score: float  # cosine in [0, 1]
    shared: tuple[str, ...]  # shared stems, heaviest first
    sentence: str  # the sentence of the subject text that scored best


class TargetIndex:
    """TF-IDF vectors of the official goal/target texts (English prefLabels)."""

    def __init__(self, texts: dict[str, str]):
        self.codes = sorted(texts)  # deterministic order; ties broken by code
        docs = {code: Counter(terms(texts[code])) for code in self.codes}
        df: Counter[str] = Counter()
        for counts in docs.values():
            df.update(counts.keys())
        n = len(docs)
        # Smoothed idf; a term absent from every target gets no weight (cannot be shared).
        self.idf = {t: math.log((1 + n) / (1 + d)) + 1.0 for t, d in df.items()}
        self.vectors = {code: self._weigh(counts) for code, counts in docs.items()}

    def _weigh(self, counts: Counter[str]) -> dict[str, float]:
        vec = {t: (1 + math.log(c)) * self.idf[t] for t, c in counts.items() if t in self.idf}
        norm = math.sqrt(sum(w * w for w in vec.values()))
        return {t: w / norm for t, w in vec.items()} if norm else {}

    def score(self, text: str, code: str) -> Match:
        """Best sentence of ``text`` against one target."""
        best = Match(code, 0.0, (), "")
        for sentence in sentences(text):
            match = self._match(self._query(sentence), sentence, code)
            if (match.score, -len(match.sentence)) > (best.score, -len(best.sentence)):
                best = match
        return best

    def best_matches(self, text: str, *, threshold: float, min_shared: int) -> list[Match]:
        """Targets whose best sentence reaches ``threshold`` with ``min_shared`` shared terms.

        Each sentence is weighed once, and only the targets sharing a term with it are scored
        (the others score 0): linear in the length of the text."""
        found: dict[str, Match] = {}
        for sentence in sentences(text):
            query = self._query(sentence)
            codes = self.codes if threshold <= 0 and min_shared <= 0 else self._sharing(query)
            for code in codes:
                match = self._match(query, sentence, code)
                if match.score < threshold or len(match.shared) < min_shared:
                    continue
                if code not in found or match.score > found[code].score:
                    found[code] = match
        return sorted(found.values(), key=lambda m: (-m.score, m.code))

    @cached_property
    def _postings(self) -> dict[str, tuple[str, ...]]:
        """Term -> the targets whose vector has it."""
        postings: dict[str, list[str]] = {}
        for code in self.codes:
            for term in self.vectors[code]:
                postings.setdefault(term, []).append(code)
        return {term: tuple(codes) for term, codes in postings.items()}

    def _sharing(self, query: dict[str, float]) -> list[str]:
        codes = {code for term in query for code in self._postings.get(term, ())}
        return sorted(codes)

    def _query(self, sentence: str) -> dict[str, float]:
        return self._weigh(Counter(terms(sentence)))

    def _match(self, query: dict[str, float], sentence: str, code: str) -> Match:
        target = self.vectors[code]
        shared = {t: query[t] * target[t] for t in query.keys() & target.keys()}
        score = min(1.0, sum(shared.values()))
        ranked = tuple(t for t, _ in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0])))
        return Match(code, score, ranked, sentence)
