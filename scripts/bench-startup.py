#!/usr/bin/env python3
"""Time from process start to the first GraphQL response of the release `todo-service`.

Starts the binary locally on a free port with a fresh data directory, sends a GraphQL query in
a tight loop until one is answered, and reports the distribution over several runs. Run from
the repository root:

    cargo build --release -p todo-service && python3 scripts/bench-startup.py [runs]
"""

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

BINARY = os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "release", "todo-service")
QUERY = json.dumps({"query": "{ todos(first: 1) { nodes { id } } }"}).encode()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def first_response(port):
    request = (
        b"POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
        b"x-stack-user: bench\r\nconnection: close\r\ncontent-length: "
        + str(len(QUERY)).encode()
        + b"\r\n\r\n"
        + QUERY
    )
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(request)
            reply = b""
            while chunk := s.recv(65536):
                reply += chunk
            return reply.startswith(b"HTTP/1.1 200") and b'"todos"' in reply
    except OSError:
        return False


def one_run():
    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        env = {"PATH": os.environ.get("PATH", ""), "PORT": str(port), "STACK_DATA_DIR": data_dir,
               "AWS_EC2_METADATA_DISABLED": "true", "RUST_LOG": "warn"}
        started = time.perf_counter()
        process = subprocess.Popen([BINARY], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while not first_response(port):
                if process.poll() is not None:
                    raise SystemExit(f"{BINARY} exited with {process.returncode}")
                if time.perf_counter() - started > 10:
                    raise SystemExit("no response within 10 s")
                time.sleep(0.0005)
            return (time.perf_counter() - started) * 1000
        finally:
            process.terminate()
            process.wait()


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    if not os.path.exists(BINARY):
        raise SystemExit(f"build it first: cargo build --release -p todo-service ({BINARY} is missing)")
    times = sorted(one_run() for _ in range(runs))
    size_mb = os.path.getsize(BINARY) / 1e6
    print(f"start to first GraphQL response over {runs} runs: "
          f"median {statistics.median(times):.1f} ms, min {times[0]:.1f} ms, max {times[-1]:.1f} ms "
          f"(binary {size_mb:.1f} MB)")


if __name__ == "__main__":
    main()
