#!/usr/bin/env python3
"""A raw SOCK_SEQPACKET client for ringfwd's telemetry socket (DPDK's v2
protocol), for the tests: the edge cases dpdk-telemetry.py never sends.

  tel_client.py PATH query CMD...        print each reply (one JSON a line)
  tel_client.py PATH edge                run the edge cases, exit 1 on a failure
  tel_client.py PATH hold N SECS         N clients connect, never read, SECS later leave
  tel_client.py PATH hammer SECS CMD...  ask CMD... in turn for SECS seconds: every reply
                                         must be {"CMD": data}; prints the count
"""
import json
import os
import socket
import sys
import time

MAX_OUT = 16384


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(10)
    s.connect(path)
    hello = json.loads(s.recv(MAX_OUT).decode())
    return s, hello


def ask(s, req):
    s.send(req if isinstance(req, bytes) else req.encode())
    raw = s.recv(MAX_OUT * 2)
    if len(raw) > MAX_OUT:
        raise AssertionError("reply of %d bytes, over %d" % (len(raw), MAX_OUT))
    return json.loads(raw.decode())


def query(path, cmds):
    s, _ = connect(path)
    for c in cmds:
        print(json.dumps(ask(s, c)))
    s.close()


failures = []


def check(what, cond):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def closed(s):
    """True when the server closed s (EOF, or a reset)."""
    try:
        return s.recv(MAX_OUT) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True


def edge(path):
    s, hello = connect(path)
    check("hello has version, pid, max_output_len 16384",
          set(hello) >= {"version", "pid", "max_output_len"} and hello["max_output_len"] == MAX_OUT)
    check("/info repeats the hello", ask(s, "/info")["/info"]["pid"] == hello["pid"])
    cmds = ask(s, "/")["/"]
    check("/ lists the DPDK commands",
          all(c in cmds for c in ["/", "/info", "/help", "/ethdev/list", "/ethdev/stats",
                                  "/eal/lcore/usage", "/mempool/list"]))
    check("/help,/ethdev/stats gives its help",
          isinstance(ask(s, "/help,/ethdev/stats")["/help"]["/ethdev/stats"], str))
    check("unknown command: null", ask(s, "/no/such/command") == {"/no/such/command": None})
    check("no port: null", ask(s, "/ethdev/stats") == {"/ethdev/stats": None})
    check("bad port: null", ask(s, "/ethdev/stats,abc") == {"/ethdev/stats": None})
    check("port out of range: null", ask(s, "/ethdev/stats,99999999999") == {"/ethdev/stats": None})
    check("negative port: null", ask(s, "/ethdev/stats,-1") == {"/ethdev/stats": None})
    check("huge param: null", ask(s, "/ethdev/stats," + "9" * 900) == {"/ethdev/stats": None})
    check("param to a command without: null", ask(s, "/ethdev/list,0") == {"/ethdev/list": None})
    check("unknown mempool: null", ask(s, "/mempool/info,nope") == {"/mempool/info": None})
    r = ask(s, "/ethdev/stats," + "0" * 1000)  # 1 KiB all told, a valid port 0
    check("1 KiB request answered", list(r) == ["/ethdev/stats"])
    r = ask(s, "/x" * 32768)  # 64 KiB
    check("64 KiB request: null", list(r.values()) == [None] and len(list(r)[0]) <= 63)
    r = ask(s, b"/ethdev/\x01\xff\"stats")
    check("bad characters: null, key escaped", list(r.values()) == [None])
    r = ask(s, b"/ethdev/stats,0\x00\x01")
    check("control bytes in params: null", r == {"/ethdev/stats": None})
    r = ask(s, "not-a-command")
    check("no leading slash: null", r == {"not-a-command": None})
    check("still answers after all that", isinstance(ask(s, "/ethdev/list")["/ethdev/list"], list))
    s.close()

    # More clients than allowed: the extra ones are closed at once.
    many = []
    for _ in range(12):
        c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        c.settimeout(10)
        c.connect(path)
        many.append(c)
    greeted = 0
    for c in many:
        try:
            greeted += 1 if json.loads(c.recv(MAX_OUT).decode())["max_output_len"] else 0
        except (ValueError, ConnectionResetError):
            pass
    check("10 of 12 clients served, the rest closed (%d greeted)" % greeted, greeted == 10)
    for c in many:
        c.close()
    time.sleep(0.2)

    # A client that asks and leaves before the reply.
    for _ in range(20):
        c, _ = connect(path)
        c.send(b"/ethdev/xstats,0")
        c.close()
    # A client that asks and never reads: the server closes it, not blocks on it.
    slow, _ = connect(path)
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    for _ in range(200):
        try:
            slow.send(b"/ringfwd/streams")
        except (BrokenPipeError, ConnectionResetError):
            break
    s, _ = connect(path)
    check("answers while a client does not read", "/ethdev/list" in ask(s, "/ethdev/list"))
    s.close()
    slow.close()
    return 1 if failures else 0


def hold(path, n, secs):
    held = []
    for _ in range(n):
        c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        c.connect(path)
        c.send(b"/ethdev/stats,0")
        held.append(c)
    time.sleep(secs)


def hammer(path, secs, cmds):
    s, _ = connect(path)
    n = 0
    end = time.monotonic() + secs
    while time.monotonic() < end:
        for c in cmds:
            r = ask(s, c)
            if list(r) != [c.split(",")[0]]:
                sys.exit("bad reply to %s: %r" % (c, r))
            n += 1
    s.close()
    print(n)


if __name__ == "__main__":
    path, what = sys.argv[1], sys.argv[2]
    if what == "query":
        query(path, sys.argv[3:])
    elif what == "edge":
        sys.exit(edge(path))
    elif what == "hammer":
        hammer(path, float(sys.argv[3]), sys.argv[4:])
    elif what == "hold":
        hold(path, int(sys.argv[3]), float(sys.argv[4]))
    else:
        sys.exit("usage: tel_client.py PATH query CMD... | edge | hold N SECS | hammer SECS CMD...")
