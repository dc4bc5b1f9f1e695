#!/bin/sh
# completion.sh: the bash completion (package/bash-completion/smtpprobe)
# stays true to the binary: every option it offers is one smtpprobe accepts,
# every long option of main.c's table is offered (so --help lists it), the
# --format, --starttls and --tests values are the ones smtpprobe takes, and
# FILE and DIR arguments complete to files and directories.
. "$top_srcdir/tests/integration/lib.sh"

COMPLETION="$top_srcdir/package/bash-completion/smtpprobe"
if ! command -v bash >/dev/null 2>&1; then
	echo "1..0 # SKIP no bash"
	exit 0
fi
mkdir -p "$WORK/dir/evidence"
: >"$WORK/dir/ips.txt"
: >"$WORK/dir/my list.txt"

# complete WORD...: what the completion offers for the last WORD, one a line.
complete_words() {
	(cd "$WORK/dir" && bash -c '
		. "$1"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMPREPLY=()
		_smtpprobe "$0" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort' "$SMTPPROBE" "$COMPLETION" "$@")
}
flat() { tr '\n' ' ' | sed 's/ $//'; }

complete_words smtpprobe - >"$WORK/opts"
grep -q -- '^--baseline$' "$WORK/opts" && grep -q -- '^-f$' "$WORK/opts"
ok $? "long and short options are offered (--baseline, -f)"

# Every option offered is one smtpprobe knows (getopt says nothing about it).
# No target is given: smtpprobe stops at "no targets" or earlier.
bad=
for o in $(cat "$WORK/opts"); do
	"$SMTPPROBE" "$o" </dev/null 2>&1 | grep -q 'unrecognized option\|invalid option' &&
		bad="$bad $o"
done
is "$bad" "" "smtpprobe accepts every option the completion offers"
"$SMTPPROBE" --no-such-option </dev/null 2>&1 | grep -q 'unrecognized option'
ok $? "(an option smtpprobe does not know is seen as such)"

# Every long option of options.c's getopt table is offered: --help lists it.
missing=
for o in $(sed -n 's/^[[:space:]]*{"\([a-z][a-z0-9-]*\)", *\(no\|required\|optional\)_argument.*/\1/p' \
	"$top_srcdir/cli/options.c"); do
	grep -qx -- "--$o" "$WORK/opts" || missing="$missing --$o"
done
is "$missing" "" "every long option of cli/options.c is offered (and in --help)"

is "$(complete_words smtpprobe --format '' | flat)" "csv jsonl text" "--format values"
is "$(complete_words smtpprobe --format = j | flat)" "jsonl" "--format=j"
is "$(complete_words smtpprobe --starttls '' | flat)" "always auto never" "--starttls values"
# The values are checked with a documentation address outside the allowlist:
# a skipped row, nothing is probed.
for v in csv jsonl text; do
	"$SMTPPROBE" -q --format "$v" 192.0.2.1 </dev/null 2>&1 >/dev/null | grep -q -- '--format'
	ok $((!$?)) "smtpprobe takes --format $v"
done
for v in auto never always; do
	"$SMTPPROBE" -q --starttls "$v" 192.0.2.1 </dev/null 2>&1 >/dev/null | grep -q -- '--starttls'
	ok $((!$?)) "smtpprobe takes --starttls $v"
done
is "$(complete_words smtpprobe --fail-on '' | flat)" "any changed new" "--fail-on values"
for v in any new changed; do
	"$SMTPPROBE" -q --fail-on "$v" --baseline "$WORK/none.csv" 192.0.2.1 </dev/null 2>&1 >/dev/null |
		grep -q -- '--fail-on'
	ok $((!$?)) "smtpprobe takes --fail-on $v"
done
"$SMTPPROBE" -q --format xml 192.0.2.1 </dev/null 2>&1 >/dev/null | grep -q -- '--format'
ok $? "(a --format value smtpprobe refuses is seen as such)"

want=$( (echo basic; echo full
	sed -n 's/^[[:space:]]*{"\([a-z-]*\)", RELAY_.*/\1/p' "$top_srcdir/record/relay.c") | sort | flat)
is "$(complete_words smtpprobe --tests '' | flat)" "$want" "--tests: basic, full and the names of record/relay.c's table"
is "$(complete_words smtpprobe --tests null-sender,bang-l | flat)" "null-sender,bang-literal" \
	"--tests: the name after the last comma"

is "$(complete_words smtpprobe -f ip | flat)" "ips.txt" "-f: files"
is "$(complete_words smtpprobe -o my)" "my list.txt" "-o: a file name with a blank is one word"
is "$(complete_words smtpprobe --baseline = ip | flat)" "ips.txt" "--baseline=: files"
is "$(complete_words smtpprobe --transcripts e | flat)" "evidence" "--transcripts: directories"
is "$(complete_words smtpprobe --transcripts i | flat)" "" "--transcripts: no plain files"
is "$(complete_words smtpprobe -c '' | flat)" "" "-c: a number of the user's, nothing offered"

done_testing
