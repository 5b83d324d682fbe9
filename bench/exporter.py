#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""mailtls_exporter under load, on the running lab (issue 16 items 9, 10).

usage: exporter.py LAB_ENV BUILDDIR [--probes N] [--soak N]
                   [--out docs/performance.md] [--readme bench/README.md]

1. Throughput: N probes (default 300) of module mailtls on the lab's good
   domain (all-ok.sts.test), 8 clients, the exporter and its plugins
   pinned to 2 CPUs (taskset) with the default --probe.concurrency (2 x
   CPUs); probes per second, and the exporter's own CPU per probe (its
   utime + stime from /proc, children excluded) against the plugin's (the
   children's, and a direct run's).
2. RSS of the exporter at rest and at its peak under 64 concurrent probes
   (--probe.concurrency 64, a stalling target, so all 64 are in flight).
3. A soak: --soak probes (default 10,000) over loopback, a mix of good,
   failing and stalling targets, 16 clients; every answer must be
   well-formed (200, the text format line by line, probe_success 0 or 1,
   probe_duration_seconds last); /proc before and after: no child, no
   pipe, no fd, no thread left, RSS within 4 MiB of where it was.
Writes its section of docs/performance.md and bench/README.md (between
markers) and exits 1 when a target is missed.
"""
import argparse
import os
import random
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
BEGIN = "<!-- exporter-bench begin -->"
END = "<!-- exporter-bench end -->"
LINE = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*'
                  r'(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*",?)*\})?'
                  r' -?[0-9.e+Inf]+$')


def lab_env(path):
    env = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            if k:
                env[k] = shlex.split(v)[0] if v else ""
    return env


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=60):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except OSError as e:
        return 0, str(e)


def proc(pid):
    """own CPU s, children's CPU s, RSS KiB, peak RSS KiB, threads."""
    with open("/proc/%d/stat" % pid) as f:
        st = f.read().rsplit(")", 1)[1].split()
    tck = os.sysconf("SC_CLK_TCK")
    own = (int(st[11]) + int(st[12])) / tck
    kids = (int(st[13]) + int(st[14])) / tck
    status = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            status[k] = v.split()
    return (own, kids, int(status["VmRSS"][0]), int(status["VmHWM"][0]),
            int(status["Threads"][0]))


def fds(pid, kind=""):
    n = 0
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            if os.readlink("/proc/%d/fd/%s" % (pid, fd)).startswith(kind):
                n += 1
        except OSError:
            pass
    return n


def children(pid):
    kids = []
    for t in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/children" % (pid, t)) as f:
                kids += f.read().split()
        except OSError:
            pass
    return kids


class Exporter:
    def __init__(self, exe, plugindir, cfg, extra=(), cpus=None):
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        argv = [exe, "--web.listen-address=127.0.0.1:%d" % self.port,
                "--config.file=" + cfg, "--plugin.dir=" + plugindir,
                "--log.level=error"] + list(extra)
        if cpus:
            argv = ["taskset", "-c", cpus] + argv
        self.p = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        for _ in range(100):
            if get(self.url + "/-/healthy", 2)[0] == 200:
                break
            time.sleep(0.05)

    def probe(self, module, target):
        return get(self.url + "/probe?" + urllib.parse.urlencode(
            {"module": module, "target": target}))

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        try:
            self.p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


