#!/usr/bin/env bash
# Quality in time (issue #6, item 4): Fashion-MNIST and CIFAR-10, --preset article and --preset best, trained and
# evaluated by the CLI (mlnet-siamese train), each under /usr/bin/time -v for the peak RSS; appends a table to
# bench/RESULTS.md. Each full run takes 10-30 minutes of both cores.
#
#   bash bench/quality.sh                                   # the four runs with the presets' own epochs
#   EPOCHS=5 bash bench/quality.sh                          # the same epoch count for every run
#   FM_BEST_EPOCHS=8 CIFAR_BEST_EPOCHS=20 RUNS="fm-best cifar-best" bash bench/quality.sh
#   LIMIT=500 TEST_LIMIT=500 EPOCHS=1 RESULTS=/tmp/q.md bash bench/quality.sh    # plumbing check only
#
# Environment:
#   RUNS                 which runs, default "fm-article fm-best cifar-article cifar-best"
#   EPOCHS               epochs for every run (default: the CLI default, 10, with the preset's early stopping)
#   FM_ARTICLE_EPOCHS, FM_BEST_EPOCHS, CIFAR_ARTICLE_EPOCHS, CIFAR_BEST_EPOCHS   per-run epochs (override EPOCHS)
#   FM_DATA              Fashion-MNIST folder (default: the CLI's own search: MLNETSIAMESE_DATA, ./data, /usr/share/datasets)
#   CIFAR_DATA           CIFAR-10 folder with train/ and test/ JPEG class folders (default ../shared/data/cifar10)
#   LIMIT, TEST_LIMIT    first N training / test images (rows marked "limited": not a quality measurement;
#                        image folders are read class by class, so LIMIT on CIFAR folders keeps the first classes only)
#   EXTRA                further CLI options for every run, e.g. EXTRA="--widths 16,32,64 --augment-crop-padding 0" (they override the preset)
#   SEED (default 1), OUT (run folders, default bench/quality-runs), RESULTS (default bench/RESULTS.md)
set -euo pipefail
cd "$(dirname "$0")/.."
invocation="bash bench/quality.sh${*:+ $*}"

runs="${RUNS:-fm-article fm-best cifar-article cifar-best}"
cifar="${CIFAR_DATA:-../shared/data/cifar10}"
out="${OUT:-bench/quality-runs}"
results="${RESULTS:-bench/RESULTS.md}"
seed="${SEED:-1}"
stamp=$(date -u +%Y%m%d-%H%M%S)

dotnet build src/MlNetSiamese.Cli/MlNetSiamese.Cli.csproj -c Release -nologo -v quiet
cli=src/MlNetSiamese.Cli/bin/Release/net10.0/mlnet-siamese.dll
[ -x /usr/bin/time ] || { echo "/usr/bin/time is missing (apt-get install time)" >&2; exit 1; }

rows=()
commands=()
for run in $runs; do
  case "$run" in
    fm-article)    data="${FM_DATA:-}"; preset=article; epochs="${FM_ARTICLE_EPOCHS:-${EPOCHS:-}}" ;;
    fm-best)       data="${FM_DATA:-}"; preset=best;    epochs="${FM_BEST_EPOCHS:-${EPOCHS:-}}" ;;
    cifar-article) data="$cifar";       preset=article; epochs="${CIFAR_ARTICLE_EPOCHS:-${EPOCHS:-}}" ;;
    cifar-best)    data="$cifar";       preset=best;    epochs="${CIFAR_BEST_EPOCHS:-${EPOCHS:-}}" ;;
    *) echo "unknown run '$run' (fm-article fm-best cifar-article cifar-best)" >&2; exit 2 ;;
  esac
  dir="$out/$stamp-$run"
  mkdir -p "$dir"
  args=(train --preset "$preset" --out "$dir" --seed "$seed")
  [ -n "$data" ] && args+=(--data "$data")
  [ -n "$epochs" ] && args+=(--epochs "$epochs")
  [ -n "${LIMIT:-}" ] && args+=(--limit "$LIMIT")
  [ -n "${TEST_LIMIT:-}" ] && args+=(--test-limit "$TEST_LIMIT")
  # shellcheck disable=SC2206  # EXTRA is a list of CLI options, split on spaces on purpose
  [ -n "${EXTRA:-}" ] && args+=(${EXTRA})
  cmd="dotnet $cli ${args[*]}"
  commands+=("$cmd")
  echo "== $run: $cmd"
  start=$(date +%s.%N)
  set +e
  /usr/bin/time -v -o "$dir/time.txt" dotnet "$cli" "${args[@]}" 2>&1 | tee "$dir/log.txt"
  status=${PIPESTATUS[0]}
  set -e
  end=$(date +%s.%N)
  echo "$status $start $end" > "$dir/status.txt"
  rows+=("$run|$dir|${epochs:-default}")
