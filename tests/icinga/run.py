#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of icinga-templates/: the Icinga 2 CheckCommands, examples.conf and
the Nagios definitions in icinga-templates/nagios/, against the real
programs (Debian's icinga2 and nagios4) and the loopback lab.

  validate  `icinga2 daemon -C` accepts the four CheckCommands with one Host
            and one Service each, examples.conf, and examples.conf in a
            distributed layout (global-templates zone, command_endpoint on a
            satellite, read back with `icinga2 object list`)
  daemon    a real icinga2 (own temp dirs, ApiListener on 127.0.0.1, a test
            ApiUser) runs services against the lab; each service's command,
            state, perfdata labels and output line equal a direct run of
            the same plugin command line; icinga2 is always stopped
  distributed  an icinga2 master and a satellite (one CA by icinga2 pki,
            zones, global-templates synced to the satellite); the master
            pins the port-25 checks to the satellite by command_endpoint;
            results read back through the master's API equal direct runs,
            and their check_source and plugin path show the satellite ran
            them (distributed.py)
  nagios    `nagios4 -v` accepts a minimal nagios.cfg with the definitions
            in icinga-templates/nagios/; each Nagios command line, its
            macros expanded as Nagios does, runs against the lab and agrees
            with a direct run

Everything lives in one temporary directory (removed at the end unless
--keep); nothing of the system's icinga2 or nagios4 is read, written or
started. Ends with "N passed, N failed"; exits 1 if any test failed.

Usage: run.py --lab-env LAB/lab.env --plugin-dir build/plugins
              [--only validate,daemon,distributed,nagios] [--keep] [-v]
"""

import argparse
import base64
import grp
import os
import pwd
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import icinga_lib
from distributed import test_distributed
from icinga_lib import (
    API_USER, COMMANDS, DAEMON_BUDGET, LABEL, PLUGIN, PLUGIN_TIMEOUT,
    RUNNING, TEMPLATES,
    Daemon, Icinga, check, command_files, compare_result, direct_run,
    example_host, free_port, ilit, instantiated, kill_leftovers, lab_vars,
    make_certs, norm, perf_labels, poll_results, read_env, reschedule_all,
    results, tail, wait_api)

# The explicit services: one per CheckCommand, on a lab name where it is OK;
# with_default adds one that relies on the CheckCommand's default domain
# (the host's vars.mail_domain).
def explicit_services(env, plugin_dir, with_default=False):
    lv = lab_vars(env)
    common = {"resolver": [lv["resolver"]], "trust_anchor": lv["anchor"],
              "cafile": lv["cafile"]}
    rows = [
        ("lab", "svc-smtp_starttls", "smtp_starttls",
         {"hostname": "good.secure.test"}, {}),
        ("lab", "svc-tlsa", "tlsa", {"hostname": "ee311.dane.test"}, {}),
        ("lab", "svc-mta_sts", "mta_sts", {"domain": "ok.sts.test"}, {}),
        ("lab", "svc-tlsrpt_record", "tlsrpt_record",
         {"domain": "mailto.rpt.test"}, {}),
        ("lab", "svc-mailtls", "mailtls", {"domain": "all-ok.sts.test"},
         {}),
    ]
    if with_default:
        rows.append(("maildomain", "svc-default-domain", "smtp_starttls", {},
                     {"domain": "demo.test"}))
    out = []
    for host, name, cmd, own, implied in rows:
        v = dict(common)
        v.update(own)
        opts = dict(v)
        opts.update(implied)
        argv = [os.path.join(plugin_dir, PLUGIN[cmd])]
        for k in sorted(opts):
            val = opts[k]
            opt = "--" + k.replace("_", "-")
            for item in (val if isinstance(val, list) else [val]):
                argv += [opt, item]
        out.append((host, name, cmd, v, argv))
    return out


# The services examples.conf makes for a host with mail_domains [demo.test].
def example_services(env, plugin_dir):
    lv = lab_vars(env)
    d = "demo.test"

    def argv(plugin, *opts):
        return [os.path.join(plugin_dir, plugin), "--domain", d,
                "--resolver", lv["resolver"], "--trust-anchor",
                lv["anchor"]] + list(opts)
    # one service per domain (mail_split unset)
    return [
        ("demo", "mailtls-" + d, "mailtls", None,
         argv("check_mailtls", "--cafile", lv["cafile"], "--rollover")),
    ]


def explicit_objects(env, plugin_dir, with_default=False):
    text = ['object Host "lab" {', '\tcheck_command = "dummy"',
            '\tenable_active_checks = false', "}", ""]
    if with_default:
        text += ['object Host "maildomain" {', '\tcheck_command = "dummy"',
                 '\tenable_active_checks = false',
                 '\tvars.mail_domain = "demo.test"', "}", ""]
    for host, name, cmd, v, _ in explicit_services(env, plugin_dir,
                                                   with_default):
        text += ['object Service %s {' % ilit(name),
                 '\thost_name = %s' % ilit(host),
                 '\tcheck_command = %s' % ilit(cmd),
                 '\tcheck_interval = 1h',
                 '\tmax_check_attempts = 1']
        for k, val in sorted(v.items()):
            if isinstance(val, list):
                val = "[ " + ", ".join(ilit(x) for x in val) + " ]"
            else:
                val = ilit(val)
            text.append("\tvars.%s_%s = %s" % (cmd, k, val))
        text += ["}", ""]
    return "\n".join(text)


def test_validate(tmp, env, plugin_dir):
    print("== icinga2 daemon -C")
    if not shutil.which("icinga2"):
        check("icinga2 installed (Debian package icinga2)", False,
              "icinga2 not found in PATH")
        return

    # 1. The four CheckCommands with one Host and one Service per command,
    # next to the ITL and its plugin commands (no name clashes).
    ic = Icinga(os.path.join(tmp, "validate"), plugin_dir)
    with open(os.path.join(ic.etc, "objects.conf"), "w") as f:
        f.write(explicit_objects(env, plugin_dir))
    conf = ic.main_conf("\n".join(
        ['include <itl>', 'include <plugins>', 'include <plugins-contrib>'] +
        ['include %s' % ilit(p) for p in command_files()] +
        ['include "objects.conf"', ""]))
    rc, out = ic.validate(conf, {"ObjectsPath": os.path.join(
        ic.root, "cache", "icinga2.debug")})
    ok = rc == 0 and instantiated(out, len(COMMANDS), "Services")
    check("icinga2 -C: the %d CheckCommands, the ITL, one Host and one "
          "Service per command" % len(COMMANDS), ok,
          "exit %s\n%s" % (rc, out))
    if ok:
        cmds = ic.object_list("CheckCommand")
        bad = [c for c in COMMANDS if c not in cmds or PLUGIN[c] not in
               cmds[c].get("command", "") or plugin_dir not in
               cmds[c].get("command", "")]
        check("icinga2 object list: each CheckCommand runs "
              "PluginContribDir/check_* (PluginContribDir = %s)" % plugin_dir,
              not bad, "wrong or missing: %s\n%s" % (
                  bad, {c: cmds.get(c, {}).get("command") for c in COMMANDS}))

    # 2. examples.conf as a single node loads it: a host with two domains
    # (one check_mailtls service each), one with mail_dane = false (its
    # service skips DANE), one with mail_split (a service per mechanism,
    # none for DANE with mail_dane = false).
    ic = Icinga(os.path.join(tmp, "examples"), plugin_dir)
    with open(os.path.join(ic.etc, "hosts.conf"), "w") as f:
        f.write(example_host(env, "two", ("demo.test", "ok.sts.test")))
        f.write(example_host(env, "nodane", ("mailto.rpt.test",),
                             "\tvars.mail_dane = false"))
        f.write(example_host(env, "split", ("mailto.rpt.test",),
                             "\tvars.mail_dane = false\n"
                             "\tvars.mail_split = true"))
    conf = ic.main_conf("\n".join(
        ['include <itl>'] + ['include %s' % ilit(p) for p in command_files()] +
        ['include %s' % ilit(os.path.join(TEMPLATES, "examples.conf")),
         'include "hosts.conf"', ""]))
    rc, out = ic.validate(conf)
    ok = rc == 0 and instantiated(out, 6, "Services")
    check("icinga2 -C: examples.conf, 3 hosts: one mailtls service for "
          "each of 3 domains, 3 services (no DANE) for the mail_split one "
          "(6)", ok, "exit %s\n%s" % (rc, out))
    if ok:
        svcs = ic.object_list("Service")
        want = {"two!mailtls-demo.test", "two!mailtls-ok.sts.test",
                "nodane!mailtls-mailto.rpt.test"}
        want |= {"split!%s-mailto.rpt.test" % p
                 for p in ("smtp-starttls", "mta-sts", "tlsrpt")}
        check("icinga2 object list: examples.conf's service names",
              set(svcs) == want, "got %s\nwant %s" % (sorted(svcs),
                                                      sorted(want)))
        skip = svcs.get("nodane!mailtls-mailto.rpt.test", {}).get(
            "vars.mailtls_skip")
        check("icinga2 object list: mail_dane = false skips DANE in "
              "check_mailtls", skip is not None and "dane" in skip,
              "vars.mailtls_skip %r" % skip)

    # 3. The distributed layout of examples.conf's note: CheckCommands in
    # the global zone global-templates, the objects in the master zone, the
    # port-25 checks pinned to a satellite (a child zone of master).
    ic = Icinga(os.path.join(tmp, "distributed"), plugin_dir)
    zd = os.path.join(ic.etc, "zones.d")
    os.makedirs(os.path.join(zd, "global-templates"))
    os.makedirs(os.path.join(zd, "master"))
    for p in command_files():
        shutil.copy(p, os.path.join(zd, "global-templates"))
    shutil.copy(os.path.join(TEMPLATES, "examples.conf"),
                os.path.join(zd, "master", "mail-domains.conf"))
    with open(os.path.join(zd, "master", "hosts.conf"), "w") as f:
        f.write(example_host(env, "pinned", ("demo.test",),
                             '\tvars.mailtls_endpoint = "satellite1"\n'
                             '\tvars.mail_sts_check_mx = true\n'
                             '\tvars.mail_split = true'))
        f.write(example_host(env, "local", ("ok.sts.test",),
                             '\tvars.mail_split = true'))
        f.write(example_host(env, "domain", ("demo.test",),
                             '\tvars.mailtls_endpoint = "satellite1"'))
    with open(os.path.join(ic.etc, "zones.conf"), "w") as f:
        f.write("\n".join([
            'object Endpoint "master1" { }',
            'object Zone "master" { endpoints = [ "master1" ] }',
            'object Endpoint "satellite1" { }',
            'object Zone "satellite" { parent = "master"; '
            'endpoints = [ "satellite1" ] }',
            'object Zone "global-templates" { global = true }', ""]))
    conf = ic.main_conf('include "zones.conf"\ninclude <itl>\n')
    rc, out = ic.validate(conf, {"NodeName": "master1", "ZoneName": "master"})
    ok = rc == 0 and instantiated(out, 9, "Services")
    check("icinga2 -C: distributed layout (CheckCommands in zone "
          "global-templates, examples.conf in zone master, command_endpoint "
          "a satellite)", ok, "exit %s\n%s" % (rc, out))
    if ok:
        svcs = ic.object_list("Service")
        want = {"pinned!smtp-starttls-demo.test": '"satellite1"',
                "pinned!dane-demo.test": '"satellite1"',
                "pinned!mta-sts-demo.test": '"satellite1"',
                "pinned!tlsrpt-demo.test": None,
                "local!smtp-starttls-ok.sts.test": None,
                "local!dane-ok.sts.test": None,
                "local!mta-sts-ok.sts.test": None,
                "local!tlsrpt-ok.sts.test": None,
                "domain!mailtls-demo.test": '"satellite1"'}
        got = {n: svcs.get(n, {}).get("command_endpoint") for n in want}
        zones = {n: svcs.get(n, {}).get("zone") for n in want}
        mx = svcs.get("pinned!mta-sts-demo.test", {}).get(
            "vars.mta_sts_check_mx")
        check("icinga2 object list: check_mailtls, STARTTLS, DANE and "
              "MTA-STS --check-mx pinned to satellite1, the rest local, all "
              "in zone master",
              got == want and set(zones.values()) == {'"master"'} and
              mx == "true",
              "command_endpoint %s\nwant %s\nzones %s\nmta_sts_check_mx %s"
              % (got, want, zones, mx))


def test_daemon(tmp, env, plugin_dir):
    print("== icinga2 daemon against the lab")
    if not shutil.which("icinga2"):
        check("icinga2 installed (Debian package icinga2)", False,
              "icinga2 not found in PATH")
        return
    t0 = time.time()
    ic = Icinga(os.path.join(tmp, "daemon"), plugin_dir)
    err = make_certs(ic)
    if err:
        check("icinga2 pki: the API's CA and certificate", False, err)
        return
    port = free_port()
    password = base64.b16encode(os.urandom(12)).decode()
    with open(os.path.join(ic.etc, "objects.conf"), "w") as f:
        f.write(explicit_objects(env, plugin_dir, with_default=True))
        f.write(example_host(env))
    conf = ic.main_conf("\n".join(
        ['include <itl>',
         'object Endpoint NodeName { }',
         'object Zone ZoneName { endpoints = [ NodeName ] }',
         'object CheckerComponent "checker" { }',
         'object ApiListener "api" {',
         '\tbind_host = "127.0.0.1"',
         '\tbind_port = %d' % port,
         '}',
         'object ApiUser %s {' % ilit(API_USER),
         '\tpassword = %s' % ilit(password),
         '\tpermissions = [ "status/query", "objects/query/*", '
         '"actions/reschedule-check" ]',
         '}'] +
        ['include %s' % ilit(p) for p in command_files()] +
        ['include %s' % ilit(os.path.join(TEMPLATES, "examples.conf")),
         'include "objects.conf"', ""]))
    rc, out = ic.validate(conf)
    services = explicit_services(env, plugin_dir, True) + \
        example_services(env, plugin_dir)
    if not check("icinga2 -C: the daemon's configuration (ApiListener on "
                 "127.0.0.1:%d, %d services)" % (port, len(services)),
                 rc == 0 and instantiated(out, len(services), "Services"),
                 "exit %s\n%s" % (rc, out)):
        return
    log = os.path.join(ic.root, "icinga2.log")
    d = Daemon(ic, conf, log)
    got = {}
    try:
        d.start()
        # wait for the API, then run every service's check now
        deadline = t0 + DAEMON_BUDGET
        status, why = wait_api(d, port, password, deadline)
        t_start = time.time()
        up = status is not None
        if up:
            up, why = reschedule_all(port, password, len(services), t_start)
        if not check("icinga2 daemon up, API on 127.0.0.1:%d answered, "
                     "checks rescheduled" % port, up,
                     "%s\n%s" % (why, tail(log))):
            return
        got = poll_results(port, password, t_start, len(services), deadline)
    finally:
        left = d.stop()
    check("icinga2 stopped: none of its processes left", not left,
          "still running: %s" % left)
    print("     (icinga2 ran %d checks in %.1f s)" % (
        len(got), time.time() - t0))
    for host, name, cmd, _, argv in services:
        full = "%s!%s" % (host, name)
        compare_result("icinga2 %s (%s) equals a direct run" % (full, cmd),
                       cmd, got.get(full), argv, log=log)


# ---------------------------------------------------------------- nagios

NAGIOS_DIR = os.path.join(TEMPLATES, "nagios")
NAGIOS_STUBS = """\
# What mailtls-example.cfg expects from Nagios' sample configuration.
define timeperiod {
    timeperiod_name 24x7
    alias           always
    sunday          00:00-24:00
    monday          00:00-24:00
    tuesday         00:00-24:00
    wednesday       00:00-24:00
    thursday        00:00-24:00
    friday          00:00-24:00
    saturday        00:00-24:00
}
define command {
    command_name    mailtls-test-notify
    command_line    /bin/true
}
define contact {
    contact_name                    nagiosadmin
    alias                           test admin
    host_notifications_enabled      0
    service_notifications_enabled   0
    host_notification_period        24x7
    service_notification_period     24x7
    host_notification_options       n
    service_notification_options    n
    host_notification_commands      mailtls-test-notify
    service_notification_commands   mailtls-test-notify
}
define contactgroup {
    contactgroup_name   admins
    alias               admins
    members             nagiosadmin
}
define host {
    name                generic-host
    notification_period 24x7
    register            0
}
define service {
    name                generic-service
    check_period        24x7
    max_check_attempts  3
    check_interval      10
    retry_interval      2
    contact_groups      admins
    notification_period 24x7
    notification_interval 60
    register            0
}
"""


def nagios_cfg(root, cfg_files, resource):
    for d in ("spool", "rw", "archives"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    lines = ["log_file=%s/nagios.log" % root]
    lines += ["cfg_file=%s" % f for f in cfg_files]
    if os.path.isdir("/etc/nagios-plugins/config"):
        # Debian's plugin commands sit next to ours in a real install
        lines.append("cfg_dir=/etc/nagios-plugins/config")
    lines += [
        "resource_file=%s" % resource,
        "object_cache_file=%s/objects.cache" % root,
        "precached_object_file=%s/objects.precache" % root,
        "status_file=%s/status.dat" % root,
        "temp_file=%s/nagios.tmp" % root,
        "temp_path=%s" % root,
        "lock_file=%s/nagios.pid" % root,
        "command_file=%s/rw/nagios.cmd" % root,
        "check_result_path=%s/spool" % root,
        "state_retention_file=%s/retention.dat" % root,
        "log_archive_path=%s/archives" % root,
        "debug_file=%s/nagios.debug" % root,
        # nagios4 reads the object files after switching to this user
        "nagios_user=%s" % pwd.getpwuid(os.getuid()).pw_name,
        "nagios_group=%s" % grp.getgrgid(os.getgid()).gr_name,
        "use_syslog=0",
        "check_for_updates=0",
        "illegal_macro_output_chars=`~$&|'\"<>",
        ""]
    path = os.path.join(root, "nagios.cfg")
    with open(path, "w") as f:
        f.write("\n".join(lines))
    return path


def parse_nagios(path):
    """define TYPE { key value } blocks of a Nagios object file."""
    objs = []
    with open(path) as f:
        text = f.read()
    for m in re.finditer(r"define\s+(\w+)\s*\{(.*?)\}", text, re.S):
        d = {"_type": m.group(1)}
        for line in m.group(2).splitlines():
            line = line.split(";", 1)[0].strip()
            if not line or line.startswith("#"):
                continue
            k, _, v = line.partition(" ")
            d[k] = v.strip()
        objs.append(d)
    return objs


def expand(command_line, macros, args):
    def sub(m):
        name = m.group(1)
        if name.startswith("ARG"):
            i = int(name[3:])
            return args[i - 1] if i <= len(args) else ""
        return macros.get(name, "")
    return re.sub(r"\$([A-Z0-9_]+)\$", sub, command_line)


def test_nagios(tmp, env, plugin_dir):
    print("== nagios4 -v and the Nagios command lines")
    cmd_file = os.path.join(NAGIOS_DIR, "mailtls-commands.cfg")
    example = os.path.join(NAGIOS_DIR, "mailtls-example.cfg")
    if not shutil.which("nagios4"):
        check("nagios4 installed (Debian package nagios4-core)", False,
              "nagios4 not found in PATH")
    else:
        root = os.path.join(tmp, "nagios")
        os.makedirs(root)
        stubs = os.path.join(root, "stubs.cfg")
        with open(stubs, "w") as f:
            f.write(NAGIOS_STUBS)
        resource = os.path.join(root, "resource.cfg")
        with open(resource, "w") as f:
            f.write("$USER1$=%s\n$USER20$=--resolver %s --trust-anchor %s "
                    "--cafile %s\n" % (plugin_dir, env["LAB_RESOLVER"],
                                       env["LAB_ANCHOR"], env["LAB_CAFILE"]))
        cfg = nagios_cfg(root, [stubs, cmd_file, example], resource)
        p = subprocess.run(["nagios4", "-v", cfg], capture_output=True,
                           text=True, timeout=60)
        out = p.stdout + p.stderr
        n_svc = sum(1 for o in parse_nagios(example)
                    if o["_type"] == "service" and o.get("register") != "0")
        n_host = sum(1 for o in parse_nagios(example)
                     if o["_type"] == "host" and o.get("register") != "0")
        ok = (p.returncode == 0 and
              re.search(r"Total Warnings:\s+0\b", out) and
              re.search(r"Total Errors:\s+0\b", out) and
              re.search(r"Checked %d services\." % n_svc, out) and
              re.search(r"Checked %d hosts\." % n_host, out))
        check("nagios4 -v: mailtls-commands.cfg and mailtls-example.cfg "
              "(%d hosts, %d services), no warning, no error" %
              (n_host, n_svc), ok, "exit %s\n%s" % (p.returncode, out))

    # Each command line, its macros expanded as Nagios expands them, run
    # through /bin/sh as Nagios runs a command line with quotes.
    lv = lab_vars(env)
    lab_opts = "--resolver %s --trust-anchor %s --cafile %s" % (
        lv["resolver"], lv["anchor"], lv["cafile"])
    cmds = {o["command_name"]: o["command_line"]
            for o in parse_nagios(cmd_file) if o["_type"] == "command"}
    # command: (host address, $ARGn$, the direct command line it stands for)
    runs = {
        "check_smtp_starttls": ("", ["demo.test", "-w 28 -c 14"],
                                "check_smtp_starttls -D demo.test -w 28 "
                                "-c 14"),
        "check_smtp_starttls_host": ("good.secure.test", [],
                                     "check_smtp_starttls -H "
                                     "good.secure.test"),
        "check_mta_sts": ("", ["ok.sts.test"], "check_mta_sts -D ok.sts.test"),
        "check_mta_sts_mx": ("", ["demo.test"],
                             "check_mta_sts -D demo.test --check-mx"),
        "check_tlsa": ("", ["demo.test", "--rollover"],
                       "check_tlsa -D demo.test --rollover"),
        "check_tlsa_host": ("ee311.dane.test", [],
                            "check_tlsa -H ee311.dane.test"),
        "check_tlsa_dns": ("", ["demo.test"],
                           "check_tlsa -D demo.test --dns-only"),
        "check_tlsrpt_record": ("", ["mailto.rpt.test"],
                                "check_tlsrpt_record -D mailto.rpt.test"),
        "check_mailtls": ("", ["all-ok.sts.test", "--rollover"],
                          "check_mailtls -D all-ok.sts.test --rollover"),
    }
    # check_tlsrpt_reports reads a Maildir (made here) and no network: no
    # $USER20$ in its command, no lab options in its direct run
    rr = os.path.join(tmp, "tlsrpt-maildir")
    subprocess.run([sys.executable, os.path.join(
        os.path.dirname(TEMPLATES), "tests", "tools", "mkreports.py"), rr,
        "--maildir", "org=Sender A,ok=900,fail=12",
        "org=Sender B,ok=500"], check=True, capture_output=True)
    runs["check_tlsrpt_reports"] = ("", [rr, "example.com"],
                                    "check_tlsrpt_reports --maildir %s -D "
                                    "example.com" % shlex.quote(rr))
    files_only = {"check_tlsrpt_reports"}
    for name in sorted(set(cmds) | set(runs)):
        title = "nagios command %s runs like a direct run" % name
        if name not in cmds or name not in runs:
            check(title, False, "in mailtls-commands.cfg: %s; in this test: "
                  "%s" % (name in cmds, name in runs))
            continue
        addr, args, direct = runs[name]
        line = expand(cmds[name], {"USER1": plugin_dir, "USER20": lab_opts,
                                   "HOSTADDRESS": addr}, args)
        try:
            p = subprocess.run(["/bin/sh", "-c", line], capture_output=True,
                               text=True, timeout=PLUGIN_TIMEOUT)
            nrc, nout = p.returncode, p.stdout
        except subprocess.TimeoutExpired:
            nrc, nout = None, "(timed out)"
        dargv = shlex.split(direct)
        dargv = [os.path.join(plugin_dir, dargv[0])] + (
            [] if dargv[0] in files_only else shlex.split(lab_opts)) + \
            dargv[1:]
        rc, text, labels, stdout = direct_run(dargv)
        ntext, _, nperf = nout.split("\n", 1)[0].partition("|")
        ok = (nrc == rc and rc in (0, 1, 2) and perf_labels(nperf) == labels
              and norm(ntext) == norm(text) and
              text.startswith(LABEL[dargv[0].rsplit("/", 1)[1]] + " "))
        check(title + " (state %s)" % rc, ok,
              "nagios: %s\n  exit %s: %s\ndirect: %s\n  exit %s: %s" % (
                  line, nrc, nout, " ".join(dargv), rc, stdout))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lab-env", required=True)
    ap.add_argument("--plugin-dir", required=True)
    ap.add_argument("--only", default="validate,daemon,distributed,nagios")
    ap.add_argument("--keep", action="store_true",
                    help="keep the temporary directory")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    icinga_lib.VERBOSE = a.verbose
    t0 = time.time()
    plugin_dir = os.path.abspath(a.plugin_dir)
    try:
        env = read_env(a.lab_env)
        missing = [k for k in ("LAB_RESOLVER", "LAB_ANCHOR", "LAB_CAFILE")
                   if k not in env]
    except OSError as e:
        env, missing = {}, [str(e)]
    if not check("lab env %s readable, with LAB_RESOLVER, LAB_ANCHOR, "
                 "LAB_CAFILE" % a.lab_env, not missing, "missing: %s" %
                 missing):
        print("%d passed, %d failed" % (sum(results), len(results) -
                                        sum(results)))
        return 1
    for p in PLUGIN.values():
        check("plugin %s built" % p, os.access(os.path.join(plugin_dir, p),
                                               os.X_OK), plugin_dir)

    tmp = tempfile.mkdtemp(prefix="mailtls-icinga.")

    def on_signal(sig, _frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("(signal %d: stopping)" % sig)
        for d in list(RUNNING):
            d.stop()
        raise SystemExit(128 + sig)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    only = a.only.split(",")
    try:
        for name, fn in (("validate", test_validate), ("daemon", test_daemon),
                         ("distributed", test_distributed),
                         ("nagios", test_nagios)):
            if name in only:
                try:
                    fn(tmp, env, plugin_dir)
                except Exception:  # a crash is a failure, not an exit
                    import traceback
                    check("%s tests ran to the end" % name, False,
                          traceback.format_exc())
    finally:
        for d in list(RUNNING):
            d.stop()
        left = kill_leftovers(tmp)
        if left:
            print("FAIL processes of this run left behind, ended: %s" % left)
            results.append(False)
        if a.keep:
            print("kept %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    n_ok = sum(results)
    print("(icinga suite: %.1f s)" % (time.time() - t0))
    print("%d passed, %d failed" % (n_ok, len(results) - n_ok))
    return 0 if n_ok == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
