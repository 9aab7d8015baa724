#!/bin/sh
# One shard of a LUT: shard INDEX of N (0-based) of the address range
# [FIRST, FIRST + COUNT), written as shard_INDEX.bin (+ .json sidecar) in OUTDIR.
#
#   lut_shard.sh INDEX N OUTDIR FIRST COUNT -- <trigml lut generate options>
#
# Shards are contiguous and aligned to 4 addresses (so --format emtf64 works);
# concatenating shard_0 ... shard_{N-1} (lut_merge.sh) gives the same bytes
# as one run over the whole range. Used by lut_condor.sub and lut_slurm.sh;
# TRIGML_CLI may point at the trigml-cli binary.
set -eu
index=$1; n=$2; outdir=$3; first=$4; count=$5; shift 5
[ "$1" = "--" ] && shift
# shard boundaries: multiples of 4 addresses, as even as possible
quads=$(( (count + 3) / 4 ))
lo=$(( first + 4 * (quads * index / n) ))
hi=$(( first + 4 * (quads * (index + 1) / n) ))
[ "$hi" -gt $(( first + count )) ] && hi=$(( first + count ))
tools=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$outdir"
exec "$tools/trigml" lut generate "$@" --first "$lo" --count $(( hi - lo )) --out "$outdir/shard_$index.bin"
