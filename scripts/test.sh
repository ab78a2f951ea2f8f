#!/usr/bin/env bash
# Set up and run the whole minivmm test suite (as root, on Debian 12):
#   unit  - Check unit tests
#   guest - our own freestanding guests on this host's /dev/kvm
#   linux - real Debian kernels: on hardware KVM directly, otherwise inside
#           the nested harness (an L1 VM under QEMU TCG with nested SVM)
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
cd "$build"
ctest --output-on-failure --timeout 3600 "${labels[@]}"
