#!/usr/bin/env python3
"""A vhost-user back-end that misbehaves on purpose, for the stop tests.

    hostile_backend.py MODE SOCKET

Listens on SOCKET (removed at exit), accepts one front-end, offers only
VIRTIO_F_VERSION_1 (so no protocol features, no REPLY_ACK: the messages are
those of QEMU's docs/interop/vhost-user.rst without them), maps the memory
table it is sent, and then, by MODE:

  broken  writes a used-ring entry on the first RX vring (0) whose id names no
          descriptor (id = ring size + 7): the driver must mark the queue
          broken. GET_VRING_BASE is never answered.
  slow    behaves, but answers each GET_VRING_BASE only after SLOW_S (2)
          seconds, so that the front-end's stop takes a while.

Every request is logged on stdout as "request NAME" (flushed), so a test can
tell what the front-end asked and when.
"""
import mmap
import os
import socket
import struct
import sys
import time

NAMES = {1: "GET_FEATURES", 2: "SET_FEATURES", 3: "SET_OWNER", 4: "RESET_OWNER",
         5: "SET_MEM_TABLE", 8: "SET_VRING_NUM", 9: "SET_VRING_ADDR",
         10: "SET_VRING_BASE", 11: "GET_VRING_BASE", 12: "SET_VRING_KICK",
         13: "SET_VRING_CALL", 14: "SET_VRING_ERR"}
GET_FEATURES, SET_MEM_TABLE, SET_VRING_NUM, SET_VRING_ADDR = 1, 5, 8, 9
GET_VRING_BASE, SET_VRING_KICK = 11, 12
VERSION_1 = 1 << 32
HDR = struct.Struct("<III")  # request, flags, size
FLAG_VERSION, FLAG_REPLY = 0x1, 0x4
SLOW_S = 2.0


def log(msg):
    print(msg, flush=True)


class Session:
    def __init__(self, conn, mode):
        self.conn, self.mode = conn, mode
        self.regions = []  # (user_addr, size, mmap)
        self.num = {}
        self.used = {}
        self.avail = {}
        self.spoiled = False

    def recv(self):
        fds = []
        data, anc, _flags, _addr = self.conn.recvmsg(HDR.size, socket.CMSG_SPACE(8 * 4))
        if len(data) < HDR.size:
            return None
        for level, kind, blob in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds += list(struct.unpack("%di" % (len(blob) // 4), blob[:len(blob) // 4 * 4]))
        req, _fl, size = HDR.unpack(data)
        payload = b""
        while len(payload) < size:
            chunk = self.conn.recv(size - len(payload))
            if not chunk:
                return None
            payload += chunk
        return req, payload, fds

    def reply(self, req, payload):
        self.conn.sendall(HDR.pack(req, FLAG_VERSION | FLAG_REPLY, len(payload)) + payload)

    def at(self, addr):
        for base, size, mem in self.regions:
            if base <= addr < base + size:
                return mem, addr - base
        raise ValueError("address 0x%x in no region" % addr)

    def mem_table(self, payload, fds):
        (n,) = struct.unpack_from("<I", payload, 0)
        for i in range(n):
            _gpa, size, user, off = struct.unpack_from("<QQQQ", payload, 8 + 32 * i)
            mem = mmap.mmap(fds[i], size, mmap.MAP_SHARED,
                            mmap.PROT_READ | mmap.PROT_WRITE, offset=off)
            self.regions.append((user, size, mem))
        for fd in fds:
            os.close(fd)

    def spoil_rx(self):
        """One used entry naming no descriptor, then the used index past it."""
        mem, off = self.at(self.used[0])
        struct.pack_into("<II", mem, off + 4, self.num[0] + 7, 64)
        struct.pack_into("<H", mem, off + 2, 1)
        self.spoiled = True
        log("wrote a used entry with id %d on vring 0" % (self.num[0] + 7))

    def serve(self):
        while True:
            msg = self.recv()
            if msg is None:
                log("front-end hung up")
                return
            req, payload, fds = msg
            log("request " + NAMES.get(req, str(req)))
            if req == GET_FEATURES:
                self.reply(req, struct.pack("<Q", VERSION_1))
            elif req == SET_MEM_TABLE:
                self.mem_table(payload, fds)
                continue
            elif req == SET_VRING_NUM:
                idx, num = struct.unpack_from("<II", payload)
                self.num[idx] = num
            elif req == SET_VRING_ADDR:
                idx, _fl, _desc, used, avail, _log = struct.unpack_from("<IIQQQQ", payload)
                self.used[idx], self.avail[idx] = used, avail
            elif req == GET_VRING_BASE:
                (idx,) = struct.unpack_from("<I", payload)
                if self.mode == "broken":
                    continue  # never answered
                time.sleep(SLOW_S)
                self.reply(req, struct.pack("<II", idx, 0))
            for fd in fds:
                os.close(fd)
            if req == SET_VRING_KICK and self.mode == "broken" and not self.spoiled and 0 in self.used:
                self.spoil_rx()


def main():
    mode, path = sys.argv[1], sys.argv[2]
    if mode not in ("broken", "slow"):
        sys.exit("mode: broken or slow")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    try:
        srv.listen(1)
        log("listening on " + path)
        conn, _ = srv.accept()
        Session(conn, mode).serve()
        conn.close()
    finally:
        srv.close()
        os.unlink(path)


if __name__ == "__main__":
    main()
