#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Many UDP flows for the RSS steering tests, and the checks on what ringfwd
wrote, independent of ringfwd's C code (standard library only; the pcap
reader and the frame builders are tests/integration/fwd/pkt.py's).

  flows.py gen DIR --flows N --pkts K --queues Q [--symmetric] [--seed S]
      DIR/q0.pcap .. DIR/q<Q-1>.pcap: N IPv4/UDP flows with distinct 5-tuples,
      K packets each, interleaved (each round sends every flow's next packet,
      in a shuffled order). Flow f goes to capture f % Q only, as an RSS
      device keeps a flow on one queue. --symmetric adds the reverse direction
      of every flow (addresses and ports swapped), with its own sequence.
  flows.py check --in IN.pcap[,IN.pcap...] --out OUT.pcap[,OUT.pcap...]
                 [--reta-workers W] [--reta-size R] [--key HEX] [--symmetric]
                 [--same-queue] [--max-loss PCT]
      every flow (with --symmetric: both directions of it) is in exactly one
      output capture; within it, sequence numbers strictly increase (loss is
      allowed and reported, duplicates and reordering are not); every output
      is non-empty. --reta-workers W: the capture of each flow is
      RETA[toeplitz(tuple) & (R - 1)] with RETA[i] = i % W (R = 128 unless
      given). --same-queue: the flows of one input capture all come out in
      one output capture, a different one for each input. Prints a summary
      line "sent N received M lost L ..."; exit 1 on a problem.
  flows.py selftest
      the Toeplitz hash against the Microsoft RSS verification suite.

