#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Scripted SMTP peers for the loopback lab, one process for all of them.

lab.py writes a JSON config (STATEDIR/smtp_peer.json) that lists the
listeners: an address, a port, a behaviour name, the host name the peer
calls itself and one or more certificates (the first is the default, the
others are chosen by SNI). This program binds every listener, writes the
config's "ready" file, and then serves each connection in a thread of its
own, scripted by the behaviour (see BEHAVIOURS and tests/lab/README.md).
The behaviours exercise RFC 5321 (replies, §4.2, §4.5.3.1.5; greeting,
§3.1, §3.8) and RFC 3207 (STARTTLS) in good and hostile ways.

The same process also plays hostile HTTPS policy hosts (RFC 8461 §3.3) on
port 443: a listener whose behaviour is in HTTP_BEHAVIOURS does TLS at
once, reads one request head and answers it as scripted (a stalled body,
an endless chunked body, an unasked-for gzip body, a huge Content-Length,
NUL bytes). Such a listener carries "policy": the policy text its answers
are built from.

Every connection is bounded: it lives at most SESSION_LIMIT seconds, waits
at most IDLE_LIMIT seconds for a client line, reads lines of at most
MAX_LINE octets and at most MAX_COMMANDS commands; at most MAX_CONNS
connections are served at once. Everything is logged to the config's log
file. A session ends with a FIN, never a reset: the peer then reads what
the client still sends, for at most DRAIN_LIMIT seconds. SIGTERM or SIGINT
stops the process at once.

