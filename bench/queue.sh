# bench/queue: `fleetclip list --limit 50` and `fleetclip stats` on a 100 000-clip queue database
# against the same queries run by the sqlite3 command-line tool on the same file. Each side runs
# as a fresh process (what an engineer types), wall time per call, median of RUNS runs.
# Goal: ours <= 1.5x sqlite3 and under 100 ms.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
CLIPS=${CLIPS:-100000}
state="$BENCH_DATA/queue-$CLIPS"
if [ ! -s "$state/queue.db" ]; then
  echo "bench: making $state/queue.db with $CLIPS clips (once)" >&2
  rm -rf "$state"
  "$BUILD_DIR/bench/queue_gen" "$state" "$CLIPS"
fi
db="$state/queue.db"
cli="$BUILD_DIR/cli/fleetclip"
list_sql="SELECT id,state,priority,bytes,created_unix_ms,rules,pinned FROM clips
  ORDER BY created_unix_ms DESC, id DESC LIMIT 50;"
stats_sql="SELECT state,rules,COUNT(*),TOTAL(bytes),TOTAL(local_bytes) FROM clips GROUP BY state,rules;
  SELECT id,created_unix_ms FROM clips WHERE state='ready' ORDER BY created_unix_ms,id LIMIT 1;
  SELECT name,value FROM counters;"
# milliseconds of wall time for one run of the command given
ms() { local t; t=$(now); "$@" >/dev/null; awk -v s="$(since "$t")" 'BEGIN {printf "%.2f", s * 1000}'; }

"$cli" list --db "$db" --limit 50 >/dev/null  # warm the page cache for both sides alike
ol=() pl=() os=() ps=()
for _ in $(seq "$RUNS"); do
  ol+=("$(ms "$cli" list --db "$db" --limit 50)")
  pl+=("$(ms sqlite3 -readonly "$db" "$list_sql")")
  os+=("$(ms "$cli" stats --db "$db")")
  ps+=("$(ms sqlite3 -readonly "$db" "$stats_sql")")
done
l=$(median "${ol[@]}") lp=$(median "${pl[@]}") s=$(median "${os[@]}") sp=$(median "${ps[@]}")
echo "list --limit 50: fleetclip=${l} ms sqlite3=${lp} ms ratio=$(ratio "$l" "$lp")" >&2
echo "stats:           fleetclip=${s} ms sqlite3=${sp} ms ratio=$(ratio "$s" "$sp")" >&2
total=$(awk -v a="$l" -v b="$s" 'BEGIN {printf "%.2f", a + b}')
peer=$(awk -v a="$lp" -v b="$sp" 'BEGIN {printf "%.2f", a + b}')
echo "RESULT queue list_plus_stats_ms=$total peer=$peer ratio=$(ratio "$total" "$peer")"
