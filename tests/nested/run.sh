#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run.sh [--keep] [--quiet] [--timeout S] -- COMMAND...
#
# The nested real-KVM harness: boots an L1 VM (Debian's generic kernel under
# QEMU TCG with an emulated AMD SVM, so it has a working /dev/kvm), and runs
# COMMAND there with bash, in /repo (a copy of this repository's tests/),
# with MINIVMM, KERNEL (the cloud vmlinuz) and INITRD (the layer-3 test
# initramfs) set and MVT_* variables of the caller passed through.  Exits
# with COMMAND's status; 124 when L1 did not finish within the timeout
# (QEMU is killed), 125 when L1 itself is broken (no working /dev/kvm).
#
#   tests/nested/run.sh -- tests/linux/run-cases.sh boot_smp
#
# Inputs: MINIVMM (a minivmm binary; static or not, its libraries are
# copied) or else a static build made in the cache; KVM_SMOKE (the
# kvm-smoke binary) or else one compiled here.  Opt-in: MVT_NESTED_QEMU=1
# adds QEMU to L1; MVT_NESTED_EXTRA=DIR copies DIR to /mvt-extra in L1;
# MVT_NESTED_KVM_AMD="PARAM=VALUE ..." loads L1's kvm-amd with them
# (default "npt=0": L1's KVM shadows L2's page tables instead of using the
# nested paging QEMU emulates, where L2 guests died at random in a "triple
# fault"; "" keeps kvm-amd's defaults - tests/linux/README.md).
# MVT_NESTED_KVM="PARAM=VALUE ..." loads L1's kvm with them (default
# "nx_huge_pages=never": no NX-huge-page recovery thread per VM);
# MVT_NESTED_MEM=MiB gives L1 that much RAM (default 2048; 512..65536), e.g.
# 6144 to run a 2 GiB guest under minivmm and QEMU in one L1.
# Big, slowly changing parts
# (kernel, modules, busybox, tools, L2 kernel) form one cached cpio keyed by
# its inputs; each run appends a small second cpio (command, minivmm, tests/,
# L2 initramfs), which the kernel unpacks after the first.
#
#   --keep      keep the run directory (L1 console log, per-run cpio)
#   --quiet     print only the command's output, or L1's whole console
#               when the run fails
#   --timeout S whole L1 run, boot included (default 1500)
#
# MVT_NESTED_SMP (1-8, default 1) sets L1's vCPUs.  An L1 that freezes
# while the command runs (its kernel reports a CPU stuck for
# MVT_NESTED_FROZEN seconds, default 90, or its heartbeat stops for
# MVT_NESTED_SILENT seconds, default 180) is stopped at once, status 124,
# after printing where its vCPUs were (tests/nested/l1-cpus.py).
#
# L1 itself is emulated SVM under TCG and now and then breaks before the
# command starts (kvm-smoke fails, or L1 soft-locks while booting).  Such an
# L1 is stopped after MVT_NESTED_BOOT_TIMEOUT seconds without the command
# starting (default 300) and booted again, up to MVT_NESTED_BOOT_RETRY more
# times (default 1), within the same overall --timeout.  A command that
# started is never re-run here.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${MINIVMM_CACHE:-/var/cache/minivmm-test}
. "$REPO/tests/guest/initramfs-lib.sh"

KEEP=0
QUIET=0
TIMEOUT=1500
RUNDIR=
# An AMD CPU with SVM, less what TCG cannot emulate (QEMU would warn).
NESTED_CPU=EPYC,+svm,-rdseed,-sha-ni,-fxsr-opt,-misalignsse,-3dnowprefetch,-osvw,-topoext,-nrip-save,-xsavec
# L1's vCPUs (MVT_NESTED_SMP overrides, 1-8).  One by default: with two,
# L1 froze now and then (both vCPUs spinning at an L2's creation, each
# waiting for the other: cross-CPU calls under TCG); with one there are no
# cross-CPU calls in L1 to lose, and a full layer 3 took about as long.
NESTED_SMP=${MVT_NESTED_SMP:-1}
case $NESTED_SMP in [1-8]) ;; *) echo "nested: MVT_NESTED_SMP must be 1-8, not '$NESTED_SMP'" >&2; exit 2 ;; esac
# TCG threading for L1 (MVT_NESTED_ACCEL overrides, e.g. tcg,thread=single).
NESTED_ACCEL=${MVT_NESTED_ACCEL:-tcg,thread=multi}
# L1's RAM in MiB (MVT_NESTED_MEM overrides; checked before anything runs).
NESTED_MEM=${MVT_NESTED_MEM:-2048}

