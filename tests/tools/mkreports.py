#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Makes TLSRPT reports (RFC 8460 4) in the shapes real senders send, as
files in a folder or messages in a Maildir, for check_tlsrpt_reports'
integration cases and benchmark. Nothing here is copied from anyone's
reports: the shapes are described in tests/corpus/tlsrpt-reports/MANIFEST.

usage:
  mkreports.py DIR [--maildir] REPORT...
  mkreports.py DIR --bench N          (a Maildir of N mixed reports)

DIR is made if missing (with new/ cur/ tmp/ for --maildir). Each REPORT is
comma-separated key=value pairs:
  org=NAME          organization-name (default "Example Sender")
  id=ID             report-id (default: made from the other fields)
  domain=D          policy-domain (default example.com)
  type=T            sts, tlsa or no-policy-found (default sts)
  ok=N fail=N       the summary's counts (default 100 and 0)
  result=R          result type of the failures (default certificate-expired)
  mx=HOST           receiving-mx-hostname of the failure detail
  end=AGE           the date-range ends AGE ago: 0, 3h, 1d, 5d (default 3h)
  form=F            json, gz, eml-gz (default), eml-json, eml-raw (raw JSON
                    under application/tlsrpt), eml-html (Microsoft: HTML text
                    part first), eml-ooo (a message that is not a report),
                    other (a .txt file), garbage-gz, bomb (a gzip that
                    expands 1000:1), big-json (11 MiB), deep (JSON nested
                    100 deep), dupkey (a duplicate key), strcount (a count
                    as a string)
  shape=S           google (default), microsoft (no time zone, no mx-host,
                    tlsa policy-string as one JSON string, details with
                    only result-type and count), mailru (details add up to
                    more than the summary), rfc (mx-host a bare string,
                    draft field names), smallmta (contact-info null, empty
                    arrays, end at the next midnight)
  name=FILE         the file name (default: report-<n>.<ext>)
  copies=N          write N copies (a duplicate delivery; default 1)
