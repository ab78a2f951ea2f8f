#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""repeat.py - run layer-3 cases many times and tabulate how each fared.

    tests/linux/repeat.py [-n RUNS] [--hog RUNS] [--lock FILE]
                          [--out DIR] [--markdown] [CASE...]

Runs tests/linux/run-layer3.sh (all cases, or the named ones) RUNS times in
a row with retries off (MVT_RETRY=0), then HOG more times with a CPU hog
(one busy process per host CPU) beside it, as on a shared CI machine.
Every run's full output is kept in DIR (default: a new directory under
/tmp), and the table printed at the end gives per case: runs, passes,
failures, pass rate and the failure signatures (the case's own "FAIL:"
line, a timeout, a triple fault, an L1 that died...).  --markdown prints
the table ready for tests/linux/README.md.  --lock FILE takes an flock on
FILE around each run (so other users of the nested harness interleave).

MINIVMM must name the binary, as for run-layer3.sh.  Exit status: 0 when
every case passed every run, 1 otherwise, 2 on bad usage.
"""

import argparse
import collections
import datetime
import fcntl
import os
import platform
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
VERDICT = re.compile(r'^(PASS|FAIL|SKIP|QUARANTINED) ([A-Za-z0-9_]+)')
# Lines in a failed case's output that say why, most telling first.
SIGNATURES = [
    (re.compile(r'triple fault', re.I), 'triple fault'),
    (re.compile(r'case timed out'), 'case timeout'),
    (re.compile(r'\(timed out after'), 'VM timeout'),
    (re.compile(r'does not stop'), 'vCPU stuck'),
    (re.compile(r'soft lockup', re.I), 'soft lockup'),
    (re.compile(r'^\s*FAIL: (.*)'), None),
]


def signature(lines):
    """A short reason for one failed case from its indented output."""
    for pattern, name in SIGNATURES:
        for line in lines:
            m = pattern.search(line)
            if m:
                return name if name else m.group(1).strip()[:70]
    return 'no FAIL line'


def parse_run(text):
    """Map case -> (verdict, signature) for one run's output."""
    result = {}
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = VERDICT.match(line)
        if not m:
            continue
        verdict, case = m.groups()
        if verdict == 'QUARANTINED':
            continue            # its FAIL line came first
        sig = ''
        if verdict == 'FAIL':
            body = []
            for follow in lines[i + 1:]:
                if not follow.startswith('    '):
                    break
                body.append(follow)
            sig = signature(body)
        result[case] = (verdict, sig)
    return result


def harness_events(text):
    """Harness-level trouble in one run (L1 hung or died, resumed)."""
    events = []
    if re.search(r'^layer3: L1 died or hung', text, re.M):
        events.append('L1 died or hung (resumed in a new L1)')
    if re.search(r'^nested: L1 did not start', text, re.M):
        events.append('L1 did not boot in time')
    return events


def start_hog():
    procs = []
    for _ in range(os.cpu_count() or 1):
        procs.append(subprocess.Popen(
            [sys.executable, '-c', 'while True: pass'],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return procs


def run_once(cases, lock, log_path, hog):
    env = dict(os.environ, MVT_RETRY='0')
    cmd = [os.path.join(HERE, 'run-layer3.sh')] + cases
    lock_fd = None
    if lock:
        lock_fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(lock_fd, fcntl.LOCK_EX)
    hogs = start_hog() if hog else []
    start = datetime.datetime.now()
    try:
        # Streamed to the log as it comes, so a run can be watched.
        with open(log_path, 'w') as log:
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True,
                                    errors='replace')
            chunks = []
            for line in proc.stdout:
                log.write(line)
                log.flush()
                chunks.append(line)
            rc = proc.wait()
    finally:
        for h in hogs:
            h.kill()
            h.wait()
        if lock_fd is not None:
            os.close(lock_fd)
    secs = (datetime.datetime.now() - start).total_seconds()
    return rc, ''.join(chunks), secs


def table(per_case, total_runs, markdown):
    rows = []
    for case in sorted(per_case):
        v = per_case[case]
        passes = v['PASS']
        fails = v['FAIL']
        ran = passes + fails
        rate = f'{100.0 * passes / ran:.0f}%' if ran else '-'
        sigs = '; '.join(f'{s} x{n}' for s, n in v['sigs'].most_common())
        missing = total_runs - ran - v['SKIP']
        if missing > 0:
            sigs = (sigs + '; ' if sigs else '') + f'no verdict x{missing}'
        rows.append((case, str(ran), str(passes), str(fails), rate, sigs))
    head = ('case', 'runs', 'pass', 'fail', 'rate', 'failure signatures')
    if markdown:
        out = ['| ' + ' | '.join(head) + ' |',
               '|' + '---|' * len(head)]
        out += ['| ' + ' | '.join(r) + ' |' for r in rows]
        return '\n'.join(out)
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(5)]
    out = []
    for r in [head] + rows:
        out.append('  '.join(r[i].ljust(widths[i]) for i in range(5)) +
                   '  ' + r[5])
    return '\n'.join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('-n', type=int, default=5, help='quiet runs (5)')
    ap.add_argument('--hog', type=int, default=0,
                    help='further runs beside a CPU hog (0)')
    ap.add_argument('--lock', help='flock this file around each run')
    ap.add_argument('--out', help='directory for the runs\' logs')
    ap.add_argument('--markdown', action='store_true')
    ap.add_argument('cases', nargs='*')
    args = ap.parse_args()
    if args.n < 0 or args.hog < 0 or args.n + args.hog == 0:
        ap.error('nothing to run')
    if not os.environ.get('MINIVMM'):
        ap.error('set MINIVMM to the minivmm binary')
    out = args.out or tempfile.mkdtemp(prefix='mvt-repeat.')
    os.makedirs(out, exist_ok=True)

    per_case = collections.defaultdict(
        lambda: {'PASS': 0, 'FAIL': 0, 'SKIP': 0,
                 'sigs': collections.Counter()})
    harness = collections.Counter()
    clean_runs = 0
    plan = [False] * args.n + [True] * args.hog
    for i, hog in enumerate(plan, 1):
        log = os.path.join(out, f'run-{i:02d}{"-hog" if hog else ""}.log')
        rc, text, secs = run_once(args.cases, args.lock, log, hog)
        verdicts = parse_run(text)
        for case, (verdict, sig) in verdicts.items():
            per_case[case][verdict] += 1
            if sig:
                per_case[case]['sigs'][sig] += 1
        for case in args.cases:
            per_case[case]      # a case with no verdict still gets a row
        events = harness_events(text)
        harness.update(events)
        fails = sorted(c for c, (v, _) in verdicts.items() if v == 'FAIL')
        if rc == 0 and not fails and not events:
            clean_runs += 1
        print(f'repeat: run {i}/{len(plan)}{" (CPU hog)" if hog else ""}: '
              f'rc {rc}, {secs:.0f} s, failed: {" ".join(fails) or "none"}'
              f'{"; " + "; ".join(events) if events else ""}  ({log})',
              flush=True)

    print()
    print(f'layer 3 repeated {len(plan)} times ({args.hog} beside a CPU hog) '
          f'on {platform.node()}, {datetime.date.today()}; '
          f'{clean_runs} clean runs; logs in {out}')
    print(table(per_case, len(plan), args.markdown))
    for event, n in harness.most_common():
        print(f'harness: {event} x{n}')
    ok = clean_runs == len(plan)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
