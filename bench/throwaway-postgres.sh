# Sourced by the bench scripts that need a PostgreSQL of their own (pgvector.sh, service.sh): a throw-away server
# with pgvector in a folder of the caller's, on a free port of 127.0.0.1, run as the postgres user when root.
#   pg_start DIR [server options...]   # initdb in DIR/pg, start; sets PG_PORT and PG_CONNECTION; the log is DIR/pg.log
#   pg_stop                            # stop it (the caller removes DIR)
PG_BIN=/usr/lib/postgresql/15/bin
pg_run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pg_start() {
  local dir=$1; shift
  if [ ! -x "$PG_BIN/initdb" ] || [ ! -f "$("$PG_BIN/pg_config" --sharedir)/extension/vector.control" ]; then
    echo "PostgreSQL 15 with pgvector is needed: sudo bash .ci/install-pgvector.sh" >&2
    exit 1
  fi
  chmod 777 "$dir"
  PG_DIR="$dir/pg"
  PG_PORT=$(pg_free_port)
  pg_run "$PG_BIN/initdb" -D "$PG_DIR" -U postgres --auth=trust -E UTF8 --no-sync --no-instructions >/dev/null
  pg_run "$PG_BIN/pg_ctl" -D "$PG_DIR" -l "$dir/pg.log" -w -t 60 -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $dir $*" start >/dev/null
  PG_CONNECTION="Host=127.0.0.1;Port=$PG_PORT;Database=postgres;Username=postgres"
}
pg_stop() { [ -n "${PG_DIR:-}" ] && pg_run "$PG_BIN/pg_ctl" -D "$PG_DIR" -m fast -w stop >/dev/null 2>&1 || true; }