QEMU_PID=
TAIL_PID=
L1_FROZE=0

die() { echo "nested: $*" >&2; exit 1; }

nested_interrupt()
{
	echo "nested: interrupted; stopping L1" >&2
	[ -n "$QEMU_PID" ] && kill -TERM "$QEMU_PID" 2>/dev/null
	[ -n "$TAIL_PID" ] && kill -TERM "$TAIL_PID" 2>/dev/null
	exit 130
}

nested_cleanup()
{
	[ -n "$RUNDIR" ] || return
	if [ $KEEP -eq 1 ]; then
		echo "nested: run files kept in $RUNDIR" >&2
	else
		rm -rf "$RUNDIR"
	fi
}

# nested_tool_list: the tools of l1-tools.txt, as "path" lines.
nested_tool_list()
{
	local t opt p
	sed 's/#.*//' "$HERE/l1-tools.txt" | while read -r t; do
		[ -n "$t" ] || continue
		opt=0
		case $t in *\?) opt=1; t=${t%\?} ;; esac
		p=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v "$t") || p=
		if [ -z "$p" ]; then
			[ $opt -eq 1 ] && continue
			echo "nested: tool $t missing on the host" >&2
			return 1
		fi
		echo "$p"
	done
}

# nested_l2_modules ROOT: the L2 kernel's modules.dep, modules.builtin and
# the modules -rootfs needs, under ROOT/lib/modules/$MVT_CLOUD_KVER.
nested_l2_modules()
{
	local root=$1 dst f list
	dst=$root/lib/modules/$MVT_CLOUD_KVER
	list=$(initramfs_modules "$MVT_CLOUD_MODDIR" virtio_mmio virtiofs \
		overlay pvpanic_mmio) || return 1
	mkdir -p "$dst" &&
		cp "$MVT_CLOUD_MODDIR/modules.dep" \
			"$MVT_CLOUD_MODDIR/modules.builtin" "$dst/" || return 1
	for f in $list; do
		mkdir -p "$dst/$(dirname "$f")" && cp "$MVT_CLOUD_MODDIR/$f" "$dst/$f" ||
			return 1
	done
}

