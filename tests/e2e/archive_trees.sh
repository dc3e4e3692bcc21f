# SPDX-License-Identifier: MIT
# shellcheck shell=sh
#
# tests/e2e/archive_trees.sh - sourced by tests/e2e/archive.sh (its helpers
# and variables: bt, ar, arcase, pycheck, $HUB, $TMP/ext, $SMALL, $K1, $K2,
# $PROGS ...). The hub engine's checks:
#   - `archive` on any tree: a flat folder (the seed workflow), a subtree, a
#     folder above the root, a flat folder of every packaging; no kernel at
#     all is an error; identical inputs are reduced once; symlink loops;
#   - the command-line conventions (per-command help, -j2/-j 2/--jobs=2/
#     --jobs 2, unknown options, -V always the version);
#   - regression tests for the defects found in review (manifest reader
#     overflow and over-read, overlapping trees, trusted hashes, JSON with
#     names that are not UTF-8, a FIFO manifest, a symlinked output folder,
#     two kernels on one output path).

# kernel names of a manifest, one per line, sorted
man_paths() {
	python3 -c 'import json,sys; [print(k["path"]) for k in json.load(open(sys.argv[1], "rb"))["kernels"]]' "$1" 2>&1 | sort
}
# json_ok FILE: strict JSON in strict UTF-8 (what any consumer needs)
json_ok() {
	python3 -c 'import json,sys; json.loads(open(sys.argv[1], "rb").read().decode("utf-8", "strict"))' "$1" 2>&1
}
# refdir DIR SRC...: DIR/<basename> = the $SMALL reference of each hub kernel SRC
# (pairs "NAME=HUBPATH")
refdir() {
	rd=$1
	shift
	mkdir -p "$rd"
	for pair in "$@"; do
		cp "$TMP/sref/${pair#*=}.btf" "$rd/${pair%%=*}.btf"
	done
}
# one_line_names FILE WORD...: FILE holds exactly one line, containing each WORD
one_line_names() {
	olf=$1
	shift
	[ "$(nlines "$olf")" -eq 1 ] || return 1
	for w in "$@"; do grep -q -F -- "$w" "$olf" || return 1; done
}

