#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Frames for the forwarding-mode tests, built and checked independently of
ringfwd's C code (standard library only).

  pkt.py gen KIND OUT.pcap [TAG]           mixed | icmp | badcsum; TAG (0..255) marks
                                           the source MAC, to tell inputs apart
  pkt.py expect MODE IN.pcap OUT.pcap [--port-mac M] [--peer-mac M]
                                           what MODE must turn IN into
  pkt.py expect-count MODE IN.pcap        how many frames MODE sends back
  pkt.py compare EXPECTED.pcap GOT.pcap    exact, in order; exit 1 on a difference
  pkt.py check-gen GOT.pcap --len N --src-mac M --dst-mac M --src-ip A --dst-ip A
                   --udp S,D [--flows N] [--max K]
                                           every frame as txonly/flowgen must build it
  pkt.py count FILE.pcap                   number of frames

Modes follow testpmd's behaviour (app/test-pmd/*.c in DPDK): io leaves frames
alone; mac sets source = the TX port's MAC, destination = its --eth-peer;
macswap swaps the MACs; 5tswap swaps MACs, then (past any VLAN tags) IPv4/IPv6
addresses and TCP/UDP ports; icmpecho answers ARP requests and ICMP echo
requests and drops the rest; csum rewrites wrong IPv4 header and TCP/UDP
checksums (IPv4 UDP checksum 0 means "none" and stays).
"""
import struct
import sys

ETH_IPV4, ETH_ARP, ETH_VLAN, ETH_IPV6 = 0x0800, 0x0806, 0x8100, 0x86DD
IP_ICMP, IP_TCP, IP_UDP = 1, 6, 17


# ---- pcap (classic format, Ethernet) -----------------------------------------

def pcap_write(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(fr), len(fr)))
            f.write(fr)


def pcap_read(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise SystemExit(f"{path}: not a pcap file ({len(data)} bytes)")
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        end = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        end = ">"
    else:
        raise SystemExit(f"{path}: bad pcap magic {magic:#x}")
    frames, off = [], 24
    while off + 16 <= len(data):
        _, _, incl, orig = struct.unpack(end + "IIII", data[off:off + 16])
        off += 16
        if incl != orig:
            raise SystemExit(f"{path}: frame {len(frames)} truncated ({incl} of {orig} bytes)")
        frames.append(data[off:off + incl])
        off += incl
    return frames


# ---- checksums (RFC 1071) ------------------------------------------------------

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4_hdr(src, dst, proto, payload_len, ident=1, ttl=64, frag=0, options=b""):
    ihl = 5 + len(options) // 4
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, ihl * 4 + payload_len, ident, frag, ttl,
                    proto, 0, bytes(src), bytes(dst)) + options
    return h[:10] + struct.pack("!H", csum(h)) + h[12:]


def l4_csum_v4(src, dst, proto, seg):
    return csum(bytes(src) + bytes(dst) + struct.pack("!BBH", 0, proto, len(seg)) + seg)


def l4_csum_v6(src, dst, proto, seg):
    return csum(bytes(src) + bytes(dst) + struct.pack("!IxxxB", len(seg), proto) + seg)


def udp(sport, dport, payload, pseudo):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    c = pseudo(IP_UDP, seg)
    return seg[:6] + struct.pack("!H", c if c else 0xFFFF) + seg[8:]


def tcp(sport, dport, payload, pseudo):
    seg = struct.pack("!HHIIBBHHH", sport, dport, 1000, 0, 5 << 4, 0x18, 8192, 0, 0) + payload
    return seg[:16] + struct.pack("!H", pseudo(IP_TCP, seg)) + seg[18:]


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def ip4(s):
    return bytes(int(x) for x in s.split("."))


def ip6(last):
    return bytes([0x20, 0x01, 0x0D, 0xB8] + [0] * 11 + [last])


def eth(dst, src, etype, vlan=None):
    h = bytes(dst) + bytes(src)
    if vlan is not None:
        h += struct.pack("!HH", ETH_VLAN, vlan)
    return h + struct.pack("!H", etype)


def v4_frame(proto, size, sport=1234, dport=5678, vlan=None, ident=1, src="10.0.0.1",
             dst="10.0.0.2", options=b"", frag=0):
    """An Ethernet/IPv4/UDP or TCP frame of size bytes (before any VLAN tag)."""
    s, d = ip4(src), ip4(dst)
    l4_hdr = 8 if proto == IP_UDP else 20
    payload = bytes((i * 7 + size) & 0xFF for i in range(size - 14 - 20 - len(options) - l4_hdr))

    def pseudo(p, seg):
        return l4_csum_v4(s, d, p, seg)

    seg = (udp if proto == IP_UDP else tcp)(sport, dport, payload, pseudo)
    return (eth(HOST_MAC, DUT_MAC, ETH_IPV4, vlan)
            + ipv4_hdr(s, d, proto, len(seg), ident=ident, options=options, frag=frag) + seg)


def v6_frame(proto, size, sport=4321, dport=8765):
    s, d = ip6(1), ip6(2)
    l4_hdr = 8 if proto == IP_UDP else 20
    payload = bytes((i * 3) & 0xFF for i in range(size - 14 - 40 - l4_hdr))

    def pseudo(p, seg):
        return l4_csum_v6(s, d, p, seg)

    seg = (udp if proto == IP_UDP else tcp)(sport, dport, payload, pseudo)
    ip = struct.pack("!IHBB16s16s", 6 << 28, len(seg), proto, 64, s, d)
    return eth(HOST_MAC, DUT_MAC, ETH_IPV6) + ip + seg


def icmp_echo(size, ident, seq, dst="10.0.0.2", src="10.0.0.1", etype_type=8):
    data = bytes((ident + seq + i) & 0xFF for i in range(size - 14 - 20 - 8))
    msg = struct.pack("!BBHHH", etype_type, 0, 0, ident, seq) + data
    msg = msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]
    return eth(HOST_MAC, DUT_MAC, ETH_IPV4) + ipv4_hdr(ip4(src), ip4(dst), IP_ICMP, len(msg),
                                                       ident=seq) + msg


def arp(op, sha, sip, tha, tip, dst=b"\xff" * 6):
    body = struct.pack("!HHBBH6s4s6s4s", 1, ETH_IPV4, 6, 4, op, bytes(sha), ip4(sip), bytes(tha),
                       ip4(tip))
    return eth(dst, sha, ETH_ARP) + body + b"\0" * 18  # padded to 60 bytes


HOST_MAC = mac("02:11:11:11:11:11")  # the peer's side, the frames' source
DUT_MAC = mac("02:22:22:22:22:22")   # what the frames are addressed to


def gen_mixed():
    f = []
    for size in (60, 64, 128, 512, 1024, 1514):
        f.append(v4_frame(IP_UDP, size, sport=1000 + size, dport=2000 + size, ident=size))
    for size in (60, 100, 1500):
        f.append(v4_frame(IP_TCP, size, sport=3000 + size, dport=80, ident=size))
    f.append(v4_frame(IP_UDP, 200, vlan=0x0064, sport=53, dport=5353))
    f.append(v4_frame(IP_TCP, 300, options=b"\x01\x01\x01\x00", sport=22, dport=2222))
    # A later fragment (offset 185*8): no L4 header in it, nothing to swap there.
    f.append(v4_frame(IP_UDP, 300, frag=185, sport=0xAAAA, dport=0xBBBB))
    f.append(v6_frame(IP_UDP, 100))
    f.append(v6_frame(IP_TCP, 200))
    f.append(icmp_echo(98, 7, 1))
    f.append(arp(1, HOST_MAC, "10.0.0.1", b"\0" * 6, "10.0.0.2"))
    f.append(eth(DUT_MAC, HOST_MAC, 0x88B5) + bytes(range(50)))  # IEEE local experimental
    return f


def gen_icmp():
    f = []
    for seq, size in enumerate((64, 98, 200, 1000, 1514), start=1):
        f.append(icmp_echo(size, 0x1234, seq))
    f.append(icmp_echo(98, 0x55, 9, dst="224.0.0.1"))            # to a multicast group
    f.append(icmp_echo(98, 0x56, 10, src="10.0.0.5", dst="10.0.0.2"))  # requester .5 (low bits 01)
    f.append(arp(1, HOST_MAC, "10.0.0.1", b"\0" * 6, "10.0.0.2"))
    f.append(arp(1, HOST_MAC, "192.168.7.9", b"\0" * 6, "192.168.7.1"))
    # Not to be answered: an echo reply, an ARP reply, UDP, IPv6.
    f.append(icmp_echo(98, 0x77, 11, etype_type=0))
    f.append(arp(2, HOST_MAC, "10.0.0.1", DUT_MAC, "10.0.0.2", dst=DUT_MAC))
    f.append(v4_frame(IP_UDP, 100))
    f.append(v6_frame(IP_UDP, 100))
    return f


def corrupt(frame, off):
    b = bytearray(frame)
    b[off] ^= 0x5A
    return bytes(b)


def gen_badcsum():
    f = []
    for proto in (IP_UDP, IP_TCP):
        good = v4_frame(proto, 200, ident=proto)
        ck = 14 + 20 + (6 if proto == IP_UDP else 16)
        f.append(good)                          # nothing to fix
        f.append(corrupt(good, 14 + 10))        # IP header checksum
        f.append(corrupt(good, ck))             # L4 checksum
        f.append(corrupt(corrupt(good, 14 + 10), ck + 1))  # both
    nocs = bytearray(v4_frame(IP_UDP, 120, ident=99))
    nocs[14 + 20 + 6:14 + 20 + 8] = b"\0\0"     # "no checksum" (RFC 768): stays
    f.append(bytes(nocs))
    f.append(corrupt(v6_frame(IP_UDP, 150), 14 + 40 + 6))
    f.append(corrupt(v6_frame(IP_TCP, 150), 14 + 40 + 16))
    f.append(arp(1, HOST_MAC, "10.0.0.1", b"\0" * 6, "10.0.0.2"))
    return f


# ---- what each mode must produce ----------------------------------------------

def l3_offset(fr):
    """(ethertype, offset of the L3 header) past any VLAN tags."""
    off, etype = 12, struct.unpack("!H", fr[12:14])[0]
    while etype in (ETH_VLAN, 0x88A8):
        off += 4
        etype = struct.unpack("!H", fr[off:off + 2])[0]
    return etype, off + 2


def swap(b, i, j, n):
    b[i:i + n], b[j:j + n] = b[j:j + n], b[i:i + n]


def exp_5tswap(fr):
    b = bytearray(fr)
    swap(b, 0, 6, 6)
    etype, l3 = l3_offset(fr)
    if etype == ETH_IPV4:
        swap(b, l3 + 12, l3 + 16, 4)
        proto, l4 = b[l3 + 9], l3 + (b[l3] & 0xF) * 4
        later_fragment = struct.unpack("!H", fr[l3 + 6:l3 + 8])[0] & 0x1FFF
        if later_fragment:
            return bytes(b)
    elif etype == ETH_IPV6:
        swap(b, l3 + 8, l3 + 24, 16)
        proto, l4 = b[l3 + 6], l3 + 40
    else:
        return bytes(b)
    if proto in (IP_UDP, IP_TCP):
        swap(b, l4, l4 + 2, 2)
    return bytes(b)


def exp_icmpecho(fr, port_mac):
    etype, l3 = l3_offset(fr)
    b = bytearray(fr)
    if etype == ETH_ARP:
        hrd, pro, hln, pln, op = struct.unpack("!HHBBH", fr[l3:l3 + 8])
        if (hrd, pro, hln, pln, op) != (1, ETH_IPV4, 6, 4, 1):
            return None
        sha, sip, tip = fr[l3 + 8:l3 + 14], fr[l3 + 14:l3 + 18], fr[l3 + 24:l3 + 28]
        b[0:6] = fr[6:12]
        b[6:12] = port_mac
        b[l3 + 6:l3 + 8] = struct.pack("!H", 2)
        b[l3 + 8:l3 + 14] = port_mac          # sender: us, at the asked-for address
        b[l3 + 14:l3 + 18] = tip
        b[l3 + 18:l3 + 24] = sha              # target: the asker
        b[l3 + 24:l3 + 28] = sip
        return bytes(b)
    if etype != ETH_IPV4 or fr[l3 + 9] != IP_ICMP:
        return None
    l4 = l3 + (fr[l3] & 0xF) * 4
    if fr[l4] != 8 or fr[l4 + 1] != 0:
        return None
    swap(b, 0, 6, 6)
    src, dst = fr[l3 + 12:l3 + 16], fr[l3 + 16:l3 + 20]
    if dst[0] & 0xF0 == 0xE0:
        # From a multicast group: testpmd answers from the requester's
        # neighbour (low two bits 01 -> 10, anything else -> 01).
        s = struct.unpack("!I", src)[0]
        s = (s & ~3) | (2 if s & 3 == 1 else 1)
        b[l3 + 12:l3 + 16] = struct.pack("!I", s & 0xFFFFFFFF)
    else:
        b[l3 + 12:l3 + 16] = dst
    b[l3 + 16:l3 + 20] = src
    b[l3 + 10:l3 + 12] = b"\0\0"
    b[l3 + 10:l3 + 12] = struct.pack("!H", csum(bytes(b[l3:l4])))
    b[l4] = 0
    b[l4 + 2:l4 + 4] = b"\0\0"
    ip_len = struct.unpack("!H", fr[l3 + 2:l3 + 4])[0]
    b[l4 + 2:l4 + 4] = struct.pack("!H", csum(bytes(b[l4:l3 + ip_len])))
    return bytes(b)


def exp_csum(fr):
    etype, l3 = l3_offset(fr)
    b = bytearray(fr)
    if etype == ETH_IPV4:
        ihl = (fr[l3] & 0xF) * 4
        b[l3 + 10:l3 + 12] = b"\0\0"
        b[l3 + 10:l3 + 12] = struct.pack("!H", csum(bytes(b[l3:l3 + ihl])))
        proto, l4 = fr[l3 + 9], l3 + ihl
        end = l3 + struct.unpack("!H", fr[l3 + 2:l3 + 4])[0]
        pseudo = lambda p, seg: l4_csum_v4(fr[l3 + 12:l3 + 16], fr[l3 + 16:l3 + 20], p, seg)
        v6 = False
    elif etype == ETH_IPV6:
        proto, l4 = fr[l3 + 6], l3 + 40
        end = l4 + struct.unpack("!H", fr[l3 + 4:l3 + 6])[0]
        pseudo = lambda p, seg: l4_csum_v6(fr[l3 + 8:l3 + 24], fr[l3 + 24:l3 + 40], p, seg)
        v6 = True
    else:
        return bytes(b)
    if proto not in (IP_UDP, IP_TCP):
        return bytes(b)
    off = l4 + (6 if proto == IP_UDP else 16)
    if proto == IP_UDP and fr[off:off + 2] == b"\0\0" and not v6:
        return bytes(b)
    b[off:off + 2] = b"\0\0"
    c = pseudo(proto, bytes(b[l4:end]))
    if proto == IP_UDP and c == 0:
        c = 0xFFFF
    b[off:off + 2] = struct.pack("!H", c)
    return bytes(b)


def expect(mode, frames, port_mac, peer_mac):
    out = []
    for fr in frames:
        if mode == "io":
            out.append(fr)
        elif mode == "mac":
            out.append(bytes(peer_mac) + bytes(port_mac) + fr[12:])
        elif mode == "macswap":
            out.append(fr[6:12] + fr[0:6] + fr[12:])
        elif mode == "5tswap":
            out.append(exp_5tswap(fr))
        elif mode == "icmpecho":
            r = exp_icmpecho(fr, port_mac)
            if r is not None:
                out.append(r)
        elif mode == "csum":
            out.append(exp_csum(fr))
        elif mode == "rxonly":
            pass
        else:
            raise SystemExit(f"pkt.py: no expectation for mode '{mode}'")
    return out


# ---- checks --------------------------------------------------------------------

def first_diff(a, b):
    for i in range(min(len(a), len(b))):
        if a[i] != b[i]:
            return i
    return min(len(a), len(b))


def compare(exp, got):
    bad = 0
    for i in range(max(len(exp), len(got))):
        if i >= len(got):
            print(f"frame {i}: missing (expected {len(exp[i])} bytes)")
            bad += 1
        elif i >= len(exp):
            print(f"frame {i}: unexpected extra frame of {len(got[i])} bytes")
            bad += 1
        elif exp[i] != got[i]:
            o = first_diff(exp[i], got[i])
            print(f"frame {i}: differs at byte {o}: expected {exp[i][o:o + 8].hex()} "
                  f"({len(exp[i])} bytes), got {got[i][o:o + 8].hex()} ({len(got[i])} bytes)")
            bad += 1
    print(f"{len(got)} frames received, {len(exp)} expected, {bad} wrong")
    return bad == 0


def check_gen(frames, a):
    """txonly / flowgen frames, as the options ask for."""
    flows, errors = set(), []
    base_dst = struct.unpack("!I", ip4(a["dst-ip"]))[0]
    sport, dport = (int(x) for x in a["udp"].split(","))
    for i, fr in enumerate(frames):
        def bad(what):
            errors.append(f"frame {i}: {what}")
        if len(fr) != int(a["len"]):
            bad(f"{len(fr)} bytes, expected {a['len']}")
            continue
        if fr[0:6] != mac(a["dst-mac"]) or fr[6:12] != mac(a["src-mac"]):
            bad(f"MACs {fr[6:12].hex()} -> {fr[0:6].hex()}")
        if struct.unpack("!H", fr[12:14])[0] != ETH_IPV4:
            bad("not IPv4")
            continue
        ip = fr[14:34]
        if ip[0] != 0x45 or csum(ip) != 0:
            bad("bad IPv4 header or checksum")
        if struct.unpack("!H", ip[2:4])[0] != len(fr) - 14 or ip[9] != IP_UDP:
            bad("IPv4 total length or protocol")
        if ip[12:16] != ip4(a["src-ip"]):
            bad(f"source IP {ip[12:16].hex()}")
        dst = struct.unpack("!I", ip[16:20])[0]
        if not base_dst <= dst < base_dst + int(a.get("flows", "1")):
            bad(f"destination IP {ip[16:20].hex()} outside the flows")
        flows.add(dst)
        u = fr[34:42]
        ul = struct.unpack("!H", u[4:6])[0]
        if struct.unpack("!HH", u[0:4]) != (sport, dport) or ul != len(fr) - 34:
            bad("UDP ports or length")
        ck = struct.unpack("!H", u[6:8])[0]
        if ck != 0 and l4_csum_v4(ip[12:16], ip[16:20], IP_UDP, fr[34:]) != 0:
            bad("UDP checksum")
    want_flows = min(int(a.get("flows", "1")), len(frames))
    if len(flows) != want_flows:
        errors.append(f"{len(flows)} distinct destination IPs, expected {want_flows}")
    if not frames:
        errors.append("no frames")
    if "max" in a and len(frames) > int(a["max"]):
        errors.append(f"{len(frames)} frames, more than the {a['max']} possible")
    for e in errors[:20]:
        print(e)
    print(f"{len(frames)} frames, {len(flows)} flows, {len(errors)} problems")
    return not errors


def opts(argv):
    a, i = {}, 0
    while i < len(argv):
        if not argv[i].startswith("--") or i + 1 >= len(argv):
            raise SystemExit(f"pkt.py: bad argument '{argv[i]}'")
        a[argv[i][2:]] = argv[i + 1]
        i += 2
    return a


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    cmd = argv[1]
    if cmd == "gen":
        global HOST_MAC
        if len(argv) > 4:
            HOST_MAC = HOST_MAC[:5] + bytes([int(argv[4])])
        kinds = {"mixed": gen_mixed, "icmp": gen_icmp, "badcsum": gen_badcsum}
        pcap_write(argv[3], kinds[argv[2]]())
    elif cmd == "expect":
        a = opts(argv[5:])
        out = expect(argv[2], pcap_read(argv[3]), mac(a.get("port-mac", "00:00:00:00:00:00")),
                     mac(a.get("peer-mac", "00:00:00:00:00:00")))
        pcap_write(argv[4], out)
    elif cmd == "expect-count":
        print(len(expect(argv[2], pcap_read(argv[3]), bytes(6), bytes(6))))
    elif cmd == "compare":
        return 0 if compare(pcap_read(argv[2]), pcap_read(argv[3])) else 1
    elif cmd == "check-gen":
        return 0 if check_gen(pcap_read(argv[2]), opts(argv[3:])) else 1
    elif cmd == "count":
        print(len(pcap_read(argv[2])))
    else:
        raise SystemExit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
