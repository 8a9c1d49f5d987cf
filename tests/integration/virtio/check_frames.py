#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Check a pcap file against the frames vdev_test sends, independently of
ringfwd's code: the pcap is parsed here (libpcap file format, either byte
order, micro- or nanosecond timestamps) and the expected bytes are built here
from the same formula as vdev_test.c (frame_byte_fill):

  dst 02:00:00:00:00:02, src MAC, ethertype 0x88b5, seq (4 bytes, big
  endian), length (2 bytes, big endian), then byte k = (seq * 7 + k) & 0xff.

usage: check_frames.py FILE.pcap COUNT SIZES(a,b,c) SRC_MAC
Frame i must have length SIZES[i % len(SIZES)] and sequence number i.
"""
import struct
import sys


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError("%s: %d bytes, too short for a pcap header" % (path, len(data)))
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        raise ValueError("%s: not a pcap file (magic %s)" % (path, magic.hex()))
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    if linktype != 1:
        raise ValueError("%s: link type %d, expected 1 (Ethernet)" % (path, linktype))
    off, frames = 24, []
    while off + 16 <= len(data):
        _, _, caplen, wirelen = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        if off + caplen > len(data):
            raise ValueError("record %d truncated" % len(frames))
        if caplen != wirelen:
            raise ValueError("record %d: captured %d of %d bytes" % (len(frames), caplen, wirelen))
        frames.append(data[off:off + caplen])
        off += caplen
    if off != len(data):
        raise ValueError("%d trailing bytes after the last record" % (len(data) - off))
    return frames


def expected(seq, length, src):
    head = bytes([2, 0, 0, 0, 0, 2]) + src + b"\x88\xb5"
    head += struct.pack(">IH", seq & 0xFFFFFFFF, length)
    body = bytes(((seq * 7 + k) & 0xFF) for k in range(len(head), length))
    return (head + body)[:length]


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    path, count = sys.argv[1], int(sys.argv[2])
    sizes = [int(s) for s in sys.argv[3].split(",")]
    src = bytes(int(b, 16) for b in sys.argv[4].split(":"))
    try:
        frames = read_pcap(path)
    except ValueError as e:
        print("FAIL:", e, file=sys.stderr)
        return 1
    bad = 0
    if len(frames) != count:
        print("FAIL: %d frames captured, %d sent" % (len(frames), count), file=sys.stderr)
        bad += 1
    for i, got in enumerate(frames[:count]):
        want = expected(i, sizes[i % len(sizes)], src)
        if got != want:
            bad += 1
            if bad <= 5:
                diff = next((k for k in range(min(len(got), len(want))) if got[k] != want[k]),
                            min(len(got), len(want)))
                print("FAIL: frame %d (%d bytes, want %d) differs at byte %d"
                      % (i, len(got), len(want), diff), file=sys.stderr)
    if bad == 0:
        print("%d frames match, sizes %s" % (len(frames), ",".join(map(str, sorted(set(sizes))))))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
