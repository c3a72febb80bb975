#!/usr/bin/env bash
# Load test of samples/SimilarityService on 127.0.0.1 (issue #21, part 5): a Fashion-MNIST model trained by the CLI
# (1 epoch, 6,000 images), a throw-away PostgreSQL + pgvector holding ITEMS synthetic vectors (written through the
# store, HNSW index), then CLIENTS concurrent clients posting one PNG to /embed and to /search (k=10) for DURATION seconds each,
# ROUNDS rounds, against two server processes started side by side and loaded in turn: Similarity:TorchThreads=1 (the
# default) and 0 (libtorch's default threads); each server's RSS before / max / end of each of its runs. Appends a
# section to bench/RESULTS.md.
#
#   bash bench/service.sh                              # 16 clients, 30 s, 3 rounds, 100,000 items
#   CLIENTS=4 DURATION=5 ROUNDS=1 ITEMS=5000 bash bench/service.sh   # a quick check
#   HEAP=tuned bash bench/service.sh                   # the servers with the library's C heap tuning (MLNETSIAMESE_NATIVE_HEAP=tuned;
#                                                      # the service's own default is glibc's settings, HEAP=default)
#
# Needs PostgreSQL 15 with pgvector (sudo bash .ci/install-pgvector.sh), Fashion-MNIST (as for run-main.sh), python3.
set -euo pipefail
cd "$(dirname "$0")/.."
clients="${CLIENTS:-16}"; seconds="${DURATION:-30}"; rounds="${ROUNDS:-3}"; items="${ITEMS:-100000}"
results="${BENCH_RESULTS:-bench/RESULTS.md}"
invocation="${HEAP:+HEAP=$HEAP }${CLIENTS:+CLIENTS=$CLIENTS }${DURATION:+DURATION=$DURATION }${ROUNDS:+ROUNDS=$ROUNDS }${ITEMS:+ITEMS=$ITEMS }bash bench/service.sh"
work=$(mktemp -d /tmp/mlnetsiamese-service-bench.XXXXXX)
source bench/throwaway-postgres.sh
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill $server_pid 2>/dev/null || true
  pg_stop
  rm -rf "$work"
}
trap cleanup EXIT

dotnet build src/MlNetSiamese.Cli -c Release -nologo -v quiet
dotnet build samples/SimilarityService -c Release -nologo -v quiet
dotnet build bench/ServiceLoad -c Release -nologo -v quiet
cli=src/MlNetSiamese.Cli/bin/Release/net10.0/mlnet-siamese.dll
service=samples/SimilarityService/bin/Release/net10.0/SimilarityService.dll
load=bench/ServiceLoad/bin/Release/net10.0/ServiceLoad.dll

echo "training the model ..."
dotnet "$cli" train --out "$work/fm" --epochs 1 --limit 6000 --test-limit 1000 >/dev/null
# The query: the first Fashion-MNIST test image as a 28 x 28 grey PNG.
python3 - "$work/query.png" <<'PY'
import gzip, struct, sys, zlib, os
root = os.environ.get("MLNETSIAMESE_DATA", "/usr/share/datasets/fashion-mnist")
px = gzip.open(os.path.join(root, "t10k-images-idx3-ubyte.gz")).read()[16:16 + 784]
raw = b"".join(b"\x00" + px[y * 28:(y + 1) * 28] for y in range(28))
chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 28, 28, 8, 0, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
PY

echo "starting PostgreSQL ($PG_BIN) ..."
pg_start "$work" -c fsync=off -c synchronous_commit=off
store="$PG_CONNECTION"
dotnet "$load" fill --store "$store" --table bench_items --model "$work/fm/model.zip" --dimension 64 --count "$items"

# Two servers on two ports, one per thread setting, loaded in turn (round r: /embed on each, then /search on each),
# so that both see the same drift of whatever else runs on the machine.
declare -A pids urls
start_server() {   # $1 = TorchThreads
  local port; port=$(pg_free_port)
  urls[$1]="http://127.0.0.1:$port"
  env Similarity__ModelPath="$work/fm/model.zip" Similarity__StoreConnectionString="$store" Similarity__StoreTable=bench_items \
    Similarity__TorchThreads="$1" Logging__LogLevel__Default=Warning ${HEAP:+MLNETSIAMESE_NATIVE_HEAP=$HEAP} \
    dotnet "$service" --urls "${urls[$1]}" >"$work/server-$1.log" 2>&1 &
  pids[$1]=$!
  server_pid="${pids[*]}"
  for _ in $(seq 1 120); do curl -sf "${urls[$1]}/health" >/dev/null && break; sleep 0.5; done
  curl -sf "${urls[$1]}/health" >/dev/null || { cat "$work/server-$1.log"; exit 1; }
  dotnet "$load" run --url "${urls[$1]}" --endpoint search --image "$work/query.png" --clients "$clients" --seconds 3 --pid "${pids[$1]}" >/dev/null   # warm-up
}
rows=()
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start_server 1
start_server 0
for r in $(seq 1 "$rounds"); do
  for endpoint in embed search; do
    for threads in 1 0; do
      line=$(dotnet "$load" run --url "${urls[$threads]}" --endpoint "$endpoint" --image "$work/query.png" --clients "$clients" --seconds "$seconds" --pid "${pids[$threads]}")
      echo "threads=$threads round $r $line"
      rows+=("| $threads | $r |${line#|}")
    done
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
kill ${pids[1]} ${pids[0]}; wait 2>/dev/null || true; server_pid=""

{
  echo
  echo "## $(date -u '+%Y-%m-%d %H:%M:%S UTC'): similarity service load test ($invocation, commit $(git rev-parse --short HEAD))"
  echo
  echo "samples/SimilarityService on 127.0.0.1 (Release, Kestrel), the CLI's model (Fashion-MNIST, ConvNet 32-64-128, 64 dimensions, 1 epoch on 6,000 images),"
  echo "PostgreSQL $(basename "$(dirname "$PG_BIN")") + pgvector with $items synthetic unit vectors and an HNSW index (ef_search 200); bench/ServiceLoad posts one 28 x 28 PNG"
  echo "(multipart) per request from $clients clients for $seconds s; /search is k=10 (embed, then the store). Two server processes, one per thread setting,"
  echo "loaded in turn in the order of the table; RSS of the loaded server in MiB before / max / end of each run, and its most OS threads. $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), shared with other work:"
  echo "load average $load_before before, $load_after after."
  echo
  echo "| TorchThreads | round | endpoint | clients | seconds | requests | requests/s | p50 ms | p95 ms | p99 ms | errors | RSS MiB | server threads (max) |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
} >> "$results"
echo "appended to $results"
