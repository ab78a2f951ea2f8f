#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""mutants.py - does layer 3 catch a broken minivmm?

    tests/linux/mutants.py [--lock FILE] [--wrap CMD] [--keep] [MUTANT...]

Builds minivmm with one deliberate bug at a time (a "mutant": a small
source edit listed below) from the committed tree (HEAD), runs the
layer-3 cases that should notice it (tests/linux/run-layer3.sh, retries
off) and prints one line per mutant: KILLED when the cases failed, as they
must, SURVIVED when they passed (the suite has a hole), BROKEN when the
edit no longer applies or the mutant does not build.  Every mutant is
built before the first layer-3 run.  --lock FILE takes an flock on FILE
around each layer-3 run; --wrap CMD runs each layer-3 run as "CMD
run-layer3.sh ..." (a queue in front of the nested harness, say).  The
cases' output is kept (passing cases' too, MVT_SHOW_PASS=1): a survivor's
log says what the cases saw.

Exit status: 0 when every mutant was killed, 1 otherwise, 2 on bad usage.
"""

import argparse
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# name: (file, anchor, replacement, cases, what the bug is)
MUTANTS = {
    'net-rx-drop': (
        'devices/virtio_net.c',
        '\tif (n < VIRTIO_NET_HDR_LEN + ETH_HDR_LEN)\n\t\treturn false;\n',
        '\tstatic unsigned int mutant_rx;\n'
        '\tif (++mutant_rx % 1000 == 0)\n\t\treturn false;\n'
        '\tif (n < VIRTIO_NET_HDR_LEN + ETH_HDR_LEN)\n\t\treturn false;\n',
        ['net_ping'],
        'virtio-net drops every 1000th received frame'),
    'blk-lost-write': (
        'devices/disk_raw.c',
        '\treturn disk_write(disk_raw_file(img), iov, cnt, off);\n',
        '\tsize_t mutant_len = 0;\n'
        '\tfor (int i = 0; i < cnt; i++)\n'
        '\t\tmutant_len += iov[i].iov_len;\n'
        '\tif (off <= 1048576 && off + mutant_len > 1048576)\n'
        '\t\treturn 0;\n'
        '\treturn disk_write(disk_raw_file(img), iov, cnt, off);\n',
        ['blk_write'],
        'a raw image loses the write that covers byte 1 MiB (yet reports success)'),
    'serial-last-byte': (
        'devices/serial.c',
        '\tssize_t n;\n\n\tserial_log(s, byte);\n',
        '\tssize_t n;\n'
        '\tstatic int mutant_held = -1;\n'
        '\tuint8_t mutant_now = byte;\n\n'
        '\tif (mutant_held < 0) {\n'
        '\t\tmutant_held = mutant_now;\n'
        '\t\treturn;\n'
        '\t}\n'
        '\tbyte = (uint8_t)mutant_held;\n'
        '\tmutant_held = mutant_now;\n'
        '\tserial_log(s, byte);\n',
        ['boot_poweroff', 'boot_reboot'],
        'the serial port holds back the guest\'s last byte and loses it at '
        'reset or power-off'),
}


def mutate(src, rel, anchor, replacement):
    path = os.path.join(src, rel)
    with open(path) as f:
        text = f.read()
    if text.count(anchor) != 1:
        return f'{rel}: the edit\'s anchor occurs {text.count(anchor)} times'
    with open(path, 'w') as f:
        f.write(text.replace(anchor, replacement))
    return None


def build(src, bld, log):
    """Only the minivmm binary (no tests): what layer 3 runs."""
    for cmd in (['cmake', '-S', src, '-B', bld, '-DMINIVMM_TESTS=OFF',
                 '-DCMAKE_BUILD_TYPE=RelWithDebInfo'],
                ['make', '-C', bld, f'-j{os.cpu_count() or 1}', 'minivmm']):
        if subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT).returncode:
            return False
    return True


def layer3(binary, cases, lock, wrap, log):
    env = dict(os.environ, MINIVMM=binary, MVT_SHOW_PASS='1')
    fd = None
    if lock:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        r = subprocess.run(wrap + [os.path.join(HERE, 'run-layer3.sh')] +
                           cases, env=env, stdout=log,
                           stderr=subprocess.STDOUT)
    finally:
        if fd is not None:
            os.close(fd)
    return r.returncode


def make_mutant(name, work):
    """Source tree and build of one mutant; (None, binary) or (why, None)."""
    rel, anchor, replacement = MUTANTS[name][:3]
    src = os.path.join(work, name, 'src')
    bld = os.path.join(work, name, 'build')
    os.makedirs(src)
    archive = subprocess.run(['git', '-C', REPO, 'archive', 'HEAD'],
                             stdout=subprocess.PIPE, check=True).stdout
    subprocess.run(['tar', '-x', '-C', src], input=archive, check=True)
    why = mutate(src, rel, anchor, replacement)
    if why:
        return why, None
    logname = os.path.join(work, name, 'build.log')
    with open(logname, 'w') as log:
        if not build(src, bld, log):
            return f'does not build (see {logname})', None
    return None, os.path.join(bld, 'minivmm')


def try_mutant(name, binary, work, lock, wrap):
    cases = MUTANTS[name][3]
    logname = os.path.join(work, name, 'log')
    with open(logname, 'w') as log:
        rc = layer3(binary, cases, lock, wrap, log)
    if rc == 0:
        return 'SURVIVED', f'{" ".join(cases)} passed with it ({logname})'
    return 'KILLED', f'{" ".join(cases)} failed (rc {rc}, {logname})'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--lock', help='flock this file around each layer-3 run')
    ap.add_argument('--wrap', default='',
                    help='run each layer-3 run under this command '
                    '(split at blanks)')
    ap.add_argument('--keep', action='store_true',
                    help='keep the mutants\' trees, builds and logs')
    ap.add_argument('mutants', nargs='*', metavar='MUTANT',
                    help=f'some of: {" ".join(MUTANTS)}')
    args = ap.parse_args()
    names = args.mutants or list(MUTANTS)
    for n in names:
        if n not in MUTANTS:
            ap.error(f'no mutant {n} (known: {" ".join(MUTANTS)})')
    work = tempfile.mkdtemp(prefix='mvt-mutants.')
    built = {}
    killed = 0
    for n in names:
        why, binary = make_mutant(n, work)
        if why:
            print(f'BROKEN {n}: {MUTANTS[n][4]}: {why}', flush=True)
        else:
            built[n] = binary
    for n, binary in built.items():
        verdict, detail = try_mutant(n, binary, work, args.lock,
                                     args.wrap.split())
        print(f'{verdict} {n}: {MUTANTS[n][4]}: {detail}', flush=True)
        killed += verdict == 'KILLED'
    if args.keep or killed != len(names):
        print(f'mutants: work files in {work}')
    else:
        shutil.rmtree(work)
    print(f'{killed} of {len(names)} mutants killed')
    return 0 if killed == len(names) else 1


if __name__ == '__main__':
    sys.exit(main())
