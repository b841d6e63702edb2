#!/usr/bin/env bash
# Load test: 50 simulated mentors and leads for 2 minutes against gunicorn on 127.0.0.1.
#   loadtest/run.sh [DATABASE_URL]      (default: the bench database built by `make bench`)
# Prints throughput, p50/p95/p99 and errors per page; the page target is p95 < 300 ms with
# zero errors (reports excluded). Traffic goes to the loopback interface only.
# Each simulated person pauses 5-15 s between actions (LOAD_WAIT=1,3 for a stress pace that
# finds the machine's capacity); a 20 s warm-up at 10 users (LOAD_WARMUP) is not measured.
set -euo pipefail
cd "$(dirname "$0")/.."
DB="${1:-${LOAD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/waymark_bench}}"
PORT="${LOAD_PORT:-8300}"
USERS="${LOAD_USERS:-50}"
DURATION="${LOAD_DURATION:-2m}"
OUT=bench-output
mkdir -p "$OUT"
export DATABASE_URL="$DB" DEBUG=false SECRET_KEY="load-test-only-secret-key-0123456789-abcdefghijklmnop" \
  ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=false SECURE_COOKIES=false LOG_LEVEL=WARNING \
  LOGIN_RATE_LIMIT_PER_IP=600/m/ip
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/python loadtest/prepare.py
# The production settings (gunicorn.conf.py), on the load-test port; LOAD_WORKERS and
# LOAD_THREADS override its process and thread counts.
WEB_CONCURRENCY="${LOAD_WORKERS:-${WEB_CONCURRENCY:-3}}" GUNICORN_THREADS="${LOAD_THREADS:-${GUNICORN_THREADS:-4}}" \
  GUNICORN_BIND="127.0.0.1:$PORT" GUNICORN_ACCESS_LOG=/dev/null GUNICORN_ERROR_LOG="$OUT/gunicorn.log" \
  .venv/bin/gunicorn -c gunicorn.conf.py mentoring.wsgi &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null; wait $GUNICORN 2>/dev/null' EXIT
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
# Warm-up, not measured: each worker compiles its templates and opens its database
# connections on its first requests, as a server that has been up a while already has.
WARMUP="${LOAD_WARMUP:-20s}"
if [ "$WARMUP" != "0" ]; then
  .venv/bin/locust -f loadtest/locustfile.py --headless --users 10 --spawn-rate 5 --run-time "$WARMUP" \
    --host "http://127.0.0.1:$PORT" --only-summary --stop-timeout 10 --exit-code-on-error 0 > "$OUT/warmup.log" 2>&1
fi
# Machine-wide CPU time (jiffies) from /proc/stat: busy (user, nice, system, irq, softirq, steal) and all.
cpu() { awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
before=$(cpu)
LOAD_TIMES_FILE="$OUT/load_times.csv" .venv/bin/locust -f loadtest/locustfile.py --headless --users "$USERS" --spawn-rate "${LOAD_SPAWN_RATE:-2}" --run-time "$DURATION" \
  --host "http://127.0.0.1:$PORT" --csv "$OUT/load" --only-summary --stop-timeout 10 --exit-code-on-error 0 \
  > "$OUT/locust.log" 2>&1
after=$(cpu)
.venv/bin/python loadtest/summary.py "$OUT/load_stats.csv" "$OUT/load_times.csv"
echo "$before $after" | awk '{printf "CPU busy during the run: %.0f%% of %d cores (load generator, web server and database together)\n", 100*($3-$1)/($4-$2), '"$(nproc)"'}'