"""
import base64
import datetime
import gzip
import io
import json
import os
import random
import sys

NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def age(s):
    if s in ("0", ""):
        return datetime.timedelta(0)
    n, u = int(s[:-1]), s[-1]
    return datetime.timedelta(**{{"s": "seconds", "m": "minutes",
                                  "h": "hours", "d": "days"}[u]: n})


def report(o):
    shape = o.get("shape", "google")
    end = NOW - age(o.get("end", "3h"))
    start = end - datetime.timedelta(days=1)
    if shape == "microsoft":
        fmt = "%Y-%m-%dT%H:%M:%S"
    else:
        fmt = "%Y-%m-%dT%H:%M:%SZ"
    ok, fail = int(o.get("ok", 100)), int(o.get("fail", 0))
    ptype = o.get("type", "sts")
    domain = o.get("domain", "example.com")
    result = o.get("result", "certificate-expired")
    pol = {"policy-type": ptype}
    if ptype == "sts":
        pol["policy-string"] = ["version: STSv1", "mode: enforce",
                                "mx: *.%s" % domain, "max_age: 604800"]
    elif ptype == "tlsa":
        pol["policy-string"] = ["3 1 1 " + "ab" * 32]
    pol["policy-domain"] = domain
    if ptype != "no-policy-found":
        pol["mx-host"] = ["mx1.%s" % domain]
    details = []
    if fail:
        d = {"result-type": result, "sending-mta-ip": "192.0.2.7",
             "receiving-mx-hostname": o.get("mx", "mx1.%s" % domain),
             "receiving-ip": "198.51.100.25",
             "failed-session-count": fail}
        details.append(d)
    if shape == "microsoft":
        pol.pop("mx-host", None)
        if ptype == "tlsa":
            pol["policy-string"] = [json.dumps(["3 1 1 " + "CD" * 32,
                                                "3 1 1 " + "EF" * 32])]
        details = [{"result-type": d["result-type"],
                    "failed-session-count": d["failed-session-count"]}
                   for d in details]
    elif shape == "mailru" and details:
        details.append(dict(details[0], **{"failure-reason-code":
                                           "bad https response code: 500"}))
    elif shape == "rfc":
        if "mx-host" in pol:
            pol["mx-host"] = "*.mail.%s" % domain
        for d in details:
            d["failure-error-code"] = "X509_V_ERR_CERT_HAS_EXPIRED"
            d["additional-info-uri"] = "https://reports.example/x"
    elif shape == "smallmta":
        end = (NOW - age(o.get("end", "3h"))).replace(
            hour=0, minute=0, second=0)
        start = end - datetime.timedelta(days=1)
        if ptype == "no-policy-found":
            pol["policy-string"] = []
            pol["mx-host"] = []
    rep = {
        "organization-name": o.get("org", "Example Sender"),
        "date-range": {"start-datetime": start.strftime(fmt),
                       "end-datetime": end.strftime(fmt)},
        "contact-info": None if shape == "smallmta" else
        "tlsrpt@%s" % o.get("org", "sender").split()[0].lower() + ".example",
        "report-id": o.get("id") or "%s_%s_%s" % (
            start.strftime("%Y-%m-%dT%H:%M:%SZ"), domain,
            o.get("org", "x").replace(" ", "")),
        "policies": [{"policy": pol,
                      "summary": {"total-successful-session-count": ok,
                                  "total-failure-session-count": fail},
                      "failure-details": details}],
    }
    return rep


def gz(data, name="report.json"):
    b = io.BytesIO()
    with gzip.GzipFile(filename=name, mode="wb", fileobj=b,
                       mtime=0) as f:
        f.write(data)
    return b.getvalue()


def b64lines(data):
    s = base64.b64encode(data).decode()
    return "\r\n".join(s[i:i + 76] for i in range(0, len(s), 76))


def eml(o, rep, payload, ctype, html=False, subject_id=None):
    org = rep["organization-name"]
    domain = rep["policies"][0]["policy"].get("policy-domain", "example.com")
    rid = subject_id or rep["report-id"]
    text = ("<html><body><p>This is an aggregate TLS report from %s</p>"
            "</body></html>" % org) if html else \
        ("This is an aggregate TLS report from %s." % org)
    ttype = "text/html" if html else "text/plain"
    if ctype == "application/tlsrpt":
        part = ("Content-Type: application/tlsrpt\r\n"
                "Content-Disposition: attachment; filename=\"r.json\"\r\n"
                "\r\n" + payload.decode() + "\r\n")
    else:
        part = ("Content-Type: %s\r\n"
                "Content-Transfer-Encoding: base64\r\n"
                "Content-Disposition: attachment;\r\n"
                " filename=\"%s!%s!%s.json%s\"\r\n\r\n%s\r\n" % (
                    ctype, org.split()[0].lower(), domain, rid,
                    ".gz" if ctype.endswith("gzip") else "",
                    b64lines(payload)))
    msg = ("Return-Path: <noreply@sender.example>\r\n"
           "From: %s <noreply-smtp-tls-reporting@sender.example>\r\n"
           "To: tlsrpt@%s\r\n"
           "Subject: Report Domain: %s Submitter: %s Report-ID: <%s>\r\n"
           "Date: %s\r\n"
           "TLS-Report-Domain: %s\r\n"
           "TLS-Report-Submitter: %s\r\n"
           "MIME-Version: 1.0\r\n"
           "Content-Type: multipart/report; report-type=\"tlsrpt\";\r\n"
           " boundary=\"=_b1\"\r\n\r\n"
           "--=_b1\r\nContent-Type: %s; charset=\"utf-8\"\r\n\r\n%s\r\n\r\n"
           "--=_b1\r\n%s--=_b1--\r\n") % (
               org, domain, domain, org, rid,
               NOW.strftime("%a, %d %b %Y %H:%M:%S +0000"), domain, org,
               ttype, text, part)
    return msg.encode()


def render(o, n):
    form = o.get("form", "eml-gz")
    rep = report(o)
    js = json.dumps(rep, indent=None if n % 2 else 2).encode()
    if form == "json":
        return "json", js
    if form == "gz":
        return "json.gz", gz(js)
    if form == "eml-gz":
        # Google: the Subject's report id is not the JSON's
        sid = rep["report-id"] + ".subject" if o.get(
            "shape", "google") == "google" else None
        return "eml", eml(o, rep, gz(js), "application/tlsrpt+gzip",
                          subject_id=sid)
    if form == "eml-json":
        return "eml", eml(o, rep, js, "application/tlsrpt+json")
    if form == "eml-raw":
        return "eml", eml(o, rep, js, "application/tlsrpt")
    if form == "eml-html":
        return "eml", eml(o, rep, gz(js), "application/tlsrpt+gzip",
                          html=True)
    if form == "eml-ooo":
        return "eml", (b"From: cron@example.com\r\nTo: tlsrpt@example.com\r\n"
                       b"Subject: Cron <root@mx1> run-parts\r\n\r\n"
                       b"/etc/cron.daily/logrotate: done\r\n")
    if form == "other":
        return "txt", b"notes\n"
    if form == "garbage-gz":
        return "json.gz", b"\x1f\x8b\x08\x00" + bytes(range(40))
    if form == "bomb":
        return "json.gz", gz(b"{" + b" " * (4 * 1024 * 1024) + b"}")
    if form == "big-json":
        return "json", (b'{"pad": "' + b"x" * (11 * 1024 * 1024) + b'"}')
    if form == "deep":
        return "json", b"[" * 100 + b"]" * 100
    if form == "dupkey":
        s = js.decode()
        return "json", ('{"report-id": "dup-%d", ' % n + s[1:]).encode()
    if form == "strcount":
        s = js.decode().replace('"total-successful-session-count": %s' %
                                rep["policies"][0]["summary"][
                                    "total-successful-session-count"],
                                '"total-successful-session-count": "%s"' %
                                rep["policies"][0]["summary"][
                                    "total-successful-session-count"])
        return "json", s.encode()
    raise SystemExit("unknown form " + form)


def write(d, maildir, name, data):
    path = os.path.join(d, "new" if maildir else "", name)
    with open(path, "wb") as f:
        f.write(data)


def parse_spec(s):
    o = {}
    for kv in s.split(","):
        if kv:
            k, _, v = kv.partition("=")
            o[k.strip()] = v.strip()
    return o


def bench(d, n):
    """N reports: 60 % gzip attachments, 25 % raw JSON attachments, 10 %
    Microsoft with HTML, 5 % duplicates of earlier ones; in new/ and cur/."""
    rnd = random.Random(15)
    orgs = ["Google Inc.", "Microsoft Corporation", "Mail.ru", "Yahoo",
            "mx.example.net", "Comcast", "GMX", "Zoho"]
    made = []
    for i in range(n):
        if made and rnd.random() < 0.05:
            data = made[rnd.randrange(len(made))]
        else:
            x = rnd.random()
            o = {"org": rnd.choice(orgs), "id": "bench-%d" % i,
                 "ok": str(rnd.randrange(1, 5000)),
                 "fail": str(rnd.randrange(0, 20)),
                 "result": rnd.choice(["certificate-expired",
                                       "starttls-not-supported",
                                       "sts-policy-fetch-error"]),
                 "end": "%dh" % rnd.randrange(1, 90),
                 "type": rnd.choice(["sts", "sts", "tlsa"])}
            if x < 0.60:
                o["form"] = "eml-gz"
            elif x < 0.85:
                o["form"] = "eml-json"
            else:
                o["form"] = "eml-html"
                o["shape"] = "microsoft"
            data = render(o, i)[1]
            made.append(data)
        sub = "cur" if i % 3 == 0 else "new"
        name = "%d.M%dP%d.bench%s" % (1700000000 + i, i, 4242,
                                      ":2,S" if sub == "cur" else "")
        with open(os.path.join(d, sub, name), "wb") as f:
            f.write(data)


def main():
    a = sys.argv[1:]
    if not a or a[0].startswith("-"):
        sys.stderr.write(__doc__)
        return 2
    d = a.pop(0)
    maildir = False
    if a and a[0] == "--maildir":
        maildir = True
        a.pop(0)
    os.makedirs(d, exist_ok=True)
    if a and a[0] == "--bench":
        for s in ("new", "cur", "tmp"):
            os.makedirs(os.path.join(d, s), exist_ok=True)
        bench(d, int(a[1]))
        return 0
    if maildir:
        for s in ("new", "cur", "tmp"):
            os.makedirs(os.path.join(d, s), exist_ok=True)
    for n, spec in enumerate(a):
        o = parse_spec(spec)
        ext, data = render(o, n)
        if maildir and ext != "eml":
            raise SystemExit("a Maildir holds messages: use an eml- form")
        for c in range(int(o.get("copies", 1))):
            name = o.get("name") or "report-%d%s.%s" % (
                n, "-%d" % c if c else "", ext)
            if maildir:
                name = "%d.M%dP1.lab%s" % (1700000000 + n, c, "")
                if c % 2:
                    name += ":2,S"
                write(d, False, os.path.join("cur" if c % 2 else "new",
                                             name), data)
            else:
                write(d, False, name, data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