done

# The Markdown section: one row per run, metrics from the CLI's metrics.json, peak RSS from /usr/bin/time -v.
{
  echo
  echo "## $(date -u '+%Y-%m-%d %H:%M:%S') UTC: quality in time${LIMIT:+ (LIMITED: LIMIT=$LIMIT TEST_LIMIT=${TEST_LIMIT:-all}; plumbing check, not a quality measurement)}"
  echo
  echo "- machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f", $2/1048576}' /proc/meminfo) GiB RAM, $(. /etc/os-release; echo "$PRETTY_NAME"); load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- commit: \`$(git rev-parse --short HEAD)$(git status --porcelain --untracked-files=no | grep -q . && echo -dirty)\`"
  echo "- invoked as: \`$invocation\`${RUNS:+ with RUNS=\"$RUNS\"}${EPOCHS:+ EPOCHS=$EPOCHS}"
  for c in "${commands[@]}"; do echo "- \`$c\`"; done
  echo
  /usr/bin/python3 - "${rows[@]}" <<'PY'
import json, os, re, sys
print("| data | preset | epochs run | train / test rows | P@1 | MAP@R | pair ROC-AUC (protocol) | training min | wall min | peak RSS MB | target | status |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for spec in sys.argv[1:]:
    run, folder, epochs = spec.split("|")
    data, preset = run.split("-")
    status, start, end = open(os.path.join(folder, "status.txt")).read().split()
    wall = (float(end) - float(start)) / 60
    rss = "-"
    tt = os.path.join(folder, "time.txt")
    if os.path.exists(tt):
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(tt).read())
        rss = f"{int(m.group(1)) / 1024:.0f}" if m else "-"
    limited = bool(os.environ.get("LIMIT") or os.environ.get("TEST_LIMIT"))
    if data == "fm":
        target, need_p1, need_auc, minutes = "P@1 >= 0.93 in <= 10 min", 0.93, None, 10
    else:
        target, need_p1, need_auc, minutes = "P@1 >= 0.88, ROC-AUC >= 0.95 in <= 30 min", 0.88, 0.95, 30
    mpath = os.path.join(folder, "metrics.json")
    if status != "0" or not os.path.exists(mpath):
        print(f"| {data} | {preset} | {epochs} | - | - | - | - | - | {wall:.1f} | {rss} | {target} | FAILED (exit {status}, see {folder}/log.txt) |")
        continue
    m = json.load(open(mpath))
    r, p = m["retrieval"], m.get("pairs") or {}
    hist = m.get("training") or []
    train_min = hist[-1]["ElapsedSeconds"] / 60 if hist else float("nan")
    opts = json.load(open(os.path.join(folder, "options.json"))) if os.path.exists(os.path.join(folder, "options.json")) else {}
    train_rows = "?"
    log = open(os.path.join(folder, "log.txt")).read()
    lm = re.search(r"train (\d+)\s+test (\d+)", log)
    if lm: train_rows = f"{lm.group(1)} / {lm.group(2)}"
    p1, mapr, auc = r["PrecisionAt1"], r["MapAtR"], p.get("RocAuc", float("nan"))
    ok = p1 >= need_p1 and (need_auc is None or auc >= need_auc) and train_min <= minutes
    verdict = ("(limited) " if limited else "") + ("MET" if ok else "MISSED")
    print(f"| {data} | {preset} | {len(hist)} of {epochs} | {train_rows} | {p1:.4f} | {mapr:.4f} | {auc:.4f} ({p.get('Protocol', '-')}) | {train_min:.1f} | {wall:.1f} | {rss} | {target} | {verdict} |")
PY
  echo
  echo "training min = the trainer's own clock at the last epoch (metrics.json training[-1].ElapsedSeconds: the loop and per-epoch validation, not data loading or the test evaluation); wall min = the whole CLI run (build excluded: data decoding, training, evaluation, plots); peak RSS = /usr/bin/time -v maximum resident set size of the CLI process."
} > "$out/$stamp-section.md"
[ -f "$results" ] || printf '# Benchmark results (issue #6)\n\nAppended by `bash bench/run.sh` (speed) and `bash bench/quality.sh` (quality in time); see bench/README.md for how to read them.\n' > "$results"
cat "$out/$stamp-section.md" >> "$results"
echo
echo "---- appended to $results ----"
cat "$out/$stamp-section.md"
