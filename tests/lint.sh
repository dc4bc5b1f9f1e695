#!/bin/sh
# lint.sh: cppcheck and clang-tidy over every C file of the project; any
# finding fails. `make lint` runs it; ./build.sh check calls that.
#
#   tests/lint.sh SRCDIR BUILDDIR     (BUILDDIR holds config.h)
#
# clang-tidy's checks and why some are off: .clang-tidy. cppcheck runs with
# warning, style, performance and portability; a false positive is
# suppressed inline, next to the line, with the reason.
set -u
SRC=${1:?usage: lint.sh SRCDIR BUILDDIR}
BUILD=${2:?usage: lint.sh SRCDIR BUILDDIR}
cd "$SRC" || exit 2
files=$(find common targets record prober reports cli lab tests -name '*.c' | LC_ALL=C sort)
status=0

echo "lint: cppcheck $(cppcheck --version | sed 's/^Cppcheck //') on $(echo "$files" | wc -l) files"
# shellcheck disable=SC2086
cppcheck -q --error-exitcode=1 --enable=warning,style,performance,portability --std=c99 \
	--inline-suppr --suppress=missingIncludeSystem -I. -I"$BUILD" -D__linux__ $files || status=1

echo "lint: clang-tidy ($(clang-tidy --version | sed -n 's/.*LLVM version //p'))"
# shellcheck disable=SC2086
clang-tidy -quiet --config-file=.clang-tidy $files -- -I. -I"$BUILD" -D_GNU_SOURCE \
	$(pkg-config --cflags libevent libevent_openssl openssl libcares gmime-3.0 2>/dev/null) \
	2>/dev/null | grep -E -A3 '(warning|error):' && status=1

[ $status -eq 0 ] && echo "lint: clean"
exit $status
