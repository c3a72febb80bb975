#!/usr/bin/env bash
# Open set with ImageNet features (issue #22): ML.NET's ResNet-18 features of the held-out classes as the baseline,
# against a triplet head trained on the seen classes' features (alone, and beside the centred features). Appends one
# table per split to bench/RESULTS.md (or $OPEN_RESULTS). Features are cached in runs/open-set-pretrained (delete to
# recompute; about a minute per 4,000 images on 2 cores).
#   bash bench/open_set_pretrained.sh                     # CIFAR-10 5/5, CIFAR-10 8/2, Fashion-MNIST 5/5 (the splits of bench/open_set.sh, seed 1)
#   SPLITS="fashion" bash bench/open_set_pretrained.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cifar=${CIFAR:-../shared/data/cifar10}; results=${OPEN_RESULTS:-bench/RESULTS.md}
dotnet build -c Release bench/MlNetSiamese.PretrainedHeadBench -v q -nologo
run() { dotnet run -c Release --no-build --project bench/MlNetSiamese.PretrainedHeadBench -- --markdown "$results" "$@"; }
splits=${SPLITS:-cifar55 cifar82 fashion}
for split in $splits; do
  case $split in
    cifar55) run --data "$cifar" --holdout automobile,bird,dog,horse,ship ;;
    cifar82) run --data "$cifar" --holdout automobile,bird --ways 2 ;;
    fashion) run --data fashion --holdout "Bag,Coat,Sandal,Sneaker,T-shirt/top" ;;
    *) echo "SPLITS: unknown split '$split'; expected cifar55, cifar82 or fashion" >&2; exit 2 ;;
  esac
done
echo "appended to $results"
