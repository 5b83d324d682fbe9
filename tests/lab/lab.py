#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The loopback test lab: DNSSEC-signed zones, scripted SMTP peers, HTTPS.

`lab.py up STATEDIR` makes a test PKI (certtool), writes and signs the DNS
zones under the reserved `test.` TLD (ldns-keygen, ldns-signzone; RFC 4033-
4035, RFC 6761 §6.2), and starts, with its own config files in STATEDIR:
nsd on 127.53.0.1:53 and [::1]:53, the SMTP peers of smtp_peer.py on 127.2.0.x:25 and
[::1]:25, and nginx on 127.3.0.x:443 for MTA-STS policy hosts (RFC 8461
§3.3), one address per host; smtp_peer.py also plays the hostile policy
hosts (127.3.0.2xx:443) that nginx cannot. It returns once every daemon
answers, and writes STATEDIR/lab.env. `lab.py down STATEDIR` stops what
`up` started (by the pids it recorded) and may be run any number of times.
`lab.py table` prints the host table of tests/lab/README.md, `lab.py table
sts` its table of the sts.test. scenario domains, `lab.py table dane` and
`lab.py table rpt` those of the DANE (dane.test.) and TLSRPT (rpt.test.)
scenarios.
Everything listens on loopback only; all keys and certificates are made at
`up` and live in STATEDIR only, and so are the TLSA records computed from
them.

