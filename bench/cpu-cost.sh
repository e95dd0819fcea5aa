#!/usr/bin/env bash
# Server CPU time per request, for one or more checkouts, in interleaved rounds.
#
#   bench/cpu-cost.sh CHECKOUT [CHECKOUT...]
#
# Throughput figures need a quiet machine; the CPU time the server process itself spends per
# request (utime + stime from /proc/PID/stat, all its threads, divided by the requests wrk counted)
# is far less sensitive to what else runs, and rounds that alternate the checkouts (A, B, A, B, …)
# let a noisy neighbour hurt every checkout alike. Each checkout is seeded and started the way the
# side-by-side kit does it (embedded default, data dir on disk), and the requests are the kit's own
# request files replayed by wrk (1 thread, 50 connections): `/user/profile` without a MAC header and
# a presigned FDS GET of 4 KiB objects; on request (WORKLOADS) presigned FDS GETs of 1 MiB objects
# (get1m), presigned FDS PUTs of 4 KiB and 1 MiB bodies over 64 names (put4k, put1m: each PUT a new
# durable version) and the token endpoint: `code`
# (authorization-code exchange, the SDK's GET) and `refresh` (refresh with rotation). Their requests
# are single use, so each measurement mints COUNT fresh ones first through the kit's
# `lib/opal-codes.mjs` (not measured) and sends each exactly once (bench/lib/replay-count.mjs), also
# in timed mode, where the CPU time then covers those COUNT requests instead of DURATION seconds.
#
# With INSTR=1 each server runs under `valgrind --tool=callgrind` with instrumentation off, and a
# measurement counts the instructions the server executes for COUNT (2000) requests sent once each
# after a warm-up of as many: a count that does not depend on the machine's load (callgrind counts
# instructions, not seconds; about 50 times slower, so keep COUNT small). Each thread is counted
# apart (`instructionsPerReq` is their sum, `mainThreadPerReq` the event loop's share: V8 compiles
# optimized code and marks the heap on helper threads, and with a short warm-up the compiler's work
# is a large part of the sum). CG_KEEP=DIR keeps each measurement's callgrind files there (for
# callgrind_annotate).
#
# Needs the kit (OPAL_PEERS_KIT, default ../shared/peers beside this checkout, as for
# `npm run bench:peers`), wrk and curl. Settings: ROUNDS (3), DURATION (8 s per measurement),
# CONNS (50), PORT_BASE (18600), WORKLOADS ("profile get4k"; also mac (`/user/profile` with a MAC
# header, a nonce of its own per request), get1m, put4k, put1m, code, refresh), COUNT (2000).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
kit=${OPAL_PEERS_KIT:-$here/../shared/peers}
[ -x "$kit/run.sh" ] || { echo "cpu-cost: no benchmark kit at $kit (set OPAL_PEERS_KIT)" >&2; exit 2; }
[ $# -ge 1 ] || { echo "usage: bench/cpu-cost.sh CHECKOUT [CHECKOUT...]" >&2; exit 2; }
ROUNDS=${ROUNDS:-3} DURATION=${DURATION:-8} CONNS=${CONNS:-50} PORT_BASE=${PORT_BASE:-18600}
work=$(mktemp -d "${TMPDIR:-/tmp}/opal-cpu-cost.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
ticks=$(getconf CLK_TCK)

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# start N CHECKOUT: seed with the kit's opal-up.sh, restart as a plain `node bin/opal.js serve`
# whose PID is the server's, mint a MAC token and the request files.
start() {
  local n=$1 repo=$2 st=$work/$1 port=$((PORT_BASE + 2 * $1))
  mkdir -p "$st"
  OPAL_PORT=$port OPAL_FDS_PORT=$((port + 1)) "$kit/opal/opal-up.sh" "$repo" "$st" >&2
  "$kit/opal/opal-down.sh" "$st" >/dev/null 2>&1 || true
  sleep 1
  ( cd "$repo" && OPAL_DATA_DIR=$st/data OPAL_HOST=127.0.0.1 OPAL_PORT=$port OPAL_FDS_PORT=$((port + 1)) \
      OPAL_LOG_LEVEL=warn exec ${INSTR:+valgrind --tool=callgrind --instr-atstart=no --separate-threads=yes --callgrind-out-file=$st/cg.out} \
        node bin/opal.js serve --no-demo ) >"$st/server.log" 2>&1 &
  pids+=($!); echo $! >"$st/pid"
  for _ in $(seq 1 1500); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
  # shellcheck disable=SC1091
  . "$st/env"
  local code body tok
  code=$(node "$kit/opal/get-code.mjs" "$st" '1 3')
  body=$(curl -fsS "$ACCOUNT_URL/oauth2/token?client_id=$CLIENT_ID&redirect_uri=$REDIRECT_URI&client_secret=$CLIENT_SECRET&grant_type=authorization_code&code=$code&token_type=mac" | sed 's/&&&START&&&//')
  tok=$(node -p 'JSON.parse(process.argv[1]).access_token' "$body")
  node -p 'JSON.parse(process.argv[1]).mac_key' "$body" >"$st/mac-key"; echo "$tok" >"$st/token"; echo "$CLIENT_ID" >"$st/client"
  node "$kit/lib/gen.mjs" opal-profile --url "$ACCOUNT_URL" --client-id "$CLIENT_ID" --token="$tok" --out "$st/profile.req"
  node "$kit/lib/gen.mjs" opal-fds-bucket --url "$FDS_URL" --ak="$FDS_AK" --secret="$FDS_SECRET" --bucket cpu-cost >&2 || true
  node "$kit/lib/gen.mjs" opal-fds-get --url "$FDS_URL" --ak="$FDS_AK" --secret="$FDS_SECRET" --bucket cpu-cost \
    --size 4096 --keys 64 --out "$st/get4k.req"
  case " ${WORKLOADS:-} " in *" get1m "*)
    node "$kit/lib/gen.mjs" opal-fds-get --url "$FDS_URL" --ak="$FDS_AK" --secret="$FDS_SECRET" --bucket cpu-cost \
      --size 1048576 --keys 16 --out "$st/get1m.req" ;; esac
  local size name
  for size in 4096 1048576; do
    name=put$([ "$size" = 4096 ] && echo 4k || echo 1m)
    case " ${WORKLOADS:-} " in *" $name "*)
      node "$kit/lib/gen.mjs" opal-fds-put --url "$FDS_URL" --ak="$FDS_AK" --secret="$FDS_SECRET" --bucket cpu-cost \
        --size "$size" --keys 64 --body "$st/$name.body" --out "$st/$name.req" ;; esac
  done
  echo "$ACCOUNT_URL" >"$st/account"; echo "$FDS_URL" >"$st/fds"
}

