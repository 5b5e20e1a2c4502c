"""What a build says while it runs and when it is done: a progress display (rich on a terminal,
plain lines otherwise) and the summary printed by ``neaspec-kg build``."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from neaspec_kg.build import BuildResult


def format_summary(result: BuildResult) -> str:
    lines = [f"build {result.release}: {result.triples:,} triples in {result.seconds:.1f} s -> {result.folder}"]
    lines.append("triples per named graph:")
    lines += [f"  {count:>8,}  {graph}" for graph, count in result.graphs.items()]
    lines.append("entities per class (project and reused classes):")
    lines += [f"  {count:>8,}  {cls}" for cls, count in sorted(result.classes.items(), key=lambda kv: -kv[1])
              if not cls.startswith("http://www.w3.org/ns/oa#")]
    for graph, numbers in result.paragraphs_with_facts.items():
        lines.append(f"paragraphs with at least one extracted fact in {graph}: {len(numbers)}")
    for key, s in result.sdg_evaluation.items():
        lines.append(f"SDG links, {key}: {s['produced']} made, {s['judged']} judged by hand, precision {s['precision']}")
    lines.append(f"data-quality warnings: {len(result.warnings)}")
    lines += [f"  - {w}" for w in result.warnings]
    return "\n".join(lines)


def reuse_text(extracted_before: bool, validated_before: bool) -> str:
    if extracted_before and validated_before:
        return "unchanged, reused"
    if extracted_before:
        return "unchanged, extraction reused; validated again"
    return "extracted and validated"


class Progress:
    """A progress display on a terminal (rich), plain lines otherwise."""

    def __init__(self, enabled: bool, say: Callable[[str], None]):
        self.say, self.enabled = say, enabled
        self._status = None
        if enabled and sys.stderr.isatty():
            from rich.console import Console

            self._status = Console(stderr=True).status("starting")
            self._status.start()
        self._t = time.perf_counter()

    def start(self, step: str) -> None:
        if self._status is not None:
            self._status.update(step + " ...")
        elif self.enabled:
            self.say(f"[{time.perf_counter() - self._t:6.1f}s] {step} ...")

    def note(self, text: str) -> None:
        """A line that stays (a terminal's status line moves on)."""
        if self._status is not None:
            self._status.console.print(text, highlight=False)
        elif self.enabled:
            self.say(text)

    def stop(self) -> None:
        if self._status is not None:
            self._status.stop()