The tables below (SECURE_PEERS, DEMO_PEERS, HOSTILE_PEERS, LATE_PEERS,
DANE_HOSTS, DANE_DOMAINS, DANE_ELSEWHERE, STS_DOMAINS, RPT_DOMAINS,
RPT_HELPERS, RPT_SITES, HTTPS_SITES) drive everything; add a host, a
scenario domain or an HTTPS site there.
"""

import concurrent.futures
import datetime
import hashlib
import json
import os
import random
import shlex
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RESOLVER = "127.53.0.1"
PEER_NET = "127.2.0."
V6 = "::1"
DAY = 86400
TTL = 300


def txt(strings):
    """TXT rdata: the strings, each quoted."""
    for t in strings:
        assert '"' not in t and "\\" not in t, t
    return " ".join('"%s"' % t for t in strings)


# The SMTP peers in secure.test.: (label, options). The host is
# LABEL.secure.test, the behaviour is the label (see smtp_peer.py), and the
# peers get 127.2.0.1, .2, ... in this order. Options: "v4": number of IPv4
# addresses (default 1); "v6": also AAAA ::1 (the one [::1]:25 listener);
# "cert": the leaf certificate (see leaf_profile()).
SECURE_PEERS = [
    ("good", {}),
    ("good2", {"v4": 2}),
    ("ipv6", {"v4": 0, "v6": True}),
    ("nostarttls", {}),
    ("starttls454", {}),
    ("handshakeabort", {}),
    ("expired", {"cert": {"not_before": -400, "not_after": -5}}),
    ("expiring", {"cert": {"not_after": 10}}),
    ("expiringwarn", {"cert": {"not_after": 20}}),
    ("wrongname", {"cert": {"names": ["other.secure.test"]}}),
    ("selfsigned", {"cert": {"issuer": "self"}}),
    ("untrusted", {"cert": {"issuer": "untrusted"}}),
    ("notyetvalid", {"cert": {"not_before": 10, "not_after": 375}}),
    ("greet421", {}),
    ("greet554", {}),
    ("stall", {}),
    ("endless", {}),
    ("longline", {}),
    ("hugeline", {}),
    ("garbage", {}),
    ("injection", {}),
    ("readvertise", {}),
    ("multigreet", {}),
    ("tls12only", {}),
    ("ehlofailtls", {}),
    ("mixedcode", {}),
    ("cisco", {}),
    ("lowercase", {}),
    ("xstarttls", {}),
    ("ehlo5xx", {}),
    ("manylines", {}),
    ("pipebanner", {}),
    ("chainwarn", {"cert": {"issuer": "inter2"}}),
    ("slow", {}),
]

# Peers outside secure.test.: (host, behaviour, options), addresses after
# the secure peers. "sni_on_v6": the [::1]:25 listener also serves this
# host's certificate (same key) when the client's SNI names it.
DEMO_PEERS = [
    ("mx1.demo.test", "good", {"sni_on_v6": True}),
    ("mx2.demo.test", "good", {"cert": {"not_after": 20}}),
]

# The DANE scenario hosts in dane.test. (RFC 6698, RFC 7671, RFC 7672 for
# SMTP): (label, options), the host is LABEL.dane.test. Unless an option
# says otherwise each is an SMTP peer (behaviour "good", one IPv4 address
# at the end of LATE_PEERS, a leaf from the test intermediate for its name,
# sent with the intermediate) with an A record, and the TLSA records "tlsa"
# at _25._tcp.LABEL.dane.test. A TLSA record is written "U S M SOURCE", the
# data computed at `up` from the certificates made then (tlsa_data()):
# usage U, selector S (0 the certificate's DER, 1 its SubjectPublicKeyInfo
# DER), matching type M (0 the DER itself, 1 SHA-256, 2 SHA-512) of SOURCE:
# "leaf" (this host's leaf), the host name of another leaf, "ca" (the
# root), "inter", "inter2" or "untrusted-ca"; "randomN" is N random
# octets, the same within one `up` (whatever S and M say), "randomN-K"
# another N random octets for each K, and "SOURCE/N" keeps the first N
# octets of the data only. Options:
#   "what": one line for the tables
#   "tlsa": the TLSA records at _25._tcp.LABEL ([] none)
#   "peer": False: no SMTP peer (and no A record) for this name
#   "behaviour", "v4", "cert": as in SECURE_PEERS; "cert" may also say
#     "chain_root": True (the server sends leaf, intermediate and root)
#   "records": more records (owner relative to dane.test., type, rdata);
#     a TLSA rdata is in the notation above ("leaf" is this row's host)
DANE_HOSTS = [
    ("ee311", {"tlsa": ["3 1 1 leaf"], "what": "DANE-EE SPKI SHA-256"}),
    ("ee301", {"tlsa": ["3 0 1 leaf"], "what": "DANE-EE certificate SHA-256"}),
    ("ee312", {"tlsa": ["3 1 2 leaf"], "what": "DANE-EE SPKI SHA-512"}),
    ("ee310", {"tlsa": ["3 1 0 leaf"], "what": "DANE-EE full SPKI"}),
    ("ta201", {"tlsa": ["2 0 1 inter"],
               "what": "DANE-TA intermediate certificate SHA-256"}),
    ("ta211", {"tlsa": ["2 1 1 inter"],
               "what": "DANE-TA intermediate SPKI SHA-256"}),
    ("ta200", {"tlsa": ["2 0 0 inter"],
               "what": "DANE-TA full intermediate certificate"}),
    ("eenomatch", {"tlsa": ["3 1 1 good.secure.test"],
                   "what": "DANE-EE of another key (good.secure.test's)"}),
    ("tanomatch", {"tlsa": ["2 0 1 untrusted-ca"],
                   "what": "DANE-TA of a CA not in the chain"}),
    ("eeexpired", {"tlsa": ["3 1 1 leaf"],
                   "cert": {"not_before": -400, "not_after": -5},
                   "what": "DANE-EE matches, leaf expired (EE ignores it)"}),
    ("eewrongname", {"tlsa": ["3 1 1 leaf"],
                     "cert": {"names": ["other.dane.test"]},
                     "what": "DANE-EE matches, leaf names other.dane.test "
                             "(EE ignores it)"}),
    ("eeselfsigned", {"tlsa": ["3 1 1 leaf"], "cert": {"issuer": "self"},
                      "what": "DANE-EE matches a self-signed leaf"}),
    ("taexpired", {"tlsa": ["2 0 1 inter"],
                   "cert": {"not_before": -400, "not_after": -5},
                   "what": "DANE-TA matches, leaf expired"}),
    ("tawrongname", {"tlsa": ["2 0 1 inter"],
                     "cert": {"names": ["other.dane.test"]},
                     "what": "DANE-TA matches, leaf names other.dane.test"}),
    ("tarootmissing", {"tlsa": ["2 0 1 ca"],
                       "what": "DANE-TA of the root, which the server does "
                               "not send"}),
    ("tarootsent", {"tlsa": ["2 0 1 ca"], "cert": {"chain_root": True},
                    "what": "DANE-TA of the root, sent with leaf and "
                            "intermediate"}),
    ("unusable", {"tlsa": ["1 1 1 leaf"],
                  "what": "PKIX-EE only (unusable for SMTP)"}),
    ("badlen", {"tlsa": ["3 1 1 leaf/31"],
                "what": "3 1 1 with 31 octets (the digest minus its last)"}),
    ("badlenplus", {"tlsa": ["3 1 1 leaf", "3 1 1 leaf/31"],
                    "what": "a good 3 1 1 and a 31-octet one"}),
    ("pkixplus", {"tlsa": ["3 1 1 leaf", "0 0 1 inter"],
                  "what": "a good 3 1 1 and a PKIX-TA (unusable)"}),
    ("agility", {"tlsa": ["3 1 1 leaf", "3 1 2 random64"],
                 "what": "a good 3 1 1 and a SHA-512 that matches nothing"}),
    ("rollover", {"tlsa": ["3 1 1 leaf", "3 1 1 random32"],
                  "what": "a good 3 1 1 and one of a key not in use"}),
    ("only301", {"tlsa": ["3 0 1 leaf"],
                 "what": "3 0 1 only (breaks when the certificate is "
                         "renewed)"}),
    ("stale", {"tlsa": ["3 1 1 leaf", "2 0 1 untrusted-ca"],
               "what": "a good 3 1 1 and a DANE-TA that matches nothing"}),
    ("nostarttls", {"tlsa": ["3 1 1 leaf"], "behaviour": "nostarttls",
                    "what": "TLSA, but no STARTTLS"}),
    ("notlsa", {"what": "no TLSA record"}),
    ("alias", {"peer": False,
               "records": [("alias", "CNAME", "ee311.dane.test.")],
               "what": "CNAME to ee311.dane.test (TLSA at the target "
                       "only)"}),
    ("alias2", {"peer": False,
                "records": [("alias2", "CNAME", "plain.dane.test."),
                            ("_25._tcp.alias2", "TLSA",
                             "3 1 1 plain.dane.test")],
                "what": "CNAME to plain.dane.test (no TLSA); TLSA of "
                        "plain's leaf at _25._tcp.alias2"}),
    ("plain", {"what": "no TLSA (the target of alias2)"}),
    ("tlsacname", {"records": [("_25._tcp.tlsacname", "CNAME",
                                "_tlsa.shared.dane.test."),
                               ("_tlsa.shared", "TLSA", "2 0 1 inter")],
                   "what": "_25._tcp.tlsacname is a CNAME to "
                           "_tlsa.shared.dane.test (TLSA 2 0 1 inter)"}),
    ("tls11", {"tlsa": ["3 1 1 leaf"], "behaviour": "tls11only",
               "what": "TLS 1.1 at most"}),
    ("twoaddr", {"tlsa": ["3 1 1 leaf"], "v4": 2,
                 "what": "two addresses, the same certificate"}),
    ("tanexthop", {"tlsa": ["2 0 1 inter"],
                   "cert": {"names": ["dom-nexthop.dane.test"]},
                   "what": "DANE-TA; the leaf names the next-hop domain "
                           "dom-nexthop.dane.test only"}),
    ("mixed", {"peer": False,
               "records": [("mixed", "ADDR", "ee311.dane.test"),
                           ("mixed", "ADDR", "ee301.dane.test"),
                           ("_25._tcp.mixed", "TLSA",
                            "3 1 1 ee311.dane.test"),
                           ("_25._tcp.mixed", "TLSA",
                            "3 0 1 ee301.dane.test")],
               "what": "ee311's and ee301's addresses; each matches its "
                       "own record (two keys behind one name)"}),
    ("tlsains", {"peer": False,
                 "records": [("tlsains", "ADDR", "ee311.dane.test")],
                 "what": "secure addresses (ee311's); its TLSA lives in "
                         "the unsigned child zone _tcp.tlsains.dane.test"}),
    ("tlsabogus", {"peer": False,
                   "records": [("tlsabogus", "ADDR", "ee311.dane.test")],
                   "what": "secure addresses (ee311's); its TLSA lives in "
                           "_tcp.tlsabogus.dane.test, whose DS does not "
                           "match its key"}),
    ("bigtlsa", {"peer": False,
                 "records": [("bigtlsa", "ADDR", "ee311.dane.test"),
                             ("_25._tcp.bigtlsa", "TLSA",
                              "3 1 1 ee311.dane.test")] +
                            [("_25._tcp.bigtlsa", "TLSA",
                              "3 1 1 random32-%d" % k) for k in range(64)],
                 "what": "ee311's addresses; 65 TLSA records (about 4 KB, "
                         "TCP only): ee311's 3 1 1 and 64 of keys not in "
                         "use"}),
    # CONFORMANCE section 10 (what real senders do)
    ("ehlotls", {"tlsa": ["3 1 1 leaf"], "behaviour": "ehlofailtls",
                 "what": "3 1 1 matches; EHLO after STARTTLS answered 554 "
                         "(DANE-34)"}),
    ("rsapss", {"tlsa": ["3 1 1 leaf", "3 1 0 leaf"],
                "cert": {"key": "rsa-pss"},
                "what": "RSA-PSS leaf, 3 1 1 and 3 1 0 over its SPKI as "
                        "it stands in the certificate (DANE-30)"}),
    ("taclient", {"tlsa": ["2 0 1 inter"], "cert": {"eku": "client"},
                  "what": "DANE-TA 2 0 1; the leaf is for clientAuth only "
                          "(PKIX-02)"}),
    ("eeclient", {"tlsa": ["3 1 1 leaf"], "cert": {"eku": "client"},
                  "what": "DANE-EE 3 1 1; the leaf is for clientAuth only "
                          "(EE ignores it)"}),
    ("tacross", {"tlsa": ["2 0 1 inter"], "cert": {"cross": "expired"},
                 "what": "DANE-TA 2 0 1; an expired cross-signed root sent "
                         "as well (PKIX-01)"}),
    ("ta210", {"tlsa": ["2 1 0 inter"], "cert": {"send": "leaf"},
               "what": "DANE-TA 2 1 0 of the intermediate's key; only the "
                       "leaf is sent (DANE-35)"}),
    ("cnameins", {"peer": False,
                  "records": [("cnameins", "CNAME",
                               "cnametarget.insecure.test."),
                              ("_25._tcp.cnameins", "TLSA",
                               "3 1 1 ee311.dane.test")],
                  "what": "secure CNAME to cnametarget.insecure.test "
                          "(ee311's address, unsigned); TLSA of ee311 at "
                          "the original name (DANE-31)"}),
    ("cnameinsbad", {"peer": False,
                     "records": [("cnameinsbad", "CNAME",
                                  "cnametarget.insecure.test."),
                                 ("_25._tcp.cnameinsbad", "TLSA",
                                  "3 1 1 random32")],
                     "what": "as cnameins, the TLSA matches no key "
                             "(DANE-31)"}),
    ("cnametlsains", {"peer": False,
                      "records": [("cnametlsains", "CNAME",
                                   "tlsains.dane.test."),
                                  ("_25._tcp.cnametlsains", "TLSA",
                                   "3 1 1 ee311.dane.test")],
                      "what": "CNAME to tlsains.dane.test, whose TLSA is "
                              "insecure; TLSA of ee311 at the original "
                              "name (DANE-32)"}),
    ("tacnamed", {"tlsa": ["2 0 1 inter"],
                  "cert": {"names": ["dom-cnametarget.dane.test"]},
                  "records": [("dom-cnamed", "CNAME",
                               "dom-cnametarget.dane.test."),
                              ("dom-cnametarget", "MX",
                               "10 tacnamed.dane.test.")],
                  "what": "DANE-TA; the leaf names only "
                          "dom-cnametarget.dane.test, the CNAME target of "
                          "the mail domain dom-cnamed.dane.test (DANE-33)"}),
    ("ta211exp", {"tlsa": ["2 1 1 inter3"], "cert": {"issuer": "inter3"},
                  "what": "DANE-TA 2 1 1 of an intermediate that expired "
                          "(issue 13 item 11)"}),
    ("ta211expca", {"tlsa": ["2 1 1 ca"],
                    "cert": {"issuer": "inter3", "chain_root": True},
                    "what": "DANE-TA 2 1 1 of the root, sent; the "
                            "intermediate below it expired (issue 13 "
                            "item 11)"}),
    ("dualtlsa", {"tlsa": ["3 1 1 leaf"], "cert": {"rsa": {}},
                  "what": "an ECDSA and an RSA leaf; 3 1 1 of the ECDSA "
                          "leaf only (issue 13 item 19)"}),
    ("mx70", {"peer": False,
              "records": [r for i in range(1, 71) for r in (
                  ("dom-mx70", "MX", "%d m%02d.mx70.dane.test." % (i, i)),
                  ("m%02d.mx70" % i, "ADDR", "ee311.dane.test"),
                  ("_25._tcp.m%02d.mx70" % i, "TLSA",
                   "3 1 1 ee311.dane.test"))],
              "what": "the mail domain dom-mx70.dane.test: 70 MX "
                      "m01..m70.mx70.dane.test, each at ee311's address "
                      "with ee311's 3 1 1 (70 sessions, DANE-36)"}),
]

# Child zones of dane.test. for TLSA RRsets that are insecure (no DS in
# the parent) or bogus (a DS of a key never used): {zone: "insecure" |
# "bogus"}; their records are in DANE_ELSEWHERE.
DANE_SUBZONES = {
    "_tcp.tlsains.dane.test.": "insecure",
    "_tcp.tlsabogus.dane.test.": "bogus",
}

# Mail domains in dane.test.: (label, MX rdatas, what).
DANE_DOMAINS = [
    ("dom-ok", ["10 ee311.dane.test.", "20 ta201.dane.test."],
     "every MX host has a matching TLSA"),
    ("dom-some", ["10 ee311.dane.test.", "20 notlsa.dane.test."],
     "one MX host with TLSA, one without"),
    ("dom-none", ["10 notlsa.dane.test."], "no MX host has TLSA"),
    ("dom-bad", ["10 ee311.dane.test.", "20 eenomatch.dane.test."],
     "one MX host's TLSA does not match"),
    ("dom-nexthop", ["10 tanexthop.dane.test."],
     "the MX host's certificate names this domain (RFC 7672 §3.2.3)"),
    ("dom-alias", ["10 alias2.dane.test."],
     "MX host is a CNAME (alias2), TLSA at the original name"),
]

# DANE records in other zones: {zone: [(owner, type, rdata, what)]}. A TLSA
# rdata is in the DANE_HOSTS notation; "ADDR" is the A records of a host.
DANE_ELSEWHERE = {
    "insecure.test.": [
        ("cnametarget", "ADDR", "ee311.dane.test",
         "the insecure target of cnameins.dane.test (DANE-31)"),
        ("daneins", "ADDR", "ee311.dane.test",
         "an insecure host (DANE does not apply)"),
        ("_25._tcp.daneins", "TLSA", "3 1 1 ee311.dane.test",
         "ee311's leaf"),
        ("dom-insmx", "MX", "10 ee311.dane.test.",
         "an insecure MX RRset to a secure DANE host"),
    ],
    "bogus.test.": [
        ("danebogus", "ADDR", "ee311.dane.test",
         "bogus: every answer fails validation"),
        ("_25._tcp.danebogus", "TLSA", "3 1 1 ee311.dane.test",
         "ee311's leaf"),
    ],
    "_tcp.tlsains.dane.test.": [
        ("_25", "TLSA", "3 1 1 ee311.dane.test",
         "an insecure TLSA RRset (unsigned child zone)"),
    ],
    "_tcp.tlsabogus.dane.test.": [
        ("_25", "TLSA", "3 1 1 ee311.dane.test",
         "a bogus TLSA RRset (the DS matches no key)"),
    ],
}


def dane_peers():
    """The SMTP peers of DANE_HOSTS, as LATE_PEERS entries."""
    out = []
    for label, opt in DANE_HOSTS:
        if opt.get("peer", True):
            o = {k: opt[k] for k in ("v4", "cert") if k in opt}
            out.append((label + ".dane.test", opt.get("behaviour", "good"),
                        o))
    return out


# The hostile peers of tests/integration/hostile.cases, after the DANE
# peers (a new DANE row moves them): (host, behaviour, options) as in
# DEMO_PEERS. The last four behave well; their certificates are the point.
MXFARM_NAMES = ["mxfarm.secure.test", "*.dom-mx50.secure.test",
                "*.mx100.insecure.test", "*.mx50.sts.test",
                "*.mx300.insecure.test"]
HOSTILE_PEERS = [
    ("tenmb.secure.test", "tenmb", {}),
    ("greet10k.secure.test", "greet10k", {}),
    ("starttlsmixed.secure.test", "starttlsmixed", {}),
    ("midhandshake.secure.test", "midhandshake", {}),
    ("tlsalert.secure.test", "tlsalert", {}),
    ("tlsinternal.secure.test", "tlsinternal", {}),
    ("nulbanner.secure.test", "nulbanner", {}),
    ("bigcert.secure.test", "good", {"cert": {"big_ext": 100000}}),
    ("manysans.secure.test", "good", {"cert": {"names": [
        "san%02d.manysans.secure.test" % i for i in range(1, 100)] + [
        "manysans.secure.test"]}}),
    ("deepchain.secure.test", "good", {"cert": {"issuer": "deep"}}),
    ("mxfarm.secure.test", "good", {"cert": {"names": MXFARM_NAMES}}),
]

# Peers added after the demo peers, so that no earlier address moves (the
# README's example output shows the demo addresses): (host, behaviour,
# options) as in DEMO_PEERS. Then the DANE peers (a new row at the end of
# DANE_HOSTS moves only the hostile peers), then the hostile peers.
# For make bench: eight hosts of two addresses each whose every reply line
# comes 200 ms late, the MX hosts of bench8.secure.test (bench/README.md).
BENCH_PEERS = [("delay%d.secure.test" % i, "delay200", {"v4": 2})
               for i in range(1, 9)]

# Peers of CONFORMANCE section 10 (what real senders do), last so that no
# earlier address moves: (host, behaviour, options) as in DEMO_PEERS.
PKIX_PEERS = [
    ("crossexpired.secure.test", "good", {"cert": {"cross": "expired"}}),
    ("crossexpiring.secure.test", "good", {"cert": {"cross": "expiring"}}),
    ("clientauth.secure.test", "good", {"cert": {"eku": "client"}}),
    ("rsapss.secure.test", "good", {"cert": {"key": "rsa-pss"}}),
    ("dualgood.secure.test", "good", {"cert": {"rsa": {}}}),
    # its connections are counted (check_mailtls: one per address)
    ("count.secure.test", "good", {}),
    ("dualrsaexpired.secure.test", "good",
     {"cert": {"rsa": {"not_before": -400, "not_after": -5}}}),
]

LATE_PEERS = [
    ("tls11only.secure.test", "tls11only", {}),
] + dane_peers() + HOSTILE_PEERS + BENCH_PEERS + PKIX_PEERS

POLICY_PATH = ".well-known/mta-sts.txt"


def sts_policy(mode="enforce", mx=("good.secure.test", "good2.secure.test"),
               max_age=604800):
    """An MTA-STS policy text (RFC 8461 §3.2), LF line ends."""
    return "".join(["version: STSv1\n", "mode: %s\n" % mode] +
                   ["mx: %s\n" % m for m in mx] +
                   ["max_age: %d\n" % max_age])


STS_DEMO = sts_policy(mx=("mx1.demo.test", "mx2.demo.test"))
POLICY_OK = sts_policy()
STS_TXT = "v=STSv1; id=20261101"
# check_mailtls's domains report to a mailto: that can receive (rpt.test)
RPT_MAILTO_ALL = "v=TLSRPTv1; rua=mailto:tlsrpt@mx-ok.rpt.test"


def _big_sts_txt():
    """A valid STS record of about 60 KB (290 extension fields, RFC 8461
    §3.1 sts-extension), as TXT strings of 255 octets."""
    rec = STS_TXT + "".join("; ext%03d=%s" % (i, "v" * 200)
                            for i in range(290))
    return [rec[i:i + 255] for i in range(0, len(rec), 255)]


BIG_STS_TXT = _big_sts_txt()
STS_MX = ["10 good.secure.test.", "20 good2.secure.test."]

def all_domain(mx, what, sts=True, mode="enforce", covered=None,
               policy=None, site=None, rpt=RPT_MAILTO_ALL):
    """A check_mailtls scenario of STS_DOMAINS: MX host(s) MX, an MTA-STS
    record and policy (mode MODE, covering COVERED, default the MX hosts;
    or POLICY as it stands; none when not STS), its policy host's SITE
    options, and the TLSRPT record RPT (None: none)."""
    hosts = mx if isinstance(mx, list) else [mx]
    opt = {"mx": ["%d %s." % (10 * (i + 1), h) for i, h in enumerate(hosts)],
           "what": what}
    if sts:
        opt["policy"] = policy or sts_policy(mode=mode,
                                             mx=covered or hosts)
        if site:
            opt["site"] = site
    else:
        opt["txt"] = []
        opt["host"] = None
    if rpt is not None:
        opt["rpt"] = rpt
    return opt


def second_address(label, policy, what, **cert):
    """A second HTTPS site for mta-sts.LABEL.sts.test: its own address
    under the policy host's name (an A record "a_name"), a certificate for
    that name (more of its profile in CERT), POLICY at the policy path."""
    host = "mta-sts.%s.sts.test" % label
    return {"name": "mta-sts-b.%s.sts.test" % label, "a_name": host,
            "cert": dict(cert, names=[host]),
            "files": {POLICY_PATH: policy},
            "what": "%s's second address: %s" % (host, what)}


# The MTA-STS scenario domains in sts.test.: (label, options), the domain is
# LABEL.sts.test. Unless an option says otherwise it has TXT STS_TXT at
# _mta-sts.LABEL, the MX records STS_MX, and a policy host
# mta-sts.LABEL.sts.test (an HTTPS site, A record to its own address)
# serving POLICY_OK at /.well-known/mta-sts.txt as text/plain. Options:
#   "what": one line for the tables
#   "txt": the TXT RRs at _mta-sts.LABEL, each a list of strings ([] none)
#   "mx": the MX rdatas ([] none); "a_of": hosts whose IPv4 addresses the
#     domain itself gets (an implicit MX)
#   "records": more (owner relative to sts.test., type, rdata)
#   "records": ... "ADDR" as type: the A records of the host named as rdata
#   "policy": the policy body; "site": more options of the policy host's
#     HTTPS site (see HTTPS_SITES); "host": None for no policy host at all,
#     or an address for an A record with no site behind it
#   "peer": with "host": a scripted HTTPS peer of smtp_peer.py listens on
#     that address, port 443, with this behaviour (HTTP_BEHAVIOURS there,
#     or "stall"), a certificate for the policy host name from the test
#     intermediate, and "policy" to build its answers from
#   "late": the policy host's site goes after RPT_SITES, at the end of
#     HTTPS_SITES (rows added after the TLSRPT sites, which must not move)
#   "sites": more HTTPS sites (full entries of HTTPS_SITES) after this one
STS_DOMAINS = [
    ("ok", {"what": "valid record and policy (enforce), MX covered"}),
    ("cname", {
        "what": "_mta-sts is a CNAME to _mta-sts.provider (TXT id=20261102);"
                " mta-sts.provider serves an invalid policy (mode: bogus)",
        "txt": [],
        "records": [("_mta-sts.cname", "CNAME", "_mta-sts.provider.sts.test."),
                    ("_mta-sts.provider", "TXT", '"v=STSv1; id=20261102"')],
        "sites": [{"name": "mta-sts.provider.sts.test",
                   "files": {POLICY_PATH: "version: STSv1\nmode: bogus\n"},
                   "what": "invalid policy (mode: bogus)"}]}),
    ("multistr", {"what": 'TXT in two strings "v=STSv1; id=2019" "0101"',
                  "txt": [["v=STSv1; id=2019", "0101"]]}),
    ("unrelated", {"what": 'two TXT RRs: "v=spf1 -all" and a valid one',
                   "txt": [["v=spf1 -all"], [STS_TXT]]}),
    ("versionlast", {
        "what": "policy with version: last",
        "policy": "mode: enforce\nmx: good.secure.test\n"
                  "mx: good2.secure.test\nversion: STSv1\nmax_age: 604800\n"}),
    ("crlf", {"what": "policy with CRLF line ends",
              "policy": POLICY_OK.replace("\n", "\r\n")}),
    ("charset", {"what": "Content-Type: Text/Plain; charset=utf-8",
                 "site": {"content_type": "Text/Plain; charset=utf-8"}}),
    ("flowed", {"what": "Content-Type: text/plain; format=flowed",
                "site": {"content_type": "text/plain; format=flowed"}}),
    ("wildcard", {"what": "policy mx: *.secure.test only",
                  "policy": sts_policy(mx=["*.secure.test"])}),
    ("implicit", {"what": "no MX, A 127.2.0.1 (good's); policy mx: "
                          "implicit.sts.test",
                  "mx": [], "a_of": ["good.secure.test"],
                  "policy": sts_policy(mx=["implicit.sts.test"])}),
    ("notxt", {"what": "no _mta-sts TXT (and no policy host)", "txt": [],
               "host": None}),
    ("twotxt", {"what": "two STSv1 TXT RRs, id=aaa and id=bbb",
                "txt": [["v=STSv1; id=aaa"], ["v=STSv1; id=bbb"]]}),
    ("badid", {"what": "TXT id=2024-01-01 (not alphanumeric)",
               "txt": [["v=STSv1; id=2024-01-01"]]}),
    ("spacedv", {"what": 'TXT "v=STSv1 ; id=20261101" (space before ;)',
                 "txt": [["v=STSv1 ; id=20261101"]]}),
    ("nohost", {"what": "mta-sts.nohost has no address (NXDOMAIN)",
                "host": None}),
    ("refused", {"what": "mta-sts.refused is 127.3.0.250, nothing listens",
                 "host": "127.3.0.250"}),
    ("stall", {"what": "mta-sts.stall is 127.3.0.251:443, where a peer "
                       "accepts and never answers (not even TLS)",
               "host": "127.3.0.251", "peer": "stall"}),
    ("redirect", {"what": "301 to https://mta-sts.ok.sts.test/"
                          ".well-known/mta-sts.txt",
                  "site": {"status": 301,
                           "location": "https://mta-sts.ok.sts.test/"
                                       ".well-known/mta-sts.txt"}}),
    ("notfound", {"what": "404", "site": {"status": 404}}),
    ("html", {"what": "Content-Type: text/html",
              "site": {"content_type": "text/html"}}),
    ("big", {"what": "policy body of 65537 bytes (valid policy, then "
                     "x: padding lines)",
             "site": {"big": 65537}}),
    ("expiredcert", {"what": "policy host certificate expired",
                     "site": {"cert": {"not_before": -400,
                                       "not_after": -5}}}),
    ("wrongcert", {"what": "policy host certificate for other.sts.test",
                   "site": {"cert": {"names": ["other.sts.test"]}}}),
    ("selfsigned", {"what": "policy host certificate self-signed",
                    "site": {"cert": {"issuer": "self"}}}),
    ("certexpiring", {"what": "policy host certificate expires in 20 days",
                      "site": {"cert": {"not_after": 20}}}),
    ("invalid", {"what": "policy without max_age",
                 "policy": POLICY_OK.replace("max_age: 604800\n", "")}),
    ("testing", {"what": "mode: testing",
                 "policy": sts_policy(mode="testing")}),
    ("modenone", {"what": "mode: none, no mx, max_age 86400",
                  "policy": "version: STSv1\nmode: none\nmax_age: 86400\n"}),
    ("shortage", {"what": "max_age: 3600",
                  "policy": sts_policy(max_age=3600)}),
    ("uncovered", {"what": "policy mx: good only; MX good and good2",
                   "policy": sts_policy(mx=["good.secure.test"])}),
    ("uncoveredtesting", {"what": "as uncovered, mode: testing",
                          "policy": sts_policy(mode="testing",
                                               mx=["good.secure.test"])}),
    ("stale", {"what": "policy has an extra mx: old.sts.test (no such MX)",
               "policy": sts_policy(mx=["good.secure.test",
                                        "good2.secure.test",
                                        "old.sts.test"])}),
    ("nullmx", {"what": "MX 0 . only; policy POLICY_OK", "mx": ["0 ."]}),
    ("mxcname", {"what": "MX 10 mxalias.sts.test, a CNAME to "
                         "good.secure.test; policy mx: mxalias.sts.test",
                 "mx": ["10 mxalias.sts.test."],
                 "records": [("mxalias", "CNAME", "good.secure.test.")],
                 "policy": sts_policy(mx=["mxalias.sts.test"])}),
    ("checkmxbad", {"what": "MX good and wrongname.secure.test (bad "
                            "certificate); policy mx: *.secure.test",
                    "mx": ["10 good.secure.test.",
                           "20 wrongname.secure.test."],
                    "policy": sts_policy(mx=["*.secure.test"])}),
    ("mixed", {"what": "MX good and nostarttls.secure.test (no STARTTLS); "
                       "policy mx: *.secure.test",
               "mx": ["10 good.secure.test.", "20 nostarttls.secure.test."],
               "policy": sts_policy(mx=["*.secure.test"])}),
    ("oldtls", {"what": "MX good and tls11only.secure.test (TLS 1.1 at "
                        "most); policy mx: *.secure.test",
                "mx": ["10 good.secure.test.", "20 tls11only.secure.test."],
                "policy": sts_policy(mx=["*.secure.test"])}),
    ("checkmxtesting", {"what": "as checkmxbad, mode: testing",
                        "mx": ["10 good.secure.test.",
                               "20 wrongname.secure.test."],
                        "policy": sts_policy(mode="testing",
                                             mx=["*.secure.test"])}),
    ("iplit", {"what": "policy has an extra mx: 127.2.0.1 (an IP literal)",
               "policy": sts_policy(mx=["good.secure.test",
                                        "good2.secure.test", "127.2.0.1"])}),
    ("dupkey", {"what": "policy has mode: enforce, then mode: none",
                "policy": POLICY_OK.replace("mode: enforce\n",
                                            "mode: enforce\nmode: none\n")}),
    # hostile policy hosts (smtp_peer.py) and DNS, for hostile.cases
    ("headstall", {"host": "127.3.0.201", "peer": "headstall",
                   "what": "status line and headers (Content-Length: 88) "
                           "sent, the body never"}),
    ("chunked", {"host": "127.3.0.202", "peer": "chunkedendless",
                 "what": "Transfer-Encoding: chunked without end: the "
                         "policy, then 4 KiB chunks of x: lines"}),
    ("gzip", {"host": "127.3.0.203", "peer": "gzipbomb",
              "what": "Content-Encoding: gzip, never asked for: about 30 KiB "
                      "that inflate to the policy and 10 MiB of x: lines"}),
    ("lenslow", {"host": "127.3.0.204", "peer": "lenslow",
                 "what": "Content-Length: 104857600; the policy, then a "
                         "line x: slow every 0.5 s"}),
    ("lenfast", {"host": "127.3.0.205", "peer": "lenfast",
                 "what": "Content-Length: 104857600; the policy, then x: "
                         "lines as fast as the client reads"}),
    ("nulbody", {"host": "127.3.0.206", "peer": "nulbody",
                 "what": "policy with a NUL in the mode: "
                         "mode: enforce\\0testing"}),
    ("redirloop", {"late": True,
                   "site": {"status": 301,
                            "location": "https://mta-sts.redirloop.sts.test/"
                                        ".well-known/mta-sts.txt"},
                   "what": "301 to its own policy URL (a redirect loop)"}),
    # libunbound validates an RRset only if its canonical form (owner
    # names uncompressed) fits in 64 KiB: many small RRs, not big ones
    ("bigtxt", {"late": True,
                "txt": [["pad%04d" % i] for i in range(1000)] + [[STS_TXT]],
                "what": '1001 TXT RRs (20 KB, TCP only): 1000 unrelated ones '
                        '"pad0000" to "pad0999", and a valid one'}),
    ("bigtxtone", {"late": True, "txt": [BIG_STS_TXT],
                   "what": "one valid TXT record of %d strings, %d octets "
                           "(TCP only): id=20261101 and 290 extension "
                           "fields extNNN=vvv..." % (
                               len(BIG_STS_TXT),
                               len("".join(BIG_STS_TXT)))}),
    ("cnameloop", {"late": True, "txt": [],
                   "records": [("_mta-sts.cnameloop", "CNAME",
                                "_mta-sts.cnameloop2.sts.test."),
                               ("_mta-sts.cnameloop2", "CNAME",
                                "_mta-sts.cnameloop.sts.test.")],
                   "what": "_mta-sts is a CNAME to _mta-sts.cnameloop2, a "
                           "CNAME back to it (a loop)"}),
    ("mxloop", {"late": True,
                "mx": ["10 good.secure.test.", "20 mxloop1.secure.test."],
                "policy": sts_policy(mx=["good.secure.test",
                                         "mxloop1.secure.test"]),
                "what": "MX good and mxloop1.secure.test (a CNAME loop); "
                        "policy mx: both"}),
    ("mx50", {"late": True,
              "mx": ["%d m%02d.mx50.sts.test." % (i, i)
                     for i in range(1, 51)],
              "records": [("m%02d.mx50" % i, "ADDR", "mxfarm.secure.test")
                          for i in range(1, 51)],
              "policy": sts_policy(mx=["*.mx50.sts.test"]),
              "what": "50 MX m01..m50.mx50.sts.test (pref 1..50), all at "
                      "mxfarm.secure.test's address; policy "
                      "mx: *.mx50.sts.test"}),
    ("mx300", {"late": True,
               "mx": ["%d m%03d.mx300.insecure.test." % (i, i)
                      for i in range(1, 301)],
               "policy": sts_policy(mx=["*.mx300.insecure.test"]),
               "what": "300 MX m001..m300.mx300.insecure.test (pref "
                       "1..300), all at mxfarm.secure.test's address; "
                       "policy mx: *.mx300.insecure.test (over the cap, "
                       "DANE-36)"}),
    # CONFORMANCE section 10 (what real senders do)
    ("crossroot", {"late": True, "site": {"cert": {"cross": "expired"}},
                   "what": "policy host sends an expired cross-signed "
                           "copy of the root too (PKIX-01)"}),
    ("clientauth", {"late": True, "site": {"cert": {"eku": "client"}},
                    "what": "policy host certificate for clientAuth only "
                            "(PKIX-02)"}),
    ("checkmxclient", {"late": True,
                       "mx": ["10 good.secure.test.",
                              "20 clientauth.secure.test."],
                       "policy": sts_policy(mx=["*.secure.test"]),
                       "what": "MX good and clientauth.secure.test "
                               "(clientAuth-only leaf); policy mx: "
                               "*.secure.test"}),
    ("checkmxehlo", {"late": True,
                     "mx": ["10 good.secure.test.",
                            "20 ehlofailtls.secure.test."],
                     "policy": sts_policy(mx=["*.secure.test"]),
                     "what": "MX good and ehlofailtls.secure.test (EHLO "
                             "after STARTTLS refused); policy mx: "
                             "*.secure.test"}),
    ("split", {"late": True,
               "sites": [second_address("split", sts_policy(mode="testing"),
                                        "mode testing")],
               "what": "policy host at two addresses; the second serves "
                       "another body (mode: testing) (STS-32)"}),
    ("splitbad", {"late": True,
                  "sites": [second_address("splitbad", POLICY_OK,
                                           "certificate expired",
                                           not_before=-400, not_after=-5)],
                  "what": "policy host at two addresses; the second's "
                          "certificate expired (STS-32)"}),
    ("splitsame", {"late": True,
                   "sites": [second_address("splitsame", POLICY_OK,
                                            "the same policy")],
                   "what": "policy host at two addresses, the same body"}),
] + [
    # check_mailtls (CONFORMANCE section 12): a whole domain, its MX hosts
    # DANE hosts of dane.test (or secure.test hosts without TLSA); late
    (label, dict(opt, late=True)) for label, opt in [
        ("all-ok", all_domain("ee311.dane.test",
                              "MTA-STS enforce, DANE 3 1 1, TLSRPT: all "
                              "valid")),
        ("all-stsbad", all_domain(
            "ee311.dane.test", "as all-ok, the policy without max_age",
            policy=POLICY_OK.replace("max_age: 604800\n", "")
            .replace("good.secure.test", "ee311.dane.test")
            .replace("mx: good2.secure.test\n", ""))),
        ("all-danebad", all_domain("eenomatch.dane.test",
                                   "MX eenomatch.dane.test (TLSA of "
                                   "another key), MTA-STS covers it")),
        ("all-starttlsbad", all_domain("eeexpired.dane.test",
                                       "MX eeexpired.dane.test (DANE-EE "
                                       "matches, leaf expired), no "
                                       "MTA-STS", sts=False)),
        ("all-rptbad", all_domain("ee311.dane.test",
                                  "as all-ok, the TLSRPT record has no rua",
                                  rpt="v=TLSRPTv1; foo=bar")),
        ("all-norpt", all_domain("ee311.dane.test",
                                 "as all-ok, no TLSRPT record", rpt=None)),
        ("all-none", all_domain("good.secure.test",
                                "MX good.secure.test (no TLSA), no MTA-STS",
                                sts=False)),
        ("all-testing", all_domain("ee311.dane.test",
                                   "as all-ok, MTA-STS in mode testing",
                                   mode="testing")),
        ("all-outside", all_domain(["ee311.dane.test", "good.secure.test"],
                                   "MX ee311.dane.test (TLSA) and "
                                   "good.secure.test; the policy covers "
                                   "good.secure.test only",
                                   covered=["good.secure.test"])),
        ("all-stsonly", all_domain("good.secure.test",
                                   "MX good.secure.test (no TLSA), MTA-STS "
                                   "enforce, TLSRPT")),
        ("all-webpki", all_domain("ee311.dane.test",
                                  "as all-ok, the policy host's "
                                  "certificate expired",
                                  site={"cert": {"not_before": -400,
                                                 "not_after": -5}})),
        ("all-fetch", all_domain("ee311.dane.test",
                                 "as all-ok, the policy host answers 404",
                                 site={"status": 404})),
        ("all-nostarttls", all_domain("nostarttls.dane.test",
                                      "MX nostarttls.dane.test (TLSA, no "
                                      "STARTTLS), MTA-STS covers it")),
        ("all-wrongname", all_domain("eewrongname.dane.test",
                                     "MX eewrongname.dane.test (DANE-EE "
                                     "matches, the certificate names "
                                     "another host), MTA-STS covers it")),
        ("all-selfsigned", all_domain("eeselfsigned.dane.test",
                                      "MX eeselfsigned.dane.test (DANE-EE "
                                      "matches a self-signed leaf), MTA-STS "
                                      "covers it")),
        ("all-clientauth", all_domain("clientauth.secure.test",
                                      "MX clientauth.secure.test (no TLSA, "
                                      "a clientAuth-only leaf), MTA-STS "
                                      "covers it")),
        ("all-dnsbogus", all_domain("tlsabogus.dane.test",
                                    "MX tlsabogus.dane.test (its TLSA "
                                    "bogus), MTA-STS covers it")),
        ("all-count", all_domain("count.secure.test",
                                 "MX count.secure.test (its connections "
                                 "are counted), MTA-STS covers it")),
    ]
] + [
    ("spacedtwo", {"late": True,
                   "txt": [[STS_TXT], ["v=STSv1 ;id=20261102"]],
                   "what": 'two TXT RRs: a valid one and "v=STSv1 ;id='
                           '20261102" (mox sees two records, STS-30)'}),
]


def sts_sites(late=False):
    """The HTTPS sites of the policy hosts in STS_DOMAINS, in order: those
    of the rows with "late" if LATE, else the others."""
    out = []
    for label, opt in STS_DOMAINS:
        if bool(opt.get("late")) != late:
            continue
        if "host" not in opt:
            site = {"name": "mta-sts.%s.sts.test" % label,
                    "files": {POLICY_PATH: opt.get("policy", POLICY_OK)},
                    "what": opt.get("what", "")}
            site.update(opt.get("site", {}))
            out.append(site)
        out += opt.get("sites", [])
    return out


RPT_MAILTO = "v=TLSRPTv1; rua=mailto:tlsrpt@mx-ok.rpt.test"

# The TLSRPT scenario domains in rpt.test. (RFC 8460): (label, options), the
# domain is LABEL.rpt.test. Options:
#   "txt": the TXT RRs at _smtp._tls.LABEL, each a list of strings
#   "records": more records (owner relative to rpt.test., type, rdata)
#   "what": one line for the tables
RPT_DOMAINS = [
    ("mailto", {"txt": [[RPT_MAILTO]], "what": "a mailto: rua"}),
    ("https", {"txt": [["v=TLSRPTv1; rua=https://rua.rpt.test/v1"]],
               "what": "an https: rua"}),
    ("both", {"txt": [["v=TLSRPTv1; rua=mailto:tlsrpt@mx-ok.rpt.test,"
                       "https://rua.rpt.test/v1"]],
              "what": "a mailto: and an https: rua"}),
    ("spaced-list", {"txt": [["v=TLSRPTv1;rua=mailto:a@mx-ok.rpt.test , "
                              "https://rua.rpt.test/v1"]],
                     "what": "no space after ;, spaces around the comma"}),
    ("none", {"txt": [], "what": "no TXT at _smtp._tls (NXDOMAIN)"}),
    ("two", {"txt": [["v=TLSRPTv1; rua=mailto:a@mx-ok.rpt.test"],
                     ["v=TLSRPTv1; rua=mailto:b@mx-ok.rpt.test"]],
             "what": "two TLSRPTv1 records"}),
    ("unrelated", {"txt": [["v=spf1 -all"], [RPT_MAILTO]],
                   "what": "an unrelated TXT and a valid record"}),
    ("norua", {"txt": [["v=TLSRPTv1; foo=bar"]], "what": "no rua"}),
    ("emptyrua", {"txt": [["v=TLSRPTv1; rua="]], "what": "empty rua"}),
    ("ftp", {"txt": [[RPT_MAILTO + ",ftp://files.rpt.test/r"]],
             "what": "a mailto: and an ftp: URI"}),
    ("httponly", {"txt": [["v=TLSRPTv1; rua=http://rua.rpt.test/v1"]],
                  "what": "an http: (not https:) URI"}),
    ("bang", {"txt": [[RPT_MAILTO + "!10m"]],
              "what": "a DMARC-style size limit !10m"}),
    ("nomx", {"txt": [["v=TLSRPTv1; rua=mailto:tlsrpt@no-mx.rpt.test"]],
              "what": "the mailto: domain has no MX and no address"}),
    ("implicit", {"txt": [["v=TLSRPTv1; rua=mailto:tlsrpt@a-only.rpt.test"]],
                  "what": "the mailto: domain has no MX, an A (implicit "
                          "MX)"}),
    ("badcert", {"txt": [["v=TLSRPTv1; rua=https://rua-expired.rpt.test/v1"]],
                 "what": "the https: host's certificate expired"}),
    ("nohost", {"txt": [["v=TLSRPTv1; rua=https://rua-nohost.rpt.test/v1"]],
                "what": "the https: host does not resolve"}),
    ("halfbad", {"txt": [[RPT_MAILTO + ",mailto:tlsrpt@no-mx.rpt.test"]],
                 "what": "two mailto:, the second domain cannot receive"}),
    ("cname", {"txt": [],
               "records": [("_smtp._tls.cname", "CNAME",
                            "_smtp._tls.provider.rpt.test."),
                           ("_smtp._tls.provider", "TXT", txt([RPT_MAILTO]))],
               "what": "_smtp._tls.cname is a CNAME to "
                       "_smtp._tls.provider.rpt.test (a valid record)"}),
    ("multistr", {"txt": [["v=TLSRPTv1; rua=mailto:tls",
                           "rpt@mx-ok.rpt.test"]],
                  "what": "one record in two strings"}),
    ("spacedv", {"txt": [["v=TLSRPTv1 ; rua=mailto:tlsrpt@mx-ok.rpt.test"]],
                 "what": "a space before the first ;"}),
    ("lowercase", {"txt": [["v=tlsrptv1; rua=mailto:tlsrpt@mx-ok.rpt.test"]],
                   "what": "v=tlsrptv1 in lower case"}),
    ("ext", {"txt": [[RPT_MAILTO + "; foo=bar"]],
             "what": "an extension field foo=bar"}),
    ("badext", {"txt": [[RPT_MAILTO + "; foo="]],
                "what": "an extension field with an empty value"}),
    ("bigtxt", {"txt": [["pad%04d" % i] for i in range(1000)] + [[RPT_MAILTO]],
                "what": "1001 TXT RRs (20 KB, TCP only): 1000 unrelated ones "
                        "and a valid one"}),
    ("clientauth", {"txt": [["v=TLSRPTv1; "
                             "rua=https://rua-clientauth.rpt.test/v1"]],
                    "what": "the https: host's certificate is for "
                            "clientAuth only (PKIX-02)"}),
    ("crossroot", {"txt": [["v=TLSRPTv1; rua=https://rua-cross.rpt.test/v1"]],
                   "what": "the https: host also sends an expired "
                           "cross-signed root (PKIX-01)"}),
    ("spacedtwo", {"txt": [[RPT_MAILTO],
                           ["v=TLSRPTv1 ;rua=mailto:b@mx-ok.rpt.test"]],
                   "what": 'a valid record and "v=TLSRPTv1 ;rua=..." (a '
                           'second record for parsers that allow blanks '
                           'before ";", as STS-30)'}),
    # @ADDR:NAME@ stands for the address of the HTTPS site NAME
    ("iplit", {"txt": [["v=TLSRPTv1; rua=https://@ADDR:rua-ip.rpt.test@/v1"]],
               "what": "an https: rua given as an IPv4 literal, whose "
                       "certificate names that address (RPT-31)"}),
    ("iplitnoip", {"txt": [["v=TLSRPTv1; "
                            "rua=https://@ADDR:rua.rpt.test@/v1"]],
                   "what": "an https: rua given as the IPv4 literal of "
                           "rua.rpt.test, whose certificate names only "
                           "rua.rpt.test (RPT-31)"}),
]

# The names in rpt.test. that the rua URIs point to: (owner relative to
# rpt.test., type, rdata, what); "ADDR" is the A records of a host. The
# HTTPS sites are in RPT_SITES; rua-nohost.rpt.test and files.rpt.test
# have no record at all.
RPT_HELPERS = [
    ("mx-ok", "MX", "10 good.secure.test.", "a mailto: domain that can "
     "receive"),
    ("a-only", "ADDR", "good.secure.test", "no MX, an A record (implicit "
     "MX)"),
    ("no-mx", "TXT", txt(["nothing here"]), "exists, but no MX and no "
     "address"),
]

# TLSRPT records in other zones: (zone, owner, type, rdata, what).
RPT_ELSEWHERE = [
    ("insecure.test.", "_smtp._tls.dom", "TXT", txt([RPT_MAILTO]),
     "a valid record in an unsigned zone (insecure)"),
]

# The report endpoints (HTTPS sites, see HTTPS_SITES) in rpt.test.
RPT_SITES = [
    {"name": "rua.rpt.test", "files": {"v1": "ok"}, "post": True,
     "what": "TLSRPT report endpoint stand-in (GET or POST: 200)"},
    {"name": "rua-expired.rpt.test", "files": {"v1": "ok"}, "post": True,
     "cert": {"not_before": -400, "not_after": -5},
     "what": "report endpoint (GET or POST: 200), certificate expired"},
]

# Report endpoints added after the late sites, so that none moves.
RPT_LATE_SITES = [
    {"name": "rua-clientauth.rpt.test", "files": {"v1": "ok"}, "post": True,
     "cert": {"eku": "client"},
     "what": "report endpoint, certificate for clientAuth only"},
    {"name": "rua-cross.rpt.test", "files": {"v1": "ok"}, "post": True,
     "cert": {"cross": "expired"},
     "what": "report endpoint, sends an expired cross-signed root too"},
    {"name": "rua-ip.rpt.test", "files": {"v1": "ok"}, "post": True,
     "ip_san": True,
     "what": "report endpoint whose certificate also names its address "
             "(an iPAddress SAN, RPT-31)"},
]

# HTTPS hosts served by nginx, one server per address: HTTPS_NET + 1, 2,
# ... in this order, skipping NO_LISTEN. Each is a dict:
#   "name": the host name (SNI, server_name, the certificate's SAN)
#   "files": {path: body} served with status 200 (text/plain for *.txt)
#   "cert": the leaf certificate (see leaf_profile())
#   "content_type": the exact Content-Type sent for the policy file
#   "status" (and "location"): answer every request with `return STATUS
#     [LOCATION];` instead of serving files
#   "big": N: the policy file is its body padded with "x: xxx" lines to
#     exactly N bytes
#   "post": POST to a file answers like GET (nginx's static files
#     otherwise answer 405)
#   "what": one line for the tables
HTTPS_NET = "127.3.0."
HTTPS_ADDR = HTTPS_NET + "1"  # the first site's, mta-sts.demo.test's
# Addresses where nothing may listen: 127.3.0.9 for https.cases (connect
# failure), 127.3.0.250 for mta-sts.refused.sts.test. up checks both.
NO_LISTEN = [HTTPS_NET + "9", HTTPS_NET + "250"]
HTTPS_SITES = [
    {"name": "mta-sts.demo.test", "files": {POLICY_PATH: STS_DEMO},
     "what": "demo.test's policy"},
] + sts_sites() + RPT_SITES + sts_sites(late=True) + RPT_LATE_SITES


def https_peers():
    """The scripted policy hosts of STS_DOMAINS (rows with "peer"), served
    by smtp_peer.py on port 443: dicts with name, address, behaviour,
    policy, cert (profile) and what."""
    out = []
    for label, opt in STS_DOMAINS:
        if "peer" in opt:
            name = "mta-sts.%s.sts.test" % label
            out.append({"name": name, "address": opt["host"],
                        "behaviour": opt["peer"],
                        "policy": opt.get("policy", POLICY_OK),
                        "cert": leaf_profile(name, {}),
                        "what": opt.get("what", "")})
    return out

# signed, with a DS in test.
DS_CHILDREN = ["secure", "bogus", "expiredsig", "demo", "sts", "dane", "rpt"]


def die(msg, log=None):
    sys.stderr.write("lab.py: %s\n" % msg)
    if log is not None:
        show_log(log)
    raise SystemExit(1)


def show_log(path, lines=60):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            tail = f.readlines()[-lines:]
    except OSError as e:
        sys.stderr.write("(no log %s: %s)\n" % (path, e))
        return
    sys.stderr.write("---- last lines of %s ----\n" % path)
    sys.stderr.write("".join(tail))
    sys.stderr.write("---- end of %s ----\n" % path)


def run(cmd, cwd=None, input_text=None, timeout=30):
    try:
        p = subprocess.run(cmd, cwd=cwd, input=input_text, text=True,
                           capture_output=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        die("%s: %s" % (" ".join(cmd), e))
    if p.returncode != 0:
        die("%s failed (exit %d):\n%s%s" % (" ".join(shlex.quote(c)
                                                      for c in cmd),
                                            p.returncode, p.stdout,
                                            p.stderr))
    return p.stdout


def write(path, text, mode=0o644):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, mode)


# ---------------------------------------------------------------- the plan

def plan():
    """The hosts: a list of dicts with host, behaviour, v4 (list), v6,
    cert profile and options, in address order."""
    hosts = []
    n = 1
    for label, opt in SECURE_PEERS:
        hosts.append((label + ".secure.test", label, opt))
    hosts += DEMO_PEERS
    hosts += LATE_PEERS
    out = []
    for host, behaviour, opt in hosts:
        v4 = []
        for _ in range(opt.get("v4", 1)):
            v4.append(PEER_NET + str(n))
            n += 1
        out.append({"host": host, "behaviour": behaviour, "v4": v4,
                    "v6": bool(opt.get("v6")),
                    "sni_on_v6": bool(opt.get("sni_on_v6")),
                    "cert": leaf_profile(host, opt.get("cert", {}))})
    return out


def leaf_profile(host, c):
    """names: SAN dNSNames (the first is also the CN); issuer: inter
    (default), inter2 (expires in 20 days), self (self-signed), untrusted
    (a CA not in ca.pem), deep (the last of DEEP_CHAIN intermediates under
    the root, all sent); not_before and not_after: days from now;
    chain_root: the server sends the root after the intermediate; big_ext:
    N: a private non-critical extension whose value is an OCTET STRING of
    N octets (a huge certificate)."""
    assert not c.get("chain_root") or c.get("issuer", "inter") in (
        "inter", "inter2", "inter3"), host
    assert c.get("cross") in (None, "expired", "expiring"), host
    assert c.get("send", "chain") in ("chain", "leaf"), host
    assert c.get("eku", "server") in ("server", "client"), host
    assert c.get("key", "ecdsa") in ("ecdsa", "rsa-pss"), host
    assert c.get("rsa") is None or set(c["rsa"]) <= {"not_before",
                                                     "not_after"}, host
    return {"names": c.get("names", [host]),
            "issuer": c.get("issuer", "inter"),
            "cross": c.get("cross"),
            "send": c.get("send", "chain"),
            "eku": c.get("eku", "server"),
            "key": c.get("key", "ecdsa"),
            "not_before": c.get("not_before", -1),
            "not_after": c.get("not_after", 365),
            "chain_root": bool(c.get("chain_root")),
            "ips": list(c.get("ips", [])),
            # a second leaf, RSA, for the same names (dates of its own):
            # the server holds both, as Postfix's smtpd_tls_eccert_file
            # beside smtpd_tls_cert_file does (issue 13 item 19)
            "rsa": c.get("rsa"),
            "big_ext": c.get("big_ext", 0)}


def by_host(hosts):
    return {h["host"]: h for h in hosts}


def padded(body, n):
    """BODY followed by lines "x: xxx...", exactly N bytes in all."""
    left = n - len(body.encode())
    assert left == 0 or left >= 5, "cannot pad %d bytes" % left
    lines = []
    while left > 0:
        k = left if left <= 64 else (64 if left - 64 >= 5 else left - 5)
        lines.append("x: " + "x" * (k - 4) + "\n")
        left -= k
    return body + "".join(lines)


def site_plan():
    """HTTPS_SITES with their addresses, certificate profiles and what a
    GET of each file (or of the policy file, for a "status" site) must
    answer: a list of dicts."""
    out = []
    n = 1
    for site in HTTPS_SITES:
        while HTTPS_NET + str(n) in NO_LISTEN:
            n += 1
        addr = HTTPS_NET + str(n)
        n += 1
        name = site["name"]
        files = dict(site.get("files", {}))
        if "big" in site:
            files[POLICY_PATH] = padded(files.get(POLICY_PATH, POLICY_OK),
                                        site["big"])
        status = site.get("status", 200)
        if status != 200:
            files = {}
        expect = []  # (path, status, content type or None, body or None)
        for path, body in files.items():
            ctype = site.get("content_type") if path == POLICY_PATH else None
            if ctype is None:  # nginx.conf: types { text/plain txt; },
                ctype = "text/plain"  # default_type text/plain
            expect.append((path, 200, ctype, body))
        if status != 200:
            expect.append((POLICY_PATH, status, None, None))
        out.append({"name": name, "address": addr, "files": files,
                    "status": status, "location": site.get("location"),
                    "content_type": site.get("content_type"),
                    "post": bool(site.get("post")),
                    "a_name": site.get("a_name"),
                    # "ip_san": the certificate also names the address
                    "cert": leaf_profile(name, dict(
                        site.get("cert", {}),
                        **({"ips": [addr]} if site.get("ip_san") else {}))),
                    "what": site.get("what", ""), "expect": expect})
    return out


def cert_desc(host, c):
    desc = []
    names = c["names"]
    if len(names) > 4:
        desc.append("%d SANs: %s, ..., %s" % (len(names), names[0],
                                              names[-1]))
    elif names != [host]:
        desc.append("SAN " + ", ".join(names))
    desc.append({"inter": "test intermediate",
                 "inter2": "intermediate expiring in 20 days",
                 "inter3": "intermediate expired 10 days ago",
                 "self": "self-signed",
                 "untrusted": "CA not in ca.pem",
                 "deep": "under %d intermediates, all sent" % DEEP_CHAIN,
                 }[c["issuer"]])
    if c.get("cross"):
        desc.append("sends a cross-signed copy of the root, %s"
                    % {"expired": "expired 30 days ago",
                       "expiring": "expiring in 5 days"}[c["cross"]])
    if c.get("rsa") is not None:
        r = c["rsa"]
        desc.append("and an RSA leaf%s" % (
            " expired now%+dd" % r["not_after"] if "not_after" in r else ""))
    if c.get("send", "chain") == "leaf":
        desc.append("sends the leaf alone")
    if c.get("eku", "server") != "server":
        desc.append("extendedKeyUsage %sAuth only" % c["eku"])
    if c.get("key", "ecdsa") != "ecdsa":
        desc.append("%s key" % c["key"].upper())
    if c.get("big_ext"):
        desc.append("an extension of %d octets" % c["big_ext"])
    if c["not_before"] != -1:
        desc.append("valid from now%+dd" % c["not_before"])
    if c["not_after"] != 365:
        desc.append("expires now%+dd" % c["not_after"])
    if c.get("chain_root"):
        desc.append("sends leaf, intermediate and root")
    return "; ".join(desc)


def site_desc(s):
    if s["status"] != 200:
        return "%d%s" % (s["status"], " to " + s["location"]
                         if s["location"] else "")
    parts = []
    for path, _st, ctype, body in s["expect"]:
        parts.append("/%s (%s, %d bytes)" % (path, ctype, len(body.encode())))
    return ", ".join(parts)


def site_row(s):
    """The behaviour column of a site in the host table."""
    desc = "HTTPS (nginx): " + site_desc(s)
    if s["what"]:
        desc += "; " + s["what"]
    return desc


def table():
    """The Markdown host table of tests/lab/README.md."""
    rows = ["| host | address | behaviour | certificate |",
            "| --- | --- | --- | --- |"]
    for h in plan():
        addrs = h["v4"] + ([V6] if h["v6"] else [])
        if h["sni_on_v6"]:
            addrs.append(V6 + " (by SNI)")
        rows.append("| %s | %s | %s | %s |" % (h["host"], ", ".join(addrs),
                                               h["behaviour"],
                                               cert_desc(h["host"],
                                                         h["cert"])))
    for s in site_plan():
        rows.append("| %s | %s:443 | %s | %s |"
                    % (s["name"], s["address"], md(site_row(s)),
                       cert_desc(s["name"], s["cert"])))
    for w in https_peers():
        rows.append("| %s | %s:443 | smtp_peer.py %s: %s | %s |" % (
            w["name"], w["address"], w["behaviour"],
            md(w["what"]), cert_desc(w["name"], w["cert"])))
    rows.append("| ns.test | %s:53, [%s]:53 | nsd, every zone | - |" %
                (RESOLVER, V6))
    return "\n".join(rows)


def md(text):
    return text.replace("|", "\\|")


def sts_table():
    """The Markdown table of the sts.test. scenario domains."""
    addr = {s["name"]: s["address"] for s in site_plan()}
    rows = ["| domain | policy host address | what |",
            "| --- | --- | --- |"]
    for label, opt in STS_DOMAINS:
        host = "mta-sts.%s.sts.test" % label
        if "host" not in opt:
            where = addr[host]
        elif opt["host"] is None:
            where = "none"
        elif "peer" in opt:
            where = "%s (smtp_peer.py %s)" % (opt["host"], opt["peer"])
        else:
            where = opt["host"] + " (no server)"
        rows.append("| %s.sts.test | %s | %s |" % (label, where,
                                                   md(opt.get("what", ""))))
    return "\n".join(rows)


def dane_table():
    """The Markdown tables of the dane.test. scenario hosts and domains."""
    hb = by_host(plan())
    rows = ["| host | address | TLSA at _25._tcp.HOST | certificate | what |",
            "| --- | --- | --- | --- | --- |"]
    for label, opt in DANE_HOSTS:
        host = label + ".dane.test"
        owner = "_25._tcp." + label
        recs = opt.get("records", [])
        tlsa = list(opt.get("tlsa", [])) + [d for o, t, d in recs
                                            if o == owner and t == "TLSA"]
        for o, t, d in recs:
            if o == owner and t == "CNAME":
                target = d[:-len(".dane.test.")]
                tlsa.append("CNAME %s: %s" % (d.rstrip("."), ", ".join(
                    dd for oo, tt, dd in recs
                    if oo == target and tt == "TLSA")))
        if opt.get("peer", True):
            h = hb[host]
            addr = ", ".join(h["v4"])
            cert = cert_desc(host, h["cert"])
            if h["behaviour"] != "good":
                cert = "peer %s; %s" % (h["behaviour"], cert)
        else:
            addr = cert = "-"
        if len(tlsa) > 4:
            tlsa = tlsa[:2] + ["... (%d in all)" % len(tlsa)]
        rows.append("| %s | %s | %s | %s | %s |" % (
            host, addr, ", ".join(tlsa) or "none", md(cert),
            md(opt.get("what", ""))))
    rows += ["", "| name | records | what |", "| --- | --- | --- |"]
    for label, mx, what in DANE_DOMAINS:
        rows.append("| %s.dane.test | %s | %s |" % (
            label, ", ".join("MX " + m for m in mx), md(what)))
    for zone, recs in DANE_ELSEWHERE.items():
        for o, t, d, what in recs:
            if t == "ADDR":
                t, d = "A", "%s (%s's)" % (", ".join(hb[d]["v4"]), d)
            rows.append("| %s.%s | %s %s | %s |" % (o, zone.rstrip("."), t,
                                                    d, md(what)))
    return "\n".join(rows)


def txt_cell(records):
    """TXT RRs (lists of strings) for a table cell."""
    if len(records) > 4:
        return "`%s`, `%s`, ..., `%s` (%d in all)" % (
            txt(records[0]), txt(records[1]), txt(records[-1]), len(records))
    return " and ".join("`%s`" % txt(t) for t in records) or "none"


def rpt_table():
    """The Markdown tables of the rpt.test. scenario domains and the names
    their rua URIs point to."""
    hb = by_host(plan())
    addr = {s["name"]: s for s in site_plan()}
    rows = ["| domain | TXT at _smtp._tls.DOMAIN | what |",
            "| --- | --- | --- |"]
    for label, opt in RPT_DOMAINS:
        cell = txt_cell(opt.get("txt", []))
        for o, t, d in opt.get("records", []):
            if o == "_smtp._tls." + label and t == "CNAME":
                cell = "CNAME " + d.rstrip(".")
        rows.append("| %s.rpt.test | %s | %s |" % (label, md(cell),
                                                  md(opt.get("what", ""))))
    rows += ["", "| name | records | what |", "| --- | --- | --- |"]
    for label, opt in RPT_DOMAINS:
        for o, t, d in opt.get("records", []):
            if t == "TXT":
                rows.append("| %s.rpt.test | TXT `%s` | %s |" % (
                    o, md(d), "for " + label))
    for o, t, d, what in RPT_HELPERS:
        if t == "ADDR":
            t, d = "A", "%s (%s's)" % (", ".join(hb[d]["v4"]), d)
        elif t == "TXT":
            d = "`%s`" % d
        rows.append("| %s.rpt.test | %s %s | %s |" % (o, t, md(d), md(what)))
    for site in RPT_SITES:
        s = addr[site["name"]]
        rows.append("| %s | A %s; HTTPS %s | %s |" % (
            s["name"], s["address"], md(site_desc(s)),
            md("; ".join(x for x in (s["what"], cert_desc(s["name"],
                                                          s["cert"])) if x))))
    rows.append("| rua-nohost.rpt.test, files.rpt.test | none (NXDOMAIN) "
                "| |")
    for zone, o, t, d, what in RPT_ELSEWHERE:
        rows.append("| %s.%s | %s `%s` | %s |" % (o, zone.rstrip("."), t,
                                                  md(d), md(what)))
    return "\n".join(rows)


# ---------------------------------------------------------------- PKI

def stamp(now, days):
    t = datetime.datetime.fromtimestamp(now + days * DAY,
                                        tz=datetime.timezone.utc)
    return t.strftime("%Y-%m-%d %H:%M:%S UTC")


class Pki:
    def __init__(self, d, now):
        self.d = d
        self.now = now
        os.makedirs(d, exist_ok=True)

    def path(self, name, ext):
        return os.path.join(self.d, name + "." + ext)

    def key(self, name, key_type="ecdsa"):
        """NAME.key: ECDSA P-256, or an RSA-PSS key of 2048 bits for
        KEY_TYPE "rsa-pss" (an SPKI GnuTLS exports its own way: DANE-30)."""
        k = self.path(name, "key")
        if key_type in ("rsa-pss", "rsa"):
            run(["certtool", "--generate-privkey", "--key-type", key_type,
                 "--bits", "2048", "--no-text", "--outfile", k])
        else:
            run(["certtool", "--generate-privkey", "--key-type", "ecdsa",
                 "--curve", "secp256r1", "--no-text", "--outfile", k])
        os.chmod(k, 0o600)
        return k

    def template(self, name, cn, not_before, not_after, ca=False,
                 names=(), big_ext=0, eku="server", ips=()):
        lines = ['cn = "%s"' % cn,
                 "serial = %d" % random.getrandbits(63),
                 'activation_date = "%s"' % stamp(self.now, not_before),
                 'expiration_date = "%s"' % stamp(self.now, not_after)]
        if ca:
            lines += ["ca", "cert_signing_key", "crl_signing_key"]
        else:
            # extendedKeyUsage serverAuth, or clientAuth only (PKIX-02)
            lines += ["tls_www_%s" % eku, "signing_key"]
        lines += ['dns_name = "%s"' % n for n in names]
        lines += ['ip_address = "%s"' % a for a in ips]
        if big_ext:
            # under the documentation enterprise number 32473 (RFC 5612),
            # value: an OCTET STRING of BIG_EXT octets 'x' in DER (length
            # in 3 octets)
            assert big_ext < 1 << 24
            der = b"\x04\x83" + big_ext.to_bytes(3, "big") + b"x" * big_ext
            lines.append('add_extension = "1.3.6.1.4.1.32473.1 0x%s"'
                         % der.hex())
        t = self.path(name, "tmpl")
        write(t, "\n".join(lines) + "\n")
        return t

    def cert(self, name, cn, not_before, not_after, ca=False, names=(),
             issuer=None, big_ext=0, key=True, key_type="ecdsa",
             eku="server", ips=()):
        """Makes NAME.key and NAME.pem; issuer None is self-signed, else
        the name of an earlier cert(). KEY False: NAME.key exists; a
        string: the key of that earlier cert() (a cross-signed copy)."""
        if key is True:
            k = self.key(name, key_type)
        elif key is False:
            k = self.path(name, "key")
        else:
            k = self.path(key, "key")
        t = self.template(name, cn, not_before, not_after, ca, names,
                          big_ext, eku, ips)
        out = self.path(name, "pem")
        if issuer is None:
            run(["certtool", "--generate-self-signed", "--load-privkey", k,
                 "--template", t, "--outfile", out])
        else:
            run(["certtool", "--generate-certificate", "--load-privkey", k,
                 "--load-ca-certificate", self.path(issuer, "pem"),
                 "--load-ca-privkey", self.path(issuer, "key"),
                 "--template", t, "--outfile", out])
        return out

    def spki_der(self, name):
        """The DER SubjectPublicKeyInfo of NAME's key."""
        return subprocess.run(["certtool", "--pubkey-info", "--outder",
                               "--load-privkey", self.path(name, "key")],
                              capture_output=True, check=True).stdout

    def cert_der(self, name):
        with open(self.path(name, "pem"), encoding="ascii") as f:
            return ssl.PEM_cert_to_DER_cert(f.read())

    def ders(self, name):
        """{"cert": the certificate's DER, "spki": its SPKI DER}, the SPKI
        taken from the certificate (no certtool run: up stays fast)."""
        der = self.cert_der(name)
        return {"cert": der, "spki": cert_spki(der)}

    def chain(self, name, issuer, root=False, cross=None):
        """NAME.chain.pem: the leaf, then the intermediate it was signed by
        (nothing more for a self-signed or untrusted leaf; every one of the
        deep chain, the last made first, for "deep"), then the root if
        ROOT, then the cross-signed root CROSS ("cross-expired", say)."""
        with open(self.path(name, "pem"), encoding="ascii") as f:
            text = f.read()
        inters = {"inter": ["inter"], "inter2": ["inter2"],
                  "inter3": ["inter3"],
                  "deep": [deep_name(i) for i in range(DEEP_CHAIN, 0, -1)],
                  "leaf": []}
        for c in inters.get(issuer, []) + (["ca"] if root else []) + \
                ([cross] if cross else []):
            with open(self.path(c, "pem"), encoding="ascii") as f:
                text += f.read()
        out = self.path(name, "chain.pem")
        write(out, text)
        return out


