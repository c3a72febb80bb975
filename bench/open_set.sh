#!/usr/bin/env bash
# Open-set measurements (issue #22): train with classes held out, then evaluate on the held-out classes only: the
# model, the two baselines (pixels, the untrained architecture) and a closed-set model trained on every class, with
# 5-way 1-shot and 5-shot episodes. Appends a table to bench/RESULTS.md (or $OPEN_RESULTS).
#   bash bench/open_set.sh                          # Fashion-MNIST 5/5 and CIFAR-10 5/5 (the shared copy), --preset best
#   DATASETS="fashion" EPOCHS_FASHION=6 bash bench/open_set.sh
#   HOLDOUT=0.2 DATASETS=cifar bash bench/open_set.sh   # CIFAR-10 8/2 (2-way episodes when two classes are held out)
#   PRESET=imagenet LIMIT=10000 CLOSED=0 BASELINES="" EPOCHS_CIFAR=3 bash bench/open_set.sh   # fine-tuned ImageNet ResNet-18 on the seen classes of 10,000 images, no baselines
# A closed-set model already in $OPEN_OUT (same data, preset and epochs) is reused; delete it to train again.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OPEN_OUT:-runs/open-set}; results=${OPEN_RESULTS:-bench/RESULTS.md}
datasets=${DATASETS:-"fashion cifar"}
preset=${PRESET:-best}; holdout=${HOLDOUT:-0.5}
limit=(); [ -n "${LIMIT:-}" ] && limit=(--limit "$LIMIT")   # training images (a seeded sample across the seen classes)
closed_set=${CLOSED:-1}; baselines=${BASELINES-pixels untrained}
cifar=${CIFAR:-../shared/data/cifar10}
dotnet build -c Release src/MlNetSiamese.Cli -v q -nologo
cli() { dotnet run -c Release --no-build --project src/MlNetSiamese.Cli -- "$@"; }
metric() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); r=d['retrieval']; p=d['pairs']; f=d['data'].get('fewShot') or {}; print('%.3f | %.3f | %.3f | %s' % (r['PrecisionAt1'], r['MapAtR'], p['RocAuc'], ('%.3f +- %.3f / %.3f +- %.3f' % (f['NearestSupportAccuracy'], f['NearestSupportHalfWidth95'], f['PrototypeAccuracy'], f['PrototypeHalfWidth95'])) if f else '-'))" "$1"; }
{
  echo; echo "## $(date -u '+%Y-%m-%d %H:%M:%S') UTC: open-set (bash bench/open_set.sh, commit $(git rev-parse --short HEAD))"; echo
  echo "Held-out classes' test images only; P@1 / MAP@R / ROC-AUC (balanced pairs, seed 0), then N-way accuracy by nearest support / nearest prototype (1,000 episodes, 95% intervals)."; echo
  echo "| data | run | episodes | P@1 | MAP@R | ROC-AUC | accuracy: nearest support / prototype |"; echo "|---|---|---|---|---|---|---|"
} >> "$results"
for ds in $datasets; do
  if [ "$ds" = fashion ]; then data=(); epochs=${EPOCHS_FASHION:-6}; else data=(--data "$cifar"); epochs=${EPOCHS_CIFAR:-10}; fi
  tag=""; [ "$preset" != best ] && tag="-$preset"
  open="$out/$ds$tag-open"; closed="$out/$ds$tag-closed"; [ "$holdout" != 0.5 ] && open="$out/$ds$tag-open-$holdout"
  start=$(date +%s)
  mkdir -p "$out"
  [ -n "${LIMIT:-}" ] && open="$open-$LIMIT"
  cli train --preset "$preset" "${data[@]}" "${limit[@]}" --holdout-fraction "$holdout" --epochs "$epochs" --seed 1 --out "$open" > "$open.log" 2>&1
  open_s=$(( $(date +%s) - start ))
  classes=$(python3 -c "import json; print(','.join(json.load(open('$open/options.json'))['heldOutClasses']))")
  ways=$(python3 -c "print(min(5, len('$classes'.split(','))))")
  start=$(date +%s)
  if [ "$closed_set" = 0 ]; then
    closed_s="not trained (CLOSED=0)"
  elif [ -f "$closed/model.zip" ]; then
    closed_s="reused"
  else
    cli train --preset "$preset" "${data[@]}" "${limit[@]}" --epochs "$epochs" --seed 1 --out "$closed" > "$closed.log" 2>&1
    closed_s="$(( $(date +%s) - start )) s"
  fi
  for shots in 1 5; do
    runs="model $baselines"; [ "$closed_set" = 0 ] || runs="$runs closed"
    for run in $runs; do
      model="$open"; extra=()
      case $run in pixels|untrained|resnet18) extra=(--baseline "$run") ;; closed) model="$closed" ;; esac
      dir="$out/$(basename "$open")-eval-$run-$shots"
      cli evaluate --model "$model" "${data[@]}" --classes "$classes" --episodes 1000 --ways "$ways" --shots "$shots" --out "$dir" "${extra[@]}" > "$dir.log" 2>&1 || { echo "evaluate $run failed: $dir.log"; exit 1; }
      label=$run; [ "$run" = model ] && label="trained without these classes (${open_s} s${LIMIT:+, --limit $LIMIT})"; [ "$run" = closed ] && label="closed set: trained on every class (${closed_s})"
      echo "| $ds ($preset, $epochs epochs; held out: $classes) | $label | $ways-way $shots-shot | $(metric "$dir/metrics.json") |" >> "$results"
    done
  done
done
echo "appended to $results"