# nested_base: build (or find) the cached L1 base cpio; print its path.
nested_base()
{
	local tools mods hash out tmp t lib
	eval "$("$REPO/tests/guest/fetch-kernels.sh" cloud generic)" ||
		die "cannot get the Debian kernels"
	tools=$(nested_tool_list) || die "missing tools (see $HERE/l1-tools.txt)"
	# MVT_NESTED_QEMU=1: QEMU in L1 too, to run a case under QEMU on the
	# same nested KVM (tests/linux/qemu-minivmm.sh, MVT_QEMU_ACCEL=kvm).
	if [ -n "${MVT_NESTED_QEMU:-}" ]; then
		tools="$tools $(command -v qemu-system-x86_64)" ||
			die "MVT_NESTED_QEMU: qemu-system-x86_64 missing"
	fi
	mods=$(sed 's/#.*//' "$HERE/l1-modules.txt" | tr -s ' \t\n' ' ')
	# shellcheck disable=SC2086
	hash=$( (initramfs_hash "$HERE/l1-init" "$HERE/run.sh" \
			"$REPO/tests/guest/initramfs-lib.sh" \
			"$(command -v busybox)" $tools;
		 echo "$MVT_GENERIC_KVER $MVT_CLOUD_KVER $mods $tools ${MVT_NESTED_QEMU:-}") |
		sha256sum | cut -c1-16)
	out=$CACHE/nested/l1-base-$hash.cpio
	# Images of other inputs (older harness versions) unused for days go.
	find "$CACHE/nested" -maxdepth 1 -name 'l1-base-*' -mtime +2 \
		-delete 2>/dev/null
	if [ -f "$out" ]; then
		touch "$out"
	else
		echo "nested: building the L1 base image (once per input change)" >&2
		mkdir -p "$CACHE/nested"
		tmp=$(mktemp -d "$CACHE/nested/build.XXXXXX")
		# shellcheck disable=SC2064 # (a subshell: expand tmp now)
		trap "rm -rf '$tmp'" EXIT
		initramfs_add_busybox "$tmp" || die "busybox"
		# shellcheck disable=SC2086
		initramfs_add_modules "$MVT_GENERIC_MODDIR" "$tmp" $mods ||
			die "L1 modules"
		# L1 is the host of -rootfs / (tests/linux/cases/rootfs_*):
		# like a Debian host with the L2 kernel installed, it has
		# /lib/modules/RELEASE with modules.dep and the modules the
		# built-in init loads (vmm/rootfs.c), at their paths.
		nested_l2_modules "$tmp" || die "L2 kernel modules"
		for t in $tools; do
			initramfs_add_binary "$tmp" "$t" || die "tool $t"
		done
		if [ -n "${MVT_NESTED_QEMU:-}" ]; then
			mkdir -p "$tmp/usr/share/qemu"
			for t in bios-microvm.bin qboot.rom linuxboot.bin \
				 linuxboot_dma.bin kvmvapic.bin pvh.bin; do
				cp -L "/usr/share/qemu/$t" "$tmp/usr/share/qemu/" ||
					die "QEMU firmware $t"
			done
			# q35's BIOS comes from Debian's seabios package
			mkdir -p "$tmp/usr/share/seabios"
			cp -L /usr/share/seabios/bios-256k.bin "$tmp/usr/share/seabios/" ||
				die "QEMU firmware bios-256k.bin"
			# TCG is a loadable module in Debian's QEMU
			t=/usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so
			# (its libraries are QEMU's own, already there)
			mkdir -p "$tmp${t%/*}" && cp -L "$t" "$tmp$t" ||
				die "QEMU module $t"
		fi
		# Scripts say #!/bin/bash; the host's /bin may be /usr/bin.
		[ -e "$tmp/bin/bash" ] || ln -s "$(command -v bash)" "$tmp/bin/bash"
		# /bin/sh is dash as on a Debian host: busybox' sh would run
		# its own applets (ip, mount, ...) before the real tools.
		ln -sf "$(command -v dash)" "$tmp/bin/sh"
		# glibc loads libgcc_s at run time (thread cancellation, as in
		# atftpd): ldd does not list it.
		lib=$(gcc -print-file-name=libgcc_s.so.1 2>/dev/null)
		[ -e "$lib" ] || lib=/lib/x86_64-linux-gnu/libgcc_s.so.1
		mkdir -p "$tmp/lib/x86_64-linux-gnu" &&
			cp -L "$lib" "$tmp/lib/x86_64-linux-gnu/libgcc_s.so.1" ||
			die "libgcc_s.so.1"
		install -m 0755 "$HERE/l1-init" "$tmp/init"
		mkdir -p "$tmp/mvt-kit" "$tmp/repo" "$tmp/var/lib/misc"
		cp "$MVT_CLOUD_KERNEL" "$tmp/mvt-kit/vmlinuz"
		printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\ndnsmasq:x:65534:65534:dnsmasq:/nonexistent:/bin/false\n' \
			>"$tmp/etc/passwd"
		printf 'root:x:0:\nnogroup:x:65534:\n' >"$tmp/etc/group"
		printf 'hosts: files\npasswd: files\ngroup: files\n' \
			>"$tmp/etc/nsswitch.conf"
		printf '127.0.0.1 localhost\n' >"$tmp/etc/hosts"
		# Uncompressed: QEMU loads it as is, the kernel only copies.
		(cd "$tmp" && find . -mindepth 1 | LC_ALL=C sort |
		 cpio --quiet -o -H newc -R 0:0) >"$out.tmp" &&
			mv "$out.tmp" "$out" || die "cannot write $out"
		rm -rf "$tmp"
	fi
	echo "$out"
}

