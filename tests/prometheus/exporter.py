#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""mailtls_exporter for real, against the running lab (issue 16 item 7):
the Prometheus files of contrib/prometheus pass promtool (check config,
check rules, test rules); two exporters answer probes, bad queries,
debug, reloads; a third one with fake plugins shows that a plugin that
stalls, crashes or floods never touches the exporter and leaves no child;
a concurrency of 1 answers 503 in time; then Debian's prometheus, on
loopback with its own config and a temporary storage folder, scrapes both
exporters with the relabelling of contrib/prometheus/prometheus.yml, and
the series are read back through its HTTP API (/api/v1/query).

usage: exporter.py LAB_ENV BUILDDIR
Prints "ok   NAME" / "FAIL NAME: why" per check and "N passed, N failed".
"""
import json
import os
import re
import shlex
import shutil
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
TOP = os.path.dirname(os.path.dirname(HERE))
CONTRIB = os.path.join(TOP, "contrib", "prometheus")
results = []


def check(name, ok, why=""):
    results.append(bool(ok))
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + why))


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


def get(url, headers=None, method="GET", timeout=30):
    """(status, body, seconds); never raises for HTTP errors."""
    req = urllib.request.Request(url, headers=headers or {}, method=method)
    t0 = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode(), time.monotonic() - t0
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), time.monotonic() - t0
    except OSError as e:
        return 0, str(e), time.monotonic() - t0


def children(pid):
    """The pids of pid's children (every thread's)."""
    kids = []
    try:
        for t in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, t)) as f:
                kids += f.read().split()
    except OSError:
        pass
    return kids


def nfds(pid, kind=""):
    """Open fds of pid (those whose link starts with kind, e.g. "pipe:")."""
    n = 0
    try:
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                if os.readlink("/proc/%d/fd/%s" % (pid, fd)).startswith(kind):
                    n += 1
            except OSError:
                pass
    except OSError:
        return -1
    return n


class Exporter:
    def __init__(self, exe, plugindir, config, tmp, name, extra=()):
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log = os.path.join(tmp, name + ".log")
        self.logf = open(self.log, "w")
        self.p = subprocess.Popen(
            [exe, "--web.listen-address=127.0.0.1:%d" % self.port,
             "--config.file=" + config, "--plugin.dir=" + plugindir,
             "--log.level=debug"] + list(extra),
            stdout=subprocess.DEVNULL, stderr=self.logf,
            start_new_session=True)
        for _ in range(100):
            if get(self.url + "/-/healthy", timeout=2)[0] == 200:
                break
            time.sleep(0.05)

    def probe(self, module, target, extra="", headers=None):
        q = urllib.parse.urlencode({"module": module, "target": target})
        return get(self.url + "/probe?" + q + extra, headers=headers)

    def logtext(self):
        self.logf.flush()
        with open(self.log, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.logf.close()
        return self.p.returncode


def value(body, series):
    """The value of the sample whose name and labels start with series."""
    for line in body.splitlines():
        if line.startswith(series):
            return line.rsplit(" ", 1)[1]
    return None


def promtool_files():
    for args, name in (
            (["check", "config", os.path.join(CONTRIB, "prometheus.yml")],
             "promtool check config contrib/prometheus/prometheus.yml"),
            (["check", "rules", os.path.join(CONTRIB, "mailtls-rules.yml")],
             "promtool check rules contrib/prometheus/mailtls-rules.yml"),
            (["test", "rules", os.path.join(CONTRIB,
                                            "mailtls-rules.test.yml")],
             "promtool test rules contrib/prometheus/mailtls-rules.test.yml"
             )):
        p = subprocess.run(["promtool"] + args, capture_output=True,
                           text=True, timeout=60, cwd=CONTRIB)
        check(name, p.returncode == 0, (p.stdout + p.stderr).strip()[-400:])


def config_text(lab, extra=""):
    opts = "{resolver: %s, trust-anchor: %s, cafile: %s}" % (
        lab["LAB_RESOLVER"], lab["LAB_ANCHOR"], lab["LAB_CAFILE"])
    return ("modules:\n"
            "  mailtls: {check: mailtls, timeout: 8s, options: %s}\n"
            "  mta_sts: {check: mta_sts, timeout: 8s, options: %s}\n"
            "  tlsa: {check: tlsa, timeout: 8s, options: %s}\n"
            "  smtp_starttls: {check: smtp_starttls, timeout: 8s, "
            "options: %s}\n"
            "  starttls_short: {check: smtp_starttls, timeout: 2s, "
            "options: %s}\n%s" % (opts, opts, opts, opts, opts, extra))


def direct(a, exe, tmp, lab, cfg):
    """Probes straight to exporter a."""
    st, body, _ = a.probe("mailtls", "all-ok.sts.test")
    check("probe mailtls all-ok.sts.test: 200, probe_success 1, state 0",
          st == 200 and value(body, "probe_success ") == "1" and
          value(body, 'mailtls_check_state{plugin="mailtls",'
                      'target="all-ok.sts.test"}') == "0",
          "%d %s" % (st, body[-300:]))
    lint = subprocess.run(["promtool", "check", "metrics"], input=body,
                          capture_output=True, text=True, timeout=20)
    check("probe answer passes promtool check metrics", lint.returncode == 0,
          (lint.stdout + lint.stderr).strip()[:300])
    check("probe answer: every family once, no # EOF inside",
          "# EOF" not in body and
          len(re.findall(r"^# TYPE (\S+)", body, re.M)) ==
          len(set(re.findall(r"^# TYPE (\S+)", body, re.M))), body[-200:])
    check("probe answer: probe_duration_seconds",
          value(body, "probe_duration_seconds ") is not None, body[-200:])

    st, body, _ = a.probe("mailtls", "all-danebad.sts.test")
    check("probe mailtls all-danebad.sts.test: probe_success 0",
          st == 200 and value(body, "probe_success ") == "0", body[-300:])
    check("failing DANE keeps the certificate series",
          'mailtls_cert_expiry_timestamp_seconds{plugin="mailtls",'
          'target="all-danebad.sts.test",check="starttls",'
          'host="eenomatch.dane.test"' in body, "missing")
    check("failing DANE keeps the TLSA series (tlsa_usable 1, matched 0)",
          value(body, 'mailtls_tlsa_usable{') == "1" and
          value(body, 'mailtls_tlsa_matched{') == "0", "missing")

    st, body, _ = a.probe("tlsa", "ee311.dane.test:25")
    check("probe tlsa host:port ee311.dane.test:25: -H, probe_success 1",
          st == 200 and value(body, "probe_success ") == "1" and
          'target="ee311.dane.test"' in body, body[-300:])

    st, body, secs = a.probe("starttls_short", "stall.secure.test")
    check("stalling target, module timeout 2s: probe_success 0 from the "
          "plugin's own timeout, in under 2.5 s",
          st == 200 and value(body, "probe_success ") == "0" and
          value(body, 'mailtls_check_state{') == "2" and secs < 2.5,
          "%d %.2fs %s" % (st, secs, body[-300:]))

    st, body, _ = a.probe("mailtls", "demo.test", "&debug=true")
    check("debug=true answers the command and the long output",
          st == 200 and "Plugin output:" in body and
          "MAILTLS " in body and "--output-format" not in body and
          "Command: " in body, body[:300])
    st, body, _ = a.probe("starttls_short", "stall.secure.test",
                          "&debug=true",
                          {"X-Prometheus-Scrape-Timeout-Seconds": "1.2"})
    check("X-Prometheus-Scrape-Timeout-Seconds 1.2 - 0.5: probe 0.7 s, "
          "plugin -t 1",
          "Timeout: probe 0.7 s, plugin -t 1" in body, body[:400])

    bad = [("module=mailtls&target=-oProxyCommand%3Did", "bad target"),
           ("module=mailtls&target=a%3Bid", "bad target"),
           ("module=mailtls&target=a.b%20c", "bad target"),
           ("module=mailtls&target=%5B%3A%3A1%5D%3A25", "bad target"),
           ("module=mailtls&target=a%zz", "bad query"),
           ("module=mailtls&target=a%00b", "bad query"),
           ("module=mailtls&target=a&target=b", "given twice"),
           ("module=nope&target=example.com", "unknown module"),
           ("module=mailtls", "target parameter is missing"),
           ("module=mta_sts&target=example.com:25", "takes a domain"),
           ("module=mailtls&target=a&debug=maybe", "debug must be")]
    for qs, why in bad:
        st, body, _ = get(a.url + "/probe?" + qs)
        check("400 with a reason for ?%s" % qs, st == 400 and why in body,
              "%d %s" % (st, body))
    st, body, _ = get(a.url + "/probe?module=mailtls&target=a.b",
                      {"X-Prometheus-Scrape-Timeout-Seconds": "soon"})
    check("400 for a bad X-Prometheus-Scrape-Timeout-Seconds",
          st == 400 and "X-Prometheus" in body, "%d %s" % (st, body))
    check("404 elsewhere, 405 for POST /probe",
          get(a.url + "/nope")[0] == 404 and
          get(a.url + "/probe?target=a", method="POST")[0] == 405)

    st, body, _ = get(a.url + "/metrics")
    lint = subprocess.run(["promtool", "check", "metrics"], input=body,
                          capture_output=True, text=True, timeout=20)
    check("/metrics passes promtool check metrics", st == 200 and
          lint.returncode == 0, (lint.stdout + lint.stderr).strip()[:300])
    check("/metrics counts probes by module and outcome",
          value(body, 'mailtls_exporter_probes_total{module="mailtls",'
                      'outcome="ok"}') not in (None, "0") and
          value(body, 'mailtls_exporter_probes_total{module="mailtls",'
                      'outcome="critical"}') not in (None, "0") and
          value(body, 'mailtls_exporter_probe_duration_seconds_count{'
                      'module="mailtls"}') not in (None, "0"), body[:500])
    check("/metrics has the process metrics",
          all(value(body, m + " ") is not None for m in (
              "process_cpu_seconds_total", "process_resident_memory_bytes",
              "process_open_fds")), "missing")
    st, body, _ = get(a.url + "/")
    check("/ lists the modules and the last probes",
          st == 200 and "starttls_short" in body and
          "all-danebad.sts.test" in body and "tlsrpt_record" in body,
          body[:300])

    # reloads: a bad file keeps the old modules; a good one adds its own
    with open(cfg, "w") as f:
        f.write(config_text(lab) + "  broken: {check: nope}\n")
    st, body, _ = get(a.url + "/-/reload", method="POST")
    check("POST /-/reload with a bad file: 500 with the reason",
          st == 500 and "check must be one of" in body, "%d %s" % (st, body))
    st, body, _ = a.probe("starttls_short", "good.secure.test")
    check("after a bad reload the old modules still answer",
          value(body, "probe_success ") == "1", body[-200:])
    os.kill(a.p.pid, signal.SIGHUP)
    time.sleep(0.5)
    check("SIGHUP with a bad file logs why and keeps the old one",
          "config not loaded, the old one stays" in a.logtext() and
          a.p.poll() is None, a.logtext()[-300:])
    with open(cfg, "w") as f:
        f.write(config_text(lab, "  added: {check: tlsrpt_record, options: "
                            "{resolver: %s, trust-anchor: %s}}\n" % (
                                lab["LAB_RESOLVER"], lab["LAB_ANCHOR"])))
    os.kill(a.p.pid, signal.SIGHUP)
    time.sleep(0.5)
    st, body, _ = a.probe("added", "demo.test")
    check("SIGHUP with a good file: its new module answers",
          st == 200 and value(body, "probe_success ") == "1", body[-200:])
    st, body, _ = get(a.url + "/metrics")
    check("reloads counted: 2 successes (the start, a SIGHUP), 2 "
          "failures (HTTP, a SIGHUP)",
          value(body, 'mailtls_exporter_config_reloads_total{result='
                      '"success"}') == "2" and
          value(body, 'mailtls_exporter_config_reloads_total{result='
                      '"failure"}') == "2" and
          value(body, "mailtls_exporter_config_last_reload_successful ")
          == "1", body[:0] + str(re.findall(r"^mailtls_exporter_config.*$",
                                             body, re.M)))


def isolation(exe, tmp):
    """Fake plugins: a stall, a crash, a flood, garbage."""
    fake = os.path.join(tmp, "fake")
    os.mkdir(fake)
    scripts = {
        "check_mailtls": "#!/bin/sh\nexec sleep 30\n",
        "check_mta_sts": "#!/bin/sh\necho '# HELP x y'\nkill -SEGV $$\n",
        "check_tlsa": "#!/bin/sh\nexec head -c 6000000 /dev/zero\n",
        "check_tlsrpt_record": "#!/bin/sh\necho 'not metrics'\nexit 0\n",
        # stdout closed, still running: killed at the deadline
        "check_smtp_starttls": "#!/bin/sh\nexec >&-\nsleep 30\n",
    }
    for n, s in scripts.items():
        p = os.path.join(fake, n)
        with open(p, "w") as f:
            f.write(s)
        os.chmod(p, 0o755)
    cfg = os.path.join(tmp, "fake.yml")
    with open(cfg, "w") as f:
        f.write("modules:\n"
                "  slow: {check: mailtls, timeout: 1s}\n"
                "  slow4: {check: mailtls, timeout: 4s}\n")
    e = Exporter(exe, fake, cfg, tmp, "fake", ["--probe.concurrency=1"])
    try:
        fds0 = nfds(e.p.pid)
        st, body, secs = e.probe("slow", "example.com")
        check("a stalling plugin is killed at the deadline (1 s): "
              "probe_success 0, reason killed_at_deadline",
              st == 200 and value(body, "probe_success ") == "0" and
              'reason="killed_at_deadline"' in body and secs < 1.5,
              "%d %.2fs %s" % (st, secs, body))
        st, body, _ = e.probe("mta_sts", "example.com")
        check("a crashing plugin: reason died_of_signal",
              'reason="died_of_signal"' in body and
              value(body, "probe_success ") == "0", body)
        st, body, _ = e.probe("tlsa", "example.com")
        check("a plugin writing 6 MB: reason output_too_large",
              'reason="output_too_large"' in body, body[:300])
        st, body, _ = e.probe("tlsrpt_record", "example.com")
        check("a plugin without an exposition: reason incomplete_output",
              'reason="incomplete_output"' in body and
              "not metrics" not in body, body)
        st, body, secs = e.probe("smtp_starttls", "example.com:25",
                                 headers={"X-Prometheus-Scrape-Timeout-"
                                          "Seconds": "1.5"})
        check("a plugin that closes stdout and lingers: killed at 1 s",
              'reason="killed_at_deadline"' in body and secs < 1.5,
              "%.2fs %s" % (secs, body))
        # concurrency 1: a second probe cannot start 1 s before its
        # deadline: 503 at about 3 s, not at 4
        out = {}

        def first():
            out["a"] = e.probe("slow4", "example.com")
        t = threading.Thread(target=first)
        t.start()
        time.sleep(0.3)
        st, body, secs = e.probe("slow4", "example.org")
        t.join()
        check("--probe.concurrency 1: a probe that cannot get a slot in "
              "time answers 503 before its deadline",
              st == 503 and 2.0 < secs < 3.9 and out["a"][0] == 200,
              "%d %.2fs %s / %s" % (st, secs, body, out["a"][:2]))
        st, body, _ = get(e.url + "/metrics")
        check("/metrics: the rejected probe and the timeouts counted",
              value(body, 'mailtls_exporter_probes_total{module="slow4",'
                          'outcome="rejected"}') == "1" and
              value(body, 'mailtls_exporter_probes_total{module="slow",'
                          'outcome="timeout"}') == "1", "counts")
        time.sleep(0.2)
        # sockets of connections MHD has yet to close may come and go;
        # a leaked plugin pipe would stay
        check("no child left, no pipe or fd leaked (%d fds before, %d "
              "after, %d pipes)" % (fds0, nfds(e.p.pid),
                                    nfds(e.p.pid, "pipe:")),
              children(e.p.pid) == [] and nfds(e.p.pid) <= fds0 and
              nfds(e.p.pid, "pipe:") == 0,
              "children %s" % children(e.p.pid))
        check("the exporter survived all of it", e.p.poll() is None,
              "exited %s" % e.p.returncode)
    finally:
        rc = e.stop()
    check("SIGTERM: exit 0", rc == 0, str(rc))


def prom_query(url, q):
    st, body, _ = get(url + "/api/v1/query?" + urllib.parse.urlencode(
        {"query": q}))
    if st != 200:
        return []
    return json.loads(body)["data"]["result"]


def prometheus(a, b, tmp):
    port = free_port()
    purl = "http://127.0.0.1:%d" % port

    def job(name, exporter, module, targets):
        return ("  - job_name: %s\n    metrics_path: /probe\n"
                "    params: {module: [%s]}\n"
                "    static_configs: [{targets: [%s]}]\n"
                "    relabel_configs:\n"
                "      - {source_labels: [__address__], "
                "target_label: __param_target}\n"
                "      - {source_labels: [__param_target], "
                "target_label: instance}\n"
                "      - {target_label: __address__, replacement: "
                "'127.0.0.1:%d'}\n" % (name, module, ", ".join(targets),
                                        exporter.port))
    conf = os.path.join(tmp, "prometheus.yml")
    shutil.copy(os.path.join(CONTRIB, "mailtls-rules.yml"), tmp)
    with open(conf, "w") as f:
        f.write("global: {scrape_interval: 3s, scrape_timeout: 3s, "
                "evaluation_interval: 1s}\n"
                "rule_files: [mailtls-rules.yml]\n"
                "scrape_configs:\n" +
                job("mailtls_a", a, "mailtls",
                    ["all-ok.sts.test", "all-danebad.sts.test"]) +
                job("mta_sts_b", b, "mta_sts", ["demo.test"]) +
                job("starttls_b", b, "starttls_short",
                    ["stall.secure.test"]) +
                "  - job_name: exporters\n"
                "    static_configs: [{targets: ['127.0.0.1:%d', "
                "'127.0.0.1:%d']}]\n" % (a.port, b.port))
    p = subprocess.run(["promtool", "check", "config", conf],
                       capture_output=True, text=True, timeout=30)
    check("promtool check config: the test's Prometheus config",
          p.returncode == 0, p.stdout + p.stderr)
    data = os.path.join(tmp, "tsdb")
    log = open(os.path.join(tmp, "prometheus.log"), "w")
    pr = subprocess.Popen(
        ["prometheus", "--config.file=" + conf,
         "--storage.tsdb.path=" + data,
         "--web.listen-address=127.0.0.1:%d" % port,
         "--web.console.templates=" + tmp,
         "--web.console.libraries=" + tmp],
        stdout=subprocess.DEVNULL, stderr=log, cwd=tmp,
        start_new_session=True)
    try:
        want = 4
        got = []
        for _ in range(150):
            got = prom_query(purl, "probe_success")
            if len(got) >= want and len(prom_query(purl, "up")) >= 6:
                break
            time.sleep(0.2)
        check("prometheus scraped both exporters: 4 probe_success series",
              len(got) == want, json.dumps(got)[:400])
        ps = {(r["metric"]["job"], r["metric"]["instance"]): r["value"][1]
              for r in got}
        for key, v in ((("mailtls_a", "all-ok.sts.test"), "1"),
                       (("mailtls_a", "all-danebad.sts.test"), "0"),
                       (("mta_sts_b", "demo.test"), "1"),
                       (("starttls_b", "stall.secure.test"), "0")):
            check("probe_success{job=%s,instance=%s} = %s" % (key + (v,)),
                  ps.get(key) == v, str(ps))
        r = prom_query(purl, 'mailtls_node_state{job="mailtls_a",'
                             'instance="all-danebad.sts.test",check="dane",'
                             'host="eenomatch.dane.test",'
                             'address="127.2.0.45"}')
        check("check label: mailtls_node_state{check=\"dane\"} = 2 for the "
              "failing domain",
              len(r) == 1 and r[0]["value"][1] == "2", json.dumps(r))
        r = prom_query(purl, 'mailtls_check_state')
        check("relabelling: instance = the plugin's target on every "
              "mailtls_check_state (%d series)" % len(r),
              len(r) == 4 and all(x["metric"]["instance"] ==
                                  x["metric"]["target"] for x in r),
              json.dumps(r)[:400])
        r = prom_query(purl, 'mailtls_check_state{instance="stall.secure.'
                             'test",plugin="smtp_starttls"}')
        check("the stalled probe: mailtls_check_state 2 (timeout)",
              len(r) == 1 and r[0]["value"][1] == "2", json.dumps(r))
        r = prom_query(purl, 'mailtls_cert_expiry_timestamp_seconds{'
                             'instance="all-danebad.sts.test"} > time()')
        check("certificate series of the failing domain are stored",
              len(r) >= 1, json.dumps(r)[:300])
        r = prom_query(purl, 'up')
        check("up = 1 for all 6 targets",
              len(r) == 6 and all(x["value"][1] == "1" for x in r),
              json.dumps(r)[:400])
        for _ in range(50):  # a first scrape may precede any probe
            r = prom_query(purl, 'sum by (instance) '
                                 '(mailtls_exporter_probes_total) > 0')
            if len(r) == 2:
                break
            time.sleep(0.2)
        check("both exporters' own metrics scraped, probes counted",
              len(r) == 2 and all(float(x["value"][1]) > 0 for x in r),
              json.dumps(r)[:400])
        st, body, _ = get(purl + "/api/v1/rules")
        check("the rules of contrib/prometheus load (5 rules)",
              st == 200 and body.count('"type":"alerting"') == 5, body[:300])
        r = []
        for _ in range(30):
            st, body, _ = get(purl + "/api/v1/alerts")
            r = [x["labels"] for x in json.loads(body)["data"]["alerts"]
                 if x["labels"]["alertname"] == "MailTlsDaneMismatch"]
            if r:
                break
            time.sleep(0.3)
        check("MailTlsDaneMismatch pending for all-danebad.sts.test only",
              len(r) >= 1 and all(x["instance"] == "all-danebad.sts.test"
                                  for x in r), json.dumps(r)[:300])
    finally:
        pr.send_signal(signal.SIGTERM)
        try:
            pr.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pr.kill()
            pr.wait()
        log.close()
    check("prometheus stopped", pr.returncode is not None)


def main():
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    lab = lab_env(sys.argv[1])
    build = os.path.abspath(sys.argv[2])
    exe = os.path.join(build, "exporter", "mailtls_exporter")
    plugindir = os.path.join(build, "plugins")
    for tool in ("promtool", "prometheus"):
        check("%s installed" % tool, shutil.which(tool) is not None,
              "Debian package prometheus")
    check("mailtls_exporter built", os.access(exe, os.X_OK), exe)
    if not all(results):
        print("%d passed, %d failed" % (results.count(True),
                                         results.count(False)))
        return 1
    promtool_files()
    tmp = tempfile.mkdtemp(prefix="mailtls-exporter.")
    a = b = None
    try:
        cfg_a = os.path.join(tmp, "a.yml")
        cfg_b = os.path.join(tmp, "b.yml")
        for c in (cfg_a, cfg_b):
            with open(c, "w") as f:
                f.write(config_text(lab))
        a = Exporter(exe, plugindir, cfg_a, tmp, "a")
        b = Exporter(exe, plugindir, cfg_b, tmp, "b")
        check("two exporters up", a.p.poll() is None and b.p.poll() is None,
              "exited")
        direct(a, exe, tmp, lab, cfg_a)
        isolation(exe, tmp)
        prometheus(a, b, tmp)
        for e, n in ((a, "a"), (b, "b")):
            # a scrape Prometheus began before it stopped may still be
            # running its plugin (a stalling target lasts its module's
            # timeout): wait for the in-flight probes, then none may be
            # left (a leaked child would stay)
            until = time.time() + 20
            kids = children(e.p.pid)
            while kids and time.time() < until:
                time.sleep(0.2)
                kids = children(e.p.pid)
            check("exporter %s: no child left after the run" % n,
                  kids == [], str(kids))
    finally:
        for e in (a, b):
            if e is not None:
                e.stop()
        if os.environ.get("KEEP") != "1":
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("     kept " + tmp)
    print("%d passed, %d failed" % (results.count(True),
                                     results.count(False)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
