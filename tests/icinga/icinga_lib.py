# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared parts of the Icinga 2 tests (run.py, distributed.py): the test
tally, plugin runs and their comparison, icinga2 instances in temp dirs,
their PKI, API and processes."""

import base64
import grp
import json
import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
TEMPLATES = os.path.join(TOP, "icinga-templates")
COMMANDS = ["smtp_starttls", "mta_sts", "tlsa", "tlsrpt_record", "mailtls"]
PLUGIN = {"smtp_starttls": "check_smtp_starttls", "mta_sts": "check_mta_sts",
          "tlsa": "check_tlsa", "tlsrpt_record": "check_tlsrpt_record",
          "mailtls": "check_mailtls"}
LABEL = {"check_smtp_starttls": "SMTP STARTTLS", "check_mta_sts": "MTA-STS",
         "check_tlsa": "TLSA", "check_tlsrpt_record": "TLSRPT",
         "check_mailtls": "MAILTLS",
         "check_tlsrpt_reports": "TLSRPT REPORTS"}
NODE = "mailtls-icinga-test"
API_USER = "mailtls-test"
DAEMON_BUDGET = 40.0     # seconds from start until every result is in
PLUGIN_TIMEOUT = 30      # seconds for a direct run

results = []
VERBOSE = False


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(("ok   " if ok else "FAIL ") + name)
    if (not ok or VERBOSE) and detail:
        for line in str(detail).rstrip("\n").splitlines()[:60]:
            print("       " + line)
    sys.stdout.flush()
    return bool(ok)


def read_env(path):
    env = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                env[k.strip()] = v.strip().strip("'\"")
    return env


def ilit(s):
    """An Icinga DSL string literal."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---------------------------------------------------------------- plugins

def perf_labels(perf):
    """Labels of a perfdata string or of Icinga's list of perfdata items."""
    items = perf if isinstance(perf, list) else split_perf(perf)
    labels = []
    for it in items:
        it = it.strip()
        if it.startswith("'"):
            m = re.match(r"'((?:[^']|'')*)'=", it)
            labels.append(m.group(1).replace("''", "'") if m else it)
        else:
            labels.append(it.split("=", 1)[0])
    return labels


def split_perf(text):
    out, cur, quoted = [], "", False
    for ch in text.strip():
        if ch == "'":
            quoted = not quoted
        if ch == " " and not quoted:
            if cur:
                out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur:
        out.append(cur)
    return out


