#!/usr/bin/env bash
# PostgreSQL 15 and pgvector for the vector-store tests (tests/MlNetSiamese.Postgres.Tests).
# Debian 12 packages PostgreSQL 15 but not pgvector: it is built from the vendored release source
# (../shared/vendor/pgvector-0.8.6.tar.gz, checksum checked) when vector.control is missing.
# OPTFLAGS="" builds for any x86-64 CPU (pgvector's default adds -march=native). Needs root for apt-get and make install.
set -euo pipefail
cd "$(dirname "$0")/.."

version=0.8.6
sha256=5743dac39fdfa740533cf95e71b033bd5513b71dda194b3cf19464ccbf76f3fb
tarball="../shared/vendor/pgvector-$version.tar.gz"

if [ ! -x /usr/lib/postgresql/15/bin/postgres ] || [ ! -x /usr/lib/postgresql/15/bin/pg_config ] \
   || [ ! -d /usr/include/postgresql/15/server ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql postgresql-server-dev-15 make gcc
fi

sharedir="$(/usr/lib/postgresql/15/bin/pg_config --sharedir)"
if [ -f "$sharedir/extension/vector.control" ]; then
  echo "pgvector: $sharedir/extension/vector.control present"
  exit 0
fi
if [ ! -f "$tarball" ]; then
  echo "pgvector: $tarball not found; the PostgreSQL store tests will fail under CI=true" >&2
  exit 1
fi
echo "$sha256  $tarball" | sha256sum -c --quiet -
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tar xzf "$tarball" -C "$work"
make -C "$work/pgvector-$version" -s PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config OPTFLAGS=""
make -C "$work/pgvector-$version" -s PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config install
echo "pgvector $version installed into $sharedir/extension"
