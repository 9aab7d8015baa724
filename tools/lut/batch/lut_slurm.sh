#!/bin/bash
# Slurm job array: the full 2^30-entry EMTF LUT as N range shards.
#
#   sbatch --array=0-63 lut_slurm.sh        # N = 64 (set N below to the array size)
#   (afterwards)  ./lut_merge.sh 64 shards LUT_full.dat
#   or chain:     sbatch --dependency=afterok:<jobid> --wrap "./lut_merge.sh 64 shards LUT_full.dat"
#
#SBATCH --job-name=trigml-lut
#SBATCH --cpus-per-task=2
#SBATCH --mem=4G
#SBATCH --output=logs/shard_%a.out
set -euo pipefail
N=${N:-64}
cd "${SLURM_SUBMIT_DIR:-.}"
mkdir -p logs
exec ./lut_shard.sh "${SLURM_ARRAY_TASK_ID}" "$N" shards 0 1073741824 -- \
    --all-modes --forests forests --conversion emtf2017 --format emtf64 --threads "${SLURM_CPUS_PER_TASK:-2}"
