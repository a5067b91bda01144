# Shared by bench/macro.sh and bench/volume.sh (sourced, from the repository root).

# Waits until a URL answers 2xx, for at most 60 s.
wait_ready() { for _ in $(seq 1 120); do curl -sf "$1" >/dev/null && return 0; sleep 0.5; done; echo "not ready: $1" >&2; return 1; }

# Creates the users load-0 ... load-(N-1) that bench/keys.lua reads, through the API at $1.
create_load_users() { # api count
  seq 0 $(($2 - 1)) | xargs -P 8 -I{} curl -s -o /dev/null -X PUT "$1/api/users/load-{}" \
    -H 'Content-Type: application/json' -d '{"displayName":"Load User","email":"load@example.com"}'
}
