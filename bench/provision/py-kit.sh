#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# py-kit.sh KIT - a Python runtime for the nested harness' L1, which has no
# Python: Debian's python3 binary as KIT/python3 (tests/nested/run.sh adds
# its shared libraries), the standard-library modules bench/run.py imports
# (and only those) under KIT/py/lib/python3.X, and bench/'s own sources
# as KIT/bench.  In L1:
#   env PYTHONHOME=/mvt-extra/py LD_LIBRARY_PATH=/mvt-extra/py/so \
#       /mvt-extra/python3 -S /mvt-extra/bench/run.py ...
set -euo pipefail
kit=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
py=$(readlink -f /usr/bin/python3)
cp "$py" "$kit/python3"
# the modules run.py loads in --kit mode, from the interpreter's own prefix
"$py" -S - "$top/bench" "$kit/py" <<'PY'
import os, shutil, sys, sysconfig
bench, dest = sys.argv[1], sys.argv[2]
sys.path.insert(0, bench)
import run  # noqa: F401  (everything --kit needs is imported at the top)
import encodings.utf_8, encodings.latin_1, encodings.ascii  # noqa: F401
stdlib = sysconfig.get_paths()["stdlib"]
dyn = os.path.join(stdlib, "lib-dynload")
out = os.path.join(dest, "lib", os.path.basename(stdlib))
for m in list(sys.modules.values()):
    f = getattr(m, "__file__", None)
    if not f or not f.startswith(stdlib + "/"):
        continue
    rel = os.path.relpath(f, stdlib)
    os.makedirs(os.path.dirname(os.path.join(out, rel)), exist_ok=True)
    shutil.copy(f, os.path.join(out, rel))
os.makedirs(os.path.join(out, "lib-dynload"), exist_ok=True)
PY
# the shared libraries of those extension modules (libmpdec, liblzma, ...):
# the harness adds only the libraries of KIT's top-level executables
mkdir -p "$kit/py/so"
find "$kit/py" -name '*.so' | while read -r so; do
	ldd "$so" | awk '$3 ~ /^\// && $1 !~ /^(libc|libm)\.so/ { print $3 }'
done | sort -u | while read -r lib; do
	cp -L "$lib" "$kit/py/so/"
done
mkdir -p "$kit/bench"
cp "$top"/bench/*.py "$kit/bench/"
cp -r "$top/bench/lib" "$kit/bench/"
mkdir -p "$kit/bench/provision"
cp "$top/bench/provision/netns.sh" "$kit/bench/provision/"
find "$kit/bench" -name __pycache__ -prune -exec rm -rf {} +
