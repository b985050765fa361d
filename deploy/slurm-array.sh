#!/usr/bin/env bash
# kyso on a Slurm cluster: one array task per shard, all reading the same shared folder, then
# one merge. Submit from a login node (the merge waits for every shard to succeed):
#
#   INPUT=/shared/archive OUT=/shared/kyso-out SHARDS=16 deploy/slurm-array.sh submit
#
# What each array task runs (also usable by hand, e.g. to rerun one shard):
#
#   SLURM_ARRAY_TASK_ID=3 SLURM_ARRAY_TASK_COUNT=16 INPUT=... OUT=... deploy/slurm-array.sh shard
#   INPUT=... OUT=... SHARDS=16 deploy/slurm-array.sh merge
#
# Each shard writes OUT/shard-K (its own catalog: a re-submitted or requeued task resumes where
# it stopped, and scancel's SIGTERM stops it cleanly); the merge writes OUT/merged, on which
# `kyso report --from OUT/merged` works. Every shard must run the same kyso with the same
# options (KYSO_ARGS), or the merge refuses them.
#
#SBATCH --job-name=kyso
#SBATCH --cpus-per-task=4
#SBATCH --mem=8G
#SBATCH --time=24:00:00
#SBATCH --requeue
#SBATCH --output=kyso-%A_%a.log
set -euo pipefail
# KYSO_ARGS is split into words but never glob-expanded (it may hold --exclude '*.tmp').
set -f

KYSO="${KYSO:-kyso}"
: "${INPUT:?set INPUT to the shared input folder}"
: "${OUT:?set OUT to the shared output folder}"
# Extra scan flags, identical for every shard, e.g. "--ocr none --trust /shared/roots".
KYSO_ARGS="${KYSO_ARGS:-}"

mode="${1:-shard}"
case "$mode" in
  submit)
    : "${SHARDS:?set SHARDS to the number of shards}"
    script="$(readlink -f "$0")"
    # --export=ALL passes INPUT, OUT, KYSO and KYSO_ARGS to the tasks.
    array=$(sbatch --parsable --export=ALL --array=0-$((SHARDS - 1)) "$script" shard)
    sbatch --export=ALL,SHARDS="$SHARDS" --dependency=afterok:"$array" \
      --job-name=kyso-merge --cpus-per-task=1 "$script" merge
    ;;
  shard)
    : "${SLURM_ARRAY_TASK_ID:?not running as a Slurm array task}"
    : "${SLURM_ARRAY_TASK_COUNT:?not running as a Slurm array task}"
    k="$SLURM_ARRAY_TASK_ID"
    n="$SLURM_ARRAY_TASK_COUNT"
    jobs="${SLURM_CPUS_PER_TASK:-$(nproc)}"
    # Exit code 1 means some documents have errors (they have records): the shard is done.
    # shellcheck disable=SC2086
    "$KYSO" scan "$INPUT" --out "$OUT/shard-$k" --shard "$k/$n" --jobs "$jobs" --quiet $KYSO_ARGS \
      || { rc=$?; [ "$rc" -eq 1 ] || exit "$rc"; }
    ;;
  merge)
    : "${SHARDS:?set SHARDS to the number of shards}"
    dirs=()
    for k in $(seq 0 $((SHARDS - 1))); do dirs+=("$OUT/shard-$k"); done
    "$KYSO" merge "${dirs[@]}" --out "$OUT/merged"
    ;;
  *)
    echo "usage: $0 [submit|shard|merge]" >&2
    exit 2
    ;;
esac
