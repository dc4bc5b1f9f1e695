#!/bin/sh
# layers.sh: the include direction between folders; any include that points
# up a layer fails, with its file:line. `make lint` runs it first.
#
#   tests/layers.sh SRCDIR
#
# The layers, lowest first: common < targets < record < {prober, reports} <
# cli. A folder includes only its own files and those of the layers below
# it; prober/ and reports/ are siblings, so neither includes the other.
# lab/ may include anything but cli/; tests/ and bench/ anything.
set -u
SRC=${1:?usage: layers.sh SRCDIR}
cd "$SRC" || exit 2

# The folders a folder may include from, itself included.
allowed() {
	case $1 in
	common) echo "common" ;;
	targets) echo "common targets" ;;
	record) echo "common targets record" ;;
	prober) echo "common targets record prober" ;;
	reports) echo "common targets record reports" ;;
	cli) echo "common targets record prober reports cli" ;;
	lab) echo "common targets record prober reports lab" ;;
	*) echo "*" ;;
	esac
}

status=0
nfiles=0
for dir in common targets record prober reports cli lab; do
	ok=$(allowed "$dir")
	for f in $(find "$dir" -name '*.[ch]' | LC_ALL=C sort); do
		nfiles=$((nfiles + 1))
		# "folder/..." includes only; "config.h" and <system> ones are not layers.
		out=$(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[a-z_]*/' "$f" |
			sed 's|^\([0-9]*\):[^"]*"\([a-z_]*\)/.*|\1 \2|' |
			awk -v ok=" $ok " -v f="$f" -v d="$dir" '
				index(ok, " " $2 " ") == 0 {
					printf "%s:%s: %s/ may not include %s/ (layers: tests/layers.sh)\n",
						f, $1, d, $2 }')
		if [ -n "$out" ]; then
			echo "$out"
			status=1
		fi
	done
done
[ $status -eq 0 ] && echo "layers: $nfiles files, every include points down"
exit $status