# nested_minivmm: path of the minivmm to test (MINIVMM or a static build).
nested_minivmm()
{
	local build=$CACHE/nested/build-static
	if [ -n "${MINIVMM:-}" ]; then
		[ -x "$MINIVMM" ] || die "MINIVMM=$MINIVMM is not executable"
		realpath "$MINIVMM"
		return
	fi
	echo "nested: building a static minivmm in $build" >&2
	cmake -S "$REPO" -B "$build" -DMINIVMM_STATIC=ON -DMINIVMM_TESTS=OFF \
		>"$build.log" 2>&1 &&
		make -C "$build" -j"$(nproc)" minivmm >>"$build.log" 2>&1 ||
		{ cat "$build.log" >&2; die "static minivmm build failed"; }
	echo "$build/minivmm"
}

# nested_kvm_smoke: path of a kvm-smoke binary (KVM_SMOKE or built here).
nested_kvm_smoke()
{
	local out=$CACHE/nested/kvm-smoke-$(initramfs_hash "$HERE/kvm-smoke.c")
	if [ -n "${KVM_SMOKE:-}" ]; then
		realpath "$KVM_SMOKE"
		return
	fi
	if [ ! -x "$out" ]; then
		${CC:-cc} -std=gnu11 -O2 -Wall -static -o "$out.tmp" \
			"$HERE/kvm-smoke.c" && mv "$out.tmp" "$out" ||
			die "cannot build kvm-smoke"
	fi
	echo "$out"
}

# nested_add_tree ROOT DIR: DIR at the same path under ROOT, less .git,
# CMake's object files and other build directories' leftovers, plus the
# shared libraries of every ELF executable in it (ASan's runtime, say).
nested_add_tree()
{
	local root=$1 dir lib
	dir=$(realpath "$2") || return 1
	mkdir -p "$root$dir" || return 1
	(cd "$dir" && find . -path ./.git -prune -o -name '*.o' -prune -o \
		-name 'build*' -path './build*' -prune -o \
		\( -type f -o -type l \) -print0 |
	 cpio --quiet -0 -p -d -m "$root$dir") || return 1
	find "$root$dir" -type f -perm -u+x -print0 |
		xargs -0 -r file -N --mime-type | sed -n 's/: *application\/x-\(pie-\)\{0,1\}executable$//p' |
		while read -r f; do
			for lib in $(ldd "$f" 2>/dev/null |
				     awk '/=> \// { print $3 } /^\t\/[^ ]+ \(/ { print $1 }'); do
				[ -e "$root/$lib" ] && continue
				mkdir -p "$root/$(dirname "$lib")"
				cp -L "$lib" "$root/$lib"
			done
		done
}

