#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench.sh [--quick] [--out FILE] [--charts DIR] [--json FILE] [--no-install]
#          [--no-hw | --hw-only | --nested] [--kit DIR]
# minivmm side by side with QEMU and with the floor (the least a VMM must
# do), on this host's /dev/kvm.  The entry point of the benchmark suite:
# the measurements and the documents are Python (bench/run.py measures and
# writes one JSON results file, bench/render.py turns it into
# docs/benchmarks.md and docs/charts/*.png); shell only provisions
# (bench/provision/: packages, build, namespaces, the hardware-KVM kit).
# `scripts/bench.sh --help` lists the options.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v python3 >/dev/null; then
	case " $* " in
	*" --no-install "*|*" --kit "*) echo "bench.sh: python3 is not installed" >&2; exit 1 ;;
	esac
	[ "$(id -u)" -eq 0 ] || { echo "bench.sh: run as root" >&2; exit 1; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 >/dev/null
fi
exec python3 "$top/bench/run.py" "$@"
