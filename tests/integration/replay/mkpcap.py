#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write a nanosecond pcap of COUNT distinct UDP/IPv4 frames for the replay
tests and benchmark. Standard library only, deterministic.

    mkpcap.py OUT COUNT SIZES GAPS_NS

SIZES: frame lengths used in turn ("64" or "64,594,1518"); GAPS_NS: gaps
between timestamps used in turn ("100000" or "1000,50000,200000"). Every
frame carries its index in the IPv4 id, the UDP source port and the
payload, so no two frames are equal (the replay tool matches by content).
Sizes over 65535 (BIG TCP, jumbograms) do not fit an IPv4 length: those
frames carry the local experimental EtherType 0x88b5, the index and a
pattern, and the file's snapshot length becomes 262144 (libpcap's largest).
"""

import struct
import sys


def csum(b):
    s = sum((b[i] << 8) | b[i + 1] for i in range(0, len(b), 2))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def big_frame(i, size):
    head = bytes.fromhex("020000000002" "020000000001") + b"\x88\xb5" + struct.pack(">Q", i)
    return head + bytes((i + j * 7 + (j >> 12)) & 0xFF for j in range(size - len(head)))


def frame(i, size):
    if size > 65535:
        return big_frame(i, size)
    eth = bytes.fromhex("020000000002" "020000000001") + b"\x08\x00"
    plen = size - 14 - 20 - 8
    payload = struct.pack(">Q", i) + bytes((i + j) & 0xFF for j in range(plen - 8))
    udp = struct.pack(">HHHH", 1024 + (i & 0x7FFF), 5000, 8 + plen, 0)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + 8 + plen, i & 0xFFFF, 0x4000, 64, 17, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, (i >> 8) & 0xFF, i & 0xFF]))
    ip = ip[:10] + struct.pack(">H", csum(ip)) + ip[12:]
    return eth + ip + udp + payload


def main():
    out, count = sys.argv[1], int(sys.argv[2])
    sizes = [int(x) for x in sys.argv[3].split(",")]
    gaps = [int(x) for x in sys.argv[4].split(",")]
    ts = 1700000000 * 10**9
    with open(out, "wb") as f:
        snaplen = 262144 if max(sizes) > 65535 else 65535
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, snaplen, 1))
        for i in range(count):
            fr = frame(i, max(sizes[i % len(sizes)], 60))
            f.write(struct.pack("<IIII", ts // 10**9, ts % 10**9, len(fr), len(fr)))
            f.write(fr)
            ts += gaps[i % len(gaps)]


if __name__ == "__main__":
    main()
