#!/usr/bin/env bash
# upload: a 512 MiB clip file to the Ceph S3 test server (scripts/s3-test-server, started here and
# stopped at the end) through S3Transport (multipart, 8 MiB parts, 2 parallel parts, Content-MD5 per
# part) against `curl -T` of the same bytes to the same server as one SigV4 PUT, alternating, RUNS
# times. Metrics: MB/s (file bytes / wall seconds) and CPU seconds per GiB of the uploading process
# (the server's CPU is not counted on either side). Goal: ratio >= 0.9; CPU/GiB <= 1.2x curl's.
# Two sides of ours per run: "ours" with the part MD5s the clip writer records (as a real clip
# has them; their write-time cost is reported apart), and "ours-hash" hashing every part at upload
# time (clips without recorded MD5s). md5/sha256: the digest alone, s/GiB, measured in the same
# process on the same bytes — the floor of hashing at upload time.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/.." && pwd)
file="$BENCH_DATA/upload-512mib.bin"
[ -s "$file" ] || head -c $((512 << 20)) /dev/urandom >"$file"
cat "$file" >/dev/null  # page cache, both sides alike
bytes=$(stat -c %s "$file")

server_dir=$(mktemp -d "${TMPDIR:-/tmp}/fleetclip-bench-s3-XXXXXX")
trap '"$root/scripts/s3-test-server" stop "$server_dir"' EXIT
eval "$(S3_TEST_MEMSTORE_BYTES=$((4 << 30)) "$root/scripts/s3-test-server" start "$server_dir")"
sig=(--aws-sigv4 "aws:amz:us-east-1:s3" --user "$S3_TEST_ACCESS_KEY:$S3_TEST_SECRET_KEY"
     -H "x-amz-content-sha256: UNSIGNED-PAYLOAD")
curl -sf "${sig[@]}" -X PUT "$S3_TEST_ENDPOINT/bench" >/dev/null

ours=() peer=() ours_cpu=() peer_cpu=() hash=() hash_cpu=() write_cpu=() md5=() sha=()
per_gib() { awk -v b="$bytes" -v c="$1" 'BEGIN {printf "%.3f", c / (b / 2^30)}'; }
for run in $(seq "$RUNS"); do
  line=$("$BUILD_DIR/bench/upload_bench" "$file" "$S3_TEST_ENDPOINT" bench "ours-$run" \
    "$S3_TEST_ACCESS_KEY" "$S3_TEST_SECRET_KEY" 2 write)
  ours+=("$(awk -v b="$bytes" -v s="$(field seconds "$line")" 'BEGIN {printf "%.1f", b / s / 1e6}')")
  ours_cpu+=("$(per_gib "$(field cpu_seconds "$line")")")
  write_cpu+=("$(per_gib "$(field write_digest_cpu_seconds "$line")")")
  md5+=("$(per_gib "$(field md5_cpu_seconds "$line")")")
  sha+=("$(per_gib "$(field sha256_cpu_seconds "$line")")")
  curl -sf "${sig[@]}" -X DELETE "$S3_TEST_ENDPOINT/bench/ours-$run" >/dev/null
  sleep 3

  line=$("$BUILD_DIR/bench/upload_bench" "$file" "$S3_TEST_ENDPOINT" bench "hash-$run" \
    "$S3_TEST_ACCESS_KEY" "$S3_TEST_SECRET_KEY" 2 upload)
  hash+=("$(awk -v b="$bytes" -v s="$(field seconds "$line")" 'BEGIN {printf "%.1f", b / s / 1e6}')")
  hash_cpu+=("$(per_gib "$(field cpu_seconds "$line")")")
  curl -sf "${sig[@]}" -X DELETE "$S3_TEST_ENDPOINT/bench/hash-$run" >/dev/null
  sleep 3

  t0=$(now)
  cpu=$( { /usr/bin/time -f "%U %S" curl -sf "${sig[@]}" -T "$file" "$S3_TEST_ENDPOINT/bench/peer-$run" >/dev/null; } 2>&1 | tail -n 1)
  peer+=("$(awk -v b="$bytes" -v s="$(since "$t0")" 'BEGIN {printf "%.1f", b / s / 1e6}')")
  peer_cpu+=("$(awk -v b="$bytes" -v u="${cpu% *}" -v s="${cpu#* }" 'BEGIN {printf "%.3f", (u + s) / (b / 2^30)}')")
  curl -sf "${sig[@]}" -X DELETE "$S3_TEST_ENDPOINT/bench/peer-$run" >/dev/null
  echo "run $run: ours=${ours[-1]} MB/s (${ours_cpu[-1]} cpu s/GiB, +${write_cpu[-1]} at write time)" \
    "ours-hash=${hash[-1]} MB/s (${hash_cpu[-1]}) curl=${peer[-1]} MB/s (${peer_cpu[-1]})" \
    "md5=${md5[-1]} sha256=${sha[-1]} s/GiB; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  sleep 3  # let radosgw garbage-collect the deleted objects (memstore keeps them in RAM)
done
o=$(median "${ours[@]}") p=$(median "${peer[@]}") h=$(median "${hash[@]}")
oc=$(median "${ours_cpu[@]}") pc=$(median "${peer_cpu[@]}") hc=$(median "${hash_cpu[@]}")
echo "cpu_s_per_gib: ours=$oc curl=$pc ratio=$(ratio "$oc" "$pc")" \
  "(+$(median "${write_cpu[@]}") s/GiB at write time, sha256 and part MD5s in one read)" >&2
echo "hashing at upload time: ours-hash=$h MB/s ratio=$(ratio "$h" "$p");" \
  "cpu ours-hash=$hc ratio=$(ratio "$hc" "$pc")" >&2
echo "digest alone, one thread: md5=$(median "${md5[@]}") sha256=$(median "${sha[@]}") s/GiB" \
  "(md5 alone is $(ratio "$(median "${md5[@]}")" "$pc")x curl's whole upload)" >&2
echo "RESULT upload mb_per_s=$o peer=$p ratio=$(ratio "$o" "$p")"
