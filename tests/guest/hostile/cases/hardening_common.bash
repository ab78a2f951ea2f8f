# SPDX-License-Identifier: MIT
# Sourced by the hardening cases: the boot-info helpers plus a halted-guest
# runner that leaves minivmm alive for a look at /proc.
if [ -z "${GUEST_CASES_DIR:-}" ] || [ ! -f "$GUEST_CASES_DIR/common.bash" ]; then
	echo "FAIL: GUEST_CASES_DIR (tests/guest/cases) is not set" >&2
	exit 1
fi
. "$GUEST_CASES_DIR/common.bash"

# skip_unless_linked STRING WHAT: exit 77 when the minivmm binary does not
# contain STRING (the feature's code is not wired into it).
skip_unless_linked() {
	if ! grep -aqF "$1" "$MINIVMM"; then
		echo "SKIP: $2 is not wired into $MINIVMM"
		exit 77
	fi
}

# start_halted NAME [minivmm args...]: boots bootinfo with action=halt in
# the background; sets PID once the guest printed "GUEST halt".
start_halted() {
	local name=$1
	shift
	"$MINIVMM" -kernel "$BOOTINFO_BZIMAGE" -serial stdio -m 64 \
		-append "console=ttyS0 bootinfo.action=halt" "$@" </dev/null \
		>"$WORK/$name.raw" 2>"$WORK/$name.err" &
	PID=$!
	for _ in $(seq 600); do
		grep -q 'GUEST halt' "$WORK/$name.raw" && break
		kill -0 $PID 2>/dev/null || break
		sleep 0.1
	done
	tr -d '\r' <"$WORK/$name.raw" >"$WORK/$name.out"
	if ! grep -q 'GUEST halt' "$WORK/$name.out"; then
		kill -KILL $PID 2>/dev/null
		wait $PID
		show_run "$name"
		fail "$name: the guest did not reach its halt"
	fi
}

# stop_halted NAME: SIGTERM, expect exit code 7.
stop_halted() {
	kill -TERM $PID
	for _ in $(seq 100); do
		kill -0 $PID 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 $PID 2>/dev/null; then
		kill -KILL $PID
		wait $PID
		fail "$1: minivmm ignored SIGTERM for 10 s"
	fi
	wait $PID
	RC=$?
	expect_rc "$1" 7
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
