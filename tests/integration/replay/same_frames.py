#!/usr/bin/env python3
"""Compare the frames of two classic pcap files, byte for byte and in order.

    same_frames.py A.pcap B.pcap

A reader of its own (standard library only, either byte order, us or ns),
independent of ringfwd's loader. Prints "N frames" and exits 0 when both
files hold the same frames (data and original length) in the same order;
otherwise says where they differ and exits 1. Timestamps are not compared.
"""
import struct
import sys


def frames(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        sys.exit("%s: not a classic pcap file" % path)
    off, out = 24, []
    while off + 16 <= len(data):
        _s, _f, caplen, origlen = struct.unpack_from(end + "IIII", data, off)
        off += 16
        out.append((origlen, data[off:off + caplen]))
        off += caplen
    return out


def main():
    a, b = frames(sys.argv[1]), frames(sys.argv[2])
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            sys.exit("frame %d differs: %d/%d bytes (len %d) against %d/%d (len %d)" %
                     (i, len(x[1]), x[0], x[0], len(y[1]), y[0], y[0]))
    if len(a) != len(b):
        sys.exit("%d frames against %d" % (len(a), len(b)))
    print("%d frames" % len(a))


if __name__ == "__main__":
    main()