Payload of every frame: "RFRS", flow id (u32), direction (u8), sequence
number (u32), all big endian, then padding to a 64-byte frame.
"""
import os
import random
import struct
import sys

# Nothing written into the source tree (pkt.py's bytecode).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fwd"))
import pkt  # noqa: E402

MAGIC = b"RFRS"
FRAME_LEN = 64
# The Microsoft default key (RSS specification, "Verifying the RSS hash calculation").
DEFAULT_KEY = bytes.fromhex("6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c"
                            "6a42b73bbeac01fa")


# ---- Toeplitz ------------------------------------------------------------------

def toeplitz(key, data):
    """The 32-bit Toeplitz hash of data: for each set input bit i (most
    significant first), XOR in the 32 key bits that start at bit i."""
    k = int.from_bytes(key, "big")
    klen = len(key) * 8
    h = 0
    for i in range(len(data) * 8):
        if data[i // 8] & (0x80 >> (i % 8)):
            h ^= (k >> (klen - 32 - i)) & 0xFFFFFFFF
    return h


def tuple_bytes(src, dst, sport, dport):
    return bytes(src) + bytes(dst) + struct.pack("!HH", sport, dport)


# The IPv4 cases of the Microsoft verification suite: (src, sport, dst, dport, with ports, ip only).
MS_VECTORS = [
    ("66.9.149.187", 2794, "161.142.100.80", 1766, 0x51CCC178, 0x323E8FC2),
    ("199.92.111.2", 14230, "65.69.140.83", 4739, 0xC626B0EA, 0xD718262A),
    ("24.19.198.95", 12898, "12.22.207.184", 38024, 0x5C2B394A, 0xD2D0A5DE),
    ("38.27.205.30", 48228, "209.142.163.6", 2217, 0xAFC7327F, 0x82989176),
    ("153.39.163.191", 44251, "202.188.127.2", 1303, 0x10E828A2, 0x5D1809C5),
]


def selftest():
    bad = 0
    for src, sport, dst, dport, want_l4, want_ip in MS_VECTORS:
        s, d = pkt.ip4(src), pkt.ip4(dst)
        got_l4 = toeplitz(DEFAULT_KEY, tuple_bytes(s, d, sport, dport))
        got_ip = toeplitz(DEFAULT_KEY, bytes(s) + bytes(d))
        if got_l4 != want_l4 or got_ip != want_ip:
            print(f"toeplitz {src}:{sport} -> {dst}:{dport}: {got_l4:#010x}/{got_ip:#010x}, "
                  f"expected {want_l4:#010x}/{want_ip:#010x}")
            bad += 1
    print(f"toeplitz: {len(MS_VECTORS) - bad} of {len(MS_VECTORS)} vectors match")
    return bad == 0


# ---- frames --------------------------------------------------------------------

def frame(src, dst, sport, dport, flow, direction, seq):
    payload = MAGIC + struct.pack("!IBI", flow, direction, seq)
    payload += bytes(FRAME_LEN - 14 - 20 - 8 - len(payload))

    def pseudo(p, seg):
        return pkt.l4_csum_v4(src, dst, p, seg)

    seg = pkt.udp(sport, dport, payload, pseudo)
    return (pkt.eth(pkt.HOST_MAC, pkt.DUT_MAC, pkt.ETH_IPV4)
            + pkt.ipv4_hdr(src, dst, pkt.IP_UDP, len(seg), ident=seq & 0xFFFF) + seg)


def make_flows(n, rng):
    """n distinct (src, dst, sport, dport), none the reverse of another."""
    seen, flows = set(), []
    while len(flows) < n:
        src = bytes([10, rng.randrange(1, 255), rng.randrange(256), rng.randrange(1, 255)])
        dst = bytes([172, 16 + rng.randrange(16), rng.randrange(256), rng.randrange(1, 255)])
        sport, dport = rng.randrange(1024, 65536), rng.randrange(1, 65536)
        t, rev = (src, dst, sport, dport), (dst, src, dport, sport)
        if t in seen or rev in seen:
            continue
        seen.add(t)
        flows.append(t)
    return flows


def gen(outdir, a):
    n, k, nq = int(a.get("flows", 256)), int(a.get("pkts", 8)), int(a.get("queues", 1))
    sym = "symmetric" in a
    rng = random.Random(int(a.get("seed", 1)))
    flows = make_flows(n, rng)
    per_q = [[] for _ in range(nq)]
    for seq in range(k):
        order = [(f, d) for f in range(n) for d in ((0, 1) if sym else (0,))]
        rng.shuffle(order)
        for f, d in order:
            src, dst, sport, dport = flows[f]
            if d:
                src, dst, sport, dport = dst, src, dport, sport
            per_q[f % nq].append(frame(src, dst, sport, dport, f, d, seq))
    for q in range(nq):
        pkt.pcap_write(os.path.join(outdir, f"q{q}.pcap"), per_q[q])
    total = sum(len(x) for x in per_q)
    print(f"{n} flows{' (both directions)' if sym else ''}, {k} packets each, {total} frames "
          f"in {nq} capture{'s' if nq > 1 else ''}: " + ", ".join(str(len(x)) for x in per_q))


# ---- checks --------------------------------------------------------------------

def parse(fr):
    """(flow, direction, seq, (src, dst, sport, dport)) of one of our frames, or None."""
    if len(fr) < 14 + 20 + 8 + 13 or struct.unpack("!H", fr[12:14])[0] != pkt.ETH_IPV4:
        return None
    ihl = (fr[14] & 0x0F) * 4
    if fr[14 + 9] != pkt.IP_UDP:
        return None
    src, dst = fr[26:30], fr[30:34]
    l4 = 14 + ihl
    sport, dport = struct.unpack("!HH", fr[l4:l4 + 4])
    p = fr[l4 + 8:]
    if p[:4] != MAGIC:
        return None
    flow, direction, seq = struct.unpack("!IBI", p[4:13])
    return flow, direction, seq, (src, dst, sport, dport)


def check(a):
    ins = a["in"].split(",")
    outs = a["out"].split(",")
    sym = "symmetric" in a
    errors = []

    def err(msg):
        if len(errors) < 20:
            print("problem:", msg)
        errors.append(msg)

    # What was sent: per (flow, direction) the packet count, and each flow's input capture.
    sent, in_q = {}, {}
    for qi, path in enumerate(ins):
        for fr in pkt.pcap_read(path):
            r = parse(fr)
            if r is None:
                raise SystemExit(f"{path}: a frame that is not ours")
            flow, d = r[0], r[1]
            sent[(flow, d)] = sent.get((flow, d), 0) + 1
            in_q[flow] = qi
    nsent = sum(sent.values())

    # What came out: per (flow, direction), the captures it is in and its sequence numbers.
    where, last, got, per_out, tuples = {}, {}, {}, [], {}
    for oi, path in enumerate(outs):
        frames = pkt.pcap_read(path)
        per_out.append(len(frames))
        if not frames:
            err(f"{path}: empty")
        for fr in frames:
            r = parse(fr)
            if r is None:
                err(f"{path}: a frame that is not ours ({fr[:16].hex()}...)")
                continue
            flow, d, seq, tup = r
            key = (flow, d)
            if key not in sent:
                err(f"{path}: flow {flow} direction {d} was never sent")
                continue
            where.setdefault(flow if sym else key, set()).add(oi)
            if key in last and seq <= last[key]:
                kind = "duplicate" if seq == last[key] else "reordered"
                err(f"{path}: flow {flow} dir {d}: seq {seq} after {last[key]} ({kind})")
            last[key] = max(seq, last.get(key, -1))
            got[key] = got.get(key, 0) + 1
            tuples[key] = tup
    nrecv = sum(got.values())

    for k, files in sorted(where.items(), key=str):
        if len(files) > 1:
            err(f"flow {k} is in {len(files)} captures: "
                + ", ".join(os.path.basename(outs[i]) for i in sorted(files)))

    workers = int(a.get("reta-workers", 0))
    if workers:
        size = int(a.get("reta-size", 128))
        key = bytes.fromhex(a.get("key", DEFAULT_KEY.hex()).replace(":", ""))
        wrong = 0
        for (flow, d), tup in sorted(tuples.items()):
            if sym and d == 1:
                continue  # the same file as direction 0, checked above
            want = (toeplitz(key, tuple_bytes(*tup)) & (size - 1)) % workers
            files = where[flow if sym else (flow, d)]
            if files != {want}:
                wrong += 1
                if wrong <= 5:
                    err(f"flow {flow}: in " + ", ".join(os.path.basename(outs[i]) for i in files)
                        + f", RETA says capture {want}")
        if wrong > 5:
            err(f"{wrong} flows in all not where the RETA puts them")

    if "same-queue" in a:
        outs_of_q = {}
        for k, files in where.items():
            flow = k if sym else k[0]
            outs_of_q.setdefault(in_q[flow], set()).update(files)
        for qi, files in sorted(outs_of_q.items()):
            if len(files) != 1:
                err(f"the flows of {os.path.basename(ins[qi])} came out in {len(files)} captures")
        firsts = [min(f) for f in outs_of_q.values()]
        if len(set(firsts)) != len(firsts):
            err("two input queues came out in the same capture")

    lost = nsent - nrecv
    flows_seen = len(where)
    print(f"sent {nsent} received {nrecv} lost {lost} ({100.0 * lost / max(nsent, 1):.2f}%); "
          f"{flows_seen} flows seen; per capture: " + ", ".join(str(n) for n in per_out))
    max_loss = float(a.get("max-loss", 100))
    if 100.0 * lost > max_loss * nsent:
        err(f"lost {lost} of {nsent}, more than {max_loss}%")
    if nrecv > nsent:
        err(f"received {nrecv} frames, more than the {nsent} sent")
    return not errors


def opts(argv):
    flags = {"symmetric", "same-queue"}
    a, i = {}, 0
    while i < len(argv):
        name = argv[i][2:] if argv[i].startswith("--") else None
        if name is None:
            raise SystemExit(f"flows.py: bad argument '{argv[i]}'")
        if name in flags:
            a[name] = True
            i += 1
            continue
        if i + 1 >= len(argv):
            raise SystemExit(f"flows.py: {argv[i]} needs a value")
        a[name] = argv[i + 1]
        i += 2
    return a


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    if argv[1] == "gen" and len(argv) >= 3:
        gen(argv[2], opts(argv[3:]))
        return 0
    if argv[1] == "check":
        return 0 if check(opts(argv[2:])) else 1
    if argv[1] == "selftest":
        return 0 if selftest() else 1
    raise SystemExit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