def direct_run(argv):
    """Runs a plugin; returns (exit code, line-1 text, perfdata labels,
    whole stdout)."""
    try:
        p = subprocess.run(argv, capture_output=True, text=True,
                           timeout=PLUGIN_TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, "", [], "(timed out)"
    except OSError as e:
        return None, "", [], "(%s)" % e
    line1 = p.stdout.split("\n", 1)[0]
    text, _, perf = line1.partition("|")
    return p.returncode, text.strip(), perf_labels(perf), p.stdout


def norm(text):
    """Output text with numbers blanked, for comparing two runs."""
    return re.sub(r"\d+(?:\.\d+)?", "N", text.strip())


def groups(argv):
    """Command line as a sorted list of option groups (option + values)."""
    out, cur = [], None
    for tok in argv[1:]:
        if tok.startswith("-"):
            if cur is not None:
                out.append(tuple(cur))
            cur = [tok]
        elif cur is None:
            cur = [tok]
        else:
            cur.append(tok)
    if cur is not None:
        out.append(tuple(cur))
    return [argv[0]] + sorted(out)


# ---------------------------------------------------------------- icinga2

class Icinga:
    """Paths and constants of one icinga2 instance in a temp dir."""

    def __init__(self, root, plugin_dir, node=NODE, zone=None):
        self.root = root
        self.node = node
        self.etc = os.path.join(root, "etc")
        self.data = os.path.join(root, "data")
        for d in ("etc", "data", "cache", "log", "run", "spool"):
            os.makedirs(os.path.join(root, d), exist_ok=True)
        self.defines = {
            "ConfigDir": self.etc,
            "DataDir": self.data,
            "CacheDir": os.path.join(root, "cache"),
            "LogDir": os.path.join(root, "log"),
            "SpoolDir": os.path.join(root, "spool"),
            "InitRunDir": os.path.join(root, "run"),
            "PidPath": os.path.join(root, "run", "icinga2.pid"),
            "ObjectsPath": os.path.join(root, "cache", "icinga2.debug"),
            "VarsPath": os.path.join(root, "cache", "icinga2.vars"),
            "ZonesDir": os.path.join(root, "etc", "zones.d"),
            # run as whoever runs the test: the temp dirs are theirs
            "RunAsUser": pwd.getpwuid(os.getuid()).pw_name,
            "RunAsGroup": grp.getgrgid(os.getgid()).gr_name,
            "NodeName": node,
            "ZoneName": zone or node,
            "PluginContribDir": plugin_dir,
            # the ITL's <plugins> and <plugins-contrib> name these; only
            # validated, never run here
            "PluginDir": "/usr/lib/nagios/plugins",
            "ManubulonPluginDir": "/usr/lib/nagios/plugins",
        }

    def args(self, extra=None):
        d = dict(self.defines)
        d.update(extra or {})
        return ["-D%s=%s" % kv for kv in d.items()]

    def main_conf(self, text):
        path = os.path.join(self.etc, "icinga2.conf")
        with open(path, "w") as f:
            f.write(text)
        return path

    def validate(self, conf, extra=None):
        argv = ["icinga2", "daemon", "-C", "-c", conf] + self.args(extra)
        p = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        return p.returncode, p.stdout + p.stderr

    def object_list(self, otype):
        argv = ["icinga2", "object", "list", "--type", otype] + self.args()
        p = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        return parse_object_list(p.stdout)


def parse_object_list(text):
    """`icinga2 object list` output as {name: {attribute: value text}};
    nested attributes as "vars.name"; "" and null as None."""
    objs, cur, parent = {}, None, None
    for line in text.splitlines():
        m = re.match(r"^Object '(.*)' of type '.*':$", line)
        if m:
            cur, parent = objs.setdefault(m.group(1), {}), None
            continue
        m = re.match(r"^( *)\* ([A-Za-z0-9_]+)(?: = (.*))?$", line)
        if not m or cur is None:
            continue
        depth, key, val = len(m.group(1)), m.group(2), m.group(3)
        if depth == 2:
            parent = key
        elif depth == 4 and parent:
            key = parent + "." + key
        else:
            continue
        cur[key] = None if val in (None, '""', "null") else val
    return objs


def command_files():
    # tlsrpt_reports reads a Maildir: validated with the others, no
    # service of its own here (the Nagios part runs its command)
    return [os.path.join(TEMPLATES, c + ".conf")
            for c in COMMANDS + ["tlsrpt_reports"]]


def lab_vars(env):
    return {"resolver": env["LAB_RESOLVER"], "anchor": env["LAB_ANCHOR"],
            "cafile": env["LAB_CAFILE"]}


def example_host(env, name="demo", domains=("demo.test",), extra=""):
    lv = lab_vars(env)
    return "\n".join([
        'object Host %s {' % ilit(name),
        '\timport "mail-domains"',
        '\tenable_active_checks = false',
        '\tvars.mail_domains = [ %s ]' % ", ".join(ilit(x) for x in domains),
        '\tvars.mailtls_resolver = [ %s ]' % ilit(lv["resolver"]),
        '\tvars.mailtls_trust_anchor = %s' % ilit(lv["anchor"]),
        '\tvars.mailtls_cafile = %s' % ilit(lv["cafile"]),
        extra, "}", ""])


def instantiated(out, n, what):
    return re.search(r"Instantiated %d %s\.?$" % (n, what), out, re.M) \
        is not None


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def api(port, password, method, path, body=None, user=API_USER):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    req = urllib.request.Request(
        "https://127.0.0.1:%d%s" % (port, path), method=method,
        data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Accept", "application/json")
    req.add_header("Authorization", "Basic " + base64.b64encode(
        ("%s:%s" % (user, password)).encode()).decode())
    with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
        return json.loads(r.read().decode())


def group_pids(pgid):
    """Live processes of a process group."""
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
            fields = st[st.rindex(")") + 2:].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                pids.append(int(d))
        except (OSError, ValueError):
            pass
    return pids


def pids_naming(path):
    """Live processes whose command line names path (this run's temp dir:
    only this run's icinga2 does)."""
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == os.getpid():
            continue
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                cmd = f.read().decode(errors="replace")
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
            if path in cmd and st[st.rindex(")") + 2] != "Z":
                pids.append(int(d))
        except (OSError, ValueError):
            pass
    return pids


def kill_leftovers(path):
    """Safety net after a crash or a signal: end this run's processes, each
    by its pid; returns those that had to be ended."""
    found = pids_naming(path)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids_naming(path):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        for _ in range(50):
            if not pids_naming(path):
                return found
            time.sleep(0.1)
    return found


RUNNING = []   # daemons started and not yet stopped


class Daemon:
    def __init__(self, ic, conf, log):
        self.ic, self.conf, self.logpath = ic, conf, log
        self.proc = None

    def start(self):
        self.log = open(self.logpath, "w")
        # own session: its pid is its process group, which holds icinga2's
        # umbrella and worker processes and the plugins they run
        self.proc = subprocess.Popen(
            ["icinga2", "daemon", "-c", self.conf, "-x", "notice"] +
            self.ic.args(), stdout=self.log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)
        RUNNING.append(self)

    def stop(self):
        """SIGTERM, then SIGKILL to its own process group; returns the pids
        still left (none expected)."""
        if self.proc is None:
            return []
        if self in RUNNING:
            RUNNING.remove(self)
        pid = self.proc.pid
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        for _ in range(20):
            left = group_pids(pid)
            if not left:
                break
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            time.sleep(0.1)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.log.close()
        self.proc = None
        return group_pids(pid)


def make_certs(ic, ca=None):
    """The node's key and certificate (CN = its NodeName) in DataDir/certs,
    made by icinga2 pki, signed by the CA in ca's DataDir/ca (ca: another
    Icinga instance; None: a new CA in ic's own DataDir), and that CA's
    certificate as DataDir/certs/ca.crt. Returns None, or what failed."""
    certs = os.path.join(ic.data, "certs")
    os.makedirs(certs, exist_ok=True)
    key = os.path.join(certs, ic.node + ".key")
    csr = os.path.join(ic.root, ic.node + ".csr")
    crt = os.path.join(certs, ic.node + ".crt")
    ca = ca or ic
    steps = [(["icinga2", "pki", "new-cert", "--cn", ic.node, "--key", key,
               "--csr", csr], ic),
             # sign-csr uses the CA in the DataDir it is given
             (["icinga2", "pki", "sign-csr", "--csr", csr, "--cert", crt],
              ca)]
    if ca is ic:
        steps.insert(0, (["icinga2", "pki", "new-ca"], ic))
    for argv, where in steps:
        p = subprocess.run(argv + where.args(), capture_output=True,
                           text=True, timeout=60)
        if p.returncode != 0:
            return "%s: exit %d\n%s%s" % (" ".join(argv), p.returncode,
                                          p.stdout, p.stderr)
    shutil.copy(os.path.join(ca.data, "ca", "ca.crt"),
                os.path.join(certs, "ca.crt"))
    return None


def tail(path, n=25):
    try:
        with open(path, errors="replace") as f:
            return "--- end of %s:\n" % path + "".join(f.readlines()[-n:])
    except OSError:
        return ""



def wait_api(d, port, password, deadline, path="/v1/status/IcingaApplication",
             user=API_USER):
    """Waits until daemon d's API answers path; returns (answer or None,
    why not)."""
    why = "not tried"
    while time.time() < deadline and d.proc is not None and \
            d.proc.poll() is None:
        try:
            return api(port, password, "GET", path, user=user), ""
        except Exception as e:  # not listening yet, or 404 for now
            why = str(e)
            time.sleep(0.3)
    if d.proc is None or d.proc.poll() is not None:
        why += " (icinga2 exited)"
    return None, why


def reschedule_all(port, password, n, t_start):
    """Runs every service's check now; returns (ok, why)."""
    try:
        r = api(port, password, "POST", "/v1/actions/reschedule-check",
                {"type": "Service", "filter": "true", "force": True,
                 "next_check": t_start})
    except Exception as e:
        return False, "reschedule-check: %s" % e
    return len(r.get("results", [])) == n, json.dumps(r)[:2000]


def poll_results(port, password, t_start, n, deadline):
    """Services' last_check_result with execution_start from t_start on,
    as {"HOST!SERVICE": result}, polled until n are in or the deadline."""
    got = {}
    while time.time() < deadline:
        r = api(port, password, "GET",
                "/v1/objects/services?attrs=last_check_result")
        for o in r.get("results", []):
            cr = o["attrs"].get("last_check_result")
            if cr and cr.get("execution_start", 0) >= t_start - 1:
                got[o["name"]] = cr
        if len(got) >= n:
            break
        time.sleep(0.5)
    return got


def compare_result(title, cmd, cr, argv, icinga_argv=None, log=None,
                   want_state=None):
    """One check: icinga2's CheckResult cr of CheckCommand cmd equals a
    direct run of argv: the command icinga2 ran (icinga_argv, default argv;
    options as a set), exit code and state, perfdata labels in order, line
    1 with numbers blanked; with want_state, the direct run's exit code is
    that. Returns the direct run's exit code."""
    if cr is None:
        check(title, False, "no check result from icinga2 in time\n%s" %
              (tail(log) if log else ""))
        return None
    rc, text, labels, stdout = direct_run(argv)
    icmd = cr.get("command")
    icmd = icmd if isinstance(icmd, list) else [str(icmd)]
    want = icinga_argv or argv
    ilabels = perf_labels(cr.get("performance_data") or [])
    itext = (cr.get("output") or "").split("\n", 1)[0].strip()
    problems = []
    if groups(icmd) != groups(want):
        problems.append("command differs:\n  icinga2 %s\n  want    %s" %
                        (icmd, want))
    if cr.get("exit_status") != rc or cr.get("state") != rc:
        problems.append("state differs: icinga2 exit %s state %s, "
                        "direct %s" % (cr.get("exit_status"),
                                       cr.get("state"), rc))
    if ilabels != labels:
        problems.append("perfdata labels differ:\n  icinga2 %s\n  "
                        "direct  %s" % (ilabels, labels))
    if not labels:
        problems.append("no perfdata at all")
    if want_state is not None and rc != want_state:
        problems.append("the direct run's exit code is %s, not %s: has the "
                        "lab changed?" % (rc, want_state))
    if norm(itext) != norm(text):
        problems.append("line 1 differs (numbers aside):\n  icinga2 %r"
                        "\n  direct  %r" % (itext, text))
    if not text.startswith(LABEL[PLUGIN[cmd]] + " "):
        problems.append("line 1 is not %s ...: %r" %
                        (LABEL[PLUGIN[cmd]], text))
    check(title + " (state %s, %d perfdata labels)" % (rc, len(labels)),
          not problems, "\n".join(problems) + "\n--- direct stdout:\n" +
          stdout + "--- icinga2 output:\n" + (cr.get("output") or ""))
    return rc