def der_next(buf, i):
    """The DER element at BUF[I]: (tag, start of contents, end)."""
    tag, n = buf[i], buf[i + 1]
    i += 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(buf[i:i + k], "big")
        i += k
    assert i + n <= len(buf), "truncated DER"
    return tag, i, i + n


def cert_spki(der):
    """The DER SubjectPublicKeyInfo of an X.509 certificate's DER (RFC 5280
    §4.1: tbsCertificate = [0] version, serialNumber, signature, issuer,
    validity, subject, subjectPublicKeyInfo, ...)."""
    tag, start, _end = der_next(der, 0)
    assert tag == 0x30
    tag, i, _end = der_next(der, start)  # tbsCertificate
    assert tag == 0x30
    if der[i] == 0xA0:  # version
        i = der_next(der, i)[2]
    for _ in range(5):  # serial, signature, issuer, validity, subject
        i = der_next(der, i)[2]
    tag, _start, end = der_next(der, i)
    assert tag == 0x30
    return der[i:end]


CAS = ["ca", "inter", "inter2", "inter3", "untrusted-ca"]
# The "deep" issuer: DEEP_CHAIN intermediates, deep01 signed by the root,
# each next one by the one before, the leaf by the last.
DEEP_CHAIN = 20


def deep_name(i):
    return "deep%02d" % i


