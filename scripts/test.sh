#!/usr/bin/env bash
# Set up and run the whole minivmm test suite (as root, on Debian 12):
#   unit  - Check unit tests
#   guest - our own freestanding guests on this host's /dev/kvm
#   linux - real Debian kernels: on hardware KVM directly, otherwise inside
#           the nested harness (an L1 VM under QEMU TCG with nested SVM)
# plus, when every layer runs, the unit and guest layers once more built
# with AddressSanitizer + UBSan (scripts/sanitize.sh).
# Usage: scripts/test.sh [-L label]...   (default: every layer)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}

"$top/scripts/install-deps.sh"
"$top/scripts/build.sh"

names=()	# the labels asked for (-L NAME, repeatable): one regex for ctest
while [ $# -gt 0 ]; do
	case "$1" in
	-L) names+=("$2"); shift 2 ;;
	*) echo "test.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
# "a|b|c" (ctest ANDs repeated -L options; one alternation ORs them).
join() { local IFS='|'; echo "$*"; }
if [ ${#names[@]} -eq 0 ]; then
	echo "test.sh: unit and guest layers under ASan+UBSan"
	# The libFuzzer smoke run already runs its harnesses with ASan+UBSan;
	# seccomp is off in sanitizer builds, and LeakSanitizer cannot work
	# after -user/-chroot (no /proc): those cases run in the normal build,
	# as does bench_smoke, which builds and times its own minivmm, and the
	# installer netboot (a long TFTP transfer over the paths the other
	# netboot cases cover, ~9 minutes in the nested harness).
	BUILD_DIR=$top/build-sanitize "$top/scripts/sanitize.sh" -j2 \
		-E 'fuzz_smoke|seccomp_filters|privdrop_user|bench_smoke|netboot_debian_installer'
fi
cd "$build"
if [ -c /dev/kvm ]; then
	if [ ${#names[@]} -eq 0 ]; then
		ctest --output-on-failure --timeout 3600
	else
		ctest --output-on-failure --timeout 3600 -L "$(join "${names[@]}")"
	fi
	exit
fi
# No /dev/kvm here (for example a host that is itself a PVM guest): the
# other layers run as usual (linux and gdb pick the nested harness
# themselves), the guest layer inside the nested harness' L1.
rc=0
host=(-LE guest)
want_guest=1
if [ ${#names[@]} -gt 0 ]; then
	want_guest=0
	rest=()
	for l in "${names[@]}"; do
		if [ "$l" = guest ]; then want_guest=1; else rest+=("$l"); fi
	done
	host=()
	[ ${#rest[@]} -eq 0 ] || host=(-L "$(join "${rest[@]}")" -LE guest)
fi
if [ ${#host[@]} -gt 0 ]; then
	ctest --output-on-failure --timeout 3600 "${host[@]}" || rc=1
fi
if [ $want_guest -eq 1 ]; then
	# One case at a time: the L1 has two emulated CPUs, and cases that
	# time their guests' progress are not to share them.
	"$top/tests/nested/guest-layer.sh" "$build" || rc=1
fi
exit $rc
