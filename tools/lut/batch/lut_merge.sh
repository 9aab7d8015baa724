#!/bin/sh
# Concatenates shard_0.bin ... shard_{N-1}.bin of OUTDIR into OUTFILE after
# checking, from the sidecars (trigml.lut-sidecar version 2,
# docs/formats/lut_output.md), that the shards tile one contiguous range and
# were made from the same scheme, forests (SHA-256), conversion and word
# format, and that each shard file has its sidecar's length. OUTFILE is
# written under a temporary name and renamed when complete.
#   lut_merge.sh N OUTDIR OUTFILE
set -eu
n=$1; outdir=$2; outfile=$3
python3 - "$n" "$outdir" "$outfile" <<'PY'
import json, os, sys
n, d, outfile = int(sys.argv[1]), sys.argv[2], sys.argv[3]
same = ("scheme", "forests", "missing_modes", "conversion", "word_format")
prev = first = None
for i in range(n):
    path = f"{d}/shard_{i}.bin"
    s = json.load(open(path + ".json"))
    if (s.get("format"), s.get("format_version")) != ("trigml.lut-sidecar", 2):
        sys.exit(f"{path}.json is not a trigml.lut-sidecar version 2")
    if os.path.exists(outfile) and os.path.samefile(outfile, path):
        sys.exit(f"OUTFILE {outfile} is shard {i}")
    if os.path.getsize(path) != 2 * s["count"]:
        sys.exit(f"{path} is {os.path.getsize(path)} bytes, its sidecar says {2 * s['count']}")
    if first is None:
        first = s
    for key in same:
        if s[key] != first[key]:
            sys.exit(f"shard {i} differs from shard 0 in '{key}': {s[key]} vs {first[key]}")
    if prev is not None and s["first_address"] != prev:
        sys.exit(f"shard {i} starts at {s['first_address']}, expected {prev}")
    prev = s["first_address"] + s["count"]
PY
tmp="$outfile.tmp-$$"
trap 'rm -f "$tmp"' EXIT INT TERM
: > "$tmp"
i=0
while [ "$i" -lt "$n" ]; do cat "$outdir/shard_$i.bin" >> "$tmp"; i=$((i + 1)); done
mv "$tmp" "$outfile"
trap - EXIT INT TERM
echo "merged $n shards into $outfile"
