"""The pages for people of a release, made as soon as it is served, before anyone asks.

A release never changes, so neither do its pages. At 30 sessions the first view of a page
took 100-300 ms to make (benchmarks/results/2026-12-02-pages-30x.md), all of it the pages'
SELECTs and their rendering. Made here once, on a thread of their own, the pages of the
sessions, States and programme areas are then answered from the answer cache, and the home
and commitments pages from their remembered SELECT answers and the dataset's description. ``NEASPEC_KG_WARM_PAGES=false``
leaves them to be made when first asked for.
"""

from __future__ import annotations

import logging
import time

from neaspec_kg import formats
from neaspec_kg.pages.home import commitments, home
from neaspec_kg.serve.answers import AnswerCache
from neaspec_kg.serve.resources import page_key, special_page
from neaspec_kg.serve.state import Current
from neaspec_kg.store.workers import Stopping

log = logging.getLogger("neaspec_kg.serve")


def warm_pages(current: Current, cache: AnswerCache) -> int:
    """Make the English pages of ``current``'s sessions, States and programme areas into
    ``cache``; returns how many were made. A failure is logged: the pages are then made when
    asked for, as they would be without this."""
    started, release, select = time.perf_counter(), current.release.release, current.store.select
    made = 0
    try:
        # The dataset's description (the home page embeds it): without a published release it is
        # counted over every quad in this process, 8-10 s at 30 sessions (measured).
        current.dataset.schema_org_json  # noqa: B018
        front = home(select)
        for link in [e.link for e in front.sessions] + front.states + [link for link, _ in front.areas]:
            iri = current.base + link.href.lstrip("/")  # the IRI a request for that path reaches
            key = page_key(release, iri, formats.HTML, "en")
            if cache.get(key) is None and (answer := special_page(iri, select, "en")) is not None:
                cache.put(key, answer)
                made += 1
        commitments(select)
    except Stopping:  # the server stops, or serves a newer release, before they were made
        log.info("serve: release %s stopped being served before its pages were made ahead", release)
        return made
    except Exception as exc:  # noqa: BLE001 - the pages are still made when asked for
        log.warning("serve: the pages of release %s were not made ahead (%s: %s); each is made when first asked for",
                    release, type(exc).__name__, exc)
        return made
    log.warning("serve: %d pages of release %s made ahead in %.1f s", made, release, time.perf_counter() - started)
    return made
