"""The edge of nkru: the only code that reads the environment, Airflow connections or the command line.

`resources` says where the news database and the mail server are (one precedence rule); `airflow_tasks` holds the
task callables the DAG files wire; `cli` is the `nkru` command (`feeds_config` edits the settings file for
`nkru feeds add/remove`); `launcher` is `make run`; `demo` and `demo_history` are `make demo`; `doctor` is
`nkru doctor`; `catcher` is the development mail catcher; `web` is the analyst's workspace inside the Airflow UI.
Everything below the edge takes URLs, settings and targets as arguments and imports nothing from here.
"""
