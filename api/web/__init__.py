"""The web app served by ``gridplan serve`` under ``/app``: Jinja2 page shells
(``templates/``), no-build ES modules and styles (``static/``), and the few helpers the screens
need beyond the JSON API (signed read-only route links, street vectors clipped to the caller's
scope, the planner's unit editor). Pages carry no data: every screen fetches it from the API with
the caller's bearer token, so the web app can never show more than the API allows."""
