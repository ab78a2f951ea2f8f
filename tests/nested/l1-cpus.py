#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""l1-cpus.py MONITOR_SOCKET SYMBOLS [SAMPLES]

Where a (frozen) L1's vCPUs are: asks QEMU's human monitor on
MONITOR_SOCKET for every vCPU's registers SAMPLES times (default 5), half
a second apart, and prints one line per vCPU and sample: RIP, the L1
kernel symbol it falls in (from SYMBOLS: L1's /proc/kallsyms, kept by
run.sh; L1 boots with nokaslr, so the addresses hold from boot to boot) and
whether interrupts are on (RFLAGS.IF), then per vCPU the kernel text
addresses found on its stack (a rough backtrace).  A vCPU that stays in
one function across the samples is where L1 hangs.
"""

import bisect
import re
import socket
import sys
import time

PROMPT = b'(qemu) '


def load_symbols(path):
    """Sorted (address, name) of the text symbols in a System.map or a
    copy of L1's /proc/kallsyms (module symbols carry [module])."""
    syms = []
    try:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3 and parts[1] in 'tTwW':
                    name = parts[2] + (parts[3] if len(parts) > 3 else '')
                    syms.append((int(parts[0], 16), name))
    except OSError:
        pass
    syms.sort()
    return syms


# Kernel text and modules live in the top 2 GiB (x86-64 memory map).
KERNEL_TEXT = (0xffffffff80000000, 0xffffffffff000000)


def symbolize(syms, addr):
    """name+0xoff of ADDR (its hex when no symbol file covers it)."""
    i = bisect.bisect_right(syms, (addr, '\uffff')) - 1
    if i < 0 or addr - syms[i][0] > 0x100000:
        return '%x' % addr
    return '%s+0x%x' % (syms[i][1], addr - syms[i][0])


class Monitor:
    """A minimal client of QEMU's human monitor on a Unix socket."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(path)
        self.read_to_prompt()

    def read_to_prompt(self):
        buf = b''
        while not buf.endswith(PROMPT):
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            buf += chunk
        return buf.decode('utf-8', 'replace')

    def command(self, line):
        self.sock.sendall(line.encode() + b'\n')
        return self.read_to_prompt()


def cpu_states(text):
    """(cpu index, rip, rsp, interrupts on) per vCPU in 'info registers -a'."""
    states = []
    for block in re.split(r'\n(?=CPU#\d+)', text):
        m = re.search(r'CPU#(\d+)', block)
        rip = re.search(r'RIP=([0-9a-f]{16})', block)
        rsp = re.search(r'RSP=([0-9a-f]{16})', block)
        flags = re.search(r'RFL=([0-9a-f]+)', block)
        if m and rip and rsp:
            on = bool(int(flags.group(1), 16) & 0x200) if flags else None
            states.append((int(m.group(1)), int(rip.group(1), 16),
                           int(rsp.group(1), 16), on))
    return states


def stack_symbols(mon, syms, cpu, rsp):
    """Kernel text addresses among the 64 words at RSP: a rough backtrace."""
    mon.command('cpu %d' % cpu)
    found = []
    for line in mon.command('x /64gx 0x%x' % rsp).splitlines():
        for word in re.findall(r'0x([0-9a-f]{16})', line.split(':', 1)[-1]):
            value = int(word, 16)
            if KERNEL_TEXT[0] <= value < KERNEL_TEXT[1]:
                found.append(symbolize(syms, value))
    return found


def main():
    if len(sys.argv) < 3:
        sys.exit('usage: l1-cpus.py MONITOR_SOCKET SYMBOLS [SAMPLES]')
    syms = load_symbols(sys.argv[2])
    samples = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    mon = Monitor(sys.argv[1])
    for n in range(samples):
        states = cpu_states(mon.command('info registers -a'))
        for cpu, rip, _, on in states:
            irq = {True: 'irqs on', False: 'irqs off', None: ''}[on]
            print('sample %d cpu %d rip %016x %s %s' %
                  (n, cpu, rip, symbolize(syms, rip), irq))
        time.sleep(0.5)
    for cpu, _, rsp, _ in states:
        print('cpu %d stack: %s' %
              (cpu, ' < '.join(stack_symbols(mon, syms, cpu, rsp)) or '-'))


if __name__ == '__main__':
    main()