Usage: smtp_peer.py CONFIG.json
"""

import gzip
import json
import logging
import os
import random
import select
import signal
import socket
import ssl
import sys
import threading
import time

SESSION_LIMIT = 60.0
IDLE_LIMIT = 30.0
MAX_LINE = 4096
MAX_COMMANDS = 64
MAX_CONNS = 256
DRAIN_LIMIT = 5.0

BEHAVIOURS = {
    "good", "good2", "ipv6", "nostarttls", "starttls454", "handshakeabort",
    "expired", "expiring", "expiringwarn", "wrongname", "selfsigned",
    "untrusted", "notyetvalid", "greet421", "greet554", "stall", "endless",
    "longline", "hugeline", "garbage", "injection", "readvertise",
    "multigreet", "tls12only", "ehlofailtls", "mixedcode", "cisco",
    "lowercase", "xstarttls", "ehlo5xx", "manylines", "pipebanner",
    "chainwarn", "slow", "tls11only", "delay200",
    # hostile SMTP peers (tests/integration/hostile.cases)
    "tenmb", "greet10k", "starttlsmixed", "midhandshake", "tlsalert",
    "tlsinternal", "nulbanner",
}

# Hostile HTTPS policy hosts on port 443 (http_script()).
HTTP_BEHAVIOURS = {
    "headstall", "chunkedendless", "gzipbomb", "lenslow", "lenfast",
    "nulbody",
}

# The description of the fatal alert (RFC 8446 §6: a record of type 21,
# level 2) that tlsalert and tlsinternal send instead of a ServerHello:
# handshake_failure, internal_error.
ALERTS = {"tlsalert": 40, "tlsinternal": 80}
HUGE_LENGTH = 100 * 1024 * 1024  # the Content-Length of lenslow and lenfast


def _garbage():
    """200 fixed pseudo-random octets with a NUL, an ESC and a '|', no CR/LF
    and no leading digit (the same on every run, for reproducible logs)."""
    rnd = random.Random(20261129)
    data = bytearray(rnd.randrange(256) for _ in range(200))
    for i, b in enumerate(data):
        if b in (0x0A, 0x0D):
            data[i] = 0xFF
    data[0] = 0x00
    data[1] = 0x1B
    data[7] = 0x1B
    data[50] = ord("|")
    data[120] = 0x00
    return bytes(data)


GARBAGE = _garbage()
log = logging.getLogger("smtp_peer")


class Closed(Exception):
    """The session is over (client gone, limit reached, or scripted end)."""


def printable(data, limit=200):
    """A log-safe rendering of client or server bytes."""
    text = data[:limit].decode("latin-1")
    out = "".join(c if 0x20 <= ord(c) < 0x7F else "\\x%02x" % ord(c)
                  for c in text)
    if len(data) > limit:
        out += "...(%d octets)" % len(data)
    return out


class Session:
    """One client connection: bounded reads and writes, optional TLS."""

    def __init__(self, sock, peer, listener):
        self.sock = sock
        self.peer = peer
        self.lst = listener
        self.behaviour = listener["behaviour"]
        self.host = listener["hostname"]
        self.buf = b""
        self.tls = False
        self.deadline = time.monotonic() + SESSION_LIMIT
        self.tag = "%s/%s %s" % (listener["address"], self.behaviour,
                                 peer[0] if peer else "?")

    def left(self):
        return self.deadline - time.monotonic()

    def _timeout(self, cap):
        t = min(self.left(), cap)
        if t <= 0:
            raise Closed("session time limit reached")
        self.sock.settimeout(t)

    def send(self, data, quiet=False):
        self._timeout(IDLE_LIMIT)
        try:
            self.sock.sendall(data)
        except socket.timeout:
            raise Closed("client does not read")
        except OSError as e:
            raise Closed("send failed: %s" % e)
        if not quiet:
            log.info("%s S: %s", self.tag, printable(data))

    def reply(self, code, lines):
        """Send a reply of one or more lines, all with the same code
        ("delay200": each line 200 ms late, as a loaded or distant server
        answers; for the benchmarks)."""
        out = []
        for i, text in enumerate(lines):
            sep = " " if i == len(lines) - 1 else "-"
            out.append("%d%s%s\r\n" % (code, sep, text))
        if self.behaviour == "delay200":
            for line in out:
                time.sleep(0.2)
                self.send(line.encode("latin-1"))
            return
        self.send("".join(out).encode("latin-1"))

    def readline(self):
        while b"\n" not in self.buf:
            if len(self.buf) > MAX_LINE:
                self.reply(500, ["5.5.2 line too long"])
                raise Closed("client line too long")
            self._timeout(IDLE_LIMIT)
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                raise Closed("client idle or session limit")
            except OSError as e:
                raise Closed("receive failed: %s" % e)
            if not data:
                raise Closed("client closed the connection")
            self.buf += data
        line, _, self.buf = self.buf.partition(b"\n")
        line = line.rstrip(b"\r")
        log.info("%s C: %s", self.tag, printable(line))
        return line

    def recv_some(self):
        """Whatever the client sends next (at most 64 KiB), not logged."""
        self._timeout(IDLE_LIMIT)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            raise Closed("client idle or session limit")
        except OSError as e:
            raise Closed("receive failed: %s" % e)
        if not data:
            raise Closed("client closed the connection")
        return data

    def send_forever(self, chunk, pause=0.0):
        """Sends CHUNK again and again until the client goes away or the
        session limit is reached."""
        log.info("%s sending %d-octet chunks until the client goes away",
                 self.tag, len(chunk))
        while True:
            self.send(chunk, quiet=True)
            if pause:
                time.sleep(pause)

    def hold(self):
        """Keep the connection open, discarding input, until the client
        goes away or the session limit is reached."""
        while True:
            self._timeout(5.0)
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            except OSError as e:
                raise Closed("receive failed: %s" % e)
            if not data:
                raise Closed("client closed the connection")

    def client_talked(self, wait):
        """True if the client sent data within `wait` seconds; Closed if it
        went away."""
        r, _, _ = select.select([self.sock], [], [], wait)
        if not r:
            return False
        try:
            data = self.sock.recv(4096, socket.MSG_PEEK)
        except OSError as e:
            raise Closed("receive failed: %s" % e)
        if not data:
            raise Closed("client closed the connection")
        return True

    def finish(self):
        """Ends the session gracefully: FIN (no TLS close_notify), then
        reads and discards what the client still sends for up to
        DRAIN_LIMIT seconds, so that closing does not reset the connection
        under the client (a reset is a different test)."""
        try:
            self.sock.shutdown(socket.SHUT_WR)
            end = time.monotonic() + min(DRAIN_LIMIT, max(self.left(), 0.1))
            got = 0
            while got < (1 << 20):
                t = end - time.monotonic()
                if t <= 0:
                    break
                self.sock.settimeout(t)
                data = self.sock.recv(65536)
                if not data:
                    break
                got += len(data)
        except (OSError, ValueError):
            pass
        try:
            self.sock.close()
        except OSError:
            pass

    def starttls(self):
        # RFC 3207 §4.2: plaintext pipelined after STARTTLS is discarded
        if self.buf:
            log.info("%s discarding %d plaintext octets after STARTTLS",
                     self.tag, len(self.buf))
        self.buf = b""
        self._timeout(10.0)
        try:
            self.sock = self.lst["_ctx"].wrap_socket(self.sock,
                                                     server_side=True)
        except (ssl.SSLError, OSError) as e:
            raise Closed("TLS handshake failed: %s" % e)
        self.tls = True
        log.info("%s TLS %s %s sni=%s", self.tag, self.sock.version(),
                 (self.sock.cipher() or ("?",))[0],
                 getattr(self.sock, "_lab_sni", None))


# ---------------------------------------------------------------- scripts

def ehlo_lines(s, arg):
    """The EHLO reply lines (without codes) for a good-ish server."""
    b = s.behaviour
    first = "%s Hello %s" % (s.host, arg or "there")
    kws = ["PIPELINING", "SIZE 10240000"]
    if not s.tls or b == "readvertise":
        if b == "lowercase":
            kws.append("starttls")
        elif b == "xstarttls":
            kws.append("XSTARTTLS")
        elif b != "nostarttls":
            kws.append("STARTTLS")
    if s.tls:
        kws.append("AUTH PLAIN LOGIN")
    kws += ["ENHANCEDSTATUSCODES", "8BITMIME"]
    if b == "longline" and not s.tls:
        head = "X-LONG-LINE "
        # the whole line "250-" + text + CRLF is 600 octets
        kws.insert(1, head + "x" * (600 - 4 - 2 - len(head)))
    if b == "manylines" and not s.tls:
        lines = [first, "STARTTLS"]
        n = 3
        while len(lines) < 150:
            lines.append("X-FILLER-%03d" % n)
            n += 1
        return lines + ["HELP"]  # 150 "250-" lines, then the last one
    if b == "cisco":
        return ["STARTTLS", "PIPELINING", "SIZE 10240000", "8BITMIME"]
    return [first] + kws + ["SMTPUTF8"]


def do_ehlo(s, arg):
    b = s.behaviour
    if b == "ehlo5xx":
        s.reply(502, ["5.5.2 command not recognized"])
        return
    if b == "ehlofailtls" and s.tls:
        s.reply(554, ["no"])
        return
    if b == "mixedcode":
        s.send(("250-%s\r\n251 STARTTLS\r\n" % s.host).encode())
        return
    if b == "nulbanner" and not s.tls:
        lines = ehlo_lines(s, arg)
        s.send(("250-%s\r\n" % lines[0]).encode() +
               b"250-X-\x00NUL\x1b[2Jclear\r\n" +
               "".join("250-%s\r\n" % x for x in lines[1:-1]).encode() +
               ("250 %s\r\n" % lines[-1]).encode())
        return
    if b == "endless" and not s.tls:
        s.send(("250-%s Hello\r\n" % s.host).encode())
        n = 0
        log.info("%s sending 250- lines until the client goes away",
                 s.tag)
        while True:
            chunk = "".join("250-X-ENDLESS-%d\r\n" % (n + i)
                            for i in range(50))
            s.send(chunk.encode(), quiet=True)
            n += 50
            time.sleep(0.005)
    s.reply(250, ehlo_lines(s, arg))


def do_starttls(s):
    b = s.behaviour
    if s.tls:
        s.reply(503, ["5.5.1 TLS already active"])
    elif b in ("nostarttls", "xstarttls", "ehlo5xx"):
        s.reply(502, ["5.5.1 STARTTLS not supported"])
    elif b == "starttls454":
        s.reply(454, ["4.7.0 TLS not available"])
    elif b == "handshakeabort":
        s.reply(220, ["2.0.0 Ready to start TLS"])
        raise Closed("closing instead of the TLS handshake (scripted)")
    elif b == "injection":
        s.send(b"220 go\r\n250 injected\r\n")
        s.starttls()
    elif b == "starttlsmixed":
        # starts as a go-ahead, ends as a refusal: one reply, two codes
        s.send(b"220-2.0.0 Ready to start TLS\r\n454 4.7.0 changed my mind"
               b"\r\n")
    elif b == "midhandshake":
        s.reply(220, ["2.0.0 Ready to start TLS"])
        half_handshake(s)
    elif b in ALERTS:
        s.reply(220, ["2.0.0 Ready to start TLS"])
        hello = s.recv_some()
        log.info("%s C: %d octets of TLS (ClientHello)", s.tag, len(hello))
        s.send(bytes([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, ALERTS[b]]))
        raise Closed("fatal alert %d instead of a ServerHello (scripted)" %
                     ALERTS[b])
    else:
        s.reply(220, ["2.0.0 Ready to start TLS"])
        s.starttls()


def half_handshake(s):
    """Reads the ClientHello, lets OpenSSL answer it, sends the first half
    of that answer (the ServerHello flight) and ends the session."""
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = s.lst["_ctx"].wrap_bio(inc, out, server_side=True)
    flight = b""
    while not flight:
        inc.write(s.recv_some())
        try:
            obj.do_handshake()
        except ssl.SSLWantReadError:
            pass
        except ssl.SSLError as e:
            raise Closed("TLS handshake failed: %s" % e)
        flight = out.read()
    s.send(flight[:len(flight) // 2], quiet=True)
    log.info("%s S: %d of the %d octets of the server's TLS flight", s.tag,
             len(flight) // 2, len(flight))
    raise Closed("closed in the middle of the TLS handshake (scripted)")


def greet(s):
    """Sends the greeting; returns False if the session ends with it."""
    b = s.behaviour
    banner = ("220 %s ESMTP mailtls lab\r\n" % s.host).encode()
    if b == "stall":
        s.hold()
    elif b == "hugeline":
        s.send(b"A" * (1 << 20), quiet=True)
        log.info("%s S: 1 MiB of 'A' without CRLF", s.tag)
        s.hold()
    elif b == "garbage":
        s.send(GARBAGE + b"\r\n")
        return False
    elif b == "tenmb":
        log.info("%s S: up to 10 MiB of 'A' without CRLF", s.tag)
        for _ in range(160):
            s.send(b"A" * 65536, quiet=True)
        s.hold()
    elif b == "greet10k":
        lines = b"".join(b"220-%s line %05d of a long greeting\r\n" %
                         (s.host.encode(), i) for i in range(10000))
        log.info("%s S: 10000 '220-' lines (%d octets), then '220 '",
                 s.tag, len(lines))
        for i in range(0, len(lines), 65536):
            s.send(lines[i:i + 65536], quiet=True)
        s.send(banner)
    elif b == "nulbanner":
        # ANSI CSI and OSC sequences, BEL, an 8-bit CSI, then a NUL and
        # more text; an EHLO line with NUL and ESC as well (see do_ehlo)
        s.send(b"220 " + s.host.encode() + b" \x1b[31mESMTP\x1b[0m "
               b"\x1b]0;owned\x07\x9b2J\x00hidden after NUL\r\n")
    elif b == "greet421":
        s.send(b"421 4.3.2 try later\r\n")
        return False
    elif b == "greet554":
        s.send(b"554 no service\r\n")
        for _ in range(MAX_COMMANDS):
            verb = s.readline().split(b" ", 1)[0].upper()
            if verb == b"QUIT":
                s.reply(221, ["2.0.0 bye"])
                return False
            s.reply(503, ["5.5.1 no service"])
        return False
    elif b == "slow":
        for i in range(len(banner)):
            s.send(banner[i:i + 1], quiet=True)
            if i < len(banner) - 1:
                time.sleep(1.0)
        log.info("%s S: %s (one octet per second)", s.tag, printable(banner))
    elif b == "multigreet":
        for line in (b"220-a\r\n", b"220-b\r\n"):
            s.send(line)
            if s.client_talked(0.3):
                s.send(b"554 5.5.1 early talker\r\n")
                return False
        if s.client_talked(0):
            s.send(b"554 5.5.1 early talker\r\n")
            return False
        s.send(b"220 c\r\n")
    elif b == "pipebanner":
        s.send(b"220 mx | x=1 \x1b[31mred\x07\r\n")
    else:
        s.send(banner)
    return True


def session_script(s):
    if not greet(s):
        return
    for _ in range(MAX_COMMANDS):
        line = s.readline()
        verb, _, arg = line.partition(b" ")
        verb = verb.upper()
        arg = printable(arg.strip(), 100)
        if verb == b"EHLO":
            do_ehlo(s, arg)
        elif verb == b"HELO":
            s.reply(250, [s.host])
        elif verb == b"STARTTLS":
            do_starttls(s)
        elif verb == b"QUIT":
            s.reply(221, ["2.0.0 bye"])
            return
        elif verb in (b"NOOP", b"RSET"):
            s.reply(250, ["2.0.0 OK"])
        else:
            s.reply(502, ["5.5.2 command not recognized"])
    s.reply(421, ["4.7.0 too many commands"])


# ---------------------------------------------------------------- HTTPS

def http_head(s, status, fields):
    """Sends an HTTP/1.1 status line and header fields."""
    s.send(("HTTP/1.1 %s\r\n" % status +
            "".join("%s: %s\r\n" % f for f in fields) + "\r\n").encode())


_BOMBS = {}
_BOMBS_LOCK = threading.Lock()


def gzip_bomb(policy):
    """(inflated, gzipped): POLICY and 10 MiB of padding lines, compressed
    once (about 30 KiB) and kept."""
    with _BOMBS_LOCK:
        if policy not in _BOMBS:
            raw = policy + (b"x: " + b"x" * 60 + b"\n") * (10 * 16384)
            _BOMBS[policy] = (raw, gzip.compress(raw, mtime=0))
        return _BOMBS[policy]


def http_script(s):
    """A hostile policy host: TLS at once, one request head read (up to
    100 lines), then the scripted answer."""
    s.starttls()
    for _ in range(100):
        if not s.readline():
            break
    b = s.behaviour
    policy = s.lst["policy"].encode()
    plain = ("Content-Type", "text/plain")
    if b == "headstall":
        http_head(s, "200 OK", [plain, ("Content-Length", len(policy))])
        log.info("%s headers sent, the body never comes", s.tag)
        s.hold()
    elif b == "chunkedendless":
        http_head(s, "200 OK", [plain, ("Transfer-Encoding", "chunked")])
        s.send(b"%x\r\n%s\r\n" % (len(policy), policy))
        line = b"x: " + b"x" * 60 + b"\n"
        data = line * 64
        s.send_forever(b"%x\r\n%s\r\n" % (len(data), data))
    elif b == "gzipbomb":
        # the policy and 10 MiB of padding lines, gzipped (about 30 KiB);
        # the client sent no Accept-Encoding
        raw, body = gzip_bomb(policy)
        http_head(s, "200 OK", [plain, ("Content-Encoding", "gzip"),
                                ("Content-Length", len(body))])
        s.send(body, quiet=True)
        log.info("%s S: %d octets of gzip (%d octets inflated)", s.tag,
                 len(body), len(raw))
    elif b in ("lenslow", "lenfast"):
        http_head(s, "200 OK", [plain, ("Content-Length", HUGE_LENGTH)])
        s.send(policy)
        if b == "lenslow":
            s.send_forever(b"x: slow\n", pause=0.5)
        s.send_forever((b"x: " + b"x" * 60 + b"\n") * 1024)
    elif b == "nulbody":
        body = policy.replace(b"mode: enforce\n",
                              b"mode: enforce\x00testing\n")
        http_head(s, "200 OK", [plain, ("Content-Length", len(body))])
        s.send(body)


def serve(sock, peer, listener, slots):
    s = Session(sock, peer, listener)
    log.info("%s connected (port %d)", s.tag, listener["port"])
    why = "session script ended"
    try:
        if s.behaviour in HTTP_BEHAVIOURS:
            http_script(s)
        else:
            session_script(s)
    except Closed as e:
        why = str(e)
    except Exception as e:  # a bug here must not kill the listener
        why = "error: %r" % (e,)
        log.exception("%s unexpected error", s.tag)
    finally:
        s.finish()
        slots.release()
    log.info("%s closed: %s", s.tag, why)


# ---------------------------------------------------------------- setup

def make_context(listener, cert, sni_map):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if listener["behaviour"] == "tls12only":
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    elif listener["behaviour"] == "tls11only":
        # RFC 8996 deprecated it; OpenSSL 3 needs security level 0 for it
        ctx.minimum_version = ssl.TLSVersion.TLSv1_1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    ctx.load_cert_chain(cert["chain"], cert["key"])
    if "chain2" in cert:
        # a second key type (RSA beside ECDSA): OpenSSL keeps one
        # certificate per key type and picks by the client's algorithms
        ctx.load_cert_chain(cert["chain2"], cert["key2"])
    if sni_map is not None:
        def pick(sslsock, name, _ctx):
            try:
                sslsock._lab_sni = name
            except AttributeError:
                pass
            if name is not None and name.lower() in sni_map:
                sslsock.context = sni_map[name.lower()]
            return None
        ctx.sni_callback = pick
    return ctx


def setup_listener(lst):
    if lst["behaviour"] not in BEHAVIOURS | HTTP_BEHAVIOURS:
        raise ValueError("unknown behaviour %r" % lst["behaviour"])
    certs = lst["certs"]
    sni_map = {}
    for cert in certs[1:]:
        ctx = make_context(lst, cert, None)
        for name in cert["names"]:
            sni_map[name.lower()] = ctx
    lst["_ctx"] = make_context(lst, certs[0], sni_map)
    family = socket.AF_INET6 if ":" in lst["address"] else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    sock.bind((lst["address"], lst["port"]))
    sock.listen(64)
    return sock


def accept_loop(sock, lst, slots):
    while True:
        try:
            conn, peer = sock.accept()
        except OSError as e:
            log.error("accept on %s failed: %s", lst["address"], e)
            time.sleep(0.1)
            continue
        if not slots.acquire(blocking=False):
            log.warning("%s: too many connections, closing one",
                        lst["address"])
            conn.close()
            continue
        threading.Thread(target=serve, args=(conn, peer, lst, slots),
                         daemon=True).start()


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: smtp_peer.py CONFIG.json\n")
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        cfg = json.load(f)
    logging.basicConfig(
        filename=cfg["log"], level=logging.INFO,
        format="%(asctime)s.%(msecs)03d %(message)s", datefmt="%H:%M:%S")

    def stop(signum, _frame):
        log.info("signal %d: stopping", signum)
        logging.shutdown()
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    slots = threading.BoundedSemaphore(MAX_CONNS)
    socks = []
    for lst in cfg["listeners"]:
        try:
            socks.append((setup_listener(lst), lst))
        except (OSError, ValueError, ssl.SSLError) as e:
            log.error("cannot set up %s port %d (%s): %s", lst["address"],
                      lst["port"], lst["behaviour"], e)
            sys.stderr.write("smtp_peer: cannot set up %s port %d: %s\n" %
                             (lst["address"], lst["port"], e))
            return 1
    for sock, lst in socks:
        threading.Thread(target=accept_loop, args=(sock, lst, slots),
                         daemon=True).start()
    log.info("listening on %d addresses", len(socks))
    with open(cfg["ready"] + ".tmp", "w", encoding="utf-8") as f:
        f.write("%d\n" % os.getpid())
    os.rename(cfg["ready"] + ".tmp", cfg["ready"])
    while True:
        signal.pause()


if __name__ == "__main__":
    sys.exit(main())
