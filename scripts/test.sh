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
	# as does bench_smoke, which builds and times its own minivmm.
	BUILD_DIR=$top/build-sanitize "$top/scripts/sanitize.sh" -j2 \
		-E 'fuzz_smoke|seccomp_filters|privdrop_user|bench_smoke'
fi
cd "$build"
ctest --output-on-failure --timeout 3600 "${labels[@]}"
