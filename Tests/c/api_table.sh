#!/usr/bin/env bash
# Header = exports = table (ABI 1 additions, "One table for dlopen users"):
#   1. the functions include/trigml.h declares are exactly the tml_* symbols
#      the library exports, and it exports nothing else but the linker's own
#      entries (_init, _fini, ...);
#   2. the tml_api members are those functions without the tml_ prefix, in
#      declaration order, minus tml_abi_version and tml_get_api;
#   3. api_table (Tests/c/api_table.c) checks at run time that each member is
#      the exported function of that name, in that order.
#
#   api_table.sh HEADER LIBRARY API_TABLE_PROGRAM
# A missing tool (nm) fails the test: a check that cannot run must not pass.
set -uo pipefail
header=$1 library=$2 program=$3
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v nm >/dev/null || fail "nm (binutils) is not installed"
[ -r "$header" ] || fail "no header $header"
[ -r "$library" ] || fail "no library $library"

# Declarations: top-level lines "type name(" (members are indented, the
# function-pointer typedef does not match "tml_name(").
declared=$(grep -E '^[a-z][a-z0-9_ ]*[ *](tml_[a-z0-9_]+)\(' "$header" | grep -v '^typedef' |
           sed -E 's/^[^(]*[ *](tml_[a-z0-9_]+)\(.*/\1/')
members=$(sed -n '/^typedef struct tml_api {/,/^} tml_api;/p' "$header" |
          grep -Eo '\(\*[a-z0-9_]+\)' | sed -E 's/\(\*(.*)\)/tml_\1/')
exported=$(nm -D --defined-only "$library" | awk '{print $NF}' | sed 's/@.*//')

[ -n "$declared" ] || fail "no declarations found in $header"
echo "header declares $(wc -l <<<"$declared") functions; tml_api has $(wc -l <<<"$members") members"

extra=$(grep -vxE 'tml_[a-z0-9_]+|_init|_fini|_edata|_end|__bss_start' <<<"$exported")
[ -z "$extra" ] || fail "$library exports more than the C ABI: $(head -5 <<<"$extra" | tr '\n' ' ')"
diff <(sort <<<"$declared") <(grep '^tml_' <<<"$exported" | sort) >/dev/null ||
  fail "declared vs exported differ (< header only, > library only):
$(diff <(sort <<<"$declared") <(grep '^tml_' <<<"$exported" | sort) | grep '^[<>]')"
expected=$(grep -vxE 'tml_abi_version|tml_get_api' <<<"$declared")
diff <(echo "$expected") <(echo "$members") >/dev/null ||
  fail "tml_api members differ from the declarations (< declarations, > members; order counts):
$(diff <(echo "$expected") <(echo "$members") | grep '^[<>]')"
echo "header = exports: $(wc -l <<<"$declared") functions"

# shellcheck disable=SC2086
exec "$program" $expected
