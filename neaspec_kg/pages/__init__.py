"""Pages for people: the sessions, the States, the programme areas, the commitments, search.

Page data functions take a ``select`` (a function running a SPARQL SELECT, neaspec_kg.select)
and return plain dataclasses; the SPARQL is in ``queries/*.rq``, the HTML in ``templates/``,
CSS and the vendored chart library in ``static/``. The server and the static site both use
:func:`render_resource_page` (a session, State, programme area or report paragraph) and the
server :func:`pages_router` (home, commitments, search).
"""

from neaspec_kg.pages.render import render_resource_page
from neaspec_kg.pages.router import pages_router

__all__ = ["pages_router", "render_resource_page"]
