#!/usr/bin/env bash
# The layer rule (docs/architecture.md): nothing under devices/, net/ or
# boot/ includes a vmm/ header other than the plain-type ones the device
# layer may see (the same list CMake stages for it: log.h, bus.h,
# guest_mem.h), and no device names a process exit code.  The build already
# fails on such an include; this check says which file and line, and runs
# on the sources alone.
#
#   check_layers.sh SOURCE_DIR       exit 0 if clean, 1 with one line per offence
#   check_layers.sh --self-test      plant a bad include in a scratch tree and
#                                    make sure the check catches it
set -euo pipefail

allowed='log\.h|bus\.h|guest_mem\.h'

check_tree() {
	local top=$1 bad
	bad=$(cd "$top" && grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]vmm/' \
		--include='*.c' --include='*.h' --include='*.S' devices net boot 2>/dev/null |
		grep -vE "[<\"]vmm/($allowed)[>\"]" || true)
	if [[ -n $bad ]]; then
		echo "layer violation: devices/, net/ and boot/ may include only vmm/{log,bus,guest_mem}.h:" >&2
		echo "$bad" >&2
		return 1
	fi
	# Devices report guest events; only vmm/exit_code.c names exit codes.
	bad=$(cd "$top" && grep -rnwE 'EXIT_(GUEST_[A-Z]+|VMM_ERROR|USAGE|NETBOOT_FAILED|LOCALBOOT|STOPPED)' \
		--include='*.c' --include='*.h' devices net boot 2>/dev/null || true)
	if [[ -n $bad ]]; then
		echo "layer violation: a device names a process exit code (report a guest_event):" >&2
		echo "$bad" >&2
		return 1
	fi
}

self_test() {
	local tmp
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' RETURN
	mkdir -p "$tmp/devices" "$tmp/net" "$tmp/boot"
	printf '#include "vmm/log.h"\n#include "vmm/guest_mem.h"\n' >"$tmp/devices/ok.c"
	check_tree "$tmp" || { echo "self-test: a clean tree was refused" >&2; return 1; }
	for bad in '#include "vmm/vm.h"' '#include "vmm/config.h"' \
		   '  #  include <vmm/event_loop.h>' '#include "vmm/seccomp.h"' \
		   'stop(EXIT_GUEST_REBOOT);'; do
		for dir in devices net boot; do
			printf '%s\n' "$bad" >"$tmp/$dir/bad.h"
			if check_tree "$tmp" 2>/dev/null; then
				echo "self-test: missed '$bad' in $dir/" >&2
				return 1
			fi
			rm "$tmp/$dir/bad.h"
		done
	done
	echo "self-test: planted bad includes caught"
}

case ${1:-} in
--self-test) self_test ;;
"") echo "usage: $0 SOURCE_DIR | --self-test" >&2; exit 2 ;;
*) check_tree "$1" && echo "layers: clean" ;;
esac
