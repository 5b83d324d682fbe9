# SPDX-License-Identifier: GPL-3.0-or-later
"""The distributed test of run.py (--only distributed): an Icinga 2 master
and a satellite, two real icinga2 daemons on 127.0.0.1, as
docs/icinga-distributed.md deploys them:

- one CA, made with `icinga2 pki new-ca` in the master's DataDir; each
  node's certificate made with `icinga2 pki new-cert` and signed by it with
  `icinga2 pki sign-csr`;
- zones.conf on both: zone master (endpoint master), zone satellite (parent
  master, endpoint satellite), global zone global-templates; the satellite
  connects to the master (its Endpoint "master" has host and port);
- on the master: the CheckCommand files in zones.d/global-templates/,
  examples.conf and two hosts in zones.d/master/, the port-25 checks
  pinned to the satellite with vars.mailtls_endpoint (command_endpoint);
- the satellite has accept_config and accept_commands, no CheckCommand of
  its own: it gets them from the master by the config sync.

Each node's PluginContribDir is its own directory of links to the plugins:
the satellite's holds the four that open port 25, the master's only
check_tlsrpt_record. A check that ran on the wrong node finds no plugin
and is UNKNOWN, and the path icinga2 reports says which node ran it; so
does the CheckResult's check_source. The test reschedules every service
through the master's API, reads the results back from it, and compares
each with a direct run of the same command line.
"""

import base64
import os
import time

from icinga_lib import (
    API_USER, Daemon, Icinga, check, command_files, compare_result,
    example_host, free_port, ilit, instantiated, lab_vars, make_certs,
    poll_results, reschedule_all, tail, wait_api, api, TEMPLATES)

MASTER = "master"
SATELLITE = "satellite"
BUDGET = 50.0     # seconds from the first daemon's start to the last result
# which node's PluginContribDir holds which plugin
SATELLITE_PLUGINS = ["check_mailtls", "check_smtp_starttls", "check_tlsa",
                     "check_mta_sts"]
MASTER_PLUGINS = ["check_tlsrpt_record"]


def plugin_links(ic, plugin_dir, names):
    """A PluginContribDir of this node only: links to some plugins."""
    d = os.path.join(ic.root, "plugins")
    os.makedirs(d)
    for n in names:
        os.symlink(os.path.join(plugin_dir, n), os.path.join(d, n))
    return d


def expected(env, plugin_dir, m_plugins, s_plugins):
    """(host, service, CheckCommand, node that runs it, command line icinga2
    runs, direct command line, the lab's state for it) of what examples.conf
    makes for the hosts of hosts_conf()."""
    lv = lab_vars(env)
    base = ["--resolver", lv["resolver"], "--trust-anchor", lv["anchor"]]
    ca = ["--cafile", lv["cafile"]]
    rows = []

    def add(host, svc, cmd, plugin, node, domain, opts, state):
        argv = ["--domain", domain] + base + opts
        where = s_plugins if node == SATELLITE else m_plugins
        rows.append((host, svc, cmd, node, [os.path.join(where, plugin)] +
                     argv, [os.path.join(plugin_dir, plugin)] + argv, state))
    # one check_mailtls service per domain, both pinned to the satellite:
    # all-ok WARNING (--rollover: a single TLSA record), checkmxbad
    # CRITICAL (an MX with a certificate for another name)
    for d, state in (("all-ok.sts.test", 1), ("checkmxbad.sts.test", 2)):
        add("mail", "mailtls-" + d, "mailtls", "check_mailtls", SATELLITE, d,
            ca + ["--rollover"], state)
    # mail_split: STARTTLS, DANE, MTA-STS --check-mx on the satellite,
    # TLSRPT (DNS and HTTPS only) on the master. demo.test: WARNING but for
    # TLSRPT (mx2's certificate expires in 20 days; for DANE, mx2 has no
    # TLSA record and mx1 a single one)
    d = "demo.test"
    add("split", "smtp-starttls-" + d, "smtp_starttls", "check_smtp_starttls",
        SATELLITE, d, ca, 1)
    add("split", "dane-" + d, "tlsa", "check_tlsa", SATELLITE, d,
        ["--rollover"], 1)
    add("split", "mta-sts-" + d, "mta_sts", "check_mta_sts", SATELLITE, d,
        ca + ["--check-mx"], 1)
    add("split", "tlsrpt-" + d, "tlsrpt_record", "check_tlsrpt_record",
        MASTER, d, ca, 0)
    return rows


