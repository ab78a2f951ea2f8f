#!/bin/bash
# SPDX-License-Identifier: MIT
# A guest floods COM1 while minivmm's stdout is a full pipe nobody reads
# (4 KiB, O_NONBLOCK, as a shell or a supervisor may hand it over), with
# seccomp on: the UART must neither block the vCPU nor leave its seccomp
# class (before issue 15's fix it called poll() and was killed).  The
# bytes that do not fit are dropped and counted in -stats; the guest runs
# to its power-off (exit 0); -console-log still has every byte.
# timeout: 120
. "$(dirname "$0")/hardening_common.bash"
need MINIVMM GUEST_DIR
HOSTILE=$GUEST_DIR/hostile/hostile.bzImage
[ -f "$HOSTILE" ] || fail "no $HOSTILE"

# run_flood NAME BLOCKING: stdout is a 4 KiB pipe, never read.
run_flood() {
	python3 - "$1" "$2" "$MINIVMM" "$HOSTILE" "$WORK" <<'EOF'
import fcntl, os, subprocess, sys
name, blocking, minivmm, kernel, work = sys.argv[1:]
r, w = os.pipe()
fcntl.fcntl(w, 1031, 4096)              # F_SETPIPE_SZ: the smallest pipe
os.set_blocking(w, blocking == "1")
with open(f"{work}/{name}.err", "wb") as err:
    p = subprocess.Popen([minivmm, "-kernel", kernel, "-m", "64", "-serial",
                          "stdio", "-stats", "-append", "hostile.mode=flood",
                          "-console-log", f"{work}/{name}.log"],
                         stdin=subprocess.DEVNULL, stdout=w, stderr=err)
    os.close(w)
    try:
        rc = p.wait(timeout=90)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = "timeout"
os.close(r)
print(rc)
EOF
}

for mode in nonblocking:0 blocking:1; do
	name=${mode%:*}
	RC=$(run_flood "$name" "${mode#*:}")
	ERR=$WORK/$name.err
	tr -d '\r' <"$WORK/$name.log" >"$WORK/$name.out"
	echo "$name: exit $RC; $(grep -a 'serial:' "$ERR")"
	expect_rc "$name" 0
	grep -q 'seccomp' "$ERR" && { show_run "$name"; fail "$name: seccomp fired"; }
	grep -aq '^HOSTILE flood.done' "$WORK/$name.out" ||
		{ show_run "$name"; fail "$name: the console log lacks the end of the flood"; }
	line=$(grep -a 'minivmm: serial:' "$ERR") || fail "$name: no serial -stats line"
	[[ $line =~ ([0-9]+)\ bytes\ dropped ]] && (( BASH_REMATCH[1] > 0 )) ||
		fail "$name: nothing counted as dropped: $line"
done
echo "PASS: a full console drops and counts, the vCPU neither blocks nor traps"
