"""nkru's pages in the Airflow UI: a "North Korea–Russia" navigation entry opening the analyst's workspace.

The workspace (overview, stories search, story, entity and feeds pages; see nkru.edge.web) is a FastAPI app served by
Airflow's API server under /nkru and shown in the UI (Airflow 3.1+ `external_views`, top-level navigation). It
checks every request against Airflow's auth manager itself (see nkru.edge.web.auth); importing this module touches
neither the database nor the network.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from nkru.edge.web.app import app

NAME = "North Korea–Russia"


class NkruPlugin(AirflowPlugin):
    """Adds the workspace (overview, stories, story, entity and feeds pages) to the Airflow UI."""

    name = "nkru"
    fastapi_apps = [{"app": app, "url_prefix": "/nkru", "name": NAME}]
    external_views = [
        {
            "name": NAME,
            "href": "/nkru/",
            "url_route": "nkru",
            "destination": "nav",
            "nav_top_level": True,
        }
    ]
