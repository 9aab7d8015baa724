#!/bin/sh
# Concatenates shard_0.bin ... shard_{N-1}.bin of OUTDIR into OUTFILE after
# checking, from the sidecars, that the shards tile one contiguous range.
#   lut_merge.sh N OUTDIR OUTFILE
set -eu
n=$1; outdir=$2; outfile=$3
python3 - "$n" "$outdir" <<'PY'
import json, sys
n, d = int(sys.argv[1]), sys.argv[2]
prev = None
for i in range(n):
    s = json.load(open(f"{d}/shard_{i}.bin.json"))
    if prev is not None and s["first_address"] != prev:
        sys.exit(f"shard {i} starts at {s['first_address']}, expected {prev}")
    prev = s["first_address"] + s["count"]
PY
: > "$outfile"
i=0
while [ "$i" -lt "$n" ]; do cat "$outdir/shard_$i.bin" >> "$outfile"; i=$((i + 1)); done
echo "merged $n shards into $outfile"
