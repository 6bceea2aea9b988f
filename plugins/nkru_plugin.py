"""nkru's pages in the Airflow UI: a "North Korea–Russia" navigation entry showing the trend page.

The page is a FastAPI app served by Airflow's API server under /nkru and shown in the UI (Airflow 3.1+
`external_views`, top-level navigation). It checks every request against Airflow's auth manager itself
(see nkru.trends.web); importing this module touches neither the database nor the network.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from nkru.trends.web import app

NAME = "North Korea–Russia"


class NkruPlugin(AirflowPlugin):
    """Adds the trend page (volume, rising entities, latest stories, feed health) to the Airflow UI."""

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