def make_pki(state, hosts, sites, now):
    """Makes the CAs and every leaf: returns ({host: files, names and SPKI
    SHA-256 of its leaf}, {name: Pki.ders()} of every leaf and CA)."""
    pki = Pki(os.path.join(state, "pki"), now)
    pki.cert("ca", "mailtls test root", -800, 3650, ca=True)
    pki.cert("inter", "mailtls test intermediate", -800, 3000, ca=True,
             issuer="ca")
    pki.cert("inter2", "mailtls test intermediate 2 (expiring)", -100, 20,
             ca=True, issuer="ca")
    pki.cert("inter3", "mailtls test intermediate 3 (expired)", -400, -10,
             ca=True, issuer="ca")
    pki.cert("untrusted-ca", "mailtls untrusted root", -800, 3650, ca=True)
    # The 2020 AddTrust and 2024 ISRG/DST pattern (PKIX-01): the trusted
    # root's name and key, cross-signed by a CA not in ca.pem, expired (or
    # expiring in 5 days); servers send it after the intermediate.
    for cross, nb, na in (("cross-expired", -900, -30),
                          ("cross-expiring", -900, 5)):
        pki.cert(cross, "mailtls test root", nb, na, ca=True,
                 issuer="untrusted-ca", key="ca")
    leaves = [(h["host"], h["cert"]) for h in hosts] + \
        [(x["name"], x["cert"]) for x in sites]

    def deep_chain():
        """The DEEP_CHAIN intermediates: keys first, then each
        certificate signs the next (made while the leaves are)."""
        names = [deep_name(i) for i in range(1, DEEP_CHAIN + 1)]
        for n in names:
            pki.key(n)
        for i, n in enumerate(names):
            pki.cert(n, "mailtls test deep intermediate %d" % (i + 1), -800,
                     3000, ca=True, issuer=names[i - 1] if i else "ca",
                     key=False)

    deep = concurrent.futures.ThreadPoolExecutor(1)
    deep_done = deep.submit(deep_chain) if any(
        p["issuer"] == "deep" for _h, p in leaves) else None

    def leaf(host, prof):
        if prof["issuer"] == "deep":
            deep_done.result()
        issuer = {"self": None, "untrusted": "untrusted-ca",
                  "deep": deep_name(DEEP_CHAIN)}.get(prof["issuer"],
                                                     prof["issuer"])
        pki.cert(host, prof["names"][0], prof["not_before"],
                 prof["not_after"],
                 names=prof["names"], issuer=issuer,
                 big_ext=prof["big_ext"], key_type=prof["key"],
                 eku=prof["eku"], ips=prof["ips"])
        der = pki.ders(host)
        rsa = {}
        if prof["rsa"] is not None:
            pki.cert(host + ".rsa", prof["names"][0],
                     prof["rsa"].get("not_before", -1),
                     prof["rsa"].get("not_after", 365), names=prof["names"],
                     issuer=issuer, key_type="rsa")
            rsa = {"chain2": pki.chain(host + ".rsa", prof["issuer"]),
                   "key2": pki.path(host + ".rsa", "key")}
        return dict(rsa, **{"names": prof["names"],
                "chain": pki.chain(host, "leaf" if prof["send"] == "leaf"
                                   else prof["issuer"],
                                   prof["chain_root"],
                                   prof["cross"] and
                                   "cross-" + prof["cross"]),
                "key": pki.path(host, "key"),
                "cert": pki.path(host, "pem"),
                "spki_sha256": hashlib.sha256(der["spki"]).hexdigest()}), der

    # the leaves are independent: certtool runs in parallel, the result
    # is in table order all the same
    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        made = list(ex.map(lambda hp: leaf(*hp), leaves))
        ders = dict(zip(CAS, ex.map(pki.ders, CAS)))
        # cert_spki() against certtool's SPKI of the root's key
        if ders["ca"]["spki"] != pki.spki_der("ca"):
            die("cert_spki() does not give certtool's SPKI of ca.key")
    if deep_done is not None:
        deep_done.result()
    deep.shutdown()
    certs = {host: c for (host, _p), (c, _d) in zip(leaves, made)}
    ders.update({host: d for (host, _p), (_c, d) in zip(leaves, made)})
    # ca.pem holds the test root only; the intermediates come from servers
    return certs, ders


