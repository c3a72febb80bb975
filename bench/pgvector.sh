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
bin=/usr/lib/postgresql/15/bin
if [ ! -x "$bin/initdb" ] || [ ! -f "$($bin/pg_config --sharedir)/extension/vector.control" ]; then
  echo "PostgreSQL 15 with pgvector is needed: sudo bash .ci/install-pgvector.sh" >&2
  exit 1
fi
run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
dir="$(mktemp -d /tmp/mlnetsiamese-pgbench-XXXXXX)"
chmod 777 "$dir"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
cleanup() { run "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
run "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-sync --no-instructions >/dev/null
# Settings of a small dedicated server: 1 GB for index builds, so the HNSW graph of up to ~1M x 64 fits in memory while it is built.
run "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c shared_buffers=1GB -c maintenance_work_mem=1GB" start >/dev/null
dotnet run -c Release --project bench/MlNetSiamese.PgvectorBench -- \
  --connection "Host=127.0.0.1;Port=$port;Database=postgres;Username=postgres;Command Timeout=0" --items "$items" --markdown bench/RESULTS.md "$@"
grep -i "notice\|warning" "$dir/server.log" | grep -iv "checkpoint" | tail -5 || true
