#!/usr/bin/env python3
"""Finding 1 of issue 14 by hand: under `ulimit -n 128`, 150 half-sent requests; prints the
server's CPU over 5 s, its log lines in that time, and how long a normal GET then takes.

Usage (from the repository root, after `cargo build -p counter`):
    python3 tests/scripts/emfile_flood.py target/debug/counter 18931 /tmp/flood.log
"""
import os, socket, sys, time

from harness import cpu_seconds, start

binary, port, logfile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
log = open(logfile, "w")
server = start(["bash", "-c", f"ulimit -n 128; exec {binary}"], port,
               env={"RUST_LOG": "info"}, stdout=log, stderr=log)


def cpu():
    return cpu_seconds(server.pid)


def lines():
    return sum(1 for _ in open(logfile, "rb"))
held = []
for _ in range(150):
    s = socket.socket()
    s.settimeout(1)
    try:
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX: ")
    except OSError:
        pass
    held.append(s)
c0, l0, t0 = cpu(), lines(), time.time()
time.sleep(5)
c1, l1, t1 = cpu(), lines(), time.time()
print(f"cpu over 5 s: {100 * (c1 - c0) / (t1 - t0):.1f} % of a core; log lines: {l1 - l0}")
start = time.time()
try:
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.settimeout(30)
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head = s.recv(64).split(b"\r\n")[0].decode()
except OSError as error:
    head = f"failed: {error}"
print(f"normal GET while the flood is open: {head!r} after {time.time() - start:.2f} s")
for s in held:
    s.close()
server.terminate()
server.wait(timeout=30)
