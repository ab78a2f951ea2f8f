#!/bin/bash
# SPDX-License-Identifier: MIT
# CTest's gdb/session: gdb_session.sh, then gdb_ctrlc.sh, on this host's
# /dev/kvm, or, without one, inside the nested harness's L1
# (tests/nested/run.sh) with Debian's gdb and its libraries copied in.
set -u
here=$(cd "$(dirname "$0")" && pwd)
GDB_BIN=$(command -v gdb) || { echo "FAIL: gdb is not installed (scripts/install-deps.sh)" >&2; exit 1; }
if [ -w /dev/kvm ]; then
	export GDB=$GDB_BIN
	bash "$here/gdb_session.sh" && exec bash "$here/gdb_ctrlc.sh"
	exit 1
fi
extra=$(mktemp -d "${TMPDIR:-/tmp}/mvt-gdb-extra.XXXXXX")
trap 'rm -rf "$extra"' EXIT
mkdir -p "$extra/lib"
cp "$GDB_BIN" "$extra/gdb"
ldd "$GDB_BIN" | awk '/=> \//{print $3} /^\t\/lib/{print $1}' |
	while read -r lib; do cp -L "$lib" "$extra/lib/"; done
cp "$here/gdb_session.sh" "$here/gdb_ctrlc.sh" "$GDBGUEST_BZIMAGE" "$GDBGUEST_ELF" "$extra/"
cat >"$extra/run.sh" <<'IN_L1'
#!/bin/bash
e=/mvt-extra
printf '#!/bin/sh\nexec %s/lib/ld-linux-x86-64.so.2 --library-path %s/lib %s/gdb "$@"\n' \
	$e $e $e >/tmp/gdb && chmod +x /tmp/gdb
export GDB=/tmp/gdb GDBGUEST_BZIMAGE=$e/gdbguest.bzImage GDBGUEST_ELF=$e/gdbguest.elf
bash $e/gdb_session.sh && bash $e/gdb_ctrlc.sh
IN_L1
MINIVMM="$MINIVMM" MVT_NESTED_EXTRA="$extra" \
	"$MINIVMM_SOURCE_DIR/tests/nested/run.sh" --quiet --timeout 900 -- bash /mvt-extra/run.sh
