"""Curated tables in ``data/`` (every row keeps its source) and lookups over them.

Tables are read once into a :class:`Curated` object; extractors use it to turn names
in the report into canonical keys, the RDF stage to mint IRIs and add identifiers.
A malformed table raises :class:`CuratedDataError` naming the file and line.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path


class CuratedDataError(Exception):
    pass


Row = dict[str, str]

# table name -> (path below data/, key column, columns that must be present)
TABLES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "countries": ("vocab/countries.csv", "name", ("iso3166_alpha2", "un_m49", "source")),
    "country_names": ("vocab/country-names.csv", "", ("un_sdg_geoarea_iri", "language", "name", "source")),
    "vocab_organizations": ("vocab/organizations.csv", "name", ("acronym", "wikidata_qid", "source")),
    "vocab_species": ("vocab/species.csv", "scientific_name", ("gbif_taxon_key", "wikidata_qid")),
    "sdg": ("vocab/sdg.csv", "code", ("kind", "iri_un_kos")),
    "meetings": ("curated/meetings.csv", "som_number", ("start_date", "source_url")),
    "country_aliases": ("curated/country-aliases.csv", "", ("country", "alias", "source")),
    "organizations": ("curated/organizations.csv", "key", ("name", "kind", "aliases", "source")),
    "roles": ("curated/roles.csv", "key", ("label", "aliases", "source")),
    # Meeting series (the SOM, the National Focal Points, NEACAP's committee, other bodies' sessions):
    # how a report's title names each, and the body that meets.
    "series": ("curated/series.csv", "key", ("label", "acronym", "body", "organizer", "title_pattern", "numbered",
                                             "subjects", "source")),
    "programme_areas": ("curated/programme-areas.csv", "key", ("label", "kind", "aliases", "source")),
    "decision_verbs": ("curated/decision-verbs.csv", "key", ("label", "forms", "source")),
    "taxa": ("curated/taxa.csv", "key", ("scientific_name", "rank", "vernacular_names", "source")),
    "projects": ("curated/projects.csv", "key", ("title", "aliases", "source")),
    "funds": ("curated/funds.csv", "key", ("label", "aliases", "source")),
    "documents": ("curated/documents.csv", "key", ("title", "kind", "aliases", "source")),
    "measures": ("curated/measures.csv", "key", ("label", "cues", "source")),
    "units": ("curated/units.csv", "key", ("label", "source")),
    "statement_kinds": ("curated/statement-kinds.csv", "key", ("label", "source")),
    "event_kinds": ("curated/event-kinds.csv", "key", ("label", "nouns", "source")),
    "commitment_kinds": ("curated/commitment-kinds.csv", "key", ("label", "source")),
    "memberships": ("curated/memberships.csv", "", ("state", "organization", "source")),
    # Records of past sessions read from public web pages (neaspec_kg.history); every row names
    # its sources (keys of history/sources.csv) and a confidence.
    "confidence": ("curated/history/confidence.csv", "key", ("label", "definition", "source")),
    "source_kinds": ("curated/history/source-kinds.csv", "key", ("label", "definition", "source")),
    "follow_up_outcomes": ("curated/history/follow-up-outcomes.csv", "key", ("label", "definition", "source")),
    "history_sources": ("curated/history/sources.csv", "key", ("url", "title", "publisher", "kind")),
    "history_hosts": ("curated/history/hosts.csv", "som_number",
                      ("host_state", "host_body", "venue", "sources", "confidence")),
    "history_chairs": ("curated/history/chairs.csv", "",
                       ("som_number", "role", "person", "state", "sources", "confidence")),
    "history_attendance": ("curated/history/attendance.csv", "",
                           ("som_number", "state", "status", "sources", "confidence")),
    "history_decisions": ("curated/history/decisions.csv", "",
                          ("som_number", "k", "verb", "actor", "object", "sources", "confidence")),
    "history_documents": ("curated/history/documents.csv", "key", ("title", "kind", "sources")),
    "history_projects": ("curated/history/projects.csv", "key", ("title", "programme_area", "sources")),
    "history_events": ("curated/history/events.csv", "key",
                       ("som_number", "name", "kind", "status", "sources", "confidence")),
    "history_follow_ups": ("curated/history/follow-ups.csv", "key",
                           ("from_som", "from_ref", "to_som", "outcome", "sources", "confidence")),
}


def read_table(path: Path, key_column: str, required: tuple[str, ...]) -> list[Row]:
    """Read a CSV; check required columns, empty and duplicate keys; name file:line on error."""
    if not path.is_file():
        raise CuratedDataError(f"{path}: curated table is missing")
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        missing = [c for c in (key_column, *required) if c and c not in header]
        if missing:
            raise CuratedDataError(f"{path}, line 1: missing column(s) {', '.join(missing)}")
        rows: list[Row] = []
        seen: dict[str, int] = {}
        for row in reader:
            line = reader.line_num
            if None in row:
                raise CuratedDataError(f"{path}, line {line}: more cells than columns (unquoted comma?)")
            clean = {k: (v or "").strip() for k, v in row.items()}
            if key_column:
                key = clean[key_column]
                if not key:
                    raise CuratedDataError(f"{path}, line {line}: empty {key_column}")
                if key in seen:
                    raise CuratedDataError(f"{path}, line {line}: duplicate {key_column} {key!r} (first on line {seen[key]})")
                seen[key] = line
            clean["_line"] = str(line)
            rows.append(clean)
    return rows


def split_list(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


@dataclass(frozen=True)
class Mention:
    key: str
    start: int
    end: int
    text: str


class AliasMatcher:
    """Finds names in text, longest alias first, on word boundaries, without overlaps."""

    def __init__(self, aliases: dict[str, str], *, case_sensitive: bool = True):
        # alias -> key; longer aliases win ("Republic of Korea" before "Korea")
        self._aliases = dict(sorted(aliases.items(), key=lambda kv: -len(kv[0])))
        flags = 0 if case_sensitive else re.IGNORECASE
        alternation = "|".join(re.escape(a) for a in self._aliases)
        self._pattern = re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])", flags) if self._aliases else None
        self._lookup = {(a if case_sensitive else a.lower()): k for a, k in self._aliases.items()}
        self._case_sensitive = case_sensitive

    def find(self, text: str) -> list[Mention]:
        if self._pattern is None:
            return []
        found = []
        for m in self._pattern.finditer(text):
            alias = m.group(0) if self._case_sensitive else m.group(0).lower()
            found.append(Mention(self._lookup[alias], m.start(), m.end(), m.group(0)))
        return found

    def keys_in(self, text: str) -> list[str]:
        """Distinct keys in order of first mention."""
        return list(dict.fromkeys(m.key for m in self.find(text)))


class Curated:
    """All curated tables of one data folder."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.tables: dict[str, list[Row]] = {
            name: read_table(data_dir / rel, key, required) for name, (rel, key, required) in TABLES.items()
        }
        self._check_references()

    def rows(self, table: str) -> list[Row]:
        return self.tables[table]

    def by_key(self, table: str) -> dict[str, Row]:
        key_column = TABLES[table][1]
        return {row[key_column]: row for row in self.tables[table]}

    def source_path(self, table: str) -> Path:
        return self.data_dir / TABLES[table][0]

    # --- lookups --------------------------------------------------------------------
    @cached_property
    def countries(self) -> dict[str, Row]:
        return self.by_key("countries")

    def country_iso2(self, name: str) -> str:
        return self.countries[name]["iso3166_alpha2"]

    @cached_property
    def country_matcher(self) -> AliasMatcher:
        aliases = {name: name for name in self.countries}
        aliases.update({row["alias"]: row["country"] for row in self.rows("country_aliases")})
        return AliasMatcher(aliases)

    def _matcher(self, table: str, *columns: str, case_sensitive: bool = True) -> AliasMatcher:
        key_column = TABLES[table][1]
        aliases: dict[str, str] = {}
        for row in self.rows(table):
            for column in columns:
                for alias in split_list(row[column]):
                    aliases[alias] = row[key_column]
        return AliasMatcher(aliases, case_sensitive=case_sensitive)

    @cached_property
    def organization_matcher(self) -> AliasMatcher:
        return self._matcher("organizations", "aliases", "name")

    @cached_property
    def taxon_matcher(self) -> AliasMatcher:
        return self._matcher("taxa", "vernacular_names", "scientific_name", case_sensitive=False)

    @cached_property
    def project_matcher(self) -> AliasMatcher:
        return self._matcher("projects", "title", "aliases")

    @cached_property
    def document_matcher(self) -> AliasMatcher:
        return self._matcher("documents", "title", "aliases")

    @cached_property
    def programme_area_matcher(self) -> AliasMatcher:
        return self._matcher("programme_areas", "label", "aliases")

    def vocab_species_row(self, taxon_key: str) -> Row | None:
        """The identifiers row of data/vocab/species.csv for a curated taxon, if any."""
        wanted = self.by_key("taxa")[taxon_key]["vocab_scientific_name"]
        for row in self.rows("vocab_species"):
            if wanted and (row["scientific_name"] == wanted or row["scientific_name"].startswith(wanted + " ")):
                return row
        return None

    def vocab_organization_row(self, org_key: str) -> Row | None:
        acronym = self.by_key("organizations")[org_key]["acronym"]
        for row in self.rows("vocab_organizations"):
            if acronym and row["acronym"] == acronym:
                return row
        return None

    def _check_references(self) -> None:
        """Cross-table references must resolve; a dangling one names the file and line."""
        checks = [
            ("country_aliases", "country", set(self.by_key("countries"))),
            ("memberships", "state", set(self.by_key("countries"))),
            ("memberships", "organization", set(self.by_key("organizations"))),
            ("organizations", "parent", set(self.by_key("organizations"))),
            ("programme_areas", "mechanism", set(self.by_key("organizations"))),
            ("series", "body", set(self.by_key("organizations"))),
            ("series", "organizer", set(self.by_key("organizations"))),
            ("taxa", "parent", set(self.by_key("taxa"))),
            ("projects", "programme_area", set(self.by_key("programme_areas"))),
            ("documents", "programme_area", set(self.by_key("programme_areas"))),
        ]
        for table, column, allowed in checks:
            for row in self.rows(table):
                value = row.get(column, "")
                if value and value not in allowed:
                    raise CuratedDataError(
                        f"{self.source_path(table)}, line {row['_line']}: {column} {value!r} is not a known key"
                    )
