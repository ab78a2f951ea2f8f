# SPDX-License-Identifier: MIT
# Sourced by the hardening cases: the boot-info helpers (start_halted
# leaves minivmm alive for a look at /proc) plus /proc and TAP readers.
if [ -z "${GUEST_CASES_DIR:-}" ] || [ ! -f "$GUEST_CASES_DIR/common.bash" ]; then
	echo "FAIL: GUEST_CASES_DIR (tests/guest/cases) is not set" >&2
	exit 1
fi
. "$GUEST_CASES_DIR/common.bash"

# now_ms: the wall clock in ms (fine for the bounds of these cases).
now_ms() { date +%s%3N; }

# hostile_images: in $WORK, victim.img (256 sectors) and innocent.img (64)
# whose sector s starts with "<NAME> s;", and canary/file; host_sums
# prints their checksums (a hostile guest must change none of them).
hostile_images() {
	local spec name sectors file s

	for spec in "VICTIM 256 victim.img" "INNOCENT 64 innocent.img"; do
		read -r name sectors file <<<"$spec"
		for ((s = 0; s < sectors; s++)); do
			printf '%-512s' "$name $s;"
		done >"$WORK/$file"
	done
	mkdir "$WORK/canary"
	echo "do not touch" >"$WORK/canary/file"
}
host_sums() { (cd "$WORK" && sha256sum victim.img innocent.img canary/file); }

# skip_unless_linked STRING WHAT: exit 77 when the minivmm binary does not
# contain STRING (the feature's code is not wired into it).
skip_unless_linked() {
	if ! grep -aqF "$1" "$MINIVMM"; then
		echo "SKIP: $2 is not wired into $MINIVMM"
		exit 77
	fi
}

# status_field FILE KEY: the value of "KEY:" in a /proc status file.
status_field() {
	sed -n "s/^$2:[[:space:]]*//p" "$1" | tr -s ' \t' ' ' | sed 's/ $//'
}

# tap_state: "up|down master|nomaster" of tap0 (on br0) in the case's
# namespace ("gone" when it does not exist; bridge_ns of common.bash).
tap_state() {
	local l
	l=$(nsrun ip -o link show dev tap0) || { echo gone; return; }
	if [[ $l =~ \<([^>]*)\> ]] && [[ ,${BASH_REMATCH[1]}, == *,UP,* ]]; then
		printf up
	else
		printf down
	fi
	[[ $l == *" master br0 "* ]] && echo " master" || echo " nomaster"
}
