#!/usr/bin/env python3
"""Finding 3 of issue 14 by hand, against the chat example. Two measurements:

`orphans N`: N orphan sessions (a page load plus a live connection opened and closed, as a
closed browser tab leaves behind), then 97 messages in their room while a user in another room
sends a heartbeat every 20 ms. Prints the server's CPU per broadcast and that user's heartbeat
round trips. Run it with 0 orphans too: CPU per broadcast should not grow with the count.

`pages N`: fills the lobby's history (50 lines), then N cookie-less page loads from one
address. Prints the statuses and the server's resident memory before and after.

Usage (from the repository root, after `cargo build --release -p chat`):
    python3 tests/scripts/session_flood.py target/release/chat 18932 orphans 400
    python3 tests/scripts/session_flood.py target/release/chat 18933 pages 3000
"""
import base64, json, os, socket, statistics, struct, subprocess, sys, threading, time

from harness import cpu_seconds, rss_mb, start

binary, port, mode, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
MESSAGES = 97
HOST = f"127.0.0.1:{port}"

server = start([binary], port, env={"RUST_LOG": "warn"},
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def cpu():
    return cpu_seconds(server.pid)


def fetch(path):
    """GET `path`; the whole response."""
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode())
    data = b""
    while chunk := s.recv(65536):
        data += chunk
    s.close()
    return data


def page(path):
    """GET `path`; the session cookie it sets."""
    data = fetch(path)
    for line in data.split(b"\r\n\r\n", 1)[0].decode().split("\r\n"):
        if line.lower().startswith("set-cookie: livetemplate-id="):
            return line.split(": ", 1)[1].split(";", 1)[0]
    raise SystemExit(f"no session cookie from {path}: {data[:200]!r}")


class Live:
    """A live connection of our client (`_lvt=1`), by hand: handshake, text frames, close."""

    def __init__(self, path, cookie):
        self.s = socket.create_connection(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        sep = "&" if "?" in path else "?"
        self.s.sendall((f"GET {path}{sep}_lvt=1 HTTP/1.1\r\nHost: {HOST}\r\nOrigin: http://{HOST}\r\n"
                        f"Cookie: {cookie}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                        f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\n\r\n").encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            self.buf += self.s.recv(4096)
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 101"), head
        self.recv()  # the first tree

    def _take(self, n):
        while len(self.buf) < n:
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv(self):
        first, second = self._take(2)
        n = second & 0x7F
        if n == 126:
            n = struct.unpack(">H", self._take(2))[0]
        elif n == 127:
            n = struct.unpack(">Q", self._take(8))[0]
        payload = self._take(n)
        return first & 0x0F, payload

    def send(self, message, opcode=1):
        data = json.dumps(message).encode() if opcode == 1 else message
        mask = os.urandom(4)
        head = bytes([0x80 | opcode])
        if len(data) < 126:
            head += bytes([0x80 | len(data)])
        else:
            head += bytes([0x80 | 126]) + struct.pack(">H", len(data))
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.s.sendall(head + mask + masked)

    def close(self):
        self.send(struct.pack(">H", 1000), opcode=8)
        self.s.close()


def orphans():
    started = time.time()
    for _ in range(count):
        cookie = page("/?room=a")
        Live("/", cookie).close()
    made = time.time() - started

    # The bystander in room b: a heartbeat every 20 ms while the messages go out.
    bystander = Live("/", page("/?room=b"))
    rtts, stop = [], threading.Event()


    def heartbeats():
        while not stop.is_set():
            sent = time.perf_counter()
            bystander.send({"action": "__ping__"})
            while True:
                opcode, payload = bystander.recv()
                if opcode == 1 and b"pong" in payload:
                    break
            rtts.append((time.perf_counter() - sent) * 1000)
            time.sleep(0.02)


    pinger = threading.Thread(target=heartbeats)
    pinger.start()
    speaker = Live("/", page("/?room=a"))
    speaker.send({"action": "set_name", "data": {"name": "speaker"}})
    speaker.recv()
    time.sleep(1)
    before = cpu()
    for n in range(MESSAGES):
        speaker.send({"action": "send", "data": {"text": f"message {n}"}, "ref": n + 1})
        speaker.recv()
        time.sleep(0.025)  # under the session's 50 actions a second
    time.sleep(2)  # let any work the broadcasts started finish
    spent = cpu() - before  # CPU time counts only work, not the pauses
    stop.set()
    pinger.join()
    rtts.sort()
    print(f"orphans: {count} (made in {made:.1f} s); messages: {MESSAGES}")
    print(f"server CPU over the messages: {spent * 1000:.0f} ms, {spent * 1000 / MESSAGES:.2f} ms per broadcast")
    print(f"heartbeats from another room: {len(rtts)}, p50 {statistics.median(rtts):.2f} ms, "
          f"p99 {rtts[int(len(rtts) * 0.99) - 1]:.2f} ms, max {rtts[-1]:.2f} ms")


def pages():
    speaker = Live("/", page("/?room=lobby"))
    speaker.send({"action": "set_name", "data": {"name": "speaker"}})
    speaker.recv()
    for n in range(50):
        speaker.send({"action": "send", "data": {"text": f"a line of history, number {n}" * 4}})
        speaker.recv()
        time.sleep(0.025)
    speaker.close()
    before = rss_mb(server.pid)
    statuses = {}
    started = time.time()
    for _ in range(count):
        status = fetch("/?room=lobby").split(b" ", 2)[1].decode()
        statuses[status] = statuses.get(status, 0) + 1
    took = time.time() - started
    print(f"{count} cookie-less page loads in {took:.1f} s: statuses {statuses}")
    print(f"resident memory: {before:.1f} MB before, {rss_mb(server.pid):.1f} MB after")


{"orphans": orphans, "pages": pages}[mode]()
server.terminate()
server.wait(timeout=30)
