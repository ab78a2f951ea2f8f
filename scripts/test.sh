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

labels=()
while [ $# -gt 0 ]; do
	case "$1" in
	-L) labels+=(-L "$2"); shift 2 ;;
	*) echo "test.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
if [ ${#labels[@]} -eq 0 ]; then
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
	ctest --output-on-failure --timeout 3600 "${labels[@]}"
	exit
fi
# No /dev/kvm here (for example a host that is itself a PVM guest): the
# unit and linux layers run as usual (linux picks the nested harness
# itself), the guest layer inside the nested harness' L1.
rc=0
host_labels=(-LE guest)
[ ${#labels[@]} -eq 0 ] || host_labels=("${labels[@]}")
want_guest=1
if [ ${#labels[@]} -gt 0 ]; then
	want_guest=0
	for l in "${labels[@]}"; do [ "$l" = guest ] && want_guest=1; done
	host_labels=()
	for l in "${labels[@]}"; do
		case $l in -L|guest) ;; *) host_labels+=(-L "$l") ;; esac
	done
fi
if [ ${#labels[@]} -eq 0 ] || [ ${#host_labels[@]} -gt 0 ]; then
	ctest --output-on-failure --timeout 3600 "${host_labels[@]}" || rc=1
fi
if [ $want_guest -eq 1 ]; then
	"$top/tests/nested/guest-layer.sh" "$build" -j2 || rc=1
fi
exit $rc
