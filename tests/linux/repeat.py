#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""repeat.py - run layer-3 cases many times and tabulate how each fared.

    tests/linux/repeat.py [-n RUNS] [--hog RUNS] [--lock FILE] [--wrap CMD]
                          [--out DIR] [--markdown] [CASE...]

Runs tests/linux/run-layer3.sh (all cases, or the named ones) RUNS times in
a row (a case runs once per run: there are no retries), then HOG more times with a CPU hog
(one busy process per host CPU) beside it, as on a shared CI machine.
Every run's full output is kept in DIR (default: a new directory under
/tmp), and the table printed at the end gives per case: runs, passes,
failures, pass rate, its slowest and mean time and the failure
signatures (the case's own "FAIL:" line, a timeout, a triple fault, an L1
that died...).  --markdown prints the table ready for
tests/linux/README.md.  --lock FILE takes an flock on FILE around each run
(so other users of the nested harness interleave); --wrap CMD runs each
run as "CMD run-layer3.sh ..." (a queue in front of the harness, say).
Runs already logged in --out DIR (run-NN*.log, from an earlier call) are
counted in the table too, the new ones numbered after them: runs that
each wait their turn in a queue add up to one table.

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
VERDICT = re.compile(r'^(PASS|FAIL|SKIP|QUARANTINED) ([A-Za-z0-9_]+)'
                     r'(?: \((?:rc \d+, )?(\d+)s\))?')
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
    """Map case -> (verdict, signature, seconds) for one run's output."""
    result = {}
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = VERDICT.match(line)
        if not m:
            continue
        verdict, case, secs = m.groups()
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
        result[case] = (verdict, sig, int(secs) if secs else None)
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


def run_once(cases, lock, wrap, log_path, hog):
    env = dict(os.environ)
    cmd = wrap + [os.path.join(HERE, 'run-layer3.sh')] + cases
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
        t = v['secs']
        times = f'{max(t)}/{sum(t) / len(t):.0f}' if t else '-'
        rows.append((case, str(ran), str(passes), str(fails), rate, times,
                     sigs))
    head = ('case', 'runs', 'pass', 'fail', 'rate', 'max/mean s',
            'failure signatures')
    if markdown:
        out = ['| ' + ' | '.join(head) + ' |',
               '|' + '---|' * len(head)]
        out += ['| ' + ' | '.join(r) + ' |' for r in rows]
        return '\n'.join(out)
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(6)]
    out = []
    for r in [head] + rows:
        out.append('  '.join(r[i].ljust(widths[i]) for i in range(6)) +
                   '  ' + r[6])
    return '\n'.join(out)


def account(per_case, harness, text, rc, cases):
    """Add one run to the tallies; returns (clean, failed cases, events)."""
    verdicts = parse_run(text)
    for case, (verdict, sig, secs) in verdicts.items():
        per_case[case][verdict] += 1
        if sig:
            per_case[case]['sigs'][sig] += 1
        if secs is not None and verdict in ('PASS', 'FAIL'):
            per_case[case]['secs'].append(secs)
    for case in cases:
        per_case[case]      # a case with no verdict still gets a row
    events = harness_events(text)
    harness.update(events)
    fails = sorted(c for c, (v, _, _) in verdicts.items() if v == 'FAIL')
    return rc == 0 and not fails and not events, fails, events


def earlier_runs(out):
    """(name, text, rc) of the runs already logged in OUT, in order."""
    runs = []
    for name in sorted(os.listdir(out)):
        if not re.match(r'run-\d+(-hog)?\.log$', name):
            continue
        with open(os.path.join(out, name), errors='replace') as f:
            text = f.read()
        m = re.search(r'^repeat: rc (\d+)', text, re.M)
        if m:
            rc = int(m.group(1))
        else:   # logged by hand: judge by the last summary line
            sums = re.findall(r'^\d+ passed, (\d+) failed', text, re.M)
            rc = 0 if sums and sums[-1] == '0' else 1
        runs.append((name, text, rc))
    return runs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('-n', type=int, default=5, help='quiet runs (5)')
    ap.add_argument('--hog', type=int, default=0,
                    help='further runs beside a CPU hog (0)')
    ap.add_argument('--lock', help='flock this file around each run')
    ap.add_argument('--wrap', default='',
                    help='run each run under this command (split at blanks)')
    ap.add_argument('--out', help='directory for the runs\' logs (runs '
                    'already in it are counted)')
    ap.add_argument('--markdown', action='store_true')
    ap.add_argument('cases', nargs='*')
    args = ap.parse_args()
    if args.n < 0 or args.hog < 0:
        ap.error('negative number of runs')
    if not os.environ.get('MINIVMM') and args.n + args.hog:
        ap.error('set MINIVMM to the minivmm binary')
    out = args.out or tempfile.mkdtemp(prefix='mvt-repeat.')
    os.makedirs(out, exist_ok=True)

    per_case = collections.defaultdict(
        lambda: {'PASS': 0, 'FAIL': 0, 'SKIP': 0,
                 'sigs': collections.Counter(), 'secs': []})
    harness = collections.Counter()
    clean_runs = hog_runs = 0
    earlier = earlier_runs(out)
    for name, text, rc in earlier:
        clean, _, _ = account(per_case, harness, text, rc, args.cases)
        clean_runs += clean
        hog_runs += name.endswith('-hog.log')
    if earlier:
        print(f'repeat: {len(earlier)} earlier run(s) in {out}, '
              f'{clean_runs} clean', flush=True)
    plan = [False] * args.n + [True] * args.hog
    for i, hog in enumerate(plan, len(earlier) + 1):
        log = os.path.join(out, f'run-{i:02d}{"-hog" if hog else ""}.log')
        rc, text, secs = run_once(args.cases, args.lock, args.wrap.split(),
                                  log, hog)
        with open(log, 'a') as f:
            f.write(f'repeat: rc {rc}, {secs:.0f} s\n')
        clean, fails, events = account(per_case, harness, text, rc,
                                       args.cases)
        clean_runs += clean
        hog_runs += hog
        l1 = re.findall(r'^nested: L1 run took (\d+)s', text, re.M)
        print(f'repeat: run {i}{" (CPU hog)" if hog else ""}: '
              f'rc {rc}, {secs:.0f} s (L1: {"+".join(l1) or "-"} s), '
              f'failed: {" ".join(fails) or "none"}'
              f'{"; " + "; ".join(events) if events else ""}  ({log})',
              flush=True)

    total = len(earlier) + len(plan)
    if total == 0:
        ap.error(f'nothing to run and no runs in {out}')
    print()
    print(f'layer 3 run {total} times ({hog_runs} beside a CPU hog) '
          f'on {platform.node()}, {datetime.date.today()}; '
          f'{clean_runs} clean runs; logs in {out}')
    print(table(per_case, total, args.markdown))
    for event, n in harness.most_common():
        print(f'harness: {event} x{n}')
    return 0 if clean_runs == total else 1


if __name__ == '__main__':
    sys.exit(main())
