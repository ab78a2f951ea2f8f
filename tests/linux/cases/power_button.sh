#!/bin/bash
# SPDX-License-Identifier: MIT
# QMP system_powerdown (here through `minivmm ctl NAME powerdown`) presses
# the ACPI power button: Linux's button driver, bound to the PNP0C0C
# device the Generic Event Device notifies, reports KEY_POWER; busybox
# acpid in the guest runs its PWRF handler, which powers off; minivmm
# exits 0.
. "$(dirname "$0")/../lib.sh"

export MINIVMM_RUNTIME_DIR=$WORKDIR/run
name=l3-power-$$
log=$WORKDIR/power_button.log
( MVT_LOG=$log mvt_boot power_button -name "$name"; echo $? >"$WORKDIR/power.rc" ) &
boot=$!
for _ in $(seq $((MVT_TIMEOUT * 2))); do
	grep -q 'MVT acpid=ready' "$log" 2>/dev/null && break
	kill -0 "$boot" 2>/dev/null || break
	sleep 0.5
done
grep -q 'MVT acpid=ready' "$log" || { wait "$boot"; mvt_show "$log"; mvt_fail "the guest did not start acpid"; }
[ "$(mvt_fact "$log" power_buttons)" -ge 1 ] 2>/dev/null ||
	{ "$MINIVMM" ctl "$name" stop; wait "$boot"; mvt_show "$log"; mvt_fail "the guest has no ACPI power button input device"; }
out=$("$MINIVMM" ctl "$name" powerdown 2>&1) ||
	{ wait "$boot"; mvt_show "$log"; mvt_fail "ctl powerdown: $out"; }
wait "$boot"
rc=$(cat "$WORKDIR/power.rc")
[ "$rc" = 0 ] || { mvt_show "$log"; mvt_fail "exit code $rc after the power button, expected 0"; }
grep -q 'MVT power_button=pressed' "$log" ||
	{ mvt_show "$log"; mvt_fail "the guest powered off, but not through acpid's power-button handler"; }
echo "power button -> acpid -> poweroff: exit 0"
