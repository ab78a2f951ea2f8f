# SPDX-License-Identifier: MIT
# Sourced by tests/netboot/common.bash and tests/netdev/common.bash: the
# checks both suites skip on (exit 77) and a private network namespace with
# a scratch directory, both removed on exit.
# Environment: MINIVMM, BOOTINFO_BZIMAGE.
set -u

skip() {
	echo "SKIP: $*"
	exit 77
}

: "${MINIVMM:?MINIVMM not set}"
: "${BOOTINFO_BZIMAGE:?BOOTINFO_BZIMAGE not set}"
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, TAP devices)"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
[ -r /dev/kvm ] || skip "no /dev/kvm"
[ -f "$BOOTINFO_BZIMAGE" ] || skip "no boot-info guest ($BOOTINFO_BZIMAGE)"
command -v ip >/dev/null || skip "no ip (iproute2)"

# netns_start SUFFIX NAME CLEANUP: make the scratch directory $WORK
# (mvt-NAME.XXXXXX) and the namespace $NS (mvt-<pid>-SUFFIX).  CLEANUP
# runs on exit; it stops what the suite started, then calls netns_remove.
netns_start() {
	NS=mvt-$$-$1
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/mvt-$2.XXXXXX")
	# shellcheck disable=SC2064
	trap "$3" EXIT
	ip netns add "$NS" || skip "cannot create a network namespace"
}

netns_remove() {
	ip netns del "$NS" 2>/dev/null
	rm -rf "$WORK"
}

nsrun() {
	ip netns exec "$NS" "$@"
}
