"""What the hand-run measurement scripts share: start a server binary and read its CPU time
and memory from /proc."""
import os, socket, subprocess, time

TICK = os.sysconf("SC_CLK_TCK")


def start(command, port, **popen):
    """Runs `command` (a list) with `ADDR=127.0.0.1:<port>` and waits until it accepts."""
    env = dict(os.environ, ADDR=f"127.0.0.1:{port}", **popen.pop("env", {}))
    server = subprocess.Popen(command, env=env, **popen)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return server


def cpu_seconds(pid):
    """User plus system CPU time of process `pid`, in seconds (in clock ticks, 10 ms)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_mb(pid):
    """Resident memory of process `pid`, in MB."""
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