def hosts_conf(env):
    pin = '\tvars.mailtls_endpoint = %s' % ilit(SATELLITE)
    return (example_host(env, "mail", ("all-ok.sts.test",
                                       "checkmxbad.sts.test"), pin) +
            example_host(env, "split", ("demo.test",),
                         pin + "\n\tvars.mail_split = true\n"
                         "\tvars.mail_sts_check_mx = true"))


def zones_conf(master_port=None):
    """zones.conf of both nodes; the satellite's names the master's address
    (it connects), the master's names none."""
    where = "" if master_port is None else \
        ' host = "127.0.0.1"; port = "%d"; ' % master_port
    return "\n".join([
        'object Endpoint %s {%s}' % (ilit(MASTER), where),
        'object Zone %s { endpoints = [ %s ] }' % (ilit(MASTER),
                                                  ilit(MASTER)),
        'object Endpoint %s { }' % ilit(SATELLITE),
        'object Zone %s { parent = %s; endpoints = [ %s ] }' % (
            ilit(SATELLITE), ilit(MASTER), ilit(SATELLITE)),
        'object Zone "global-templates" { global = true }', ""])


def main_conf(ic, port, password, permissions, master_port=None):
    """icinga2.conf and zones.conf of a node: the master, or with
    master_port the satellite, which accepts config and commands from it."""
    satellite = master_port is not None
    with open(os.path.join(ic.etc, "zones.conf"), "w") as f:
        f.write(zones_conf(master_port))
    return ic.main_conf("\n".join([
        'include <itl>',
        'include "zones.conf"',
        'object CheckerComponent "checker" { }',
        'object ApiListener "api" {',
        '\tbind_host = "127.0.0.1"',
        '\tbind_port = %d' % port,
        '\taccept_config = %s' % ("true" if satellite else "false"),
        '\taccept_commands = %s' % ("true" if satellite else "false"),
        '}',
        'object ApiUser %s {' % ilit(API_USER),
        '\tpassword = %s' % ilit(password),
        '\tpermissions = [ %s ]' % ", ".join(ilit(p) for p in permissions),
        '}', ""]))


