#!/usr/bin/env bash
# The main job: make sure Fashion-MNIST is there, build, train on it, evaluate on the test split, print the metrics.
set -euo pipefail
cd "$(dirname "$0")"

if [ -z "${MLNETSIAMESE_DATA:-}" ] && [ ! -d data/fashion-mnist ] && [ ! -d /usr/share/datasets/fashion-mnist ]; then
  echo "Fashion-MNIST not found: installing the Debian package dataset-fashion-mnist"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  if ! ($SUDO apt-get update -qq && $SUDO apt-get install -y -qq dataset-fashion-mnist); then
    echo "apt could not install it; downloading from the official address instead"
    dotnet run -c Release --project src/MlNetSiamese.Cli -- data download fashion-mnist --to data/fashion-mnist
  fi
fi

dotnet build -c Release src/MlNetSiamese.Cli -v q -nologo
OUT=${OUT:-runs/fashion-mnist}
dotnet run -c Release --no-build --project src/MlNetSiamese.Cli -- train --out "$OUT" --epochs "${EPOCHS:-5}" --limit "${LIMIT:-20000}" --test-limit "${TEST_LIMIT:-10000}" --seed 1
dotnet run -c Release --no-build --project src/MlNetSiamese.Cli -- evaluate --model "$OUT/model.zip" --test-limit "${TEST_LIMIT:-10000}" --out "$OUT/evaluation"
echo "plots and metrics: $OUT/evaluation"
