#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the pcap test corpus: good captures and one file per way a capture
can be broken. Standard library only, deterministic (no clock, no random):
running it again gives the same bytes, so the committed files can be checked
against it.

    python3 tests/data/make_bad_pcaps.py [OUTDIR]      (default: tests/data/pcap)

Formats, for the reader of this script:
- classic pcap: a 24-byte global header (magic, version 2.4, thiszone,
  sigfigs, snaplen, link type), then per record a 16-byte header (ts_sec,
  ts_frac, caplen, origlen) and caplen bytes. Magic 0xa1b2c3d4 means the
  fraction is in microseconds, 0xa1b23c4d nanoseconds; the byte order of the
  magic as written is the byte order of the whole file.
- pcapng (draft-ietf-opsawg-pcapng): blocks of (type, total length, body
  padded to 4, total length again). A Section Header Block (SHB) with the
  byte-order magic 0x1a2b3c4d, an Interface Description Block (IDB) with the
  link type and options (if_tsresol = 9: nanoseconds), then Enhanced Packet
  Blocks (EPB).

Every good capture also gets a sidecar NAME.txt with one line per record,
"ts_ns origlen hexbytes", which the unit test compares frames against.
"""

import os
import struct
import sys

LINKTYPE_ETHERNET = 1
LINKTYPE_LINUX_SLL = 113
MAGIC_US = 0xA1B2C3D4
MAGIC_NS = 0xA1B23C4D
BASE_SEC = 1700000000


def ip_checksum(hdr):
    s = 0
    for i in range(0, len(hdr), 2):
        s += (hdr[i] << 8) | hdr[i + 1]
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def udp_frame(size, seq):
    """An Ethernet/IPv4/UDP frame of exactly size bytes (no FCS), seq in it."""
    eth = bytes.fromhex("020000000002" "020000000001") + struct.pack(">H", 0x0800)
    payload_len = size - 14 - 20 - 8
    assert payload_len >= 0
    payload = bytes(((seq * 7 + j) & 0xFF) for j in range(payload_len))
    if payload_len >= 4:
        payload = struct.pack(">I", seq) + payload[4:]
    udp = struct.pack(">HHHH", 1024 + seq, 5000, 8 + payload_len, 0)
    ip = bytearray(struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + 8 + payload_len, seq & 0xFFFF,
                               0x4000, 64, 17, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])))
    struct.pack_into(">H", ip, 10, ip_checksum(ip))
    return eth + bytes(ip) + udp + payload


def global_header(endian="<", magic=MAGIC_US, snaplen=65535, linktype=LINKTYPE_ETHERNET):
    return struct.pack(endian + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)


def record(data, ts_sec, ts_frac, endian="<", caplen=None, origlen=None):
    caplen = len(data) if caplen is None else caplen
    origlen = len(data) if origlen is None else origlen
    return struct.pack(endian + "IIII", ts_sec, ts_frac, caplen, origlen) + data


class Capture:
    """A classic pcap being built, with what a correct reader must return."""

    def __init__(self, endian="<", nano=False, snaplen=65535, linktype=LINKTYPE_ETHERNET):
        self.endian = endian
        self.nano = nano
        self.buf = global_header(endian, MAGIC_NS if nano else MAGIC_US, snaplen, linktype)
        self.expected = []  # (ts_ns, origlen, data)

    def add(self, data, ts_sec, ts_frac, caplen=None, origlen=None, valid=True):
        self.buf += record(data, ts_sec, ts_frac, self.endian, caplen, origlen)
        if valid:
            ts_ns = ts_sec * 10**9 + ts_frac * (1 if self.nano else 1000)
            self.expected.append((ts_ns, len(data) if origlen is None else origlen, data))

    def add_good(self, n_or_sizes, first_seq=0):
        sizes = n_or_sizes if isinstance(n_or_sizes, list) else [64] * n_or_sizes
        for i, size in enumerate(sizes):
            seq = first_seq + i
            frac = seq * 1000 + 7 if not self.nano else seq * 1000003 + 123
            self.add(udp_frame(size, seq), BASE_SEC + seq, frac)


def write(outdir, name, data):
    with open(os.path.join(outdir, name), "wb") as f:
        f.write(data)


def write_sidecar(outdir, name, expected):
    with open(os.path.join(outdir, name.rsplit(".", 1)[0] + ".txt"), "w") as f:
        for ts_ns, origlen, data in expected:
            f.write("%d %d %s\n" % (ts_ns, origlen, data.hex()))


def write_good(outdir, name, cap):
    write(outdir, name, cap.buf)
    write_sidecar(outdir, name, cap.expected)


# --- pcapng ---

def ng_block(btype, body):
    body += b"\0" * (-len(body) % 4)
    total = 12 + len(body)
    return struct.pack("<II", btype, total) + body + struct.pack("<I", total)


def ng_option(code, value):
    return struct.pack("<HH", code, len(value)) + value + b"\0" * (-len(value) % 4)


def pcapng_good():
    shb = ng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + ng_option(0, b""))
    # if_tsresol (code 9) = 9: timestamps count nanoseconds.
    idb = ng_block(0x00000001, struct.pack("<HHI", LINKTYPE_ETHERNET, 0, 65535) +
                   ng_option(9, b"\x09") + ng_option(0, b""))
    out = shb + idb
    expected = []
    for seq, size in enumerate([64, 100, 1514]):
        data = udp_frame(size, seq)
        ts = (BASE_SEC + seq) * 10**9 + seq * 1000003 + 123
        epb = struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(data), len(data)) + data
        epb += b"\0" * (-len(data) % 4)
        # An epb_flags option (code 2), which a reader must step over.
        out += ng_block(0x00000006, epb + ng_option(2, struct.pack("<I", 1)) + ng_option(0, b""))
        if seq == 0:
            # A block type the reader does not know (a custom block, 0x00000bad):
            # skipped by its length.
            out += ng_block(0x00000BAD, struct.pack("<I", 32473) + b"ringfwd")
        expected.append((ts, len(data), data))
    return out, expected


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "pcap")
    os.makedirs(outdir, exist_ok=True)

    # Good captures.
    cap = Capture()
    cap.add_good(8)
    write_good(outdir, "good_64.pcap", cap)

    cap = Capture()
    cap.add_good([64, 65, 128, 255, 511, 512, 1000, 1024, 1280, 1500, 1514, 1518])
    write_good(outdir, "good_mixed.pcap", cap)

    cap = Capture(nano=True)
    cap.add_good([64, 128, 1514, 60])
    write_good(outdir, "good_nano.pcap", cap)

    cap = Capture(endian=">")
    cap.add_good([64, 300, 1514])
    write_good(outdir, "good_be.pcap", cap)

    cap = Capture(endian=">", nano=True)
    cap.add_good([64, 1000])
    write_good(outdir, "good_be_nano.pcap", cap)

    # Frames larger than one mbuf's 2048-byte data room: RX must chain them.
    cap = Capture()
    cap.add_good([9000, 64, 4096, 2049])
    write_good(outdir, "good_jumbo.pcap", cap)

    ng, expected = pcapng_good()
    write(outdir, "good.pcapng", ng)
    write_sidecar(outdir, "good.pcapng", expected)

    # Broken global headers.
    write(outdir, "empty.pcap", b"")
    write(outdir, "header_only.pcap", global_header())
    write(outdir, "bad_magic.pcap",
          struct.pack("<I", 0xDEADBEEF) + global_header()[4:] + record(udp_frame(64, 0), 1, 0))
    write(outdir, "truncated_global.pcap", global_header()[:10])
    cap = Capture(linktype=LINKTYPE_LINUX_SLL)
    cap.add(b"\0" * 16 + udp_frame(64, 0)[14:], BASE_SEC, 0)
    write(outdir, "linktype_sll.pcap", cap.buf)

    # Broken records. The good records before the damage are still loaded.
    cap = Capture()
    cap.add_good(2)
    cap.buf += record(udp_frame(64, 2), BASE_SEC, 0)[:7]
    write(outdir, "truncated_record_hdr.pcap", cap.buf)

    cap = Capture()
    cap.add_good(2)
    cap.buf += record(udp_frame(64, 2), BASE_SEC, 0)[:16 + 30]
    write(outdir, "truncated_record_data.pcap", cap.buf)

    cap = Capture(snaplen=128)
    cap.add_good(1)
    cap.add(udp_frame(200, 1), BASE_SEC + 1, 0, valid=False)
    cap.add_good(1, first_seq=2)  # after the bad record: not reachable
    write(outdir, "caplen_over_snaplen.pcap", cap.buf)

    cap = Capture()
    cap.add_good(1)
    # Claims 256 MiB of data and carries 64 bytes.
    cap.add(udp_frame(64, 1), BASE_SEC + 1, 0, caplen=0x10000000, origlen=0x10000000,
            valid=False)
    write(outdir, "caplen_huge.pcap", cap.buf)

    cap = Capture()
    cap.add_good(1)
    cap.add(udp_frame(64, 1), BASE_SEC + 1, 0, origlen=60, valid=False)
    cap.add_good(1, first_seq=2)  # after the bad record: still loaded
    write(outdir, "caplen_over_origlen.pcap", cap.buf)

    # A pcapng cut in the middle of its last packet block.
    write(outdir, "truncated.pcapng", ng[:len(ng) - 40])


if __name__ == "__main__":
    main()