# nested_run_cpio DIR CMD...: the per-run archive in DIR/run.cpio.
nested_run_cpio()
{
	local dir=$1 root=$1/root minivmm smoke l2 v
	shift
	minivmm=$(nested_minivmm) || exit 1
	smoke=$(nested_kvm_smoke) || exit 1
	l2=$("$REPO/tests/guest/build-initramfs.sh") ||
		die "cannot build the L2 test initramfs"
	mkdir -p "$root/mvt-run" "$root/mvt-kit" "$root/repo" "$root/usr/bin"
	initramfs_add_binary "$root" "$minivmm" /usr/bin/minivmm ||
		die "cannot add minivmm"
	initramfs_add_binary "$root" "$smoke" /usr/bin/kvm-smoke ||
		die "cannot add kvm-smoke"
	cp "$l2" "$root/mvt-kit/l2-initrd.cpio.gz"
	cp -r "$REPO/tests" "$root/repo/"
	# MVT_NESTED_EXTRA=DIR (opt-in, e.g. scripts/bench.sh --nested): DIR's
	# files go to /mvt-extra in L1, with the shared libraries of its
	# executables.
	if [ -n "${MVT_NESTED_EXTRA:-}" ]; then
		mkdir -p "$root/mvt-extra" &&
			cp -r "$MVT_NESTED_EXTRA/." "$root/mvt-extra/" ||
			die "cannot copy MVT_NESTED_EXTRA=$MVT_NESTED_EXTRA"
		for v in "$MVT_NESTED_EXTRA"/*; do
			[ -f "$v" ] && [ -x "$v" ] || continue
			initramfs_add_binary "$root" "$v" "/mvt-extra/${v##*/}" ||
				die "cannot add $v"
		done
	fi
	# MVT_NESTED_TREES="DIR ..." (the guest layer, tests/nested/guest-layer.sh):
	# each DIR is copied to the same absolute path in L1 (no .git, no
	# object files), with the shared libraries of its executables.
	local t
	for t in ${MVT_NESTED_TREES:-}; do
		nested_add_tree "$root" "$t" || die "cannot copy the tree $t"
	done
	printf '%q ' "$@" >"$root/mvt-run/cmd"
	echo >>"$root/mvt-run/cmd"
	echo "$*" >"$root/mvt-run/cmd.txt"
	: >"$root/mvt-run/env"
	for v in $(compgen -e | grep -E '^(MVT_|MINIVMM_TEST_)' || true); do
		printf 'export %s=%q\n' "$v" "${!v}" >>"$root/mvt-run/env"
	done
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
	 cpio --quiet -o -H newc -R 0:0) >"$dir/run.cpio" ||
		die "cannot write the per-run archive"
}

# nested_started DIR: did L1 start the command (its MVT-L1-RUN line)?
nested_started() { grep -q '^MVT-L1-RUN ' <(tr -d '\r' <"$1/console.log"); }

# nested_frozen_line DIR: L1's last report of a CPU stuck for at least
# MVT_NESTED_FROZEN seconds (default 90: the kernel's soft-lockup watchdog
# reports at 20-30 s and repeats; an L1 that recovered never got past it).
nested_frozen_line()
{
	tr -d '\r' <"$1/console.log" |
		grep -E 'soft lockup - CPU#[0-9]+ stuck for [0-9]+s' |
		awk -v min="${MVT_NESTED_FROZEN:-90}" '{
			for (i = 1; i <= NF; i++)
				if ($i == "for" && $(i + 1) ~ /^[0-9]+s!?$/ &&
				    $(i + 1) + 0 >= min)
					line = $0
		} END { if (line != "") print line }'
}

nested_frozen() { [ -n "$(nested_frozen_line "$1")" ]; }

# nested_silent DIR: has L1's heartbeat (l1-init writes the time to its
# second serial port, DIR/heartbeat, every 5 s) stopped for
# MVT_NESTED_SILENT seconds (default 180)?  An L1 whose vCPUs all spin
# with interrupts off reports no soft lockup; its heartbeat stops too.
nested_silent()
{
	local hb=$1/heartbeat age
	[ -s "$hb" ] || return 1
	age=$(($(date +%s) - $(stat -c %Y "$hb")))
	[ "$age" -ge "${MVT_NESTED_SILENT:-180}" ]
}

# L1's kernel symbols (its /proc/kallsyms, text only), kept per base image:
# Debian's System.map is a stub, and L1 boots with nokaslr and loads its
# modules in one order, so the addresses of one boot hold for the next.
# An L1 started without them (MVT_NESTED_KALLSYMS=1) writes them to its
# third serial port, DIR/kallsyms, before the command.
KALLSYMS=

# nested_keep_kallsyms DIR: keep DIR/kallsyms when L1 wrote all of it.
nested_keep_kallsyms()
{
	[ -n "${MVT_NESTED_KALLSYMS:-}" ] || return 0
	tr -d '\r' <"$1/kallsyms" | grep -q '^MVT-KALLSYMS-END$' || return 0
	tr -d '\r' <"$1/kallsyms" | grep -v '^MVT-KALLSYMS-END$' \
		>"$KALLSYMS.tmp" && mv "$KALLSYMS.tmp" "$KALLSYMS"
}

