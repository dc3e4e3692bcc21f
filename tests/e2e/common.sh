# Sourced first by the e2e scripts that take one argument, the btfgen to test:
#   . "$(dirname "$0")/common.sh"
# Checks the argument, then sets START (seconds, for the "time" line), BTFGEN
# (made absolute) and ROOT (the repository), and changes to ROOT.
if [ $# -ne 1 ]; then
	echo "usage: $0 BTFGEN" >&2
	exit 2
fi
START=$(date +%s)
case $1 in
/*) BTFGEN=$1 ;;
*) BTFGEN=$(pwd)/$1 ;;
esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd) || exit 2
cd "$ROOT" || exit 2
