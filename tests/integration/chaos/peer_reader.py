#!/usr/bin/env python3
"""Read the testpmd peer's output from stdin: write each line to LOG with a
timestamp (seconds since the epoch, as bash's $EPOCHREALTIME), and, when the
file ARM holds a number K, SIGKILL the process whose PID is in PIDFILE at the
K-th vhost-user request the peer logs from then on ("read message ..." of
lib.vhost.config at debug level). Lines are handled as they come, so the kill
lands while the negotiation is under way, not after it.

    peer_reader.py LOG ARM PIDFILE
"""
import os
import signal
import sys
import time


def main():
    log_path, arm_path, pid_path = sys.argv[1:4]
    k = 0
    inp = sys.stdin.buffer
    with open(log_path, "ab", buffering=0) as log:
        while True:
            line = inp.readline()
            if not line:
                break
            log.write(b"%.6f " % time.time() + line)
            if b"read message" not in line:
                continue
            if k == 0:
                try:
                    with open(arm_path) as f:
                        k = int(f.read().strip() or 0)
                    os.unlink(arm_path)
                except (FileNotFoundError, ValueError):
                    k = 0
            if k == 0:
                continue
            k -= 1
            if k > 0:
                continue
            with open(pid_path) as f:
                pid = int(f.read().strip())
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            log.write(b"%.6f CHAOS: SIGKILL after: " % time.time() + line)


if __name__ == "__main__":
    main()