# nested_cpu_dump DIR: where L1's vCPUs are, from QEMU's monitor: a few
# samples of each vCPU's RIP and a rough backtrace, with L1's symbols.
nested_cpu_dump()
{
	local syms=$KALLSYMS
	[ -s "$syms" ] || syms=$1/kallsyms
	python3 "$HERE/l1-cpus.py" "$1/monitor.sock" "$syms" 2>&1 ||
		echo "(QEMU's monitor did not answer)"
}

# nested_boot DIR BASE LIMIT: run QEMU on BASE + DIR/run.cpio for at most
# LIMIT seconds; console to DIR/console.log (and to stdout unless --quiet).
# Returns QEMU's status as timeout(1) reports it, or 126 when L1 did not
# start the command within MVT_NESTED_BOOT_TIMEOUT seconds (QEMU stopped).
nested_boot()
{
	local dir=$1 base=$2 limit=$3 kernel rc waited=0 stuck=0 frozen=0
	eval "$("$REPO/tests/guest/fetch-kernels.sh" generic)" || exit 1
	kernel=$MVT_GENERIC_KERNEL
	cat "$base" "$dir/run.cpio" >"$dir/initrd.cpio" || die "disk full?"
	command -v qemu-system-x86_64 >/dev/null ||
		die "qemu-system-x86_64 missing (apt-get install qemu-system-x86)"
	local qemu=(qemu-system-x86_64 -accel "$NESTED_ACCEL" -machine q35
		    -cpu "$NESTED_CPU" -smp "$NESTED_SMP" -m "$NESTED_MEM" -nodefaults -no-reboot
		    -display none -chardev stdio,id=con,signal=off
		    -serial chardev:con -serial "file:$dir/heartbeat"
		    -serial "file:$dir/kallsyms"
		    -monitor "unix:$dir/monitor.sock,server=on,wait=off"
		    -kernel "$kernel" -initrd "$dir/initrd.cpio"
		    -append "console=ttyS0 quiet panic=-1 loglevel=4 nokaslr")
	# In the background, so an interrupt of this script can stop QEMU
	# (timeout(1) sits in its own process group and passes SIGTERM on).
	: >"$dir/console.log"
	timeout -k 10 "$limit" "${qemu[@]}" </dev/null >"$dir/console.log" 2>&1 &
	QEMU_PID=$!
	if [ $QUIET -eq 0 ]; then
		tail -n +1 -f --pid=$QEMU_PID "$dir/console.log" &
		TAIL_PID=$!
	fi
	# Watch the boot: an L1 that hangs before the command is not waited
	# for until the overall timeout.
	while kill -0 "$QEMU_PID" 2>/dev/null && ! nested_started "$dir"; do
		if [ "$waited" -ge "${MVT_NESTED_BOOT_TIMEOUT:-300}" ]; then
			stuck=1
			kill -TERM "$QEMU_PID" 2>/dev/null
			break
		fi
		sleep 2
		waited=$((waited + 2))
	done
	# Then watch the command: an L1 whose kernel reports a CPU stuck for
	# minutes has frozen (seen under TCG: both vCPUs spinning, each waiting
	# for the other's IPI) and never recovers; stop it at once rather than
	# at the overall timeout (status 124, as for a timeout).
	while [ $stuck -eq 0 ] && kill -0 "$QEMU_PID" 2>/dev/null; do
		local why=
		if nested_frozen "$dir"; then
			why=$(nested_frozen_line "$dir")
		elif nested_silent "$dir"; then
			why="no heartbeat for ${MVT_NESTED_SILENT:-180}s"
		fi
		if [ -n "$why" ]; then
			echo "nested: L1 froze: $why; its vCPUs:"
			nested_cpu_dump "$dir" | sed 's/^/    /'
			echo "nested: QEMU stopped"
			frozen=1
			kill -TERM "$QEMU_PID" 2>/dev/null
			break
		fi
		sleep 5
	done
	wait $QEMU_PID
	rc=$?
	nested_keep_kallsyms "$dir"
	[ $stuck -eq 1 ] && rc=126
	[ $frozen -eq 1 ] && rc=124 && L1_FROZE=1
	QEMU_PID=
	if [ -n "$TAIL_PID" ]; then
		wait "$TAIL_PID"
		TAIL_PID=
	fi
	return $rc
}

