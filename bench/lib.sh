# Shared by the bench scripts (macro, volume, micro, load, soak, dashboard), sourced from the repository root.

# Waits until a URL answers 2xx, for at most 60 s.
wait_ready() { for _ in $(seq 1 120); do curl -sf "$1" >/dev/null && return 0; sleep 0.5; done; echo "not ready: $1" >&2; return 1; }

# Creates the users load-0 ... load-(N-1) that bench/keys.lua reads, through the API at $1.
create_load_users() { # api count
  seq 0 $(($2 - 1)) | xargs -P 8 -I{} curl -s -o /dev/null -X PUT "$1/api/users/load-{}" \
    -H 'Content-Type: application/json' -d '{"displayName":"Load User","email":"load@example.com"}'
}

# Starts a throwaway PostgreSQL (Debian's postgresql package) on 127.0.0.1:$1 with the database "orleans" holding
# deploy/postgres/orleans-streaming.sql; an EXIT trap stops it and deletes its data. As root it runs as "postgres".
start_postgres() { # port
  local bin run=() dir
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -x "$bin/initdb" ] || { echo "PostgreSQL is not installed: bash .ci/install-tools postgresql" >&2; return 1; }
  dir=$(mktemp -d /tmp/bench-postgres.XXXXXX)
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; run=(setpriv --reuid=postgres --regid=postgres --init-groups); fi
  "${run[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync >/dev/null
  # Durable commits (fsync on), as a production server: the publish cost includes the WAL flush.
  "${run[@]}" "$bin/postgres" -D "$dir/data" -p "$1" -h 127.0.0.1 -k "$dir" >"$dir/log" 2>&1 &
  BENCH_POSTGRES_PID=$!
  # shellcheck disable=SC2064 # expand now: the trap must stop this server and remove this directory
  trap "kill $BENCH_POSTGRES_PID 2>/dev/null; wait $BENCH_POSTGRES_PID 2>/dev/null; rm -rf '$dir'" EXIT
  for _ in $(seq 1 60); do psql -X -q -h 127.0.0.1 -p "$1" -U postgres -c 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.5; done
  psql -X -q -h 127.0.0.1 -p "$1" -U postgres -c 'CREATE DATABASE orleans'
  psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -d orleans -f deploy/postgres/orleans-streaming.sql
}
