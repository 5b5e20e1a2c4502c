"""The reader's language: which one a browser asks for (Accept-Language), and the names of States
and countries in it. The pages' own words are English; a name the sources give in the reader's
language replaces the English one, marked with its language, and English is the fallback."""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass, replace

from neaspec_kg.pages.model import Link, local, query_text, value
from neaspec_kg.select import Select

PAGE_LANGUAGE = "en"  # the language of the pages' headings and of the reports they quote


def preferred_language(header: str | None, offered: frozenset[str] = frozenset({PAGE_LANGUAGE})) -> str:
    """The primary subtag of the offered language the client prefers ("zh-CN;q=0.9" -> "zh"): its
    tags are tried from the highest q down, as RFC 4647's lookup does, and English is the fallback,
    so ``Content-Language`` never names a language the page has nothing in."""
    ranked = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if q > 0:
            ranked.append((-q, position, tag.split("-")[0].strip().lower()))
    for _, _, primary in sorted(ranked):
        if primary in offered:
            return primary
    return PAGE_LANGUAGE


def name_languages(select: Select) -> frozenset[str]:
    """English, and the languages the sources name States and countries in."""
    rows = select(query_text("languages"))
    return frozenset({PAGE_LANGUAGE} | {value(row["lang"]).split("-")[0] for row in rows if row["lang"] is not None})


@dataclass(frozen=True)
class Names:
    """The names in ``lang`` of the things that have one: by page path and by English name."""
    lang: str
    by_href: dict[str, str]
    by_english: dict[str, str]

    def __bool__(self) -> bool:
        return bool(self.by_href)


def names_in(select: Select, lang: str) -> Names:
    """The names of States and countries in ``lang`` (none for English or an unknown language)."""
    if lang == PAGE_LANGUAGE or not (lang.isascii() and lang.isalpha()):
        return Names(lang, {}, {})
    by_href, by_english = {}, {}
    for row in select(query_text("names").replace("$LANG", lang)):
        thing, english, label = (value(row[k]) for k in ("thing", "en", "label"))
        by_href.setdefault(local(thing), label)
        by_english.setdefault(english, label)
    return Names(lang, by_href, by_english)


def translated(data, names: Names):
    """``data`` (page dataclasses, lists, tuples, dicts) with every Link to a thing that has a
    name in ``names.lang`` carrying that name and its language."""
    if not names:
        return data
    if isinstance(data, Link):
        name = names.by_href.get(data.href)
        return replace(data, label=name, lang=names.lang) if name else data
    if is_dataclass(data) and not isinstance(data, type):
        return replace(data, **{f.name: translated(getattr(data, f.name), names) for f in fields(data) if f.init})
    if isinstance(data, list):
        return [translated(item, names) for item in data]
    if isinstance(data, tuple):
        return tuple(translated(item, names) for item in data)
    if isinstance(data, dict):
        return {key: translated(item, names) for key, item in data.items()}
    return data