# repeat FILE N: a request file holding FILE's records over and over, N records in all
repeat() {
  node -e '
    const fs = require("fs"); const b = fs.readFileSync(process.argv[1]); const recs = [];
    for (let i = 0; i < b.length; ) { const nl = b.indexOf(10, i); const len = +b.subarray(i, nl); recs.push(b.subarray(i, nl + 1 + len)); i = nl + 1 + len; }
    const out = []; for (let i = 0; i < +process.argv[2]; i++) out.push(recs[i % recs.length]);
    process.stdout.write(Buffer.concat(out));
  ' "$1" "$2"
}

# workload N WORKLOAD: sets url, reqf and bodyf (empty for bodiless requests) of a workload whose
# requests can be replayed; fails for the single-use ones (mac, code, refresh)
workload() {
  local st=$work/$1
  bodyf=
  case $2 in
    profile) url=$(cat "$st/account"); reqf=$st/profile.req ;;
    get4k | get1m) url=$(cat "$st/fds"); reqf=$st/$2.req ;;
    put4k | put1m) url=$(cat "$st/fds"); reqf=$st/$2.req; bodyf=$st/$2.body ;;
    mac | code | refresh) return 1 ;;
    *) echo "cpu-cost: unknown workload $2" >&2; exit 2 ;;
  esac
}

# once N WORKLOAD: writes $work/N/once.req, COUNT requests of WORKLOAD to send once each, and sets
# url and bodyf. Token-endpoint requests are minted fresh (single use), MAC requests signed with
# fresh nonces.
once() {
  local st=$work/$1
  if workload "$1" "$2"; then
    repeat "$reqf" "${COUNT:-2000}" >"$st/once.req"
  elif [ "$2" = mac ]; then
    url=$(cat "$st/account"); bodyf=
    node "$kit/lib/gen.mjs" opal-profile-mac --url "$url" --client-id "$(cat "$st/client")" --token="$(cat "$st/token")" \
      --mac-key="$(cat "$st/mac-key")" --n "${COUNT:-2000}" --out "$st/once.req" >&2
  else
    node "$kit/lib/opal-codes.mjs" "$st" "$2" "${COUNT:-2000}" "$st/once.req" 2>/dev/null
    url=$(cat "$st/account"); bodyf=
  fi
}

