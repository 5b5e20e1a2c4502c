"""Report texts for the build benchmark, made from the SOM-27 text (data/reports/som27-report.txt).

* ``session_copy(text, n, seed)``: the report as if of session ``n`` (its ordinal, its number and
  the next session's), with the elected officers' names varied by ``seed``. Dates stay: the
  events a report names (the 4th International Forum on Low Carbon Cities ...) are one node
  across reports, and shifted dates would contradict each other;
* ``long_report(text, paragraphs)``: one report of ``paragraphs`` numbered paragraphs, the
  proceedings (paragraphs 16-62) repeated and renumbered in one sequence.
"""

from __future__ import annotations

import random
import re

_UNITS = ["", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]
_TEENS = {10: "tenth", 11: "eleventh", 12: "twelfth", 13: "thirteenth", 14: "fourteenth", 15: "fifteenth",
          16: "sixteenth", 17: "seventeenth", 18: "eighteenth", 19: "nineteenth"}
_TENS = {2: ("twentieth", "twenty"), 3: ("thirtieth", "thirty"), 4: ("fortieth", "forty"), 5: ("fiftieth", "fifty")}


def ordinal_word(n: int) -> str:
    """1 -> 'first', 27 -> 'twenty-seventh' (up to 59)."""
    if n < 10:
        return _UNITS[n]
    if n < 20:
        return _TEENS[n]
    whole, prefix = _TENS[n // 10]
    return whole if n % 10 == 0 else f"{prefix}-{_UNITS[n % 10]}"


def _suffix(n: int) -> str:
    return "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def session_copy(text: str, n: int, seed: int = 0) -> str:
    words = {27: ordinal_word(n), 28: ordinal_word(n + 1)}
    for old, new in ((28, words[28]), (27, words[27])):
        old_word = ordinal_word(old)
        text = _replace_cased(text, old_word, new)
        text = re.sub(rf"\bSOM-{old}\b", f"SOM-{n + old - 27}", text)
        text = re.sub(rf"\b{old}th\b", f"{n + old - 27}{_suffix(n + old - 27)}", text)
        text = text.replace(f"SOM({old})", f"SOM({n + old - 27})")
    rng = random.Random(seed * 1000 + n)
    names = ["ZHOU Jun", "CHO Gye Yeon", "TSOGZOLMAA Nanjaa"]
    pool = ["KIM Minseo", "SATO Yumi", "BATBOLD Dorj", "WANG Lei", "LI Na", "PARK Jiwoo", "IVANOV Petr"]
    for name in names:
        text = text.replace(name, rng.choice(pool))
    return text


def _replace_cased(text: str, old: str, new: str) -> str:
    for a, b in ((old.upper(), new.upper()), (old.capitalize(), new.capitalize()), (old.title(), new.title()), (old, new)):
        text = text.replace(a, b)
    return text


def long_report(text: str, paragraphs: int = 1000) -> str:
    """SOM-27 with the discussions of its agenda items 5-7 (paragraphs 22-62, under their
    sub-headings) repeated and renumbered until the report has ``paragraphs`` numbered paragraphs."""
    start = text.index("\nAgenda item 5 (a) Air Pollution")
    end = text.index("\nG. Venue, date")
    head, body, tail = text[:start], text[start:end], text[end:]
    counter = 21
    closing = 3  # the paragraphs of sections G-I

    def renumber(m: re.Match[str]) -> str:
        nonlocal counter
        counter += 1
        return f"\n{counter}. "

    parts = [head]
    per_copy = len(re.findall(r"\n\d{1,3}\. (?=[A-Z])", body))
    for _ in range(max(1, (paragraphs - counter - closing) // per_copy)):
        parts.append(re.sub(r"\n\d{1,3}\. (?=[A-Z])", renumber, body))
    filler = []
    while counter < paragraphs - closing:
        counter += 1
        filler.append(f"\n{counter}. The Meeting noted the progress reported on the work programme.\n")
    return "".join(parts) + "".join(filler) + re.sub(r"\n6[345]\. ", renumber, tail)
