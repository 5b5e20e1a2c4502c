"""English ordinals as printed in UN report titles: "Twenty-seventh", "28th", "TWENTY-SIXTH"."""

from __future__ import annotations

import re

_UNITS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19,
}
_TENS_ORDINAL = {"twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "sixtieth": 60,
                 "seventieth": 70, "eightieth": 80, "ninetieth": 90}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}

# Compound ordinals first, so that "Ninety-ninth" is never read as its last part "ninth".
ORDINAL_PATTERN = (
    r"(?<![\w-])(?:\d{1,3}(?:st|nd|rd|th)"
    r"|(?:" + "|".join(_TENS) + r")[- ](?:" + "|".join(_UNITS) + r")"
    r"|" + "|".join(list(_TENS_ORDINAL) + list(_UNITS)) + r")(?![\w-])"
)


def ordinal_value(word: str) -> int | None:
    """``'Twenty-seventh'`` -> 27, ``'4th'`` -> 4, ``'Second'`` -> 2; None if not an ordinal."""
    w = word.strip().lower()
    m = re.fullmatch(r"(\d{1,3})(st|nd|rd|th)", w)
    if m:
        return int(m.group(1))
    if w in _UNITS:
        return _UNITS[w]
    if w in _TENS_ORDINAL:
        return _TENS_ORDINAL[w]
    m = re.fullmatch(r"(" + "|".join(_TENS) + r")[- ](\w+)", w)
    if m and m.group(2) in _UNITS and _UNITS[m.group(2)] < 10:
        return _TENS[m.group(1)] + _UNITS[m.group(2)]
    return None


def session_ordinals(text: str) -> list[tuple[int, int, int]]:
    """Session numbers named as '<ordinal> Senior Officials Meeting' or 'SOM-<n>': (n, start, end)."""
    found = []
    for m in re.finditer(rf"\b({ORDINAL_PATTERN})\s+(?:Session\s+of\s+the\s+)?Senior\s+Officials\s+Meeting", text, re.IGNORECASE):
        value = ordinal_value(m.group(1))
        if value is not None:
            found.append((value, m.start(), m.end()))
    for m in re.finditer(r"\bSOM[- ](\d{1,3})\b", text):
        found.append((int(m.group(1)), m.start(), m.end()))
    return sorted(found, key=lambda t: t[1])


def roman(value: int) -> str:
    """4 -> 'IV': the numeral of a chapter printed without one."""
    numerals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for amount, numeral in numerals:
        while value >= amount:
            out, value = out + numeral, value - amount
    return out
