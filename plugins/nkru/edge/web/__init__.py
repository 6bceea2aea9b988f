"""The analyst's workspace in the Airflow UI: a small FastAPI app that `plugins/nkru_plugin.py` mounts at /nkru.

One module per page, each with a `render_*` function from a database connection (and the page's parameters) to
HTML, so tests can render a page without a server:

* `overview`: coverage chart, rising entities, latest stories, a one-line feed summary (/nkru/)
* `stories`: search and filter stories (/nkru/stories)
* `story`: one story, every article and outlet, who was first, why relevant, entities, alerts (/nkru/stories/ID)
* `entity`: one entity's timeline, company, stories, spellings, and whether it is rising (/nkru/entities/ID)
* `feeds`: failures grouped by reason, the health table, sources gone quiet (/nkru/feeds)

`app` wires them to URLs behind Airflow's login (`auth`); `pages` holds what they share (templates, escaping,
links, charts). Pages are rendered on the server with Jinja's autoescape; nothing is fetched from a CDN and no
JavaScript is needed.
"""
