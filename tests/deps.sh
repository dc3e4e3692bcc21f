#!/bin/sh
# Install what the test suite needs, only when something is missing.
# Needs root and Debian's apt (Debian 12). The product itself needs none of it.
set -eu

pkgs="build-essential pkg-config libcriterion-dev bpftool libbpf-tools clang-19 llvm-19 \
xz-utils python3 musl-tools time valgrind libclang-rt-19-dev libbpf-dev \
python3-prometheus-client curl strace"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "tests/deps.sh: missing packages:$missing (run as root, or install them)" >&2
	exit 1
fi
echo "tests/deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