# ---------------------------------------------------------------- DNS

def rr(owner, rtype, data):
    return "%s\t%d\tIN\t%s\t%s" % (owner, TTL, rtype, data)


def zone_head(origin, serial):
    return ["$ORIGIN %s" % origin, "$TTL %d" % TTL,
            rr("@", "SOA", "ns.test. hostmaster.test. %d 3600 600 86400 60"
               % serial),
            rr("@", "NS", "ns.test.")]


def sts_zone(hosts, sites, serial):
    """sts.test.: the scenario domains of STS_DOMAINS and an A record for
    every site in the zone."""
    hb = by_host(hosts)
    z = zone_head("sts.test.", serial)
    for label, opt in STS_DOMAINS:
        z += [rr(label, "MX", m) for m in opt.get("mx", STS_MX)]
        for h in opt.get("a_of", []):
            z += [rr(label, "A", a) for a in hb[h]["v4"]]
        z += [rr("_mta-sts." + label, "TXT", txt(t))
              for t in opt.get("txt", [[STS_TXT]])]
        if opt.get("host"):
            z.append(rr("mta-sts." + label, "A", opt["host"]))
        for o, t, d in opt.get("records", []):
            if t == "ADDR":
                z += [rr(o, "A", a) for a in hb[d]["v4"]]
            else:
                z.append(rr(o, t, d))
        if opt.get("rpt"):
            z.append(rr("_smtp._tls." + label, "TXT", txt([opt["rpt"]])))
    return z + site_records(sites, "sts.test.")


