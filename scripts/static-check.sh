#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Static analysis of minivmm's own code (vmm/ devices/ net/ boot/) with
# Debian's cppcheck: warnings, portability and performance (not style), on
# the compile commands CMake exports for a normal build.  Findings judged
# false are listed with their reason in tests/static/cppcheck.supp; any
# other finding fails (exit 1).  CTest runs it as unit/static_check.
#
#   scripts/static-check.sh            # cppcheck, about 30 s
#   scripts/static-check.sh --tidy     # also clang-tidy's static analyzer
#                                      # (clang-analyzer-*, minutes; its
#                                      # findings are printed, not judged)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tidy=0
[ "${1:-}" = --tidy ] && tidy=1
command -v cppcheck >/dev/null ||
	{ echo "static-check: no cppcheck (scripts/install-deps.sh installs it)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/minivmm-static.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Configure only (nothing is built) to get the compile commands.
cmake -S "$top" -B "$work/build" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
mkdir -p "$work/db"
python3 - "$top" "$work/build/compile_commands.json" "$work/db/compile_commands.json" <<'PY'
import json, os, sys
top, src, dst = sys.argv[1:4]
seen, out = set(), []
for e in json.load(open(src)):
    rel = os.path.relpath(e["file"], top)
    if rel.split(os.sep)[0] in ("vmm", "devices", "net", "boot") and \
       rel.endswith(".c") and e["file"] not in seen:
        seen.add(e["file"])
        out.append(e)
json.dump(out, open(dst, "w"))
print(f"static-check: {len(out)} files", file=sys.stderr)
PY
# Suppressions name files relative to the tree: cppcheck sees them so
# when it runs from the top.
cd "$top"
sed "s|^\([a-zA-Z_]*\):|\1:$top/|" tests/static/cppcheck.supp | grep -v '^#' >"$work/supp"
cppcheck --project="$work/db/compile_commands.json" \
	--enable=warning,portability,performance --inline-suppr \
	--suppressions-list="$work/supp" --error-exitcode=1 -q -j2 \
	--template='{file}:{line}: {severity}: {message} [{id}]' 2>"$work/cppcheck.txt" || rc=$?
if [ -s "$work/cppcheck.txt" ] || [ "${rc:-0}" -ne 0 ]; then
	sed "s|^$top/||" "$work/cppcheck.txt" >&2
	echo "static-check: cppcheck found the above (fix it, or list it with its reason in tests/static/cppcheck.supp)" >&2
	exit 1
fi
echo "static-check: cppcheck clean"
if [ $tidy = 1 ]; then
	run-clang-tidy -p "$work/db" -j 2 -quiet \
		-checks='-*,clang-analyzer-*,-clang-analyzer-security.insecureAPI.*' 2>/dev/null |
		sed 's/\x1b\[[0-9;]*m//g' | grep -E '^/.*(warning|error):' | sort -u || true
fi
