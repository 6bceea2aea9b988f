#!/usr/bin/env bash
# airflow-init: runs once per `docker compose up`, before every other Airflow service starts (they wait for it
# to exit 0). It checks the settings from .env, migrates Airflow's metadata database and the news database,
# sets the UI password, and runs `nkru doctor`. Any failure stops the stack with a message naming the
# variable in .env to fix.
set -euo pipefail

say() { echo "nkru init: $*"; }
fail() {
    echo >&2
    echo "nkru init: FAILED: $*" >&2
    exit 1
}

say "Airflow $(airflow version 2>/dev/null | tail -n 1), nkru $(python -c 'import importlib.metadata as m; print(m.version("nkru"))')"

# --- secrets that must be set, and set right --------------------------------------------------------------------
for pair in "AIRFLOW__API_AUTH__JWT_SECRET:AIRFLOW_JWT_SECRET" "AIRFLOW__API__SECRET_KEY:AIRFLOW_API_SECRET_KEY"; do
    var="${pair%%:*}"
    dotenv="${pair##*:}"
    value="${!var:-}"
    [[ -n "$value" ]] || fail "$dotenv is empty: set it in .env to a long random string (openssl rand -hex 32)"
    (( ${#value} >= 16 )) || fail "$dotenv is too short: use at least 32 random characters (openssl rand -hex 32)"
    [[ "$value" != *change-me* ]] || say "WARNING: $dotenv still has the example value: replace it in .env"
done
if [[ -n "${AIRFLOW__CORE__FERNET_KEY:-}" ]]; then
    python - <<'PY' || fail "AIRFLOW_FERNET_KEY in .env is not a Fernet key: generate one with
  python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'  (or leave it empty)"
import os
from cryptography.fernet import Fernet
Fernet(os.environ["AIRFLOW__CORE__FERNET_KEY"].encode())
PY
fi
[[ -n "${NKRU_DATABASE_URL:-}" ]] || fail "NKRU_DATABASE_URL is empty: set it in .env (see .env.example)"
[[ -n "${NKRU_SMTP_URL:-}" ]] || fail "NKRU_SMTP_URL is empty: set it in .env (see .env.example)"

# --- Airflow's metadata database ----------------------------------------------------------------------------------
say "migrating Airflow's metadata database"
airflow db migrate || fail "cannot migrate Airflow's metadata database (see the error above). If it says
  'password authentication failed', POSTGRES_PASSWORD in .env differs from the one the postgres volume was created
  with: put the old one back, or start afresh with 'docker compose down -v' (this deletes all data)."

# --- the UI user (simple auth manager): admin, password from .env ------------------------------------------------
if [[ -n "${AIRFLOW_ADMIN_PASSWORD:-}" ]]; then
    python - <<'PY'
import json, os
path = os.environ["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"]
os.makedirs(os.path.dirname(path), exist_ok=True)
users = [u.split(":")[0] for u in os.environ.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS", "admin:admin").split(",")]
with open(path, "w", encoding="utf-8") as fh:
    json.dump({u.strip(): os.environ["AIRFLOW_ADMIN_PASSWORD"] for u in users if u.strip()}, fh)
os.chmod(path, 0o600)
PY
    say "UI user(s) ${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS%%:*} get the password AIRFLOW_ADMIN_PASSWORD from .env"
fi

# --- the news database (NKRU_DATABASE_URL, read by the tasks and the nkru command alike) ---------------------------
say "migrating the news database"
nkru migrate || fail "cannot migrate the news database named by NKRU_DATABASE_URL (see the error above).
  'database \"nkru\" does not exist' on a postgres volume made before nkru: docker compose exec postgres bash /docker-entrypoint-initdb.d/10-nkru-db.sh
  'password authentication failed': the password in NKRU_DATABASE_URL must equal NKRU_DB_PASSWORD (URL-encoded)"

# --- everything else a first run needs ----------------------------------------------------------------------------
say "checking the settings, the news database, the mail server and the spaCy model"
nkru doctor || fail "nkru doctor found a problem (see FAIL above and its fix). The mail server is NKRU_SMTP_URL in .env."
say "ready"
