#!/bin/bash
# SPDX-License-Identifier: MIT
# Interactive console: minivmm forwards its stdin (a pipe here, not a tty)
# to the serial port.  Type a command into the guest's shell, read its
# output, then power off through the shell: exit code 0.
. "$(dirname "$0")/../lib.sh"

log=$WORKDIR/console.log
fifo=$WORKDIR/console.in
mkfifo "$fifo"
timeout -k 5 "$MVT_TIMEOUT" "$MINIVMM" -kernel "$KERNEL" -initrd "$INITRD" \
	-m 256 -smp 1 -append "console=ttyS0 quiet panic=-1" \
	<"$fifo" >"$log" 2>&1 &
pid=$!
exec 3>"$fifo"		# keep the write end open: no EOF for minivmm

# console_wait PATTERN: wait until the console shows PATTERN (or the VM is
# gone, or MVT_TIMEOUT passes).
console_wait()
{
	local i
	for ((i = 0; i < MVT_TIMEOUT * 4; i++)); do
		grep -q "$1" <(tr -d '\r' <"$log") && return 0
		kill -0 $pid 2>/dev/null || return 1
		sleep 0.25
	done
	return 1
}

console_wait '^MVT-SHELL' ||
	{ mvt_show "$log"; mvt_fail "no shell on the console"; }
# The guest echoes the line as typed; only a shell that ran it prints 42.
printf 'echo "hello $((6 * 7))"\n' >&3
if ! console_wait '^hello 42'; then
	# A byte or two may race the shell's start: type it once more.
	printf 'echo "hello $((6 * 7))"\n' >&3
	console_wait '^hello 42' ||
		{ mvt_show "$log"; mvt_fail "command typed on stdin did not run"; }
fi
printf 'poweroff -f\n' >&3
wait $pid
rc=$?
exec 3>&-
[ $rc -eq 0 ] || { mvt_show "$log"; mvt_fail "exit code $rc after poweroff, expected 0"; }
echo "stdin reached the guest shell; poweroff from the shell: exit 0"