def test_distributed(tmp, env, plugin_dir):
    print("== icinga2 master and satellite (command_endpoint, config sync)")
    t0 = time.time()
    root = os.path.join(tmp, "distributed")
    m = Icinga(os.path.join(root, MASTER), "", node=MASTER)
    s = Icinga(os.path.join(root, SATELLITE), "", node=SATELLITE)
    m_plugins = plugin_links(m, plugin_dir, MASTER_PLUGINS)
    s_plugins = plugin_links(s, plugin_dir, SATELLITE_PLUGINS)
    m.defines["PluginContribDir"] = m_plugins
    s.defines["PluginContribDir"] = s_plugins

    # one CA (the master's), a certificate for each node signed by it
    err = make_certs(m) or make_certs(s, ca=m)
    if not check("icinga2 pki: a CA on the master, the master's and the "
                 "satellite's certificates signed by it", not err, err):
        return

    # the master: CheckCommands in the global zone, the objects in its own
    zd = os.path.join(m.etc, "zones.d")
    os.makedirs(os.path.join(zd, "global-templates"))
    os.makedirs(os.path.join(zd, MASTER))
    for p in command_files():
        os.symlink(p, os.path.join(zd, "global-templates",
                                   os.path.basename(p)))
    os.symlink(os.path.join(TEMPLATES, "examples.conf"),
               os.path.join(zd, MASTER, "mail-domains.conf"))
    with open(os.path.join(zd, MASTER, "hosts.conf"), "w") as f:
        f.write(hosts_conf(env))
    m_port, s_port = free_port(), free_port()
    while s_port == m_port:
        s_port = free_port()
    m_pw = base64.b16encode(os.urandom(12)).decode()
    s_pw = base64.b16encode(os.urandom(12)).decode()
    m_conf = main_conf(m, m_port, m_pw, [
        "status/query", "objects/query/*", "actions/reschedule-check"])
    s_conf = main_conf(s, s_port, s_pw, ["objects/query/*"], m_port)
    services = expected(env, plugin_dir, m_plugins, s_plugins)
    rc, out = m.validate(m_conf)
    ok = check("icinga2 -C: the master's configuration (%d services, the "
               "CheckCommands in zones.d/global-templates)" % len(services),
               rc == 0 and instantiated(out, len(services), "Services"),
               "exit %s\n%s" % (rc, out))
    rc, out = s.validate(s_conf)
    # before the sync the satellite knows no service and no mailtls command
    ok = check("icinga2 -C: the satellite's configuration (no Service, no "
               "CheckCommand file of its own)",
               rc == 0 and "Service" not in out and
               not [f for _, _, fs in os.walk(s.etc) for f in fs
                    if f.endswith(".conf") and f not in
                    ("icinga2.conf", "zones.conf")],
               "exit %s\n%s" % (rc, out)) and ok
    if not ok:
        return

    m_log = os.path.join(root, "master.log")
    s_log = os.path.join(root, "satellite.log")
    md, sd = Daemon(m, m_conf, m_log), Daemon(s, s_conf, s_log)
    got, left = {}, {}
    deadline = t0 + BUDGET
    try:
        md.start()
        status, why = wait_api(md, m_port, m_pw, deadline)
        if not check("master up, its API on 127.0.0.1:%d answered" % m_port,
                     status is not None, "%s\n%s" % (why, tail(m_log))):
            return
        sd.start()
        # the satellite connects, receives global-templates, validates it
        # and reloads: then its API knows the CheckCommand mailtls, built
        # with the satellite's own PluginContribDir
        cc, why = wait_api(sd, s_port, s_pw, deadline,
                           "/v1/objects/checkcommands/mailtls?attrs=command"
                           "&attrs=package&attrs=zone")
        synced = os.path.join(s.data, "api", "zones", "global-templates",
                              "_etc")
        files = sorted(os.listdir(synced)) if os.path.isdir(synced) else []
        want_files = sorted(os.path.basename(p) for p in command_files())
        attrs = (cc or {}).get("results", [{}])[0].get("attrs", {})
        command = attrs.get("command") or []
        if not check("satellite got zone global-templates from the master "
                     "(%s in %s; its CheckCommand mailtls runs %s)" % (
                         ", ".join(want_files), "DataDir/api/zones/"
                         "global-templates/_etc", command[:1]),
                     cc is not None and files == want_files and
                     attrs.get("zone") == "global-templates" and
                     command[:1] == [os.path.join(s_plugins,
                                                  "check_mailtls")],
                     "API: %s %s\nfiles: %s\n%s\n%s" % (
                         attrs, why, files, tail(s_log), tail(m_log))):
            return
        # the master sees the satellite connected (after its reload)
        connected, why = False, ""
        while time.time() < deadline and not connected:
            try:
                r = api(m_port, m_pw, "GET",
                        "/v1/objects/endpoints/%s?attrs=connected" %
                        SATELLITE)
                connected = r["results"][0]["attrs"]["connected"] is True
            except Exception as e:
                why = str(e)
            if not connected:
                time.sleep(0.3)
        if not check("master: Endpoint %s connected" % SATELLITE, connected,
                     "%s\n%s\n%s" % (why, tail(m_log), tail(s_log))):
            return
        t_start = time.time()
        up, why = reschedule_all(m_port, m_pw, len(services), t_start)
        if not check("master: every service rescheduled through its API",
                     up, "%s\n%s" % (why, tail(m_log))):
            return
        got = poll_results(m_port, m_pw, t_start, len(services), deadline)
    finally:
        # the satellite first: it would reconnect to a master gone
        left = {SATELLITE: sd.stop(), MASTER: md.stop()}
    check("both icinga2 stopped: none of their processes left",
          not left[SATELLITE] and not left[MASTER],
          "still running: %s" % left)
    print("     (master and satellite: %d results in %.1f s)" % (
        len(got), time.time() - t0))

    for host, name, cmd, node, iargv, argv, state in services:
        full = "%s!%s" % (host, name)
        cr = got.get(full)
        if cr is not None:
            icmd = cr.get("command")
            icmd = icmd if isinstance(icmd, list) else [str(icmd)]
            where = s_plugins if node == SATELLITE else m_plugins
            check("%s ran on the %s (check_source %r, plugin from its "
                  "PluginContribDir)" % (full, node, cr.get("check_source")),
                  cr.get("check_source") == node and
                  icmd[:1] == [iargv[0]] and
                  os.path.dirname(icmd[0]) == where,
                  "check_source %r, command %s" % (cr.get("check_source"),
                                                    icmd))
        compare_result("master's API: %s (%s) equals a direct run" % (
            full, cmd), cmd, cr, argv, iargv,
            log=s_log if node == SATELLITE else m_log, want_state=state)