main()
{
	local base rc start status

	while [ $# -gt 0 ]; do
		case $1 in
		--keep) KEEP=1 ;;
		--quiet) QUIET=1 ;;
		--timeout) TIMEOUT=${2:?--timeout needs seconds}; shift ;;
		--) shift; break ;;
		*) die "unknown option $1 (usage: run.sh [--keep] [--quiet] [--timeout S] -- COMMAND...)" ;;
		esac
		shift
	done
	[ $# -gt 0 ] || die "no COMMAND (usage: run.sh [--keep] [--quiet] [--timeout S] -- COMMAND...)"
	[[ $NESTED_MEM =~ ^[1-9][0-9]*$ ]] && [ "$NESTED_MEM" -ge 512 ] &&
		[ "$NESTED_MEM" -le 65536 ] ||
		die "MVT_NESTED_MEM=$NESTED_MEM: L1's RAM in MiB, 512..65536"

	mkdir -p "$CACHE/nested" || die "cannot create $CACHE/nested"
	base=$(nested_base) || exit 1
	KALLSYMS=${base%.cpio}.kallsyms
	[ -s "$KALLSYMS" ] || export MVT_NESTED_KALLSYMS=1
	RUNDIR=$(mktemp -d "${TMPDIR:-/tmp}/mvt-nested.XXXXXX")
	trap nested_cleanup EXIT
	trap nested_interrupt INT TERM
	nested_run_cpio "$RUNDIR" "$@"

	start=$(date +%s)
	local attempt left
	for ((attempt = 0; ; attempt++)); do
		left=$((TIMEOUT - ($(date +%s) - start)))
		[ $left -gt 60 ] || left=60
		nested_boot "$RUNDIR" "$base" "$left"
		rc=$?
		nested_started "$RUNDIR" && break
		[ $attempt -lt "${MVT_NESTED_BOOT_RETRY:-1}" ] || break
		case $rc in
		126) echo "nested: L1 did not start the command within ${MVT_NESTED_BOOT_TIMEOUT:-300}s; booting L1 again" ;;
		*) echo "nested: L1 broke before the command (QEMU status $rc; console tail below); booting L1 again"
		   tr -d '\r' <"$RUNDIR/console.log" | tail -n 15 | sed 's/^/    /' ;;
		esac
		cp "$RUNDIR/console.log" "$RUNDIR/console.$attempt.log"
	done
	if [ $rc -eq 126 ]; then
		[ $QUIET -eq 1 ] && tr -d '\r' <"$RUNDIR/console.log"
		echo "nested: L1 never started the command (stuck while booting)"
		return 125
	fi
	status=$(tr -d '\r' <"$RUNDIR/console.log" |
		 sed -n 's/^MVT-L1-EXIT rc=\([0-9]*\)$/\1/p' | tail -n 1)
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		[ $QUIET -eq 1 ] && tr -d '\r' <"$RUNDIR/console.log"
		if [ $L1_FROZE -eq 1 ]; then
			echo "nested: L1 froze (see above); QEMU stopped"
		else
			echo "nested: TIMEOUT: L1 did not finish within ${TIMEOUT}s; QEMU killed"
		fi
		return 124
	fi
	if [ -z "$status" ]; then
		[ $QUIET -eq 1 ] && tr -d '\r' <"$RUNDIR/console.log"
		echo "nested: L1 ended (QEMU status $rc) without an exit marker"
		return 125
	fi
	if [ $QUIET -eq 1 ]; then
		if [ "$status" -ne 0 ]; then
			tr -d '\r' <"$RUNDIR/console.log"
		else	# the command's own output
			tr -d '\r' <"$RUNDIR/console.log" |
				sed -n '/^MVT-L1-RUN /,$p' | grep -v '^\['
		fi
	fi
	echo "nested: L1 run took $(($(date +%s) - start))s, command status $status"
	return "$status"
}

main "$@"
