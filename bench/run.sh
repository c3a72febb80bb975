#!/usr/bin/env bash
# Speed benchmarks of issue #6: builds the harness (Release) and runs it, with the PyTorch peer, on this machine.
#
#   bash bench/run.sh                      # everything: training, inference, bandwidth, search; appends to bench/RESULTS.md
#   bash bench/run.sh training             # a subset: training | inference | search | bandwidth | all
#   bash bench/run.sh --smoke              # tiny sizes, 1 repetition: checks the harness; writes to a temp file, not RESULTS.md
#   bash bench/run.sh all --reps 7 --threads 2 --encoders ConvNet   # further options go to the harness (bench/README.md)
#
# Environment: PYTHON (default /usr/bin/python3, needs python3-torch), BENCH_RESULTS (default bench/RESULTS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
invocation="bash bench/run.sh${*:+ $*}"

smoke=0; command=all; extra=()
for a in "$@"; do
  case "$a" in
    --smoke) smoke=1 ;;
    training|inference|onnx|search|bandwidth|all) command="$a" ;;
    *) extra+=("$a") ;;
  esac
done

python="${PYTHON:-/usr/bin/python3}"
if ! "$python" -c 'import torch, numpy' 2>/dev/null; then
  echo "$python cannot import torch and numpy: install python3-torch (apt-get install python3-torch), set PYTHON, or pass --no-peer" >&2
  case " ${extra[*]-} " in *" --no-peer "*) ;; *) exit 1 ;; esac
fi

dotnet build bench/MlNetSiamese.Bench/MlNetSiamese.Bench.csproj -c Release -nologo -v quiet
harness=bench/MlNetSiamese.Bench/bin/Release/net10.0/MlNetSiamese.Bench.dll

stamp=$(date -u +%Y%m%d-%H%M%S)
if [ "$smoke" = 1 ]; then
  outdir=$(mktemp -d /tmp/mlnetsiamese-bench.XXXXXX)
  results="$outdir/RESULTS.md"; jsonl="$outdir/results.jsonl"
  args=("$command" --smoke)
else
  results="${BENCH_RESULTS:-bench/RESULTS.md}"
  mkdir -p bench/results; jsonl="bench/results/$stamp-$command.jsonl"
  args=("$command")
fi
[ -f "$results" ] || printf '# Benchmark results (issue #6)\n\nAppended by `bash bench/run.sh` (speed) and `bash bench/quality.sh` (quality in time); see bench/README.md for how to read them.\n' > "$results"

before=$(wc -c < "$results")
status=0
MLNETSIAMESE_BENCH_INVOCATION="$invocation" dotnet "$harness" "${args[@]}" --python "$python" --out "$jsonl" --markdown "$results" ${extra[@]+"${extra[@]}"} || status=$?
echo
echo "---- appended to $results (raw results: $jsonl) ----"
tail -c +"$((before + 1))" "$results"
exit "$status"
