#!/usr/bin/env bash
# `make bench`: the scale benchmark on SQLite, then on PostgreSQL when one answers on 127.0.0.1:5432.
# Writes both sections of docs/performance.md. Re-runs reuse the generated data (var/bench/…, the
# tradewind_bench database) when its size matches.
#
#   SCALE=1000000   leads in the bench workspace (default 1,000,000)
#   REPEAT=30       timed runs per figure
#   PG_URL=…        PostgreSQL server (default postgres://postgres@127.0.0.1:5432)
#   BENCH_DBS="sqlite postgresql"   which databases to run
#   SERVE=1         also load gunicorn (tradewind serve --no-worker, 2 workers) with wrk / a load loop
#   BENCH_ARGS=…    extra arguments for `tradewind bench` (e.g. --regenerate)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN=${BIN:-$ROOT/.venv/bin}
SCALE=${SCALE:-1000000}
REPEAT=${REPEAT:-30}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
PG_DB=${PG_DB:-tradewind_bench}
BENCH_DBS=${BENCH_DBS:-sqlite postgresql}
SERVE=${SERVE:-1}
export TRADEWIND_BENCH=1
unset DATABASE_URL

args=(--scale "$SCALE" --repeat "$REPEAT" --out "$ROOT/docs/performance.md")
[ "$SERVE" = 1 ] && args+=(--serve)
# shellcheck disable=SC2206
args+=(${BENCH_ARGS:-})

if [ "$SERVE" = 1 ] && ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 \
      || echo "note: wrk not installed; serving is loaded from a Python loop instead"
  else
    echo "note: wrk not installed; serving is loaded from a Python loop instead"
  fi
fi

started=$(date +%s)
for db in $BENCH_DBS; do
  case $db in
    sqlite)
      echo "== SQLite (var/bench/sqlite), $SCALE leads"
      mkdir -p var/bench/sqlite
      TRADEWIND_DATA_DIR="$ROOT/var/bench/sqlite" "$BIN/tradewind" bench "${args[@]}"
      ;;
    postgresql)
      if ! "$BIN/python" - "$PG_URL/postgres" <<'PY' 2>/dev/null; then
import sys, psycopg
psycopg.connect(sys.argv[1], connect_timeout=3).close()
PY
        echo "== PostgreSQL: nothing answers at $PG_URL; skipped"
        continue
      fi
      echo "== PostgreSQL ($PG_URL/$PG_DB), $SCALE leads"
      # UTF-8 collation, or pg_trgm extracts no trigrams from Chinese text (see NOTES).
      "$BIN/python" - "$PG_URL/postgres" "$PG_DB" <<'PY'
import sys, psycopg
from psycopg import sql
with psycopg.connect(sys.argv[1], autocommit=True) as conn:
    if not conn.execute("select 1 from pg_database where datname = %s", [sys.argv[2]]).fetchone():
        conn.execute(sql.SQL("create database {} encoding 'UTF8' lc_collate 'C.UTF-8' "
                             "lc_ctype 'C.UTF-8' template template0").format(sql.Identifier(sys.argv[2])))
        print(f"created database {sys.argv[2]}")
PY
      mkdir -p var/bench/postgresql
      TRADEWIND_DATA_DIR="$ROOT/var/bench/postgresql" DATABASE_URL="$PG_URL/$PG_DB" \
        "$BIN/tradewind" bench "${args[@]}"
      ;;
    *) echo "unknown database: $db" >&2; exit 2 ;;
  esac
done
echo "== bench done in $(( $(date +%s) - started )) s; figures in docs/performance.md"
