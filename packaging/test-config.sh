#!/usr/bin/env bash
# CTest packaging_default_config: the shipped /etc/fleetclip/fleetclip.conf parses as protobuf
# text format of fleetclip.proto.BaseConfig against the proto the daemon is built from, so a
# renamed or retyped field fails here rather than on a car. (Bounds are the daemon's validator's
# job; `fleetclip config validate` can be added here once it exists.)
# Usage: test-config.sh CONFIG_FILE PROTO_DIR
set -euo pipefail
config=$1
proto_dir=$2

command -v protoc >/dev/null || { echo "SKIP: protoc not installed"; exit 77; }
set +e
err=$(timeout 60 protoc --encode=fleetclip.proto.BaseConfig -I "$proto_dir" "$proto_dir/config.proto" \
      <"$config" 2>&1 >/dev/null)
rc=$?
set -e
if [ $rc -ne 0 ]; then
  # protoc names the position as "input:LINE:COLUMN".
  echo "FAIL: $config does not parse as fleetclip.proto.BaseConfig:"
  echo "$err"
  exit 1
fi
echo "OK: $config parses as fleetclip.proto.BaseConfig"