# instructions N WORKLOAD: server instructions for COUNT requests (INSTR=1)
instructions() {
  local st=$work/$1 pid after line
  pid=$(cat "$st/pid")
  once "$1" "$2"
  node "$here/bench/lib/replay-count.mjs" "$url" "$st/once.req" "$CONNS" $bodyf >/dev/null
  once "$1" "$2"
  sleep 1 # let the minting's WAL syncs and checkpoint settle
  callgrind_control -z "$pid" >/dev/null; callgrind_control -i on "$pid" >/dev/null
  line=$(node "$here/bench/lib/replay-count.mjs" "$url" "$st/once.req" "$CONNS" $bodyf)
  callgrind_control -i off "$pid" >/dev/null
  callgrind_control -d "$pid" >/dev/null
  sleep 1
  # one file per thread of the newest dump: cg.out.<dump>-<thread>; thread 01 is the event loop
  after=$(ls -t "$st"/cg.out.*-01 | head -n1)
  node -e '
    const fs = require("fs"); const r = JSON.parse(process.argv[1]); const main = process.argv[2];
    const ir = (f) => Number((/^totals: (\d+)/m.exec(fs.readFileSync(f, "utf8")) ?? [])[1] ?? 0);
    const part = main.slice(0, -3); const dir = require("path").dirname(main);
    const all = fs.readdirSync(dir).map((f) => `${dir}/${f}`).filter((f) => f.startsWith(`${part}-`));
    const total = all.reduce((s, f) => s + ir(f), 0);
    console.log(JSON.stringify({ instructionsPerReq: Math.round(total / r.requests), mainThreadPerReq: Math.round(ir(main) / r.requests), threads: all.length, requests: r.requests, errors: r.errors }));
  ' "$line" "$after"
  if [ -n "${CG_KEEP:-}" ]; then
    for f in "${after%-01}"-*; do cp "$f" "$CG_KEEP/$(basename "$(dirname "$st")")-$1-$2.$(basename "$f")"; done
  fi
}

# measure N WORKLOAD: one wrk run; prints "µs of server CPU per request, requests, req/s"
measure() {
  local st=$work/$1 pid t0 t1 line
  pid=$(cat "$st/pid")
  if ! workload "$1" "$2"; then measure_once "$@"; return; fi
  t0=$(cpu_ticks "$pid")
  line=$(wrk -t1 -c"$CONNS" -d"${DURATION}s" -s "$kit/lib/replay.lua" "$url" -- "$reqf" "${bodyf:--}" cycle | sed -n 's/^WRKJSON //p')
  t1=$(cpu_ticks "$pid")
  node -e '
    const r = JSON.parse(process.argv[1]); const cpuUs = (process.argv[3] - process.argv[2]) * 1e6 / process.argv[4];
    const errs = r.err_connect + r.err_read + r.err_write + r.err_status + r.err_timeout;
    console.log(JSON.stringify({ cpuUsPerReq: +(cpuUs / r.requests).toFixed(1), requests: r.requests, rps: Math.round(r.rps), errors: errs }));
  ' "$line" "$t0" "$t1" "$ticks"
}

# measure_once N WORKLOAD: as measure, for COUNT single-use requests sent once each
measure_once() {
  local st=$work/$1 pid url t0 t1 s0 s1 line
  pid=$(cat "$st/pid")
  once "$1" "$2"
  sleep 1 # let the minting's WAL syncs and checkpoint settle
  t0=$(cpu_ticks "$pid"); s0=$(date +%s%N)
  line=$(node "$here/bench/lib/replay-count.mjs" "$url" "$st/once.req" "$CONNS" $bodyf)
  t1=$(cpu_ticks "$pid"); s1=$(date +%s%N)
  node -e '
    const r = JSON.parse(process.argv[1]); const cpuUs = (process.argv[3] - process.argv[2]) * 1e6 / process.argv[4];
    const rps = r.requests / ((process.argv[6] - process.argv[5]) / 1e9);
    console.log(JSON.stringify({ cpuUsPerReq: +(cpuUs / r.requests).toFixed(1), requests: r.requests, rps: Math.round(rps), errors: r.errors }));
  ' "$line" "$t0" "$t1" "$ticks" "$s0" "$s1"
}

i=0
for repo in "$@"; do start "$i" "$(cd "$repo" && pwd)"; i=$((i + 1)); done
if [ -n "${INSTR:-}" ]; then
  i=0
  for repo in "$@"; do
    rev=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || basename "$repo")
    for wl in ${WORKLOADS:-profile get4k}; do echo "{\"checkout\":\"$rev\",\"workload\":\"$wl\",\"result\":$(instructions "$i" "$wl")}"; done
    i=$((i + 1))
  done
  exit 0
fi
for wl in ${WORKLOADS:-profile get4k}; do measure 0 "$wl" >/dev/null; done # warm-up of the first; the others warm in round 1
i=1; while [ $i -lt $# ]; do for wl in ${WORKLOADS:-profile get4k}; do measure "$i" "$wl" >/dev/null; done; i=$((i + 1)); done
for r in $(seq 1 "$ROUNDS"); do
  i=0
  for repo in "$@"; do
    rev=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || basename "$repo")
    for wl in ${WORKLOADS:-profile get4k}; do echo "{\"round\":$r,\"checkout\":\"$rev\",\"workload\":\"$wl\",\"result\":$(measure "$i" "$wl")}"; done
    i=$((i + 1))
  done
done
