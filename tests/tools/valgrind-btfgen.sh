#!/bin/sh
# Run btfgen under valgrind memcheck: any memory error or definite leak makes
# the exit status 99 (the e2e suites then fail on it), and the report goes to
# $BTFGEN_VG_LOG (appended). Used by `make check-valgrind`.
#   BTFGEN_VG_BIN=build-vg/btfgen tests/tools/valgrind-btfgen.sh ARGS...
exec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
	--show-leak-kinds=definite --log-file="${BTFGEN_VG_LOG:-/dev/stderr}.%p" \
	"${BTFGEN_VG_BIN:?}" "$@"