def run_clients(n, clients, job):
    """Runs job(i) for i in range(n) on `clients` threads; returns the
    results in order and the wall time."""
    out = [None] * n
    nxt = [0]
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                i = nxt[0]
                nxt[0] += 1
            if i >= n:
                return
            out[i] = job(i)
    t0 = time.monotonic()
    ts = [threading.Thread(target=worker) for _ in range(clients)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return out, time.monotonic() - t0


def well_formed(st, body):
    if st != 200:
        return "status %d" % st
    lines = body.rstrip("\n").split("\n")
    if not body.endswith("\n") or not lines[-1].startswith(
            "probe_duration_seconds "):
        return "does not end with probe_duration_seconds"
    if not re.search(r"^probe_success [01]$", body, re.M):
        return "no probe_success 0 or 1"
    for line in lines:
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            continue
        if not LINE.match(line):
            return "bad line: " + line[:120]
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lab_env")
    ap.add_argument("builddir")
    ap.add_argument("--probes", type=int, default=300)
    ap.add_argument("--soak", type=int, default=10000)
    ap.add_argument("--out", default=os.path.join(TOP, "docs",
                                                   "performance.md"))
    ap.add_argument("--readme", default=os.path.join(HERE, "README.md"))
    a = ap.parse_args()
    lab = lab_env(a.lab_env)
    build = os.path.abspath(a.builddir)
    exe = os.path.join(build, "exporter", "mailtls_exporter")
    pd = os.path.join(build, "plugins")
    ours = ["--resolver", lab["LAB_RESOLVER"], "--trust-anchor",
            lab["LAB_ANCHOR"], "--cafile", lab["LAB_CAFILE"]]
    opts = "{resolver: %s, trust-anchor: %s, cafile: %s}" % (
        lab["LAB_RESOLVER"], lab["LAB_ANCHOR"], lab["LAB_CAFILE"])
    tmp = tempfile.mkdtemp(prefix="mailtls-exbench.")
    cfg = os.path.join(tmp, "exporter.yml")
    with open(cfg, "w") as f:
        f.write("modules:\n"
                "  mailtls: {check: mailtls, timeout: 10s, options: %s}\n"
                "  smtp_starttls: {check: smtp_starttls, timeout: 10s, "
                "options: %s}\n"
                "  tlsa: {check: tlsa, timeout: 10s, options: %s}\n"
                "  tlsrpt_record: {check: tlsrpt_record, timeout: 10s, "
                "options: %s}\n"
                "  stall1: {check: smtp_starttls, timeout: 1s, options: %s}\n"
                "  stall3: {check: smtp_starttls, timeout: 3s, options: %s}\n"
                % ((opts,) * 6))
    fails = []
    dom = "all-ok.sts.test"

    # 0. the plugin alone, for the CPU it costs per run
    cpus = []
    for _ in range(20):
        t0 = time.monotonic()
        p = subprocess.Popen([pd + "/check_mailtls", "-D", dom,
                              "--output-format", "openmetrics"] + ours,
                             stdout=subprocess.DEVNULL)
        _, _, ru = os.wait4(p.pid, 0)
        cpus.append(ru.ru_utime + ru.ru_stime)
    plugin_cpu = sorted(cpus)[len(cpus) // 2]

    # 1. throughput on 2 CPUs
    ncpu = os.cpu_count() or 1
    pin = "0,1" if ncpu >= 2 else "0"
    e = Exporter(exe, pd, cfg, cpus=pin)
    e.probe("mailtls", dom)  # warm
    own0, kids0, _, _, _ = proc(e.p.pid)
    res, wall = run_clients(a.probes, 8, lambda i: e.probe("mailtls", dom))
    own1, kids1, rss_busy, _, _ = proc(e.p.pid)
    bad = [r for r in res if well_formed(*r) is not None or
           "probe_success 1" not in r[1]]
    if bad:
        fails.append("throughput: %d answers not probe_success 1" % len(bad))
    pps = a.probes / wall
    own_ms = (own1 - own0) / a.probes * 1000
    kid_ms = (kids1 - kids0) / a.probes * 1000
    e.stop()
    if own_ms >= 2.0:
        fails.append("exporter CPU per probe %.2f ms (target < 2)" % own_ms)

    # 2. RSS at rest and under 64 concurrent probes
    e = Exporter(exe, pd, cfg, ["--probe.concurrency=64"])
    time.sleep(0.5)
    _, _, rss_rest, _, thr_rest = proc(e.p.pid)
    peak = [0, 0, 0]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            try:
                _, _, rss, _, thr = proc(e.p.pid)
                peak[0] = max(peak[0], rss)
                peak[1] = max(peak[1], thr)
                peak[2] = max(peak[2], len(children(e.p.pid)))
            except OSError:
                pass
            time.sleep(0.05)
    s = threading.Thread(target=sample)
    s.start()
    res, wall64 = run_clients(64, 64, lambda i: e.probe("stall3",
                                                          "stall.secure.test"))
    stop.set()
    s.join()
    _, _, _, hwm64, _ = proc(e.p.pid)
    if any(well_formed(*r) for r in res):
        fails.append("64 concurrent: malformed answers")
    e.stop()

    # 3. the soak
    e = Exporter(exe, pd, cfg, ["--probe.concurrency=16"])
    e.probe("smtp_starttls", "good.secure.test")  # warm: threads, arena
    time.sleep(0.3)
    before = proc(e.p.pid)
    fd0, pipe0, kids_before = fds(e.p.pid), fds(e.p.pid, "pipe:"), \
        children(e.p.pid)
    mix = [("smtp_starttls", "good.secure.test", 1)] * 60 + \
          [("tlsrpt_record", "mailto.rpt.test", 1)] * 20 + \
          [("tlsa", "eenomatch.dane.test:25", 0)] * 12 + \
          [("smtp_starttls", "expired.secure.test", 0)] * 5 + \
          [("stall1", "stall.secure.test", 0)] * 3
    rnd = random.Random(16)
    plan = [rnd.choice(mix) for _ in range(a.soak)]

    def soak_job(i):
        m, t, want = plan[i]
        st, body = e.probe(m, t)
        why = well_formed(st, body)
        if why is None and ("probe_success %d" % want) not in body:
            why = "%s %s: probe_success is not %d" % (m, t, want)
        return why
    res, soak_wall = run_clients(a.soak, 16, soak_job)
    time.sleep(1.0)  # let MHD close the last connections
    after = proc(e.p.pid)
    fd1, pipe1, kids_after = fds(e.p.pid), fds(e.p.pid, "pipe:"), \
        children(e.p.pid)
    bad = [r for r in res if r is not None]
    soak_ok = (not bad and kids_after == [] and pipe1 == 0 and
               fd1 <= fd0 and after[4] <= before[4] and
               after[2] - before[2] <= 4096)
    if not soak_ok:
        fails.append("soak: %d bad answers (%s), children %s, pipes %d, "
                     "fds %d -> %d, threads %d -> %d, RSS %d -> %d KiB" % (
                         len(bad), bad[:3], kids_after, pipe1, fd0, fd1,
                         before[4], after[4], before[2], after[2]))
    e.stop()
    os.unlink(cfg)
    os.rmdir(tmp)

    kinds = {}
    for m, t, _ in plan:
        kinds[(m, t)] = kinds.get((m, t), 0) + 1
    lines = [BEGIN, "## mailtls_exporter (bench/exporter.py)", "",
             "`make bench` runs `bench/exporter.py` on the lab (issue 16 "
             "items 9 and 10). Measured %s on %d CPUs." % (
                 time.strftime("%Y-%m-%d", time.gmtime()), ncpu), "",
             "| measure | value | target |", "| --- | ---: | --- |",
             "| probes per second, module mailtls on %s, exporter and "
             "plugins on CPUs %s, 8 clients, --probe.concurrency %d "
             "(default) | %.1f | |" % (dom, pin, 2 * ncpu, pps),
             "| exporter's own CPU per probe (utime + stime, children "
             "excluded) | %.2f ms | < 2 ms |" % own_ms,
             "| the plugin's CPU per probe, through the exporter | %.1f ms "
             "| |" % kid_ms,
             "| check_mailtls run directly (median of 20) | %.1f ms | |" %
             (plugin_cpu * 1000),
             "| exporter RSS at rest | %.1f MiB | |" % (rss_rest / 1024),
             "| exporter peak RSS, 64 concurrent probes (stalling target, "
             "--probe.concurrency 64) | %.1f MiB (%d threads, %d children "
             "at once, %.1f s) | |" % (hwm64 / 1024, peak[1], peak[2],
                                       wall64),
             "| soak: %d probes, 16 clients, --probe.concurrency 16 | %.0f s"
             ", %.0f probes/s, %d malformed | every answer well-formed |" % (
                 a.soak, soak_wall, a.soak / soak_wall, len(bad)),
             "| soak: /proc before -> after | fds %d -> %d, pipes %d -> %d, "
             "children %d -> %d, threads %d -> %d, RSS %.1f -> %.1f MiB | "
             "nothing left |" % (fd0, fd1, pipe0, pipe1, len(kids_before),
                                 len(kids_after), before[4], after[4],
                                 before[2] / 1024, after[2] / 1024),
             "",
             "The soak's mix: " + ", ".join(
                 "%s %s x%d" % (m, t, n) for (m, t), n in
                 sorted(kinds.items(), key=lambda x: -x[1])) + ".",
             "" if not fails else "Missed: " + "; ".join(fails), END]
    text = "\n".join(lines) + "\n"
    print(text)
    for path in (a.out, a.readme):
        old = open(path, encoding="utf-8").read() if os.path.exists(path) \
            else ""
        if BEGIN in old and END in old:
            new = old[:old.index(BEGIN)] + text + \
                old[old.index(END) + len(END) + 1:]
        else:
            new = old + ("\n" if old and not old.endswith("\n\n") else "") \
                + text
        with open(path, "w", encoding="utf-8") as f:
            f.write(new)
    if fails:
        print("FAIL: " + "; ".join(fails))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