def site_records(sites, zone):
    """An A record for every HTTPS site in ZONE, at its "a_name" (another
    address of that name) or else its name."""
    suffix = "." + zone.rstrip(".")
    out = []
    for s in sites:
        name = s.get("a_name") or s["name"]
        if name.endswith(suffix):
            out.append(rr(name[:-len(suffix)], "A", s["address"]))
    return out


def tlsa_data(spec, host, ders, rand):
    """The TLSA rdata of SPEC in the DANE_HOSTS notation ("3 1 1 leaf",
    "2 0 1 inter", "3 1 1 random32", "3 1 1 leaf/31", ...); "leaf" is
    HOST's; DERS from make_pki(); RAND keeps the random data of one `up`."""
    usage, sel, mtype, src = spec.split()
    cut = None
    if "/" in src:
        src, cut = src.split("/")
        cut = int(cut)
    if src.startswith("random"):
        n = int(src[len("random"):].split("-")[0])
        data = rand.setdefault(src, os.urandom(n))
    else:
        blob = ders[host if src == "leaf" else src][
            {"0": "cert", "1": "spki"}[sel]]
        data = {"0": lambda b: b, "1": lambda b: hashlib.sha256(b).digest(),
                "2": lambda b: hashlib.sha512(b).digest()}[mtype](blob)
    if cut is not None:
        data = data[:cut]
    return "%s %s %s %s" % (usage, sel, mtype, data.hex())


def dane_records(hosts, ders, rand):
    """The records of DANE_HOSTS, DANE_DOMAINS and DANE_ELSEWHERE, TLSA
    data computed: {zone: [(owner relative to the zone, type, rdata)]}."""
    hb = by_host(hosts)

    def expand(owner, rtype, data, host):
        if rtype == "ADDR":
            return [(owner, "A", a) for a in hb[data]["v4"]]
        if rtype == "TLSA":
            return [(owner, rtype, tlsa_data(data, host, ders, rand))]
        return [(owner, rtype, data)]

    z = []
    for label, opt in DANE_HOSTS:
        host = label + ".dane.test"
        if opt.get("peer", True):
            z += [(label, "A", a) for a in hb[host]["v4"]]
        for spec in opt.get("tlsa", []):
            z += expand("_25._tcp." + label, "TLSA", spec, host)
        for o, t, d in opt.get("records", []):
            z += expand(o, t, d, host)
    for label, mx, _what in DANE_DOMAINS:
        z += [(label, "MX", m) for m in mx]
    out = {"dane.test.": z}
    for zone, recs in DANE_ELSEWHERE.items():
        out[zone] = []
        for o, t, d, _w in recs:
            out[zone] += expand(o, t, d, None)
    return out


