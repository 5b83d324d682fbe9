#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs integration case files against the plugins and the loopback lab.

Each case runs one plugin from --bindir (or, for the runner's own
self-test, a program from PATH when the name starts with '!') and checks
its exit code, its standard output and its time against the budget the
`-t` option gives it (CONFORMANCE GEN-03: the plugin ends within -t + 1 s).
The format is described in tests/integration/README.md. Cases run
concurrently and are reported in file order; the last line printed is
"N passed, N failed", and the exit status is 1 if any case failed.

Usage: run.py [--lab-env FILE] [--bindir DIR]... [--filter SUBSTR] [-j N]
              [-v] FILE...
"""

import argparse
import concurrent.futures
import os
import re
import shlex
import signal
import subprocess
import sys
import time

DEFAULT_TIMEOUT = 10.0
KILL_GRACE = 5.0     # hard kill at timeout + this
BUDGET_GRACE = 1.0   # the case fails past timeout + this
OUTPUT_CAP = 200000  # octets of each stream shown for a failure
PLACEHOLDERS = {"@RESOLVER@": "LAB_RESOLVER", "@ANCHOR@": "LAB_ANCHOR",
                "@CAFILE@": "LAB_CAFILE", "@LABDIR@": "LAB_DIR"}
CASE_KEYS = {"run", "exit", "expect", "reject", "match", "pipes", "line1",
             "stderr", "env", "noprefix", "setup", "post", "maxbytes"}
SHELL_TIMEOUT = 10   # seconds for each setup: / post: command


class Case:
    def __init__(self, name, path, line):
        self.name = name
        self.where = "%s:%d" % (path, line)
        self.prefix = []
        self.run = []       # [(value, line)]
        self.exit = []
        self.expect = []
        self.reject = []
        self.match = []
        self.pipes = []
        self.maxbytes = []  # stdout holds at most this many octets
        self.line1 = []
        self.stderr_ok = False
        self.noprefix = False
        self.env = {}
        self.setup = []     # shell commands run before run:
        self.post = []      # shell commands run after it, each must exit 0
        self.errors = []    # problems found while parsing
        self.pseudo = False  # stands for a problem outside any case


def unescape(text):
    r"""Decodes \\ \t \n \r \e and \xHH in expect/reject/line1 values; any
    other backslash stays as it is."""
    out = []
    i = 0
    simple = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r", "e": "\x1b"}
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            n = text[i + 1]
            if n in simple:
                out.append(simple[n])
                i += 2
                continue
            if n == "x" and re.match(r"[0-9A-Fa-f]{2}", text[i + 2:i + 4]):
                out.append(chr(int(text[i + 2:i + 4], 16)))
                i += 4
                continue
        out.append(c)
        i += 1
    return "".join(out)


def parse_file(path):
    """Returns a list of Case; problems are recorded in each case's errors
    (a problem outside any case becomes a case of its own)."""
    cases = []
    prefix = []
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except (OSError, UnicodeDecodeError) as e:
        c = Case("%s (unreadable)" % path, path, 0)
        c.pseudo = True
        c.errors.append("cannot read the case file: %s" % e)
        return [c]
    cur = None
    for no, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            if not line.endswith("]") or len(line) < 3:
                bad = Case("%s:%d (bad case header)" % (path, no), path, no)
                bad.pseudo = True
                bad.errors.append("line %d: a case header is [name]" % no)
                cases.append(bad)
                cur = None
                continue
            cur = Case(line[1:-1].strip(), path, no)
            cur.prefix = prefix
            cases.append(cur)
            continue
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        value = value.strip()
        if not sep:
            err = "line %d: expected 'key: value' or '[name]'" % no
        elif key == "prefix":
            if cur is not None:
                err = "line %d: prefix: must come before the first case" % no
            else:
                try:
                    prefix = shlex.split(value)
                    err = None
                except ValueError as e:
                    err = "line %d: prefix: %s" % (no, e)
        elif key not in CASE_KEYS:
            err = "line %d: unknown key '%s'" % (no, key)
        elif cur is None:
            err = "line %d: '%s:' outside a case" % (no, key)
        else:
            err = add_key(cur, key, value, no)
        if err:
            if cur is None:
                bad = Case("%s:%d (outside a case)" % (path, no), path, no)
                bad.pseudo = True
                bad.errors.append(err)
                cases.append(bad)
            else:
                cur.errors.append(err)
    for c in cases:
        if not c.pseudo:
            if len(c.run) != 1:
                c.errors.append("a case needs exactly one run: (has %d)" %
                                len(c.run))
            if len(c.exit) != 1:
                c.errors.append("a case needs exactly one exit: (has %d)" %
                                len(c.exit))
    return cases


def add_key(c, key, value, no):
    if key == "run":
        c.run.append((value, no))
    elif key == "exit":
        if not re.fullmatch(r"[0-3]", value):
            return "line %d: exit: must be 0, 1, 2 or 3" % no
        c.exit.append(int(value))
    elif key == "expect":
        c.expect.append(unescape(value))
    elif key == "reject":
        c.reject.append(unescape(value))
    elif key == "line1":
        c.line1.append(unescape(value))
    elif key == "match":
        try:
            c.match.append(re.compile(value, re.MULTILINE))
        except re.error as e:
            return "line %d: match: bad regex: %s" % (no, e)
    elif key == "pipes":
        if not value.isdigit():
            return "line %d: pipes: must be a number" % no
        c.pipes.append(int(value))
    elif key == "maxbytes":
        if not value.isdigit():
            return "line %d: maxbytes: must be a number" % no
        c.maxbytes.append(int(value))
    elif key == "stderr":
        if value != "ok":
            return "line %d: the only stderr: value is 'ok'" % no
        c.stderr_ok = True
    elif key == "noprefix":
        if value not in ("yes", "no"):
            return "line %d: noprefix: takes yes or no" % no
        c.noprefix = value == "yes"
    elif key == "setup":
        c.setup.append(value)
    elif key == "post":
        c.post.append(value)
    elif key == "env":
        name, eq, val = value.partition("=")
        if not eq or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            return "line %d: env: takes VAR=value" % no
        c.env[name] = val
    return None


def read_lab_env(path):
    env = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            k, _, v = line.partition("=")
            v = shlex.split(v)
            env[k.strip()] = v[0] if v else ""
    return env


def substitute(word, lab):
    for ph, var in PLACEHOLDERS.items():
        if ph in word:
            if var not in lab:
                raise ValueError("%s used but %s is not in the lab env "
                                 "(give --lab-env)" % (ph, var))
            word = word.replace(ph, lab[var])
    return word


def timeout_of(args):
    """The -t / --timeout value in seconds (-t N, -tN, -t N:STATE,
    --timeout N, --timeout=N); the last one given wins."""
    t = DEFAULT_TIMEOUT
    i = 0
    while i < len(args):
        a = args[i]
        val = None
        if a in ("-t", "--timeout") and i + 1 < len(args):
            val = args[i + 1]
            i += 1
        elif a.startswith("--timeout="):
            val = a[len("--timeout="):]
        elif a.startswith("-t") and not a.startswith("--") and len(a) > 2:
            val = a[2:]
        i += 1
        if val is not None:
            m = re.match(r"(\d+(?:\.\d+)?)(?::|$)", val)
            if m:
                t = float(m.group(1))
    return t


def build_argv(c, bindir, lab):
    """(argv, timeout) for the case; ValueError if it cannot be built."""
    text, _no = c.run[0]
    try:
        words = shlex.split(text)
    except ValueError as e:
        raise ValueError("run: %s" % e)
    if not words:
        raise ValueError("run: is empty")
    prog = words[0]
    if prog.startswith("!"):
        # the runner's self-test: a program from PATH, without the prefix
        argv = [prog[1:]] + words[1:]
    else:
        if not bindir:
            raise ValueError("run: %s needs --bindir" % prog)
        path = None
        for d in bindir:
            p = os.path.join(d, prog)
            if "/" not in prog and os.path.isfile(p) and \
                    os.access(p, os.X_OK):
                path = p
                break
        if path is None:
            raise ValueError("program %s not found in %s" % (
                prog, ", ".join(bindir)))
        argv = [path] + ([] if c.noprefix else c.prefix) + words[1:]
    argv = [substitute(w, lab) for w in argv]
    return argv, timeout_of(argv[1:])


def run_shell(cmd, env, lab):
    """A setup:/post: command through sh -c, placeholders replaced;
    (True, "") when it exits 0 within SHELL_TIMEOUT seconds."""
    try:
        cmd = substitute(cmd, lab)
    except ValueError as e:
        return False, str(e)
    try:
        p = subprocess.run(["sh", "-c", cmd], stdin=subprocess.DEVNULL,
                           capture_output=True, env=env,
                           timeout=SHELL_TIMEOUT)
    except subprocess.TimeoutExpired:
        return False, "%r took more than %d s" % (cmd, SHELL_TIMEOUT)
    if p.returncode != 0:
        return False, "%r exited %d: %s" % (
            cmd, p.returncode,
            (p.stdout + p.stderr).decode("utf-8", "replace").strip()[:500])
    return True, ""


def run_case(c, bindir, lab):
    """Runs one case; returns (ok, reasons, details)."""
    if c.errors:
        return False, list(c.errors), {}
    try:
        argv, budget = build_argv(c, bindir, lab)
    except ValueError as e:
        return False, [str(e)], {}
    env = dict(os.environ)
    env["LC_ALL"] = "C"
    for k, v in c.env.items():
        try:
            env[k] = substitute(v, lab)
        except ValueError as e:
            return False, [str(e)], {}
    for cmd in c.setup:
        ok, msg = run_shell(cmd, env, lab)
        if not ok:
            return False, ["setup: %s" % msg], {"argv": argv}
    start = time.monotonic()
    killed = False
    try:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=env, start_new_session=True)
    except OSError as e:
        return False, ["cannot run %s: %s" % (argv[0], e)], {"argv": argv}
    try:
        out, err = p.communicate(timeout=budget + KILL_GRACE)
    except subprocess.TimeoutExpired:
        killed = True
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = p.communicate()
    elapsed = time.monotonic() - start
    rc = p.returncode
    stdout = out.decode("utf-8", "surrogateescape")
    stderr = err.decode("utf-8", "surrogateescape")
    det = {"argv": argv, "rc": rc, "elapsed": elapsed, "stdout": stdout,
           "stderr": stderr, "env": c.env}
    why = []
    if killed:
        why.append("killed after %.1f s (-t %g + %g s)" % (elapsed, budget,
                                                           KILL_GRACE))
    elif elapsed > budget + BUDGET_GRACE:
        why.append("took %.2f s, more than -t %g + %g s" % (
            elapsed, budget, BUDGET_GRACE))
    if rc < 0:
        try:
            name = signal.Signals(-rc).name
        except ValueError:
            name = str(-rc)
        if not killed:
            why.append("ended by signal %s" % name)
    elif rc > 3:
        why.append("exit code %d is not a plugin state (0..3)" % rc)
    if rc != c.exit[0] and not killed:
        why.append("exit code %d, expected %d" % (rc, c.exit[0]))
    if stderr and not c.stderr_ok:
        why.append("stderr is not empty")
    for s in c.expect:
        if s not in stdout:
            why.append("expect: %r not in stdout" % s)
    for s in c.reject:
        if s in stdout:
            why.append("reject: %r is in stdout" % s)
    first = stdout.split("\n", 1)[0]
    for s in c.line1:
        if s not in first:
            why.append("line1: %r not in the first line" % s)
    for rx in c.match:
        if not rx.search(stdout):
            why.append("match: /%s/ does not match stdout" % rx.pattern)
    for n in c.pipes:
        if stdout.count("|") != n:
            why.append("pipes: %d '|' in stdout, expected %d" % (
                stdout.count("|"), n))
    for n in c.maxbytes:
        if len(out) > n:
            why.append("maxbytes: stdout has %d octets, more than %d" % (
                len(out), n))
    for cmd in c.post:
        ok, msg = run_shell(cmd, env, lab)
        if not ok:
            why.append("post: %s" % msg)
    return not why, why, det


def shown(text):
    """Text safe for a terminal: control characters other than tab and
    newline, and undecodable octets, as escapes; capped."""
    if len(text) > OUTPUT_CAP:
        text = text[:OUTPUT_CAP] + "\n...(%d characters more)" % (
            len(text) - OUTPUT_CAP)
    out = []
    for ch in text:
        o = ord(ch)
        if ch in "\n\t" or (0x20 <= o < 0x7F) or (0xA0 <= o and
                                                  not 0xDC80 <= o <= 0xDCFF):
            out.append(ch)
        elif 0xDC80 <= o <= 0xDCFF:
            out.append("\\x%02x" % (o - 0xDC00))
        else:
            out.append("\\x%02x" % o if o < 0x100 else "\\u%04x" % o)
    return "".join(out)


def indent(text, pad="    "):
    if text == "":
        return pad + "(empty)\n"
    text = shown(text)
    if text.endswith("\n"):
        text = text[:-1]
    else:
        text += "\n" + pad + "(no newline at the end)"
    return "".join(pad + line + "\n" for line in text.split("\n"))


def report(c, ok, why, det, verbose):
    lines = ["%s %s\n" % ("ok  " if ok else "FAIL", c.name)]
    if ok and not verbose:
        return "".join(lines)
    for w in why:
        lines.append("  - %s\n" % w)
    lines.append("  case: %s\n" % c.where)
    if "argv" in det:
        envs = "".join("%s=%s " % (k, shlex.quote(v))
                       for k, v in sorted(det.get("env", {}).items()))
        lines.append("  command: %s%s\n" % (
            envs, " ".join(shlex.quote(a) for a in det["argv"])))
    if "rc" in det:
        lines.append("  exit code: %d, elapsed: %.2f s\n" % (det["rc"],
                                                            det["elapsed"]))
        lines.append("  stdout:\n" + indent(det["stdout"]))
        lines.append("  stderr:\n" + indent(det["stderr"]))
    return "".join(lines)


def main():
    ap = argparse.ArgumentParser(
        description="Run integration case files (tests/integration/"
        "README.md).")
    ap.add_argument("--lab-env", help="the lab's lab.env (for @RESOLVER@, "
                    "@ANCHOR@, @CAFILE@, @LABDIR@)")
    ap.add_argument("--bindir", action="append", default=[],
                    help="where the plugins are; may be given more than "
                    "once (searched in order)")
    ap.add_argument("--filter", default="",
                    help="run only cases whose name contains SUBSTR")
    ap.add_argument("-j", "--jobs", type=int, default=4,
                    help="cases run at once (default 4)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="show the details of passing cases too")
    ap.add_argument("files", nargs="+", metavar="FILE")
    a = ap.parse_args()
    lab = {}
    if a.lab_env:
        try:
            lab = read_lab_env(a.lab_env)
        except (OSError, ValueError) as e:
            sys.stderr.write("run.py: cannot read %s: %s\n" % (a.lab_env, e))
            print("0 passed, 1 failed")
            return 1
    cases = []
    for path in a.files:
        cases += [c for c in parse_file(path)
                  if a.filter in c.name or c.pseudo]
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max(1, a.jobs)) as pool:
        futs = [pool.submit(run_case, c, a.bindir, lab) for c in cases]
        for c, fut in zip(cases, futs):
            ok, why, det = fut.result()
            sys.stdout.write(report(c, ok, why, det, a.verbose))
            sys.stdout.flush()
            if ok:
                passed += 1
            else:
                failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
