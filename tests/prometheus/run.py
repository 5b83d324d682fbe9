#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Prometheus paths, against the running lab and the real programs
from Debian's packages: every plugin's --output-format openmetrics passes
`promtool check metrics` and says what the plugin said; contrib/
mailtls-textfile writes one file per check, atomically; Debian's
prometheus-node-exporter, started here on loopback with that directory,
serves the metrics on /metrics.

usage: run.py LAB_ENV PLUGINDIR
Prints "ok   NAME" / "FAIL NAME: why" per check and "N passed, N failed".
"""
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
WRAPPER = os.path.join(TOP, "contrib", "mailtls-textfile")
results = []


def check(name, ok, why=""):
    results.append(ok)
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


def main():
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    lab = lab_env(sys.argv[1])
    plugindir = os.path.abspath(sys.argv[2])
    common = ["--resolver", lab["LAB_RESOLVER"], "--trust-anchor",
              lab["LAB_ANCHOR"], "--cafile", lab["LAB_CAFILE"]]
    for tool in ("promtool", "prometheus-node-exporter"):
        check("%s installed" % tool, shutil.which(tool) is not None,
              "Debian packages prometheus, prometheus-node-exporter")
    if not all(results):
        return 1

    # 1. Each plugin's exposition is valid and says what the plugin said.
    runs = [
        ("smtp_starttls", ["check_smtp_starttls", "-D", "demo.test"],
         ['mailtls_cert_expiry_timestamp_seconds{plugin="smtp_starttls",'
          'target="demo.test",host="mx2.demo.test",address="127.2.0.36",'
          'mx="mx2.demo.test",ip_protocol="ipv4"}',
          'mailtls_tls_version_info{plugin="smtp_starttls",'
          'target="demo.test",host="mx1.demo.test",address="127.2.0.35",'
          'mx="mx1.demo.test",ip_protocol="ipv4",tls_version="TLSv1.3"} 1',
          # the [::1] address of mx1.demo.test
          'address="::1",mx="mx1.demo.test",ip_protocol="ipv6"']),
        ("mta_sts", ["check_mta_sts", "-D", "demo.test"],
         ['mailtls_mode_info{plugin="mta_sts",target="demo.test",'
          'mode="enforce"} 1',
          'mailtls_max_age_seconds{plugin="mta_sts",target="demo.test"} '
          '604800',
          'mailtls_mx_uncovered{plugin="mta_sts",target="demo.test"} 0']),
        ("tlsa", ["check_tlsa", "-D", "demo.test"],
         ['mailtls_tlsa_match_info{plugin="tlsa",target="demo.test",'
          'host="mx1.demo.test",address="127.2.0.35",mx="mx1.demo.test",'
          'ip_protocol="ipv4",tlsa_match="3 1 1"} 1',
          # issue 16: the record that matched, its fields as labels
          'mailtls_tlsa_record_match{plugin="tlsa",target="demo.test",'
          'host="mx1.demo.test",address="127.2.0.35",mx="mx1.demo.test",'
          'ip_protocol="ipv4",usage="3",selector="1",matching_type="1"} 1']),
        ("tlsrpt", ["check_tlsrpt_record", "-D", "demo.test"],
         ['mailtls_rua_all{plugin="tlsrpt",target="demo.test"} 1',
          'mailtls_dnssec_info{plugin="tlsrpt",target="demo.test",'
          'dnssec="secure"} 1']),
        ("tlsa_critical", ["check_tlsa", "-H", "eenomatch.dane.test"],
         ['mailtls_node_state{plugin="tlsa",target="eenomatch.dane.test",'
          'host="eenomatch.dane.test",address="127.2.0.45",'
          'mx="eenomatch.dane.test",ip_protocol="ipv4"} 2']),
        # check_mailtls: each mechanism's series carry check="..."
        ("mailtls", ["check_mailtls", "-D", "all-danebad.sts.test"],
         ['mailtls_node_state{plugin="mailtls",'
          'target="all-danebad.sts.test",check="dane",'
          'host="eenomatch.dane.test",address="127.2.0.45",'
          'mx="eenomatch.dane.test",ip_protocol="ipv4"} 2',
          'mailtls_node_state{plugin="mailtls",'
          'target="all-danebad.sts.test",check="mta-sts",'
          'host="eenomatch.dane.test",address="127.2.0.45",'
          'mx="eenomatch.dane.test",ip_protocol="ipv4"} 0',
          'mailtls_mode_info{plugin="mailtls",'
          'target="all-danebad.sts.test",check="mta-sts",mode="enforce"} '
          '1']),
        # reads files only: no network options; a Maildir made here
        ("tlsrpt_reports", ["check_tlsrpt_reports", "--maildir", "@RR@",
                            "-D", "example.com"],
         ['mailtls_tlsrpt_sessions_total{plugin="tlsrpt_reports",'
          'target="example.com",policy_domain="example.com",'
          'policy_type="sts",result="failed"} 880',
          'mailtls_tlsrpt_failed_sessions_total{plugin="tlsrpt_reports",'
          'target="example.com",policy_domain="example.com",'
          'policy_type="sts",result_type="certificate-expired"} 880',
          'mailtls_tlsrpt_reports{plugin="tlsrpt_reports",'
          'target="example.com",outcome="counted"} 2']),
    ]
    rr = tempfile.mkdtemp(prefix="mailtls-rr.")
    subprocess.run([sys.executable, os.path.join(TOP, "tests", "tools",
                                                 "mkreports.py"), rr,
                    "--maildir", "org=Google Inc.,ok=10000,fail=880",
                    "org=Microsoft Corporation,form=eml-html,"
                    "shape=microsoft,type=tlsa,ok=300"], check=True)
    for name, argv, want in runs:
        exe = os.path.join(plugindir, argv[0])
        if argv[0] == "check_tlsrpt_reports":
            p = subprocess.run([exe] + [rr if a == "@RR@" else a
                                        for a in argv[1:]] +
                               ["--output-format", "openmetrics"],
                               capture_output=True, text=True, timeout=20)
        else:
            p = subprocess.run([exe] + argv[1:] + common +
                               ["--output-format", "openmetrics"],
                               capture_output=True, text=True, timeout=20)
        out = p.stdout
        lint = subprocess.run(["promtool", "check", "metrics"], input=out,
                              capture_output=True, text=True, timeout=20)
        check("%s: promtool check metrics accepts it" % name,
              lint.returncode == 0, (lint.stdout + lint.stderr).strip())
        m = re.search(r'^mailtls_check_state\{plugin="[a-z_]+",'
                      r'target="[^"]+"\} (\d)$', out, re.M)
        check("%s: mailtls_check_state is the exit code %d" %
              (name, p.returncode), m is not None and
              int(m.group(1)) == p.returncode, out[:300])
        for w in want:
            check("%s: has %s" % (name, w.split("{")[0]), w in out,
                  "missing " + w)
        check("%s: ends with # EOF, every family once" % name,
              out.endswith("# EOF\n") and
              len(re.findall(r"^# TYPE (\S+)", out, re.M)) ==
              len(set(re.findall(r"^# TYPE (\S+)", out, re.M))), out[-200:])

    shutil.rmtree(rr, ignore_errors=True)

    tmp = tempfile.mkdtemp(prefix="mailtls-prom.")
    ne = None
    try:
        # 2. The textfile wrapper.
        tf = os.path.join(tmp, "textfile")
        os.mkdir(tf)
        checks = os.path.join(tmp, "checks")
        args = " ".join(common)
        with open(checks, "w", encoding="utf-8") as f:
            f.write("# name plugin args\n"
                    "demo_smtp check_smtp_starttls -D demo.test %s\n"
                    "demo_sts check_mta_sts -D demo.test %s\n"
                    "demo_tlsa check_tlsa -D demo.test %s\n"
                    "demo_rpt check_tlsrpt_record -D demo.test %s\n"
                    % (args, args, args, args))
        env = dict(os.environ, MAILTLS_PLUGINDIR=plugindir)
        p = subprocess.run([WRAPPER, checks, tf], env=env,
                           capture_output=True, text=True, timeout=60)
        files = sorted(os.listdir(tf))
        check("wrapper: exit 0", p.returncode == 0, p.stderr)
        check("wrapper: one file per check, no temporary left",
              files == ["mailtls_demo_rpt.prom", "mailtls_demo_smtp.prom",
                        "mailtls_demo_sts.prom", "mailtls_demo_tlsa.prom"],
              str(files))
        # a plugin that dies without output, and a bad line
        fake = os.path.join(tmp, "fakebin")
        os.mkdir(fake)
        with open(os.path.join(fake, "check_tlsa"), "w") as f:
            f.write("#!/bin/sh\necho 'TLSA CRITICAL - half'\nkill -9 $$\n")
        os.chmod(os.path.join(fake, "check_tlsa"), 0o755)
        bad = os.path.join(tmp, "bad")
        with open(bad, "w", encoding="utf-8") as f:
            f.write("dies check_tlsa -H x\nnope check_nothing -H x\n")
        p = subprocess.run([WRAPPER, bad, tf],
                           env=dict(os.environ, MAILTLS_PLUGINDIR=fake),
                           capture_output=True, text=True, timeout=30)
        check("wrapper: a failed check or an unknown plugin exits 1",
              p.returncode == 1 and "unknown plugin" in p.stderr,
              "rc %d: %s" % (p.returncode, p.stderr))
        with open(os.path.join(tf, "mailtls_dies.prom")) as f:
            dies = f.read()
        check("wrapper: a plugin that dies leaves mailtls_textfile_ok 0",
              'mailtls_textfile_ok{check="dies"} 0' in dies, dies)
        check("wrapper: usage error exits 2",
              subprocess.run([WRAPPER], capture_output=True).returncode == 2)

        # 3. node_exporter serves them.
        port = free_port()
        ne = subprocess.Popen(
            ["prometheus-node-exporter",
             "--web.listen-address=127.0.0.1:%d" % port,
             "--collector.disable-defaults", "--collector.textfile",
             "--collector.textfile.directory=" + tf],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            start_new_session=True)
        body = ""
        for _ in range(50):
            try:
                body = urllib.request.urlopen(
                    "http://127.0.0.1:%d/metrics" % port,
                    timeout=2).read().decode()
                break
            except OSError:
                time.sleep(0.1)
        check("node_exporter: serves /metrics on loopback", body != "",
              "no answer on 127.0.0.1:%d" % port)
        check("node_exporter: no textfile scrape error",
              re.search(r"^node_textfile_scrape_error 0$", body, re.M)
              is not None, "scrape error")
        for plugin in ("smtp_starttls", "mta_sts", "tlsa", "tlsrpt"):
            check("node_exporter: mailtls_check_state of %s" % plugin,
                  re.search(r'^mailtls_check_state\{plugin="%s",'
                            r'target="demo\.test"\} [0-3]$' % plugin, body,
                            re.M) is not None, "missing")
        check("node_exporter: the dead check shows as mailtls_textfile_ok 0",
              'mailtls_textfile_ok{check="dies"} 0' in body, "missing")
    finally:
        if ne is not None:
            try:
                os.killpg(ne.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            ne.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (results.count(True), results.count(False)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
