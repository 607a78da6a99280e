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


@hookimpl
def handle_exception(datasette, request, exception):
    # Datasette reports a bad parameter of its table pages ("Cannot sort table by …", "no such
    # column") as a DatasetteError with status 500; over this read-only store every such error
    # comes from the request, so it is answered 400, on Datasette's error page, without the
    # console traceback Datasette prints for real failures.
    from datasette.utils.asgi import Base400, Response
    from datasette.views.base import DatasetteError

    if not isinstance(exception, (DatasetteError, Base400)):
        return None
    status = exception.status if isinstance(exception, Base400) else 400
    message = exception.message if isinstance(exception, DatasetteError) else str(exception.args[0])
    if isinstance(exception, DatasetteError) and exception.status != 500:
        status = exception.status

    async def inner():
        info = {"ok": False, "error": message, "status": status, "title": None}
        if request.path.endswith(".json"):
            return Response.json(info, status=status)
        html = await datasette.render_template(["error.html"], info, request=request)
        return Response.html(html, status=status)

    return inner
