#!/usr/bin/env bash
# pgvector against the in-process exact index (issue #21, item 5): starts a throw-away PostgreSQL 15 with pgvector on a
# free port of 127.0.0.1 (initdb in a temporary folder; as the postgres user when run as root), runs
# bench/MlNetSiamese.PgvectorBench (load, HNSW build with pgvector's defaults, sizes, per-query latency and recall@10 at
# several ef_search, CosineIndex's exact search beside it), appends its table to bench/RESULTS.md, stops and removes the server.
#   bash bench/pgvector.sh                       # 100,000 x 64
#   ITEMS=1000000 bash bench/pgvector.sh         # larger; extra arguments go to the program (--dimension, --queries, --ef 40,100,200)
# Needs PostgreSQL 15 and pgvector: sudo bash .ci/install-pgvector.sh
set -euo pipefail
cd "$(dirname "$0")/.."
items="${ITEMS:-100000}"
source bench/throwaway-postgres.sh
dir="$(mktemp -d /tmp/mlnetsiamese-pgbench-XXXXXX)"
cleanup() { pg_stop; rm -rf "$dir"; }
trap cleanup EXIT
# Settings of a small dedicated server: 1 GB for index builds, so the HNSW graph of up to ~1M x 64 fits in memory while it is built.
pg_start "$dir" -c shared_buffers=1GB -c maintenance_work_mem=1GB
dotnet run -c Release --project bench/MlNetSiamese.PgvectorBench -- \
  --connection "$PG_CONNECTION;Command Timeout=0" --items "$items" --markdown bench/RESULTS.md "$@"
grep -i "notice\|warning" "$dir/pg.log" | grep -iv "checkpoint" | tail -5 || true
