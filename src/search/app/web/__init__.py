"""Writers' desk: the project's Datasette plugin (entry point ``search`` in the ``datasette`` group).

``search serve`` (:mod:`search.app.web.server`) starts Datasette over the index's ``store.sqlite``
(immutable, arbitrary SQL off) with this plugin, which adds the pages Datasette lacks — Search,
Ask, Precedents, Article view, Cite (:mod:`.pages`) — and makes Datasette's own table pages useful
for a reader (:mod:`.tables`: labels, facets, money written the Vietnamese way, CSV with a BOM).
Templates and static files ship as package data (``templates/``, ``static/``).
"""

from __future__ import annotations

from datasette import hookimpl

from . import pages, tables


@hookimpl
def register_routes(datasette):
    return pages.ROUTES


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    return tables.render_cell(row, value, column, table, database)


@hookimpl
def asgi_wrapper(datasette):
    return tables.csv_with_bom


@hookimpl
def menu_links(datasette, actor, request):
    if pages.index_of(datasette) is None:
        return []
    return [{"href": "/search", "label": "Search"}, {"href": "/ask", "label": "Ask"},
            {"href": "/precedents", "label": "Precedents"}]
