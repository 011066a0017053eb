"""The dashboard: server-rendered pages over the same overview the JSON API serves.

No JavaScript framework and no CDN: charts and the map are SVG drawn on the server
(:mod:`kraan.web.svg`, :mod:`kraan.web.geo`), htmx comes from ``/static``.
"""
