#!/usr/bin/env bash
# Every kernel path this CPU runs gives the same bytes (trigml.h, "CPU path").
#   Tests/c/isa_parity.sh BUILD_DIR
# For each TRIGML_ISA value the CPU supports: the golden tests again (ctest
# in BUILD_DIR, their usual tolerances), and isa_outputs writes T5 scores and
# pass flags, forest margins and tagger probabilities, compared byte for byte
# (cmp) with the baseline path's. A value the library refuses is reported as
# not supported by this CPU and skipped; the baseline path must always run.
set -euo pipefail
build=$(cd "${1:?usage: isa_parity.sh BUILD_DIR}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
golden=$root/Tests/golden
outputs=$build/isa_outputs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

paths=()
for isa in baseline avx2 avx512; do
  if got=$(TRIGML_ISA=$isa "$outputs" path 2>/dev/null) && [ "$got" = "$isa" ]; then
    paths+=("$isa")
  else
    echo "isa_parity: this CPU does not run '$isa', skipped"
  fi
done
[ "${paths[0]:-}" = baseline ] || { echo "FAIL: the baseline path does not run"; exit 1; }
echo "isa_parity: paths ${paths[*]} (default: $("$outputs" path))"

cases=(
  "t5_lst_v2|t5 $golden/t5_events.bin $golden/t5_model_lst_v2.json"
  "t5_lst_v1|t5 $golden/t5_events.bin $golden/t5_model_lst_v1.json"
)
# Version-2 models read host columns from the version-2 event file
# (committed goldens, tools/t5/make_t5_v2_models.py).
cases+=("t5_v2_3class|t5 $golden/t5_events_v2.bin $golden/t5_model_v2_3class.json")
goldens='t5_golden|t5_lst_parity|t5_v2_golden|forest_golden|tagger_golden|lut_golden|ddt_golden'
for f in "$golden"/forests/*.json "$golden"/lut/forest_*.json; do
  cases+=("forest_$(basename "$f" .json)|forest $f")
done
for m in mlp_sigmoid mlp_softmax deepsets_sigmoid deepsets_softmax; do
  cases+=("tagger_$m|tagger $golden/taggers/jets.bin $golden/taggers/$m.json")
done

failed=0
for isa in "${paths[@]}"; do
  for c in "${cases[@]}"; do
    name=${c%%|*}
    # shellcheck disable=SC2086
    TRIGML_ISA=$isa "$outputs" ${c#*|} "$work/$name.$isa" >/dev/null
    if [ "$isa" != baseline ]; then
      if cmp -s "$work/$name.baseline" "$work/$name.$isa"; then
        echo "  same bytes  $name  $isa = baseline ($(stat -c %s "$work/$name.$isa") bytes)"
      else
        echo "FAIL: $name differs between baseline and $isa"; failed=1
      fi
    fi
  done
  echo "isa_parity: golden tests under TRIGML_ISA=$isa"
  TRIGML_ISA=$isa ctest --test-dir "$build" --output-on-failure -R "^($goldens)" | grep -E 'tests passed|Failed' \
    || { echo "FAIL: golden tests under TRIGML_ISA=$isa"; failed=1; }
done
[ "$failed" = 0 ] && echo "isa_parity: every path gives the same bytes"
exit "$failed"
