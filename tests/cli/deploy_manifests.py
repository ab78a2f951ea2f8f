#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Offline checks of the scale-out manifests (docs/scale-out.md).

deploy_manifests.py MINIVMM DEPLOY_DIR USAGE_MD

No Kubernetes or Nomad here, so this checks what can be checked offline:
the Job is valid YAML (PyYAML, Debian's python3-yaml) with the fields a
batch/v1 Job needs and the ones the document promises (restartPolicy
Never, /dev/kvm from a device plugin, NET_ADMIN for the pod's own TAP,
exit codes in podFailurePolicy that docs/usage.md documents); the Nomad
job is valid HCL (a small parser of the HCL subset job files use: blocks,
attributes, strings with ${...}, numbers, booleans, lists, comments) with
a batch job and an exec task.  In both, every minivmm option used must be
one that `minivmm -help` lists.
"""
import re
import subprocess
import sys

import yaml


def fail(msg):
    print('FAIL: ' + msg)
    sys.exit(1)


# ---- HCL (the subset job files use) ----

TOKEN = re.compile(r'''
    (?P<ws>[ \t\r\n]+) | (?P<comment>(\#|//)[^\n]*) |
    (?P<string>"(?:[^"\\\n]|\\.)*") | (?P<number>-?[0-9]+(?:\.[0-9]+)?) |
    (?P<ident>[A-Za-z_][A-Za-z0-9_.-]*) | (?P<punct>[={}\[\],])
''', re.VERBOSE)


def hcl_tokens(text):
    pos, out = 0, []
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            line = text.count('\n', 0, pos) + 1
            raise ValueError('line %d: unexpected %r' % (line, text[pos:pos + 10]))
        pos = m.end()
        kind = m.lastgroup
        if kind in ('ws', 'comment'):
            continue
        out.append((kind, m.group(kind)))
    return out


class HclParser:
    def __init__(self, tokens):
        self.t, self.i = tokens, 0

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else (None, None)

    def take(self, kind=None, value=None):
        tok = self.peek()
        if tok[0] is None or (kind and tok[0] != kind) or \
                (value and tok[1] != value):
            raise ValueError('expected %s, got %r' % (value or kind, tok[1]))
        self.i += 1
        return tok[1]

    def body(self, closing):
        """Attributes (name = value) and blocks (name "label"... { body })."""
        out = []
        while self.peek()[1] != closing:
            if closing is None and self.peek()[0] is None:
                break
            name = self.take('ident')
            if self.peek()[1] == '=':
                self.take(value='=')
                out.append(('attr', name, self.value()))
                continue
            labels = []
            while self.peek()[0] == 'string':
                labels.append(self.take('string')[1:-1])
            self.take(value='{')
            out.append(('block', name, labels, self.body('}')))
            self.take(value='}')
        return out

    def value(self):
        kind, tok = self.peek()
        if kind == 'string':
            self.i += 1
            check_interpolation(tok)
            return tok[1:-1]
        if kind == 'number':
            self.i += 1
            return float(tok)
        if kind == 'ident' and tok in ('true', 'false'):
            self.i += 1
            return tok == 'true'
        if tok == '[':
            self.i += 1
            items = []
            while self.peek()[1] != ']':
                items.append(self.value())
                if self.peek()[1] == ',':
                    self.i += 1
                elif self.peek()[1] != ']':
                    raise ValueError('expected , or ] in a list')
            self.i += 1
            return items
        if tok == '{':   # an object value (env = { ... })
            self.i += 1
            obj = self.body('}')
            self.take(value='}')
            return obj
        raise ValueError('bad value %r' % tok)


def check_interpolation(s):
    depth, i = 0, 0
    while i < len(s):
        if s.startswith('${', i):
            depth += 1
            i += 2
            continue
        if s[i] == '}' and depth:
            depth -= 1
        i += 1
    if depth:
        raise ValueError('unterminated ${ in %s' % s)


def blocks(body, name):
    return [b for b in body if b[0] == 'block' and b[1] == name]


def attr(body, name):
    for b in body:
        if b[0] == 'attr' and b[1] == name:
            return b[2]
    return None


# ---- the checks ----

def help_options(minivmm):
    text = subprocess.run([minivmm, '-help'], capture_output=True, text=True,
                          check=True).stdout
    return set(re.findall(r'^\s+(-[a-z][a-z-]*)', text, re.M))


def check_options(args, known, where):
    used = [a for a in args if re.fullmatch(r'-[a-z][a-z-]*', a)]
    if not used:
        fail('%s: no minivmm options found' % where)
    for opt in used:
        if opt not in known:
            fail('%s: minivmm has no option %s' % (where, opt))


def documented_exit_codes(usage_md):
    text = open(usage_md).read()
    table = text.split('## EXIT STATUS', 1)[1]
    return {int(c) for c in re.findall(r'^\| (\d+) \|', table, re.M)}


def check_job(path, known, codes):
    doc = yaml.safe_load(open(path))
    if doc.get('apiVersion') != 'batch/v1' or doc.get('kind') != 'Job':
        fail('%s: not a batch/v1 Job' % path)
    if not doc.get('metadata', {}).get('name'):
        fail('%s: no metadata.name' % path)
    spec = doc['spec']
    pod = spec['template']['spec']
    if pod.get('restartPolicy') != 'Never':
        fail('%s: restartPolicy must be Never (the exit code is the result)' % path)
    containers = pod.get('containers') or []
    if len(containers) != 1 or not containers[0].get('name'):
        fail('%s: one named container expected' % path)
    c = containers[0]
    limits = c.get('resources', {}).get('limits', {})
    if not any('kvm' in k for k in limits):
        fail('%s: no /dev/kvm device-plugin resource in limits' % path)
    if 'NET_ADMIN' not in c.get('securityContext', {}).get('capabilities', {}).get('add', []):
        fail('%s: the pod needs NET_ADMIN for its own TAP' % path)
    script = '\n'.join(c.get('args', []))
    if 'ip tuntap add' not in script:
        fail('%s: no TAP made in the pod' % path)
    cmd = script.split('exec minivmm', 1)
    if len(cmd) != 2:
        fail('%s: the container does not exec minivmm' % path)
    check_options(cmd[1].replace('\\\n', ' ').split(), known, path)
    for rule in spec.get('podFailurePolicy', {}).get('rules', []):
        if rule.get('action') not in ('FailJob', 'Ignore', 'Count', 'FailIndex'):
            fail('%s: podFailurePolicy action %r' % (path, rule.get('action')))
        ec = rule.get('onExitCodes', {})
        if ec.get('containerName') != c['name'] or ec.get('operator') not in ('In', 'NotIn'):
            fail('%s: podFailurePolicy rule %r' % (path, rule))
        for v in ec.get('values', []):
            if not isinstance(v, int) or v == 0 or v not in codes:
                fail('%s: exit code %r is not a documented non-zero code' % (path, v))
    print('ok: %s' % path)


def check_nomad(path, known):
    try:
        top = HclParser(hcl_tokens(open(path).read())).body(None)
    except ValueError as e:
        fail('%s: HCL: %s' % (path, e))
    jobs = blocks(top, 'job')
    if len(jobs) != 1 or len(jobs[0][2]) != 1:
        fail('%s: one labelled job block expected' % path)
    job = jobs[0][3]
    if attr(job, 'type') != 'batch':
        fail('%s: the job must be a batch job (it ends with the VM)' % path)
    tasks = [t for g in blocks(job, 'group') for t in blocks(g[3], 'task')]
    if len(tasks) != 1 or attr(tasks[0][3], 'driver') != 'exec':
        fail('%s: one task with the exec driver expected' % path)
    config = blocks(tasks[0][3], 'config')
    if not config or not str(attr(config[0][3], 'command')).endswith('minivmm'):
        fail('%s: the task does not run minivmm' % path)
    check_options(attr(config[0][3], 'args') or [], known, path)
    print('ok: %s' % path)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    minivmm, deploy, usage_md = sys.argv[1:]
    known = help_options(minivmm)
    check_job(deploy + '/minivmm-job.yaml', known, documented_exit_codes(usage_md))
    check_nomad(deploy + '/minivmm.nomad.hcl', known)
    # The parser itself must refuse broken HCL, or the check is empty.
    for bad in ('job "x" {', 'a = [1, 2', 'a = "${x"', 'job "x" { b = }'):
        try:
            HclParser(hcl_tokens(bad)).body(None)
        except ValueError:
            continue
        fail('the HCL check accepted %r' % bad)


if __name__ == '__main__':
    main()