def tlsa_index(records):
    """From dane_records(): ({owner: [TLSA rdata]} of every TLSA RRset,
    {host: [TLSA rdata]} of every host HOST with TLSA records at
    _25._tcp.HOST, after CNAMEs), owners and hosts absolute without the
    final dot."""
    tlsa, cname = {}, {}
    for zone, recs in records.items():
        for o, t, d in recs:
            name = o + "." + zone.rstrip(".")
            if t == "TLSA":
                tlsa.setdefault(name, []).append(d)
            elif t == "CNAME":
                cname[name] = d.rstrip(".")
    dane = {}
    for name in sorted(set(tlsa) | set(cname)):
        if not name.startswith("_25._tcp."):
            continue
        target = name
        for _ in range(8):
            if target not in cname:
                break
            target = cname[target]
        if target in tlsa:
            dane[name[len("_25._tcp."):]] = tlsa[target]
    return tlsa, dane


def rpt_zone(hosts, sites, serial):
    """rpt.test.: the scenario domains of RPT_DOMAINS, RPT_HELPERS and an
    A record for every site in the zone."""
    hb = by_host(hosts)
    z = zone_head("rpt.test.", serial)
    addr = {s["name"]: s["address"] for s in sites}

    def fill(t):
        """@ADDR:NAME@ in a TXT string: the address of the site NAME."""
        while "@ADDR:" in t:
            a = t.index("@ADDR:")
            b = t.index("@", a + 1)
            t = t[:a] + addr[t[a + 6:b]] + t[b + 1:]
        return t
    for label, opt in RPT_DOMAINS:
        z += [rr("_smtp._tls." + label, "TXT", txt([fill(x) for x in t]))
              for t in opt.get("txt", [])]
        z += [rr(o, t, d) for o, t, d in opt.get("records", [])]
    for o, t, d, _what in RPT_HELPERS:
        if t == "ADDR":
            z += [rr(o, "A", a) for a in hb[d]["v4"]]
        else:
            z.append(rr(o, t, d))
    return z + site_records(sites, "rpt.test.")


def zones_text(hosts, certs, sites, serial, extra):
    """{zone: [lines]} for every zone except test. (made after the DS);
    EXTRA: more records {zone: [(owner relative to the zone, type,
    rdata)]}, of zones made here or of their own."""
    hb = by_host(hosts)
    sb = {s["name"]: s for s in sites}
    z = {}
    sec = zone_head("secure.test.", serial)
    for h in hosts:
        if not h["host"].endswith(".secure.test"):
            continue
        label = h["host"][:-len(".secure.test")]
        sec += [rr(label, "A", a) for a in h["v4"]]
        if h["v6"]:
            sec.append(rr(label, "AAAA", V6))
    good = hb["good.secure.test"]["v4"][0]
    sec += [
        rr("dom-good", "MX", "10 good.secure.test."),
        rr("dom-two", "MX", "10 good.secure.test."),
        rr("dom-two", "MX", "20 good2.secure.test."),
        rr("dom-mixed", "MX", "10 good.secure.test."),
        rr("dom-mixed", "MX", "20 nostarttls.secure.test."),
        rr("dom-nullmx", "MX", "0 ."),
        rr("dom-nullmix", "MX", "0 ."),
        rr("dom-nullmix", "MX", "10 good.secure.test."),
        rr("dom-implicit", "A", good),
        rr("dom-nomx-noaddr", "TXT", '"no MX and no address here"'),
        rr("dom-warn", "MX", "10 expiringwarn.secure.test."),
        rr("dom-dangling", "MX", "10 nonexistent.secure.test."),
    ] + [
        rr("bench8", "MX", "%d delay%d.secure.test." % (10 * i, i))
        for i in range(1, 9)
    ]
    # hostile DNS (hostile.cases): many MX hosts, all at mxfarm's address
    # (its certificate has *.dom-mx50.secure.test and
    # *.mx100.insecure.test), and a CNAME loop. dom-mx100's targets live in
    # the unsigned insecure.test.: nsd puts their A RRsets in the MX
    # answer's additional section, and signed ones would cost libunbound
    # about 3.5 s of paced signature checks (its KeyTrap limit).
    farm = hb["mxfarm.secure.test"]["v4"]
    ins = []
    for i in range(1, 51):
        sec.append(rr("dom-mx50", "MX", "%d m%02d.dom-mx50.secure.test." %
                      (i, i)))
        sec += [rr("m%02d.dom-mx50" % i, "A", a) for a in farm]
    for i in range(1, 101):
        sec.append(rr("dom-mx100", "MX", "%d m%03d.mx100.insecure.test." %
                      (i, i)))
        ins += [rr("m%03d.mx100" % i, "A", a) for a in farm]
    # over the 256-host cap of common/mx.h (DANE-36): 300 MX hosts, their
    # addresses from one wildcard in insecure.test.
    sec += [rr("dom-mx300", "MX", "%d m%03d.mx300.insecure.test." % (i, i))
            for i in range(1, 301)]
    ins += [rr("*.mx300", "A", a) for a in farm]
    sec += [
        rr("dom-mxloop", "MX", "10 mxloop1.secure.test."),
        rr("mxloop1", "CNAME", "mxloop2.secure.test."),
        rr("mxloop2", "CNAME", "mxloop1.secure.test."),
    ]
    z["secure.test."] = sec
    z["insecure.test."] = zone_head("insecure.test.", serial) + [
        rr("dom", "MX", "10 mx.insecure.test."),
        rr("mx", "A", good),
    ] + ins
    for name in ("bogus.test.", "expiredsig.test."):
        z[name] = zone_head(name, serial) + [
            rr("mx", "A", good),
            rr("dom", "MX", "10 mx.%s" % name),
        ]
    mx1, mx2 = hb["mx1.demo.test"], hb["mx2.demo.test"]
    demo = zone_head("demo.test.", serial) + [
        rr("@", "MX", "10 mx1.demo.test."),
        rr("@", "MX", "20 mx2.demo.test."),
    ]
    demo += [rr("mx1", "A", a) for a in mx1["v4"]] + [rr("mx1", "AAAA", V6)]
    demo += [rr("mx2", "A", a) for a in mx2["v4"]]
    demo += [
        rr("mta-sts", "A", sb["mta-sts.demo.test"]["address"]),
        # two strings, joined by a reader (RFC 8461 §3.1)
        rr("_mta-sts", "TXT", '"v=STSv1; " "id=20261129"'),
        rr("_smtp._tls", "TXT", '"v=TLSRPTv1; rua=mailto:tlsrpt@demo.test"'),
        rr("_25._tcp.mx1", "TLSA",
           "3 1 1 " + certs["mx1.demo.test"]["spki_sha256"]),
    ]
    z["demo.test."] = demo
    z["sts.test."] = sts_zone(hosts, sites, serial)
    z["rpt.test."] = rpt_zone(hosts, sites, serial)
    for zone, o, t, d, _what in RPT_ELSEWHERE:
        z[zone].append(rr(o, t, d))
    for zone, recs in extra.items():
        if zone not in z:
            z[zone] = zone_head(zone, serial)
        z[zone] += [rr(o, t, d) for o, t, d in recs]
    return z


def keygen(keydir, zone):
    out = run(["ldns-keygen", "-a", "ECDSAP256SHA256", "-k", "-r",
               "/dev/urandom", zone], cwd=keydir)
    return os.path.join(keydir, out.strip())


def ds_of(keybase):
    return run(["ldns-key2ds", "-n", "-2", keybase + ".key"]).strip()


def sign(zonedir, zone, lines, keybase, inception, expiration):
    base = os.path.join(zonedir, zone.rstrip(".") + ".zone")
    write(base, "\n".join(lines) + "\n")
    run(["ldns-signzone", "-i", str(int(inception)), "-e",
         str(int(expiration)), "-o", zone, "-f", base + ".signed", base,
         keybase])
    return os.path.basename(base) + ".signed"


def make_zones(state, hosts, certs, sites, now, extra):
    zonedir = os.path.join(state, "zones")
    keydir = os.path.join(zonedir, "keys")
    os.makedirs(keydir, exist_ok=True)
    serial = int(now)
    inc, exp = now - DAY, now + 30 * DAY
    texts = zones_text(hosts, certs, sites, serial, extra)
    files = {}
    ds = {}
    # Child zones of dane.test.: delegated before dane.test. is signed.
    for zone, kind in DANE_SUBZONES.items():
        parent = zone.split(".", 2)[2]
        rel = zone[:-len(parent) - 1]
        texts[parent].append(rr(rel, "NS", "ns.test."))
        if kind == "bogus":
            key = keygen(keydir, zone)
            texts[parent].append(ds_of(keygen(keydir, zone)))  # unused
            files[zone] = sign(zonedir, zone, texts[zone], key, inc, exp)
        else:
            path = os.path.join(zonedir, zone.rstrip(".") + ".zone")
            write(path, "\n".join(texts[zone]) + "\n")
            files[zone] = os.path.basename(path)

    def child(label):
        zone = label + ".test."
        key = keygen(keydir, zone)
        if label == "bogus":
            ds[label] = ds_of(keygen(keydir, zone))  # a key never used
        else:
            ds[label] = ds_of(key)
        if label == "expiredsig":
            files[zone] = sign(zonedir, zone, texts[zone], key,
                               now - 30 * DAY, now - DAY)
        else:
            files[zone] = sign(zonedir, zone, texts[zone], key, inc, exp)

    # the children of test. are independent: signed in parallel
    with concurrent.futures.ThreadPoolExecutor(len(DS_CHILDREN)) as ex:
        list(ex.map(child, DS_CHILDREN))
    path = os.path.join(zonedir, "insecure.test.zone")
    write(path, "\n".join(texts["insecure.test."]) + "\n")
    files["insecure.test."] = os.path.basename(path)
    top = zone_head("test.", serial) + [rr("ns", "A", RESOLVER)]
    for label in DS_CHILDREN + ["insecure"]:
        top.append(rr(label, "NS", "ns.test."))
        if label in ds:
            top.append(ds[label])
    key = keygen(keydir, "test.")
    files["test."] = sign(zonedir, "test.", top, key, inc, exp)
    with open(key + ".key", encoding="ascii") as f:
        dnskey = f.read().split(";")[0].split()
    # owner, class, type, flags, protocol, algorithm, key
    anchor = "%s\t%d\tIN\tDNSKEY\t%s\n" % (dnskey[0], TTL,
                                           " ".join(dnskey[3:]))
    write(os.path.join(state, "anchor.key"), anchor)
    return files


# ---------------------------------------------------------------- processes

def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is not alive
        with open("/proc/%d/stat" % pid, encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def read_pid(path):
    try:
        with open(path, encoding="ascii") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def stop_pidfile(path, marker, what):
    """Stops the process in PATH if its command line names MARKER (our
    state directory: a reused pid is left alone)."""
    pid = read_pid(path)
    if pid is not None and pid_alive(pid) and marker in cmdline(pid):
        os.kill(pid, signal.SIGTERM)
        end = time.monotonic() + 5
        while pid_alive(pid) and time.monotonic() < end:
            time.sleep(0.05)
        if pid_alive(pid):
            sys.stderr.write("lab.py: %s (pid %d) ignored SIGTERM, killing\n"
                             % (what, pid))
            os.kill(pid, signal.SIGKILL)
            end = time.monotonic() + 2
            while pid_alive(pid) and time.monotonic() < end:
                time.sleep(0.05)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def start_daemon(cmd, outfile, what, log):
    """Runs a daemon that forks itself into the background; its start-up
    output goes to OUTFILE (a file, not a pipe, which the daemon could keep
    open)."""
    with open(outfile, "w", encoding="utf-8") as out:
        try:
            rc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT,
                                timeout=15).returncode
        except (OSError, subprocess.TimeoutExpired) as e:
            die("%s: %s" % (what, e), log)
    if rc != 0:
        with open(outfile, encoding="utf-8", errors="replace") as f:
            die("%s failed to start (exit %d): %s" % (what, rc, f.read()),
                log)


def wait_for(cond, seconds, what, log, pid_fn=None):
    end = time.monotonic() + seconds
    err = None
    while time.monotonic() < end:
        try:
            if cond():
                return
        except (OSError, ValueError, ssl.SSLError) as e:
            err = e
        if pid_fn is not None:
            pid = pid_fn()
            if pid is not None and not pid_alive(pid):
                die("%s exited during start-up" % what, log)
        time.sleep(0.1)
    die("%s did not answer within %d s%s" % (what, seconds,
                                              " (last error: %s)" % err
                                              if err else ""), log)


# ---------------------------------------------------------------- nsd

