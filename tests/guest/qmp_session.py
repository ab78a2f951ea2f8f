#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A small QMP client (standard library only) for the tests.

qmp_session.py SOCKET OUT.json
    Connect (waiting up to 20 s for the socket), run the scripted session
    below, write every reply and event as a JSON list to OUT.json, and
    check the pause semantics on the way: stop -> STOP event and
    "paused"; cont -> RESUME and "running"; quit -> SHUTDOWN.

qmp_session.py --panic SOCKET
    Negotiate, let a -S guest run, and expect GUEST_PANICKED (action
    poweroff) followed by SHUTDOWN (guest, guest-panic): the shape QEMU
    gives with its default -action panic=shutdown.

qmp_session.py --reset SOCKET OUT.json [CONSOLE]
    Negotiate, let the guest run, and reset it: system_reset's reply and
    its event into OUT.json.  SHUTDOWN (host-qmp-system-reset) when the
    reset ends the VMM (minivmm without -reboot restart, QEMU with
    -no-reboot); RESET when the guest starts again: then the client
    connects again if the VMM dropped it (minivmm's fresh process), finds
    the VM running and quits (once CONSOLE, if given, shows the
    boot-info guest's second boot).

qmp_session.py --blockstats SOCKET
    The vblk guest has run its requests (vblk.write=1) on one drive and
    halted: query-blockstats must count exactly them, with the time spent
    in each kind, then quit.

qmp_session.py --ticks SOCKET CONSOLE
    The boot-info guest prints "BOOTINFO tick=N" about every 100 ms into
    the file CONSOLE: after stop (the STOP event) the file does not grow
    for a second; after cont the counter goes on with no number lost or
    repeated; then quit.

qmp_session.py --compare MINIVMM.json QEMU.json [MINIVMM2.json QEMU2.json ...]
    Compare the shapes (member names and JSON types, recursively; list
    items against the first item) of the replies both programs gave to the
    same commands and of the events both sent, pair by pair; exit 1
    listing each difference.
"""
import json
import socket
import sys
import time

SESSION = [
    'query-status', 'stop', 'query-status', 'stop', 'cont', 'query-status',
    'query-name', 'query-version', 'query-cpus-fast', 'query-block',
    'query-blockstats', 'query-memory-size-summary',
    'query-commands', 'no-such-command', 'system_powerdown', 'quit',
]


class Client:
    def __init__(self, path, timeout=20.0):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.sock.settimeout(timeout)
        self.buf = b''
        self.events = []
        self.greeting = self.read()

    def read(self):
        while b'\n' not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError('QMP connection closed')
            self.buf += data
        line, self.buf = self.buf.split(b'\n', 1)
        return json.loads(line)

    def execute(self, name, **kw):
        msg = {'execute': name}
        msg.update(kw)
        self.sock.sendall(json.dumps(msg).encode() + b'\n')
        while True:
            reply = self.read()
            if 'event' in reply:
                self.events.append(reply)
                continue
            return reply

    def wait_event(self, name, timeout=10.0):
        deadline = time.monotonic() + timeout
        while not any(e['event'] == name for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError('no %s event' % name)
            try:
                reply = self.read()
            except EOFError:
                break
            if 'event' in reply:
                self.events.append(reply)
        return [e for e in self.events if e['event'] == name]


def fail(msg):
    print('FAIL: ' + msg)
    sys.exit(1)


def status(reply):
    return reply.get('return', {}).get('status')


def run_session(path, out):
    c = Client(path)
    log = {'greeting': c.greeting, 'replies': {}, 'events': []}
    neg = c.execute('qmp_capabilities', id='neg')
    if neg != {'return': {}, 'id': 'neg'}:
        fail('qmp_capabilities: %r' % neg)
    first = c.execute('query-status')
    if status(first) == 'prelaunch':
        # -S: start the guest first, the way a management tool does.
        c.execute('cont')
        c.wait_event('RESUME')
        c.events.clear()
    states = []
    for i, cmd in enumerate(SESSION):
        reply = c.execute(cmd, id=i)
        if reply.get('id') != i:
            fail('%s: id not echoed: %r' % (cmd, reply))
        log['replies'].setdefault(cmd, reply)
        if cmd == 'query-status':
            states.append(status(reply))
        if cmd == 'stop' and not any(e['event'] == 'STOP' for e in c.events):
            c.wait_event('STOP')
        if cmd == 'cont':
            c.wait_event('RESUME')
        if cmd == 'system_powerdown':
            c.wait_event('POWERDOWN')
    c.wait_event('SHUTDOWN')
    log['events'] = c.events
    if '--drive' in sys.argv:
        check_blockstats(log['replies']['query-blockstats'])
        mem = log['replies']['query-memory-size-summary'].get('return', {})
        if mem.get('base-memory') != 128 << 20:
            fail('query-memory-size-summary: %r' % mem)
    if states != ['running', 'paused', 'running']:
        fail('query-status sequence %r' % states)
    names = [e['event'] for e in c.events]
    if names.count('STOP') != 1:
        fail('one STOP event expected for two stops: %r' % names)
    if names.count('POWERDOWN') != 1:
        fail('one POWERDOWN event expected: %r' % names)
    if names[-1] != 'SHUTDOWN' or \
            c.events[-1]['data'] != {'guest': False, 'reason': 'host-qmp-quit'}:
        fail('SHUTDOWN after quit: %r' % c.events[-1])
    for e in c.events:
        ts = e.get('timestamp', {})
        if sorted(ts) != ['microseconds', 'seconds']:
            fail('event timestamp: %r' % e)
    with open(out, 'w') as f:
        json.dump(log, f, indent=1)
    print('ok: session %s, states %s, events %s' % (path, states, names))


def start(c):
    """Negotiate and let a -S guest run; events so far dropped."""
    if c.execute('qmp_capabilities') != {'return': {}}:
        fail('qmp_capabilities')
    if status(c.execute('query-status')) == 'prelaunch':
        c.execute('cont')
        c.wait_event('RESUME')
    c.events.clear()


def wait_any(c, names, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not any(e['event'] in names for e in c.events):
        if time.monotonic() > deadline:
            raise TimeoutError('none of %r' % names)
        reply = c.read()
        if 'event' in reply:
            c.events.append(reply)
    return [e for e in c.events if e['event'] in names][0]


def dropped(c, wait):
    """True when the VMM closes the connection within wait seconds."""
    c.sock.settimeout(wait)
    try:
        while True:
            msg = c.read()
            if 'event' in msg:
                c.events.append(msg)
    except EOFError:
        return True
    except socket.timeout:
        return False
    finally:
        c.sock.settimeout(20.0)


def boots(console):
    with open(console, 'rb') as f:
        return f.read().count(b'BOOTINFO end')


def after_restart(c, path, console):
    """The VM after a RESET: running, on this connection (QEMU) or on a
    new one (minivmm restarts as a fresh process, which drops clients);
    with a console file, quit only once the guest has booted again."""
    if dropped(c, 5.0):
        c = Client(path)
        start(c)
    st = status(c.execute('query-status'))
    if st != 'running':
        fail('query-status after the restart: %r' % st)
    deadline = time.monotonic() + 30
    while console and boots(console) < 2:
        if time.monotonic() > deadline:
            fail('the guest did not boot again after the reset')
        time.sleep(0.05)
    c.execute('quit')
    c.wait_event('SHUTDOWN')


def run_reset(path, out, console=None):
    c = Client(path)
    greeting = c.greeting
    start(c)
    reply = c.execute('system_reset', id='reset')
    if reply != {'return': {}, 'id': 'reset'}:
        fail('system_reset: %r' % reply)
    ev = wait_any(c, ('SHUTDOWN', 'RESET'))
    if ev.get('data') != {'guest': False, 'reason': 'host-qmp-system-reset'}:
        fail('%s after system_reset: %r' % (ev['event'], ev))
    events = list(c.events)
    if ev['event'] == 'RESET':
        after_restart(c, path, console)
    with open(out, 'w') as f:
        json.dump({'greeting': greeting, 'replies': {'system_reset': reply},
                   'events': events}, f, indent=1)
    print('ok: reset %s, events %s' % (path, [e['event'] for e in events]))


def console_ticks(path):
    """The raw size of the console file and its complete tick numbers."""
    with open(path, 'rb') as f:
        raw = f.read()
    ticks = []
    for line in raw.split(b'\n')[:-1]:
        line = line.rstrip(b'\r')
        if line.startswith(b'BOOTINFO tick='):
            ticks.append(int(line[len(b'BOOTINFO tick='):]))
    return len(raw), ticks


def wait_ticks(path, n, timeout=30.0):
    deadline = time.monotonic() + timeout
    while len(console_ticks(path)[1]) < n:
        if time.monotonic() > deadline:
            fail('the guest printed %d ticks, waited for %d' %
                 (len(console_ticks(path)[1]), n))
        time.sleep(0.05)


def run_ticks(path, console):
    c = Client(path)
    start(c)
    wait_ticks(console, 3)
    c.execute('stop')
    c.wait_event('STOP')
    size, ticks = console_ticks(console)
    time.sleep(1.0)
    size2, _ = console_ticks(console)
    if size2 != size:
        fail('the guest printed %d bytes while paused' % (size2 - size))
    c.execute('cont')
    c.wait_event('RESUME')
    wait_ticks(console, len(ticks) + 3)
    _, after = console_ticks(console)
    if after != list(range(len(after))):
        fail('the counter lost or repeated numbers: %r' % after)
    c.execute('quit')
    c.wait_event('SHUTDOWN')
    print('ok: ticks 0..%d before the pause, silent for 1 s, 0..%d after'
          % (ticks[-1], after[-1]))


# What the vblk guest asks of its one drive with vblk.write=1: reads of
# 64 KiB and of the 4 KiB written back, one write of 4 KiB, one flush,
# one discard of 8 sectors, one write-zeroes of sectors 40..47 (minivmm's
# x- counter; as a write it sets the highest offset), one read past the
# end (invalid), one request of an unknown type.
VBLK_WRITE_STATS = {
    'rd_operations': 2, 'rd_bytes': 65536 + 4096,
    'wr_operations': 1, 'wr_bytes': 4096, 'wr_highest_offset': 48 * 512,
    'flush_operations': 1, 'unmap_operations': 1, 'unmap_bytes': 4096,
    'x-write-zeroes-operations': 1, 'invalid_rd_operations': 1,
    'invalid_wr_operations': 0, 'invalid_flush_operations': 0,
    'invalid_unmap_operations': 0, 'failed_rd_operations': 0,
    'failed_wr_operations': 0, 'failed_flush_operations': 0,
    'failed_unmap_operations': 0, 'x-unsupported-operations': 1,
    'account_invalid': False, 'account_failed': False, 'timed_stats': [],
}


def run_blockstats(path):
    c = Client(path)
    start(c)
    reply = c.execute('query-blockstats')
    stats = reply.get('return', [])
    if len(stats) != 1 or stats[0].get('device') != 'vda':
        fail('query-blockstats: one drive vda expected: %r' % reply)
    st = stats[0]['stats']
    for k, want in VBLK_WRITE_STATS.items():
        if st.get(k) != want:
            fail('query-blockstats: %s is %r, expected %r (%r)' %
                 (k, st.get(k), want, st))
    # Each kind that ran took some time; the drive has been idle since.
    for k in ('rd_total_time_ns', 'wr_total_time_ns', 'flush_total_time_ns',
              'unmap_total_time_ns', 'idle_time_ns'):
        if not isinstance(st.get(k), int) or st[k] <= 0:
            fail('query-blockstats: %s is %r (%r)' % (k, st.get(k), st))
    time.sleep(0.2)
    again = c.execute('query-blockstats')['return'][0]['stats']
    if again['idle_time_ns'] < st['idle_time_ns'] + 100 * 1000 * 1000 or \
            again['rd_total_time_ns'] != st['rd_total_time_ns']:
        fail('query-blockstats 0.2 s later: idle %d -> %d, read time %d -> %d'
             % (st['idle_time_ns'], again['idle_time_ns'],
                st['rd_total_time_ns'], again['rd_total_time_ns']))
    c.execute('quit')
    c.wait_event('SHUTDOWN')
    print('ok: blockstats %s' % {k: st[k] for k in sorted(st)
                                if k.endswith('_ns')})


def run_panic(path):
    c = Client(path)
    if c.execute('qmp_capabilities') != {'return': {}}:
        fail('qmp_capabilities')
    if status(c.execute('query-status')) == 'prelaunch':
        c.execute('cont')
    c.wait_event('SHUTDOWN', timeout=60)
    names = [e['event'] for e in c.events]
    if 'GUEST_PANICKED' not in names:
        fail('no GUEST_PANICKED event: %r' % names)
    panic = c.events[names.index('GUEST_PANICKED')]
    if panic.get('data') != {'action': 'poweroff'}:
        fail('GUEST_PANICKED data %r' % panic.get('data'))
    if names.index('GUEST_PANICKED') > names.index('SHUTDOWN'):
        fail('GUEST_PANICKED after SHUTDOWN: %r' % names)
    if c.events[names.index('SHUTDOWN')]['data'] != \
            {'guest': True, 'reason': 'guest-panic'}:
        fail('SHUTDOWN data %r' % c.events[names.index('SHUTDOWN')])
    print('ok: events %s' % names)


def check_blockstats(reply):
    """minivmm's drive: QEMU's counters, numbers, the device named."""
    stats = reply.get('return', [])
    if not stats:
        fail('query-blockstats: no drive listed: %r' % reply)
    need = ['rd_bytes', 'wr_bytes', 'rd_operations', 'wr_operations',
            'flush_operations', 'unmap_operations']
    st = stats[0].get('stats', {})
    if stats[0].get('device') != 'vda' or \
            any(not isinstance(st.get(k), int) for k in need):
        fail('query-blockstats: %r' % reply)


def shape(v):
    if isinstance(v, dict):
        return {k: shape(x) for k, x in v.items()}
    if isinstance(v, list):
        return [shape(v[0])] if v else []
    if isinstance(v, bool):
        return 'bool'
    if isinstance(v, (int, float)):
        return 'number'
    return type(v).__name__


def diff(a, b, where, out):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a:
                out.append('%s.%s: only QEMU has it' % (where, k))
            elif k not in b:
                # x-: an extension in QEMU's naming convention, minivmm's own
                if not k.startswith('x-'):
                    out.append('%s.%s: only minivmm has it' % (where, k))
            else:
                diff(a[k], b[k], where + '.' + k, out)
    elif isinstance(a, list) and isinstance(b, list):
        if a and b:
            diff(a[0], b[0], where + '[0]', out)
    elif a != b:
        out.append('%s: minivmm %r, QEMU %r' % (where, a, b))


# QEMU's members that do not apply to minivmm's machine, and why; every
# other member of a reply or event both send must be in both, with the
# same type (members named x- are minivmm's extensions).
QEMU_ONLY = {
    'query-blockstats.return[0].node-name': 'a drive is no block-graph node',
    'query-blockstats.return[0].parent': 'no format/protocol node layers',
    'query-blockstats.return[0].stats.rd_merged': 'requests are not merged',
    'query-blockstats.return[0].stats.wr_merged': 'requests are not merged',
    'query-blockstats.return[0].stats.unmap_merged': 'requests are not merged',
    'query-memory-size-summary.return.plugged-memory': 'no memory hot-plug',
}


def compare_pair(mine, qemu, problems):
    for cmd in mine['replies']:
        if cmd in ('query-block', 'query-commands'):
            continue  # lists of different things; names checked below
        a, b = mine['replies'].get(cmd), qemu['replies'].get(cmd)
        if a is None or b is None:
            continue
        diff(shape(a), shape(b), cmd, problems)
    if 'query-commands' in mine['replies']:
        qemu_cmds = {c['name']
                     for c in qemu['replies']['query-commands']['return']}
        for c in mine['replies']['query-commands']['return']:
            if c['name'] not in qemu_cmds and not c['name'].startswith('x-'):
                problems.append('query-commands: %s is not a QEMU command'
                                % c['name'])
    ev_q = {e['event']: e for e in qemu['events']}
    for e in mine['events']:
        if e['event'] in ev_q:
            diff(shape(e), shape(ev_q[e['event']]), 'event ' + e['event'],
                 problems)
        else:
            problems.append('event %s: QEMU sent none in the same session'
                            % e['event'])


def compare(paths):
    problems = []
    compared = 0
    for mine_path, qemu_path in zip(paths[::2], paths[1::2]):
        mine = json.load(open(mine_path))
        qemu = json.load(open(qemu_path))
        diff(shape(mine['greeting']['QMP']['version']),
             shape(qemu['greeting']['QMP']['version']), 'greeting', problems)
        compare_pair(mine, qemu, problems)
        compared += len(mine['replies']) + len(mine['events'])
    problems = [p for p in problems
                if p.split(':')[0] not in QEMU_ONLY or
                'only QEMU has it' not in p]
    if problems:
        print('FAIL: shapes differ from QEMU:\n  ' + '\n  '.join(problems))
        sys.exit(1)
    print('ok: minivmm replies and events have QEMU\'s shapes (%d compared)'
          % compared)


if __name__ == '__main__':
    if len(sys.argv) in (4, 6, 8) and sys.argv[1] == '--compare':
        compare(sys.argv[2:])
    elif len(sys.argv) == 3 and sys.argv[1] == '--panic':
        run_panic(sys.argv[2])
    elif len(sys.argv) in (4, 5) and sys.argv[1] == '--reset':
        run_reset(*sys.argv[2:])
    elif len(sys.argv) == 4 and sys.argv[1] == '--ticks':
        run_ticks(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == '--blockstats':
        run_blockstats(sys.argv[2])
    elif len(sys.argv) == 3:
        run_session(sys.argv[1], sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[3] == '--drive':
        run_session(sys.argv[1], sys.argv[2])
    else:
        sys.exit(__doc__)
