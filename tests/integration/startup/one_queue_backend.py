#!/usr/bin/env python3
"""A vhost-user back-end that offers one queue pair, and nothing else.

    one_queue_backend.py SOCKET READY_FILE

Listens on SOCKET (removed again at exit), touches READY_FILE once it
listens, accepts one front-end and answers the start of the handshake the way
a device with one queue pair does (QEMU docs/interop/vhost-user.rst):
GET_FEATURES offers VIRTIO_F_VERSION_1, VIRTIO_NET_F_MQ and
VHOST_USER_F_PROTOCOL_FEATURES; GET_PROTOCOL_FEATURES offers
VHOST_USER_PROTOCOL_F_MQ; GET_QUEUE_NUM says 1. Other requests get no reply
(none of those sent before the queue check asks for one unless REPLY_ACK was
agreed, and it is not offered). Exits when the front-end hangs up.

DPDK 22.11's vhost library cannot play this part: it answers GET_QUEUE_NUM
with its build limit (128) whatever net_vhost's queues= says.
"""
import os
import socket
import struct
import sys

GET_FEATURES, GET_PROTOCOL_FEATURES, GET_QUEUE_NUM = 1, 15, 17
VERSION_1, NET_F_MQ, F_PROTOCOL_FEATURES = 1 << 32, 1 << 22, 1 << 30
PROTOCOL_F_MQ = 1 << 0
HDR = struct.Struct("<III")  # request, flags, size
FLAG_VERSION, FLAG_REPLY = 0x1, 0x4

ANSWERS = {
    GET_FEATURES: VERSION_1 | NET_F_MQ | F_PROTOCOL_FEATURES,
    GET_PROTOCOL_FEATURES: PROTOCOL_F_MQ,
    GET_QUEUE_NUM: 1,
}


def recv_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def main():
    path, ready = sys.argv[1], sys.argv[2]
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    try:
        srv.listen(1)
        open(ready, "w").close()
        conn, _ = srv.accept()
        while True:
            hdr = recv_exact(conn, HDR.size)
            if hdr is None:
                break
            req, _flags, size = HDR.unpack(hdr)
            # Payload (and any fds, which recv drops) is not needed here.
            if size and recv_exact(conn, size) is None:
                break
            if req in ANSWERS:
                conn.sendall(HDR.pack(req, FLAG_VERSION | FLAG_REPLY, 8) +
                             struct.pack("<Q", ANSWERS[req]))
        conn.close()
    finally:
        srv.close()
        os.unlink(path)


if __name__ == "__main__":
    main()
