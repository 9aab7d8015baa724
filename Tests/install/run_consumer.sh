#!/usr/bin/env bash
# ctest install_consumer: install this build into a prefix inside the build
# directory, move the prefix (the package must be relocatable), then use it
# as a user would:
#   - the installed files and the library's SONAME;
#   - find_package(TrigML) from a separate project (Tests/install/consumer),
#     built and run: linked through TrigML::trigml, by name and through
#     tml_get_api, in C and in C++17;
#   - pkg-config --cflags --libs trigml, compiled and run the same way.
#
#   run_consumer.sh BUILD_DIR SOURCE_DIR C_COMPILER CXX_COMPILER
# A missing tool (readelf, pkg-config) fails the test: a check that cannot
# run must not pass.
set -uo pipefail
build=$1 source=$2 cc=$3 cxx=$4
fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in cmake readelf pkg-config; do
  command -v "$tool" >/dev/null || fail "$tool is not installed"
done

work=$build/install-consumer
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; fail "cmake --install"; }
mv "$work/prefix" "$work/moved"
prefix=$work/moved

for f in lib/libtrigml.so.1.0.0 lib/libtrigml.so.1 lib/libtrigml.so include/trigml.h \
         lib/cmake/TrigML/TrigMLConfig.cmake lib/cmake/TrigML/TrigMLConfigVersion.cmake \
         lib/pkgconfig/trigml.pc bin/trigml; do
  [ -e "$prefix/$f" ] || fail "not installed: $f"
done
[ "$(readlink "$prefix/lib/libtrigml.so.1")" = libtrigml.so.1.0.0 ] || fail "lib/libtrigml.so.1 is not a link to libtrigml.so.1.0.0"
[ "$(readlink "$prefix/lib/libtrigml.so")" = libtrigml.so.1 ] || fail "lib/libtrigml.so is not a link to libtrigml.so.1"
readelf -d "$prefix/lib/libtrigml.so.1.0.0" | grep -q 'Library soname: \[libtrigml.so.1\]' ||
  fail "SONAME of the installed library is not libtrigml.so.1"
echo "installed files, links and SONAME: ok"

echo "--- find_package(TrigML) consumer"
cmake -S "$source/Tests/install/consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" >"$work/configure.log" 2>&1 ||
  { cat "$work/configure.log"; fail "configure the consumer"; }
cmake --build "$work/consumer" >"$work/build.log" 2>&1 || { cat "$work/build.log"; fail "build the consumer"; }
"$work/consumer/consumer" || fail "consumer (TrigML::trigml)"
"$work/consumer/consumer_cxx" || fail "consumer_cxx (TrigML::trigml, C++17)"

echo "--- pkg-config consumer"
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
flags=$(pkg-config --cflags --libs trigml) || fail "pkg-config --cflags --libs trigml"
version=$(pkg-config --modversion trigml) || fail "pkg-config --modversion trigml"
echo "pkg-config --cflags --libs trigml: $flags"
# shellcheck disable=SC2086
"$cc" -std=c11 -DTRIGML_PACKAGE_VERSION="\"$version\"" "$source/Tests/install/consumer/consumer.c" $flags \
  -o "$work/consumer_pkgconfig" || fail "compile with the pkg-config flags"
LD_LIBRARY_PATH=$prefix/lib "$work/consumer_pkgconfig" || fail "consumer (pkg-config)"
echo "install_consumer: all checks passed"