def dns_query(name, qtype, timeout=0.5):
    """One UDP query to the lab resolver; returns (rcode, aa, ancount)."""
    qid = random.getrandbits(16)
    qname = b"".join(bytes([len(p)]) + p.encode("ascii")
                     for p in name.rstrip(".").split(".") if p) + b"\0"
    pkt = struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 0) + qname + \
        struct.pack("!HH", qtype, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(pkt, (RESOLVER, 53))
        while True:
            data, _ = s.recvfrom(4096)
            if len(data) < 12:
                continue
            rid, flags, _qd, an, _ns, _ar = struct.unpack("!HHHHHH",
                                                          data[:12])
            if rid == qid and flags & 0x8000:
                return flags & 0xF, bool(flags & 0x0400), an


def start_nsd(state, zonefiles):
    d = os.path.join(state, "nsd")
    os.makedirs(d, exist_ok=True)
    zdir = os.path.join(state, "zones")
    log = os.path.join(d, "nsd.log")
    conf = os.path.join(d, "nsd.conf")
    text = """# written by tests/lab/lab.py: the lab's own nsd, loopback only
server:
	ip-address: {ip}
	ip-address: {v6}
	port: 53
	do-ip4: yes
	do-ip6: yes
	server-count: 1
	database: ""
	zonesdir: "{zdir}"
	zonelistfile: "{d}/zone.list"
	xfrdfile: "{d}/xfrd.state"
	xfrdir: "{d}"
	pidfile: "{d}/nsd.pid"
	logfile: "{log}"
	username: ""
	chroot: ""
	verbosity: 2
	hide-version: yes
	identity: "mailtls-lab"
	refuse-any: yes
	# no response rate limiting: every query comes from 127.0.0.1, and
	# the 256 MX hosts of a capped domain ask 512 at once (RRL answered
	# them TC or not at all: SERVFAIL after retries, seconds lost)
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
remote-control:
	control-enable: no
""".format(ip=RESOLVER, v6=V6, d=d, zdir=zdir, log=log)
    for zone, f in sorted(zonefiles.items()):
        text += "zone:\n\tname: \"%s\"\n\tzonefile: \"%s\"\n" % (zone, f)
    write(conf, text)
    run(["nsd-checkconf", conf])
    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        list(ex.map(lambda zf: run(["nsd-checkzone", zf[0],
                                    os.path.join(zdir, zf[1])]),
                    sorted(zonefiles.items())))
    write(log, "")
    start_daemon(["nsd", "-c", conf], os.path.join(d, "start.out"), "nsd",
                 log)
    pidfile = os.path.join(d, "nsd.pid")

    def answers():
        for zone in zonefiles:
            rcode, aa, an = dns_query(zone, 6)
            if rcode != 0 or not aa or an < 1:
                return False
        return True

    wait_for(answers, 10, "nsd on %s" % RESOLVER, log,
             lambda: read_pid(pidfile))


# ---------------------------------------------------------------- SMTP

def start_peers(state, hosts, certs):
    listeners = []
    v6certs = []
    for h in hosts:
        c = certs[h["host"]]
        cert = {k: c[k] for k in ("names", "chain", "key", "chain2", "key2")
                if k in c}
        for a in h["v4"]:
            listeners.append({"address": a, "port": 25,
                              "behaviour": h["behaviour"],
                              "hostname": h["host"], "certs": [cert]})
        if h["v6"]:
            v6certs.insert(0, (h, cert))
        elif h["sni_on_v6"]:
            v6certs.append((h, cert))
    for w in https_peers():
        c = certs[w["name"]]
        listeners.append({"address": w["address"], "port": 443,
                          "behaviour": w["behaviour"],
                          "hostname": w["name"], "policy": w["policy"],
                          "certs": [{"names": c["names"], "chain": c["chain"],
                                     "key": c["key"]}]})
    if v6certs:
        h = v6certs[0][0]
        listeners.append({"address": V6, "port": 25,
                          "behaviour": h["behaviour"], "hostname": h["host"],
                          "certs": [c for _h, c in v6certs]})
    log = os.path.join(state, "smtp_peer.log")
    ready = os.path.join(state, "smtp_peer.ready")
    cfg = os.path.join(state, "smtp_peer.json")
    write(cfg, json.dumps({"log": log, "ready": ready,
                           "listeners": listeners}, indent=1) + "\n")
    for f in (ready, log):
        if os.path.exists(f):
            os.unlink(f)
    out = open(os.path.join(state, "smtp_peer.out"), "w", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, os.path.join(HERE,
                                                          "smtp_peer.py"),
                             cfg], stdin=subprocess.DEVNULL, stdout=out,
                            stderr=subprocess.STDOUT, start_new_session=True,
                            close_fds=True)
    out.close()
    write(os.path.join(state, "smtp_peer.pid"), "%d\n" % proc.pid)

    def is_ready():
        if proc.poll() is not None:
            show_log(os.path.join(state, "smtp_peer.out"))
            die("smtp_peer.py exited with %d during start-up" %
                proc.returncode, log)
        if not os.path.exists(ready):
            return False
        with socket.create_connection((listeners[0]["address"], 25),
                                      timeout=2) as s:
            return s.recv(3) == b"220"

    wait_for(is_ready, 10, "smtp_peer.py", log)
    return listeners


# ---------------------------------------------------------------- nginx

def https_get(addr, name, path, cafile, timeout=2):
    """GET https://NAME/PATH from ADDR: (status line and headers, body,
    the leaf's DER). CAFILE None: no certificate check at all."""
    if cafile is None:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    else:
        ctx = ssl.create_default_context(cafile=cafile)
    with socket.create_connection((addr, 443), timeout=timeout) as raw:
        with ctx.wrap_socket(raw, server_hostname=name) as s:
            der = s.getpeercert(binary_form=True)
            s.sendall(("GET /%s HTTP/1.1\r\nHost: %s\r\nConnection: close"
                       "\r\n\r\n" % (path, name)).encode())
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head.decode("latin-1"), body, der


def header(head, field):
    """The value of the (only) header FIELD in HEAD, None if none."""
    got = [ln.split(":", 1)[1].strip() for ln in head.split("\r\n")[1:]
           if ln.split(":", 1)[0].strip().lower() == field.lower()]
    if len(got) > 1:
        raise ValueError("%d %s headers" % (len(got), field))
    return got[0] if got else None


def pkix_valid(s):
    """Whether a client trusting ca.pem accepts the site's certificate."""
    c = s["cert"]
    return (c["issuer"] in ("inter", "inter2") and s["name"] in c["names"]
            and c["not_before"] <= 0 < c["not_after"]
            and c["eku"] == "server")


def server_block(s, root, chain, key):
    if s["status"] != 200:
        ret = "return %d%s;" % (s["status"], " " + s["location"]
                                if s["location"] else "")
        loc = "\t\tlocation / {{ {} }}\n".format(ret)
    else:
        loc = "\t\tlocation / { try_files $uri =404; }\n"
        if s["post"]:  # the static module answers POST with 405
            loc += "\t\terror_page 405 =200 $uri;\n"
        if s["content_type"] is not None:
            assert '"' not in s["content_type"]
            # an empty types map: default_type goes out as it is
            loc += ('\t\tlocation = /%s {\n\t\t\ttypes { }\n'
                    '\t\t\tdefault_type "%s";\n'
                    '\t\t\ttry_files $uri =404;\n\t\t}\n'
                    % (POLICY_PATH, s["content_type"]))
    return """	server {{
		listen {addr}:443 ssl;
		server_name {name};
		ssl_certificate {chain};
		ssl_certificate_key {key};
		root {root};
{loc}	}}
""".format(addr=s["address"], name=s["name"], root=root, chain=chain,
           key=key, loc=loc)


def start_nginx(state, certs, sites):
    d = os.path.join(state, "nginx")
    www = os.path.join(d, "www")
    shutil.rmtree(www, ignore_errors=True)
    for sub in ("tmp", "www"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    log = os.path.join(d, "error.log")
    servers = []
    for s in sites:
        root = os.path.join(www, s["name"])
        os.makedirs(root, exist_ok=True)
        for path, body in s["files"].items():
            full = os.path.join(root, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as f:  # bytes: CRLF stays CRLF
                f.write(body.encode())
            os.chmod(full, 0o644)
        servers.append(server_block(s, root, certs[s["name"]]["chain"],
                                    certs[s["name"]]["key"]))
    conf = os.path.join(d, "nginx.conf")
    write(conf, """# written by tests/lab/lab.py: the lab's own nginx
daemon on;
master_process on;
worker_processes 1;
user root root;
pid {d}/nginx.pid;
lock_file {d}/nginx.lock;
error_log {log} info;
events {{ worker_connections {conns}; }}
http {{
	access_log {d}/access.log;
	client_body_temp_path {d}/tmp/body;
	proxy_temp_path {d}/tmp/proxy;
	fastcgi_temp_path {d}/tmp/fastcgi;
	uwsgi_temp_path {d}/tmp/uwsgi;
	scgi_temp_path {d}/tmp/scgi;
	types {{ text/plain txt; }}
	default_type text/plain;
	server_tokens off;
	ssl_protocols TLSv1.2 TLSv1.3;
{servers}}}
""".format(d=d, log=log, servers="".join(servers),
           conns=256 + len(sites)))  # each listening socket takes one
    write(log, "")
    base = ["nginx", "-p", d + "/", "-e", log, "-c", conf]
    run(base + ["-t", "-q"])
    start_daemon(base, os.path.join(d, "start.out"), "nginx", log)
    cafile = os.path.join(state, "pki", "ca.pem")
    pidfile = os.path.join(d, "nginx.pid")
    ders = {}
    for s in sites:
        with open(certs[s["name"]]["cert"], encoding="ascii") as f:
            ders[s["name"]] = ssl.PEM_cert_to_DER_cert(f.read())
    done = set()

    def answers():
        for s in sites:
            for path, status, ctype, body in s["expect"]:
                if (s["name"], path) in done:
                    continue
                url = "https://%s/%s at %s" % (s["name"], path, s["address"])
                head, got, der = https_get(
                    s["address"], s["name"], path,
                    cafile if pkix_valid(s) else None)
                first = head.split("\r\n")[0]
                if der != ders[s["name"]]:
                    raise ValueError("%s: not its certificate" % url)
                if first.split()[1:2] != [str(status)]:
                    raise ValueError("%s: %s, not %d" % (url, first, status))
                if ctype is not None and header(head, "Content-Type") != ctype:
                    raise ValueError("%s: Content-Type %r, not %r" % (
                        url, header(head, "Content-Type"), ctype))
                if body is not None and got != body.encode():
                    raise ValueError("%s: another body (%d bytes)" % (
                        url, len(got)))
                if s["location"] is not None and \
                        header(head, "Location") != s["location"]:
                    raise ValueError("%s: Location %r" % (
                        url, header(head, "Location")))
                done.add((s["name"], path))
        return True

    wait_for(answers, 10, "nginx on %s..%s:443" % (sites[0]["address"],
                                                   sites[-1]["address"]),
             log, lambda: read_pid(pidfile))
    for addr in NO_LISTEN:
        try:
            socket.create_connection((addr, 443), timeout=1).close()
        except OSError:
            continue
        die("something listens on %s:443, where nothing may" % addr, log)


# ---------------------------------------------------------------- up/down

def down(state):
    stop_pidfile(os.path.join(state, "nginx", "nginx.pid"), state, "nginx")
    stop_pidfile(os.path.join(state, "smtp_peer.pid"), state,
                 "smtp_peer.py")
    stop_pidfile(os.path.join(state, "nsd", "nsd.pid"), state, "nsd")
    for f in ("smtp_peer.ready",):
        try:
            os.unlink(os.path.join(state, f))
        except FileNotFoundError:
            pass


def up(state):
    t0 = time.monotonic()
    for tool in ("nsd", "nsd-checkconf", "nsd-checkzone", "nginx",
                 "certtool", "ldns-keygen", "ldns-signzone", "ldns-key2ds"):
        if shutil.which(tool) is None:
            die("%s not found (Debian packages: nsd, nginx-light, gnutls-bin,"
                " ldnsutils)" % tool)
    down(state)
    os.makedirs(state, exist_ok=True)
    os.chmod(state, 0o755)
    for sub in ("pki", "zones"):  # made anew on every start
        shutil.rmtree(os.path.join(state, sub), ignore_errors=True)
    now = int(time.time())
    hosts = plan()
    sites = site_plan()
    try:
        certs, ders = make_pki(state, hosts, sites + https_peers(), now)
        dane = dane_records(hosts, ders, {})
        zonefiles = make_zones(state, hosts, certs, sites, now, dane)
        start_nsd(state, zonefiles)
        start_peers(state, hosts, certs)
        start_nginx(state, certs, sites)
    except BaseException:
        down(state)
        raise
    dane_index = tlsa_index(dane)
    write(os.path.join(state, "lab.json"), json.dumps({
        "resolver": RESOLVER, "https": HTTPS_ADDR, "hosts": hosts,
        "sites": [{"name": x["name"], "address": x["address"],
                   "status": x["status"], "location": x["location"],
                   "content_type": x["content_type"], "cert": x["cert"],
                   "post": x["post"],
                   "what": x["what"],
                   "files": {p: len(b.encode()) for p, b in
                             x["files"].items()}} for x in sites],
        "no_listen": NO_LISTEN,
        "https_peers": [{k: w[k] for k in ("name", "address", "behaviour",
                                           "what")} for w in https_peers()],
        "certs": certs,
        "dane": dane_index[1], "tlsa": dane_index[0],
        "rpt": {label + ".rpt.test": opt.get("txt", [])
                for label, opt in RPT_DOMAINS}}, indent=1) + "\n")
    env = [("LAB_RESOLVER", RESOLVER),
           ("LAB_ANCHOR", os.path.join(state, "anchor.key")),
           ("LAB_CAFILE", os.path.join(state, "pki", "ca.pem")),
           ("LAB_DIR", state)]
    write(os.path.join(state, "lab.env"),
          "".join("%s=%s\n" % (k, shlex.quote(v)) for k, v in env))
    print("lab up in %s (%.1f s): nsd %s:53, %d SMTP peers on port 25, "
          "nginx %s..%s:443 (%d sites); see %s" % (
              state, time.monotonic() - t0, RESOLVER,
              sum(len(h["v4"]) for h in hosts) + 1, sites[0]["address"],
              sites[-1]["address"], len(sites),
              os.path.join(state, "lab.env")))


def main(argv):
    usage = ("usage: lab.py up STATEDIR | lab.py down STATEDIR | "
             "lab.py table [sts|dane|rpt]\n")
    if len(argv) == 2 and argv[1] == "table":
        print(table())
        return 0
    tables = {"sts": sts_table, "dane": dane_table, "rpt": rpt_table}
    if len(argv) == 3 and argv[1] == "table" and argv[2] in tables:
        print(tables[argv[2]]())
        return 0
    if len(argv) == 4 and argv[1] == "connections":
        # connections the SMTP peer accepted on HOST's addresses so far
        with open(os.path.join(argv[2], "lab.json"), encoding="utf-8") as f:
            addrs = [a for h in json.load(f)["hosts"] if h["host"] == argv[3]
                     for a in h["v4"]]
        n = 0
        with open(os.path.join(argv[2], "smtp_peer.log"), encoding="utf-8",
                  errors="replace") as f:
            for line in f:
                w = line.split()
                n += (len(w) >= 4 and w[1].split("/")[0] in addrs and
                      w[3] == "connected")
        print(n)
        return 0
    if len(argv) != 3 or argv[1] not in ("up", "down"):
        sys.stderr.write(usage)
        return 2
    state = os.path.abspath(argv[2])
    if argv[1] == "up":
        if os.geteuid() != 0:
            die("the lab binds ports 25, 53 and 443 on loopback: run as "
                "root")
        up(state)
    elif os.path.isdir(state):
        down(state)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
