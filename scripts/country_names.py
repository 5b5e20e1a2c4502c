"""Write data/vocab/country-names.csv: the UN's names of the member States (data/vocab/countries.csv)
in the six UN languages, read from the UN SDG KOS code lists (sdg-codes.ttl, skos:prefLabel of each
geoArea). Run again when either file changes:

    .venv/bin/python scripts/country_names.py /work/shared/vocab/un-sdg-kos/sdg-codes.ttl
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "UNStats/LOD4Stats@0ae578b:sdg-data/sdg-codes.ttl (skos:prefLabel)"


def main(codes_ttl: str) -> int:
    graph = Graph().parse(codes_ttl, format="turtle")
    with (ROOT / "data" / "vocab" / "countries.csv").open(encoding="utf-8") as f:
        countries = list(csv.DictReader(f))
    rows = []
    for country in countries:
        area = URIRef(country["un_sdg_geoarea_iri"])
        for label in sorted(graph.objects(area, SKOS.prefLabel), key=lambda lit: lit.language or ""):
            rows.append({"un_sdg_geoarea_iri": str(area), "iso3166_alpha2": country["iso3166_alpha2"],
                         "language": label.language or "", "name": str(label), "source": SOURCE})
    with (ROOT / "data" / "vocab" / "country-names.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} names of {len(countries)} States")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