if [ -n "$HUB" ]; then
	# references for the two small objects, per hub kernel
	nbad=0
	while read -r r; do
		mkdir -p "$TMP/sref/$(dirname "$r")"
		# shellcheck disable=SC2086
		"$BTFGEN" min_core_btf "$TMP/ext/$r.btf" "$TMP/sref/$r.btf" $SMALL 2>/dev/null || nbad=$((nbad + 1))
	done <"$TMP/hub.list"
	[ $nbad -eq 0 ] || fail trees/references "btfgen min_core_btf failed on $nbad extracted kernels"

	# -----------------------------------------------------------------------
	# any tree: the archive root is nested two levels deep in a mirror
	# -----------------------------------------------------------------------
	MIR=$TMP/mirror
	ROOTH=$MIR/site/btfhub-archive
	mkdir -p "$ROOTH"
	cp -r "$HUB/." "$ROOTH/"
	FLATREL=$(grep '^debian/12/x86_64/' "$TMP/hub.list" | head -n 1)
	FLATREL=${FLATREL%/*}
	FLAT=$ROOTH/$FLATREL
	grep "^$FLATREL/" "$TMP/hub.list" >"$TMP/flat.list"
	NFLAT=$(nlines "$TMP/flat.list")

	# the seed workflow: `cd btfhub-archive/debian/12/x86_64`, a flat folder
	# shellcheck disable=SC2046
	refdir "$TMP/flatref" $(while read -r r; do echo "$(basename "$r")=$r"; done <"$TMP/flat.list")
	# shellcheck disable=SC2086
	ar "$FLAT" "$TMP/o/flat" $SMALL
	if arcase trees/flat-folder "0" "$NFLAT" "$NFLAT" 0 0; then
		pycheck trees/flat-folder/outputs-mirror-input-paths tree "$TMP/o/flat" "$TMP/flatref"
		keys=$(python3 -c 'import json,sys
m = json.load(open(sys.argv[1]))
print(sorted({(k["id"], k["version_id"], k["arch"]) for k in m["kernels"]}))' "$TMP/o/flat/$MANIFEST" 2>&1)
		if [ "$keys" = "[('debian', '12', 'x86_64')]" ]; then
			pass "trees/flat-folder/key-from-folders-above (ID, VERSION_ID, arch: $keys)"
		else
			fail trees/flat-folder/key-from-folders-above "manifest keys $keys, want debian/12/x86_64 from the folders above INPUT_DIR"
		fi
	fi
	# the same as `cd FOLDER; btfgen archive . OUT`
	(cd "$FLAT" && timeout -k 5 "$TO" "$BTFGEN" archive -j 2 . "$TMP/o/flatdot" $SMALL) >"$TMP/ar.out" 2>"$TMP/ar.err"
	RC=$? WHY= SUM=$(head -n 1 "$TMP/ar.out")
	arcase trees/flat-folder-dot "0" "$NFLAT" "$NFLAT" 0 0 &&
		pycheck trees/flat-folder-dot/outputs tree "$TMP/o/flatdot" "$TMP/flatref"
	# filters work on a flat folder: the key comes from the folders above it
	# shellcheck disable=SC2086
	ar --arch amd64 --distro debian --distro-version 12 "$FLAT" "$TMP/o/flatf" $SMALL
	arcase trees/flat-folder/filters-match "0" "$NFLAT" "$NFLAT" 0 0
	# shellcheck disable=SC2086
	bt archive --arch arm64 "$FLAT" "$TMP/o/flatnone" $SMALL
	if [ -n "$BAD" ] || [ $RC -ne 1 ]; then
		fail trees/flat-folder/filter-selects-nothing "exit $RC $BAD (want 1)"
	elif [ -s "$TMP/stdout" ] || [ -e "$TMP/o/flatnone" ]; then
		fail trees/flat-folder/filter-selects-nothing "printed a summary or created OUTPUT_DIR"
	elif ! one_line_names "$TMP/stderr" "$FLAT" "no kernel" "filter" "$NFLAT kernels filtered out"; then
		fail trees/flat-folder/filter-selects-nothing "want one line naming the folder, the filters and $NFLAT filtered out: $(flat "$TMP/stderr")"
	else
		pass "trees/flat-folder/filter-selects-nothing ($(line1 "$TMP/stderr" | cut -c 1-120))"
	fi

	# a subtree: btfhub-archive/debian
	grep '^debian/' "$TMP/hub.list" >"$TMP/sub.list"
	NSUB=$(nlines "$TMP/sub.list")
	rm -rf "$TMP/subref"
	while read -r r; do
		mkdir -p "$TMP/subref/$(dirname "${r#debian/}")"
		cp "$TMP/sref/$r.btf" "$TMP/subref/${r#debian/}.btf"
	done <"$TMP/sub.list"
	# shellcheck disable=SC2086
	ar "$ROOTH/debian" "$TMP/o/sub" $SMALL
	arcase trees/subtree "0" "$NSUB" "$NSUB" 0 0 &&
		pycheck trees/subtree/outputs tree "$TMP/o/sub" "$TMP/subref"
	# shellcheck disable=SC2086
	ar --distro debian --distro-version 12 --arch arm64 "$ROOTH/debian" "$TMP/o/subf" $SMALL
	arcase trees/subtree/filters "0" "$(grep -c '^debian/12/arm64/' "$TMP/sub.list")" \
		"$(grep -c '^debian/12/arm64/' "$TMP/sub.list")" 0 0

	# a folder above the root: every kernel, paths mirrored with the extra levels
	rm -rf "$TMP/aboveref"
	mkdir -p "$TMP/aboveref/site/btfhub-archive"
	cp -r "$TMP/sref/." "$TMP/aboveref/site/btfhub-archive/"
	# shellcheck disable=SC2086
	ar "$MIR" "$TMP/o/above" $SMALL
	arcase trees/above-root "0" "$NHUB" "$NHUB" 0 0 &&
		pycheck trees/above-root/outputs tree "$TMP/o/above" "$TMP/aboveref"
	NKY=$(grep -c '^kylin/' "$TMP/hub.list")
	# shellcheck disable=SC2086
	ar --distro kylin --arch arm64 "$MIR" "$TMP/o/abovef" $SMALL
	arcase trees/above-root/filters-at-any-depth "0" "$NKY" "$NKY" 0 0

	# a flat folder of every packaging, no BTFHub folders at all
	FM=$TMP/flatmix
	mkdir -p "$FM/.git/objects"
	cp "$HUB/$K1.btf.tar.xz" "$FM/a.btf.tar.xz"
	xz -c -0 "$TMP/ext/$K2.btf" >"$FM/b.btf.xz"
	cp "$TMP/ext/$K1.btf" "$FM/c.btf"
	cp "$TMP/ext/$K2.btf" "$FM/vmlinux-6.1.0-test"
	echo junk >"$FM/README.md"
	echo junk >"$FM/.git/objects/x"
	: >"$FM/d.btf.failed"
	refdir "$TMP/fmref" "a=$K1" "b=$K2" "c=$K1" "vmlinux-6.1.0-test=$K2"
	# shellcheck disable=SC2086
	ar "$FM" "$TMP/o/fm" $SMALL
	if arcase trees/flat-mixed-packagings "0" 4 4 0 0; then
		pycheck trees/flat-mixed-packagings/outputs tree "$TMP/o/fm" "$TMP/fmref"
		[ "$(sumnum ignored)" = 3 ] && pass "trees/flat-mixed-packagings/passed-over (README.md, .git, .failed)" ||
			fail trees/flat-mixed-packagings/passed-over "want 3 other files (README.md, .git, d.btf.failed): $SUM"
	fi

	# no kernel at all: an error, with the count, and why under -v
	NK=$TMP/nokernel
	mkdir -p "$NK/sub"
	echo a >"$NK/README.md"
	: >"$NK/sub/5.4.0-1-generic.btf.tar.xz"
	: >"$NK/sub/5.4.0-2-generic.hasbtf"
	# shellcheck disable=SC2086
	bt archive "$NK" "$TMP/o/nokernel" $SMALL
	if [ -n "$BAD" ] || [ $RC -ne 1 ]; then
		fail trees/no-kernel "exit $RC $BAD (want 1)"
	elif [ -s "$TMP/stdout" ] || [ -e "$TMP/o/nokernel" ]; then
		fail trees/no-kernel "printed a summary or created OUTPUT_DIR"
	elif ! one_line_names "$TMP/stderr" "$NK" "no kernel files found" "3 files passed over" "-v"; then
		fail trees/no-kernel "want one line: no kernel files found under $NK, 3 files passed over, -v: $(flat "$TMP/stderr")"
	else
		pass "trees/no-kernel ($(line1 "$TMP/stderr" | cut -c 1-120))"
	fi
	# shellcheck disable=SC2086
	bt -v archive "$NK" "$TMP/o/nokernel" $SMALL
	if [ $RC -eq 1 ] && grep -q 'README.md: passed over: not a kernel file name' "$TMP/stderr" &&
		grep -q '5.4.0-1-generic.btf.tar.xz: passed over: empty' "$TMP/stderr" &&
		grep -q '5.4.0-2-generic.hasbtf: passed over: a BTFHub marker' "$TMP/stderr"; then
		pass "trees/no-kernel/-v-says-why"
	else
		fail trees/no-kernel/-v-says-why "exit $RC; -v does not say why each file was passed over: $(flat "$TMP/stderr" 4)"
	fi

	# identical input bytes are reduced once (btfhub#17)
	SI=$TMP/sameinput/d/1/x86_64
	mkdir -p "$SI"
	cp "$HUB/$K2.btf.tar.xz" "$SI/a.btf.tar.xz"
	cp "$HUB/$K2.btf.tar.xz" "$SI/b.btf.tar.xz"
	cp "$HUB/$K1.btf.tar.xz" "$SI/c.btf.tar.xz"
	refdir "$TMP/siref/d/1/x86_64" "a=$K2" "b=$K2" "c=$K1"
	# shellcheck disable=SC2086
	ar -v "$TMP/sameinput" "$TMP/o/si" $SMALL
	if arcase trees/identical-inputs "0" 3 3 0 0; then
		pycheck trees/identical-inputs/outputs tree "$TMP/o/si" "$TMP/siref"
		s=$(python3 "$CHECK" field "$TMP/o/si/$MANIFEST" d/1/x86_64/b same_input_as)
		if grep -q '1 kernel with the same input bytes as another: reduced once' "$TMP/ar.err" &&
			[ "$s" = d/1/x86_64/a ] && [ -z "$(python3 "$CHECK" field "$TMP/o/si/$MANIFEST" d/1/x86_64/c same_input_as)" ]; then
			pass "trees/identical-inputs/reduced-once (b.btf.tar.xz: same_input_as $s)"
		else
			fail trees/identical-inputs/reduced-once "manifest same_input_as '$s', -v: $(grep 'same input' "$TMP/ar.err" | head -n 1)"
		fi
	fi

	# a symlink loop in INPUT_DIR: walked once, a warning, no hang
	LP=$TMP/loop/d/1/x86_64
	mkdir -p "$LP"
	cp "$TMP/ext/$K1.btf" "$LP/k.btf"
	ln -s ../../.. "$LP/up"
	# shellcheck disable=SC2086
	ar "$TMP/loop" "$TMP/o/loop" $SMALL
	if arcase trees/symlink-loop "0" 1 1 0 0; then
		if grep -q 'warning: .*up: a folder already walked' "$TMP/ar.err"; then
			pass "trees/symlink-loop/warning ($(line1 "$TMP/ar.err" | cut -c 1-100))"
		else
			fail trees/symlink-loop/warning "no warning about the loop: $(flat "$TMP/ar.err")"
		fi
	fi
else
	skip trees "needs the corpus hub"
fi

# ---------------------------------------------------------------------------
# command-line conventions
# ---------------------------------------------------------------------------
bt archive --help
if [ $RC -eq 0 ] && head -n 1 "$TMP/stdout" | grep -q '^Usage: btfgen archive ' &&
	grep -q -e '--dedup' "$TMP/stdout" && grep -q -e '--distro-version' "$TMP/stdout" &&
	! grep -q -e '--btf\b' -e '--json' -e '--no-such' "$TMP/stdout"; then
	pass "cli/archive-help (archive's options only)"
else
	fail cli/archive-help "exit $RC: $(flat "$TMP/stdout" 2)"
fi
bt --help
bad=
for c in min_core_btf relocs verify archive cat; do grep -q "^  $c " "$TMP/stdout" || bad="$bad $c"; done
[ $RC -eq 0 ] && [ -z "$bad" ] && ! grep -q -e '--dedup' "$TMP/stdout" && pass "cli/help-lists-commands" ||
	fail cli/help-lists-commands "exit $RC, missing:$bad or archive options in the top-level help"
bt help relocs
[ $RC -eq 0 ] && grep -q '^Usage: btfgen relocs ' "$TMP/stdout" && pass cli/help-command ||
	fail cli/help-command "btfgen help relocs: exit $RC: $(line1 "$TMP/stdout")"
for v in -V --version "archive --version" "min_core_btf -V a b c" "archive --version 12 $TMP/u/none $TMP/u/none2"; do
	# shellcheck disable=SC2086
	bt $v
	if [ $RC -ne 0 ] || [ "$(cat "$TMP/stdout")" != "btfgen $VERSION" ] || [ -e "$TMP/u/none2" ]; then
		fail "cli/version-always/$v" "exit $RC, stdout: $(line1 "$TMP/stdout")"
	else
		pass "cli/version-always ($v)"
	fi
done
if [ -n "$HUB" ]; then
	JT=$TMP/jtree/d/1/x86_64
	mkdir -p "$JT"
	cp "$TMP/ext/$K1.btf" "$JT/k.btf"
	for j in -j2 "-j 2" --jobs=2 "--jobs 2"; do
		rm -rf "$TMP/o/j"
		# shellcheck disable=SC2086
		ar $j "$TMP/jtree" "$TMP/o/j" $SMALL
		arcase "cli/jobs-spelling ($j)" 0 1 1 0 0
	done
fi
O1=$(echo "$SMALL" | awk '{ print $1 }')
# usage_case NAME WANT ARGS...: exit 2, two lines: "btfgen: CMD: ...WANT..." and the --help pointer, no help text
usage_case() {
	uname=$1 uwant=$2
	shift 2
	bt "$@"
	cmd=$1
	if [ -n "$BAD" ] || [ $RC -ne 2 ]; then
		fail "$uname" "btfgen $*: exit $RC $BAD (want 2)"
	elif [ "$(nlines "$TMP/stderr")" -ne 2 ] || ! head -n 1 "$TMP/stderr" | grep -q -F -- "btfgen: $cmd: " ||
		! head -n 1 "$TMP/stderr" | grep -q -F -- "$uwant" ||
		[ "$(sed -n 2p "$TMP/stderr")" != "Try 'btfgen $cmd --help' for more information." ]; then
		fail "$uname" "want 'btfgen: $cmd: ...$uwant...' and the --help pointer: $(flat "$TMP/stderr" 4)"
	elif [ -s "$TMP/stdout" ]; then
		fail "$uname" "printed to stdout"
	else
		pass "$uname ($(line1 "$TMP/stderr" | cut -c 1-90))"
	fi
}
usage_case cli/unknown-option "'--bogus'" archive --bogus "$TMP/u/in" "$TMP/u/out" "${O1:-x}"
usage_case cli/unknown-short-option "'-x'" archive -x "$TMP/u/in" "$TMP/u/out" "${O1:-x}"
usage_case cli/missing-value "'--jobs' needs a value" archive "$TMP/u/in" "$TMP/u/out" "${O1:-x}" --jobs
usage_case cli/missing-value-short "'-j' needs a value" archive "$TMP/u/in" "$TMP/u/out" "${O1:-x}" -j
usage_case cli/other-commands-option "'--jobs'" min_core_btf --jobs 2 a b c
usage_case cli/old-version-filter-gone "'--version' takes no value" archive --version=12 "$TMP/u/in" "$TMP/u/out" "${O1:-x}"
usage_case cli/too-few-arguments "INPUT_DIR OUTPUT_DIR OBJECT" archive "$TMP/u/in" "$TMP/u/out"

# ---------------------------------------------------------------------------
# defects found in review: each a regression test
# ---------------------------------------------------------------------------
if [ -n "$HUB" ]; then
	DI=$TMP/def/in
	DO=$TMP/def/out
	mkdir -p "$DI/d/1/x86_64" "$TMP/defref/d/1/x86_64"
	cp "$HUB/$K1.btf.tar.xz" "$DI/d/1/x86_64/a.btf.tar.xz"
	cp "$HUB/$K2.btf.tar.xz" "$DI/d/1/x86_64/b.btf.tar.xz"
	cp "$TMP/ext/$K2.btf" "$DI/d/1/x86_64/c.btf"
	refdir "$TMP/defref/d/1/x86_64" "a=$K1" "b=$K2" "c=$K2"
	# shellcheck disable=SC2086
	ar --report "$TMP/def.report.txt" "$DI" "$DO" $SMALL
	arcase defects/setup 0 3 3 0 0
	cp "$DO/$MANIFEST" "$TMP/def.manifest"

	# the manifest reader: short \u escapes, truncated documents
	python3 - "$TMP/def.manifest" "$TMP/defm" <<'EOF'
import os, sys
text = open(sys.argv[1]).read()
out = sys.argv[2]
os.makedirs(out, exist_ok=True)
tail = "A" * 8192
i = text.index('"path": "', text.index('"kernels"')) + len('"path": ')
j = text.index('"', i + 1) + 1
cases = {
    "short-u-in-path": text[:i] + '"\\u", "x": "' + tail + '"' + text[j:],
    "short-u1-in-path": text[:i] + '"\\u1"' + text[j:],
    "short-u123-in-path": text[:i] + '"\\u123' + tail + text[j:],
    "short-u-in-poisoned": text.replace('"poisoned": [', '"poisoned": ["0\\t\\u12", "' + tail + '", ', 1),
    "ends-after-btfgen_version": text[:text.index('"btfgen_version": ') + len('"btfgen_version": ')],
    "ends-after-dedup": text[:text.index('"dedup": ') + len('"dedup": ')],
    "not-json": "\x00\xff garbage {",
    "path-escapes-output": text[:i] + '"../../../../etc/x"' + text[j:],
}
for name, t in cases.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(t.encode("utf-8", "surrogateescape") if isinstance(t, str) else t)
EOF
	for mc in short-u-in-path short-u1-in-path short-u123-in-path short-u-in-poisoned \
		ends-after-btfgen_version ends-after-dedup not-json path-escapes-output; do
		cp "$TMP/defm/$mc" "$DO/$MANIFEST"
		# shellcheck disable=SC2086
		ar "$DI" "$DO" $SMALL
		n=defects/manifest/$mc
		if ! arcase "$n" 0 3 3 0 0; then
			continue
		fi
		msize=$(fsize "$TMP/defm/$mc")
		off=$(sed -n "s|^btfgen: warning: $DO/$MANIFEST: byte \([0-9]*\): .*: ignored, every kernel is reduced again\$|\1|p" "$TMP/ar.err")
		if [ "$(nlines "$TMP/ar.err")" -ne 1 ] || [ -z "$off" ] || [ "$off" -gt "$msize" ]; then
			fail "$n/warning" "want one warning naming the manifest and a byte offset <= $msize: $(flat "$TMP/ar.err")"
		else
			pass "$n/warning ($(line1 "$TMP/ar.err" | sed "s|$DO/||" | cut -c 1-110))"
		fi
		pycheck "$n/outputs" tree "$DO" "$TMP/defref"
		[ -z "$(json_ok "$DO/$MANIFEST")" ] || fail "$n/rewritten" "the new manifest is not valid JSON"
	done

	# a manifest of the earlier format (no "format"): silently a full run
	python3 -c 'import json,sys
m = json.load(open(sys.argv[1]))
del m["format"], m["format_version"]
open(sys.argv[2], "w").write(json.dumps(m))' "$TMP/def.manifest" "$DO/$MANIFEST"
	# shellcheck disable=SC2086
	ar "$DI" "$DO" $SMALL
	if arcase defects/manifest/earlier-format 0 3 3 0 0; then
		[ -s "$TMP/ar.err" ] && fail defects/manifest/earlier-format/quiet "a warning for a manifest btfgen wrote: $(flat "$TMP/ar.err")" ||
			pass defects/manifest/earlier-format/quiet
	fi

	# a kernel whose input can't be read fails, and the manifest that records
	# it (no input hash) is still read by the next run
	UR=$TMP/unread/d/1/x86_64
	mkdir -p "$UR"
	cp "$TMP/ext/$K1.btf" "$UR/a.btf"
	cp "$TMP/ext/$K2.btf" "$UR/b.btf"
	lim=$(($(fsize "$UR/a.btf") + 1))
	[ "$(fsize "$UR/b.btf")" -gt "$lim" ] || fail defects/unreadable-input/setup "$K2 is not larger than $K1"
	# shellcheck disable=SC2086
	ar --max-input-size=$lim "$TMP/unread" "$TMP/o/unread" $SMALL
	arcase defects/unreadable-input/first 1 2 1 0 1
	# shellcheck disable=SC2086
	ar --max-input-size=$lim "$TMP/unread" "$TMP/o/unread" $SMALL
	if arcase defects/unreadable-input/rerun-uses-the-manifest 1 2 0 1 1; then
		grep -q "$MANIFEST" "$TMP/ar.err" && fail defects/unreadable-input/no-manifest-warning "$(flat "$TMP/ar.err")" ||
			pass defects/unreadable-input/no-manifest-warning
	fi

	# OUTPUT_DIR overlapping INPUT_DIR: refused, nothing written
	(cd "$DI" && find . | sort) >"$TMP/def.in.before"
	ln -s "$DI" "$TMP/def/inlink"
	for pair in "same:$DI:$DI" "inside:$DI:$DI/out" "inside-deeper:$DI:$DI/d/1/new/out" \
		"input-inside-output:$DI/d:$DI" "through-symlink:$DI:$TMP/def/inlink/out"; do
		oname=${pair%%:*}
		rest=${pair#*:}
		# shellcheck disable=SC2086
		bt archive "${rest%%:*}" "${rest#*:}" $SMALL
		n=defects/overlap/$oname
		(cd "$DI" && find . | sort) >"$TMP/def.in.after"
		if [ -n "$BAD" ] || [ $RC -ne 2 ]; then
			fail "$n" "btfgen archive ${rest%%:*} ${rest#*:}: exit $RC $BAD (want 2)"
		elif ! one_line_names "$TMP/stderr" "overlap"; then
			fail "$n" "want one line saying the trees overlap: $(flat "$TMP/stderr")"
		elif ! cmp -s "$TMP/def.in.before" "$TMP/def.in.after"; then
			fail "$n" "INPUT_DIR changed: $(diff "$TMP/def.in.before" "$TMP/def.in.after" | grep '^>' | head -n 2 | tr '\n' ' ')"
		else
			pass "$n"
		fi
	done

	# an output corrupted in place (same size) is not trusted: reduced again
	cp "$TMP/def.manifest" "$DO/$MANIFEST"
	# shellcheck disable=SC2086
	ar "$DI" "$DO" $SMALL
	arcase defects/corrupt-output/setup 0 3 0 3 0
	python3 -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[-1] ^= 0xff; b[30] ^= 0x55; open(p,"wb").write(b)' "$DO/d/1/x86_64/a.btf"
	# shellcheck disable=SC2086
	ar "$DI" "$DO" $SMALL
	arcase defects/corrupt-output-same-size 0 3 1 2 0 &&
		pycheck defects/corrupt-output-same-size/restored tree "$DO" "$TMP/defref"

	# a manifest whose recorded output hashes collide must not make --tar
	# link a kernel to another's BTF (dedup never trusts a recorded hash)
	python3 - "$DO/$MANIFEST" <<'EOF'
import json, sys
p = sys.argv[1]
m = json.load(open(p))
k = {x["path"]: x for x in m["kernels"]}
a, c = k["d/1/x86_64/a"], k["d/1/x86_64/c"]
c["output_sha256"] = a["output_sha256"]
open(p, "w").write(json.dumps(m))
EOF
	# shellcheck disable=SC2086
	ar --tar "$TMP/def.tar" "$DI" "$DO" $SMALL
	if arcase defects/colliding-recorded-hashes 0 3 1 2 0; then
		pycheck defects/colliding-recorded-hashes/tree tree "$DO" "$TMP/defref"
		pycheck defects/colliding-recorded-hashes/tar tar "$TMP/def.tar" "$DO"
	fi

	# a FIFO where the manifest goes: not read, no hang, replaced
	rm -f "$DO/$MANIFEST"
	mkfifo "$DO/$MANIFEST"
	# shellcheck disable=SC2086
	ar "$DI" "$DO" $SMALL
	if arcase defects/fifo-manifest 0 3 3 0 0; then
		if ! one_line_names "$TMP/ar.err" "$MANIFEST" "not a regular file"; then
			fail defects/fifo-manifest/warning "want one warning: $(flat "$TMP/ar.err")"
		elif [ -p "$DO/$MANIFEST" ] || [ -n "$(json_ok "$DO/$MANIFEST")" ]; then
			fail defects/fifo-manifest/replaced "the FIFO is still there, or the new manifest is not JSON"
		else
			pass "defects/fifo-manifest/replaced ($(line1 "$TMP/ar.err" | sed "s|$DO/||" | cut -c 1-90))"
		fi
	fi

	# a symlinked folder inside OUTPUT_DIR is not followed
	SO=$TMP/def/symout
	mkdir -p "$SO" "$TMP/def/elsewhere" "$DI/e/1/x86_64"
	cp "$TMP/ext/$K1.btf" "$DI/e/1/x86_64/z.btf"
	ln -s "$TMP/def/elsewhere" "$SO/d"
	# shellcheck disable=SC2086
	ar "$DI" "$SO" $SMALL
	if arcase defects/symlinked-output-folder 1 4 1 0 3; then
		if [ -n "$(ls -A "$TMP/def/elsewhere")" ]; then
			fail defects/symlinked-output-folder/nothing-outside "files written through the symlink: $(ls -A "$TMP/def/elsewhere" | head -n 3 | tr '\n' ' ')"
		elif [ "$(grep -c 'd: a symlink: refused' "$TMP/ar.err")" -ne 3 ]; then
			fail defects/symlinked-output-folder/one-line-each "want 3 lines naming the symlink: $(flat "$TMP/ar.err" 4)"
		elif [ ! -f "$SO/e/1/x86_64/z.btf" ]; then
			fail defects/symlinked-output-folder/others-written "e/1/x86_64/z.btf missing"
		else
			pass "defects/symlinked-output-folder ($(line1 "$TMP/ar.err" | sed "s|$SO/||" | cut -c 1-100))"
		fi
	fi
	rm -rf "$DI/e"

	# two inputs on one output path: k1.btf, k1.btf-x.btf and k1.btf.xz
	SP=$TMP/samepath/d/1/x86_64
	mkdir -p "$SP"
	cp "$TMP/ext/$K1.btf" "$SP/k1.btf"
	cp "$TMP/ext/$K1.btf" "$SP/k1.btf-x.btf"
	xz -c -0 "$TMP/ext/$K2.btf" >"$SP/k1.btf.xz"
	# shellcheck disable=SC2086
	ar --tar "$TMP/samepath.tar" "$TMP/samepath" "$TMP/o/samepath" $SMALL
	if arcase defects/same-output-path 0 2 2 0 0; then
		printf 'd/1/x86_64/k1\nd/1/x86_64/k1.btf-x\n' >"$TMP/sp.want"
		man_paths "$TMP/o/samepath/$MANIFEST" >"$TMP/sp.got"
		if ! cmp -s "$TMP/sp.want" "$TMP/sp.got"; then
			fail defects/same-output-path/manifest "kernels: $(tr '\n' ' ' <"$TMP/sp.got")"
		elif ! one_line_names "$TMP/ar.err" "k1.btf.xz" "same kernel as" "k1.btf"; then
			fail defects/same-output-path/warning "want one warning naming both files: $(flat "$TMP/ar.err")"
		else
			pass "defects/same-output-path (one entry per output path; $(line1 "$TMP/ar.err" | sed "s|$TMP/||" | cut -c 1-100))"
		fi
		pycheck defects/same-output-path/tar tar "$TMP/samepath.tar" "$TMP/o/samepath"
	fi

	# names that are not UTF-8 (a kernel file, an object file, a BTF type
	# name) still give valid JSON: the manifest, --report x.json, relocs --json
	NU=$TMP/nonutf/d/1/x86_64
	mkdir -p "$NU" "$TMP/nonutf-obj"
	ODD=$(printf 'k\376')
	cp "$TMP/ext/$K1.btf" "$NU/$ODD.btf"
	cp "$TMP/ext/$K2.btf" "$NU/ok.btf"
	OBJODD=$TMP/nonutf-obj/$(printf 'obj\377').bpf.o
	cp "$O1" "$OBJODD"
	# the object's BTF: one type name gets a byte that is not UTF-8
	TYODD=$TMP/nonutf-obj/typename.bpf.o
	python3 - "$O1" "$TYODD" <<'EOF'
import sys
b = open(sys.argv[1], "rb").read()
i = b.find(b"\x00task_struct\x00")
assert i >= 0, "no task_struct name in the object"
open(sys.argv[2], "wb").write(b[:i + 2] + b"\xff" + b[i + 3:])
EOF
	ar --report "$TMP/nonutf.report.json" "$TMP/nonutf" "$TMP/o/nonutf" "$OBJODD" "$TYODD"
	if arcase defects/non-utf8/run 0 2 2 0 0; then
		for f in "$TMP/o/nonutf/$MANIFEST" "$TMP/nonutf.report.json"; do
			e=$(json_ok "$f")
			[ -z "$e" ] && pass "defects/non-utf8/valid-json/$(basename "$f")" ||
				fail "defects/non-utf8/valid-json/$(basename "$f")" "$(echo "$e" | tail -n 1)"
		done
		if man_paths "$TMP/o/nonutf/$MANIFEST" | grep -q "^d/1/x86_64/k$(printf '\357\277\275')\$" &&
			[ -f "$TMP/o/nonutf/d/1/x86_64/$ODD.btf" ]; then
			pass "defects/non-utf8/replacement-character (path spelled k<U+FFFD>, file written under its real name)"
		else
			fail defects/non-utf8/replacement-character "manifest paths: $(man_paths "$TMP/o/nonutf/$MANIFEST" | tr '\n' ' ')"
		fi
		ar --report "$TMP/nonutf.report.json" "$TMP/nonutf" "$TMP/o/nonutf" "$OBJODD" "$TYODD"
		arcase defects/non-utf8/rerun-reduces-only-that-kernel 0 2 1 1 0
	fi
	for o in "$OBJODD" "$TYODD"; do
		bt relocs --json --btf "$TMP/ext/$K1.btf" "$o"
		cp "$TMP/stdout" "$TMP/nonutf.relocs.json"
		e=$(json_ok "$TMP/nonutf.relocs.json")
		if [ $RC -ne 0 ] || [ -n "$BAD" ] || [ -n "$e" ]; then
			fail "defects/non-utf8/relocs-json/$(basename "$o" | tr -c 'a-z.\n' '?')" "exit $RC $BAD: $(echo "$e" | tail -n 1)"
		elif ! grep -q "$(printf '\357\277\275')" "$TMP/nonutf.relocs.json"; then
			fail "defects/non-utf8/relocs-json/$(basename "$o" | tr -c 'a-z.\n' '?')" "no U+FFFD in the output"
		else
			pass "defects/non-utf8/relocs-json/$(basename "$o" | tr -c 'a-z.\n' '?')"
		fi
	done
else
	skip defects "needs the corpus hub"
fi
