#!/bin/sh
# Realistic traffic for the dashboards (compose profile "load"): users update profiles, place orders (some retried
# with the same Idempotency-Key), list and read them; a few requests are malformed or for unknown users.
# Runs until the container is stopped. Settings: API_URL, API_HEALTH_URL (the API's management endpoint, where
# readiness answers), USERS, RATE_PER_SECOND.
set -u
api="${API_URL:-http://api:8080}"
health="${API_HEALTH_URL:-http://api:8081/health/ready}"
users="${USERS:-200}"
pause=$(awk "BEGIN { print 1 / ${RATE_PER_SECOND:-20} }")

until curl -fsS -o /dev/null "$health"; do echo "waiting for $health"; sleep 2; done

i=0
while true; do
  i=$((i + 1))
  user="user-$(( $(od -An -N2 -tu2 /dev/urandom) % users ))"
  case $(( i % 10 )) in
    0) curl -s -o /dev/null -X PUT "$api/api/users/$user" -H 'Content-Type: application/json' \
         -d "{\"displayName\":\"User $user\",\"email\":\"$user@example.com\"}" ;;
    1|2|3) key="k-$i"
       body="{\"lines\":[{\"sku\":\"SKU-$(( i % 7 ))\",\"quantity\":$(( i % 3 + 1 )),\"unitPrice\":$(( i % 50 + 1 )).99}]}"
       curl -s -o /dev/null -X POST "$api/api/users/$user/orders" -H 'Content-Type: application/json' -H "Idempotency-Key: $key" -d "$body"
       [ $(( i % 9 )) -eq 0 ] && curl -s -o /dev/null -X POST "$api/api/users/$user/orders" -H 'Content-Type: application/json' -H "Idempotency-Key: $key" -d "$body" ;;
    4|5|6) curl -s -o /dev/null "$api/api/users/$user/orders" ;;
    7|8) curl -s -o /dev/null "$api/api/users/$user" ;;
    9) curl -s -o /dev/null "$api/api/users/not%20valid" ;;
  esac
  sleep "$pause"
done
