#!/usr/bin/env python3
"""Side-by-side federation router benchmark: our router against its peers, in one run.

Starts the todo and media subgraphs (release builds, local mode, fresh data directories),
seeds a user `bench` with todos and attachments, then for each gateway on the same
supergraph and the same subgraphs measures:

- start: process spawn to the first successful federated response of the benchmark query,
  over several runs (median, min, max);
- warm: throughput and latency under wrk (a warmup, then a measured run), with non-2xx
  responses and response bodies that are not the expected data counted;
- peak memory: VmHWM of the gateway process (for Node, the node process) after the load;
- for ours, the stripped size of the router binary.

It prints one table and the ratios of ours against each peer, and writes everything as JSON.
Run from anywhere, as root (it installs wrk with apt-get when missing):

    python3 scripts/bench-router/bench.py [--duration 15s] [--apollo-router PATH] [...]

Only 127.0.0.1 is used; the peers run with their telemetry and usage reporting off. See
README.md beside this file for what each peer is configured with.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TARGET = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
RELEASE = os.path.join(TARGET, "release")
# Our router as it ships: the `lambda` profile (smallest code, whole-program optimisation).
ROUTER = os.path.join(TARGET, "lambda", "router")
DEFAULT_APOLLO_ROUTER = os.path.expanduser("~/.cache/the-stack/apollo-router/bin/router")
USER = "bench"
# `@join__graph` name -> the release binary that serves it.
SUBGRAPHS = {"todo": "todo-service", "media": "media-service"}
CONTENT_TYPES = ["image/png", "application/pdf", "image/jpeg", "video/mp4"]
OURS = "stack-router"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--peer-supergraph", choices=["composed", "app"], default="app",
                   help="what the peers serve: a supergraph composed by @apollo/composition from "
                        "the subgraphs' SDL, or the app's own --supergraph file (default)")
    p.add_argument("--supergraph", default=os.path.join(ROOT, "examples/router/supergraph.graphql"),
                   help="the app's supergraph (the one our router embeds), for --peer-supergraph app")
    p.add_argument("--results", default=os.path.join(tempfile.gettempdir(), "bench-router.json"),
                   help="where the JSON results go (default: %(default)s)")
    p.add_argument("--rust-runs", type=int, default=20, help="start runs for Rust gateways")
    p.add_argument("--node-runs", type=int, default=5, help="start runs for Node gateways")
    p.add_argument("--threads", type=int, default=1, help="wrk threads (-t)")
    p.add_argument("--connections", type=int, default=16, help="wrk connections (-c)")
    p.add_argument("--warmup", default="3s", help="wrk warmup duration")
    p.add_argument("--duration", default="15s", help="wrk measured duration")
    p.add_argument("--todos", type=int, default=10, help="todos seeded (and asked for), 1-100")
    p.add_argument("--attachments", type=int, default=2, help="attachments per todo")
    p.add_argument("--only", help="comma-separated gateways to run, e.g. stack-router,hive-gateway")
    p.add_argument("--apollo-router", metavar="PATH",
                   help=f"Apollo Router binary (default: {DEFAULT_APOLLO_ROUTER} when present)")
    p.add_argument("--no-apollo-router", action="store_true", help="skip the Apollo Router")
    p.add_argument("--skip-build", action="store_true", help="use the release binaries as built")
    p.add_argument("--skip-install", action="store_true", help="skip wrk and npm ci")
    p.add_argument("--no-ceiling", action="store_true",
                   help="skip measuring each subgraph alone")
    p.add_argument("--no-body-check", action="store_true",
                   help="do not inspect bodies under load (status codes are still counted)")
    args = p.parse_args()
    if not 1 <= args.todos <= 100:
        p.error("--todos must be from 1 to 100")
    for name in ("rust_runs", "node_runs", "threads", "connections"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.attachments < 0:
        p.error("--attachments must not be negative")
    if args.connections < args.threads:
        p.error("--connections must be at least --threads")
    return args


# ---------------------------------------------------------------------------------------------
# Setup: tools, builds, subgraphs, data


def run(argv, must_succeed=True, **kwargs):
    print("$ " + " ".join(argv), flush=True)
    code = subprocess.run(argv, check=False, **kwargs).returncode
    if code != 0 and must_succeed:
        raise SystemExit(f"{' '.join(argv)} failed with exit status {code}")
    return code == 0


def ensure_tools(args):
    if shutil.which("wrk") is None:
        if args.skip_install:
            raise SystemExit("wrk is missing (apt-get install -y wrk)")
        apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        # The package lists may be missing or stale on a fresh machine: update once and retry.
        if not run(["apt-get", "install", "-y", "wrk"], must_succeed=False, env=apt_env):
            run(["apt-get", "update"], env=apt_env)
            run(["apt-get", "install", "-y", "wrk"], env=apt_env)
    if shutil.which("node") is None:
        raise SystemExit("node is missing: the Node gateways need Node.js 20 or later")
    if not args.skip_install:
        run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE)


def build(args):
    if not args.skip_build:
        # The router on its own: built with the services, it would get the features they
        # switch on in shared dependencies (HTTP/2 in hyper, for the DynamoDB client).
        run(["cargo", "build", "--profile", "lambda", "-p", "app-router"], cwd=ROOT)
        run(["cargo", "build", "--release", "-p", "todo-service", "-p", "media-service"], cwd=ROOT)
    for binary in SUBGRAPHS.values():
        if not os.path.exists(os.path.join(RELEASE, binary)):
            raise SystemExit(f"{os.path.join(RELEASE, binary)} is missing: build it, or drop --skip-build")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env():
    """A clean environment: nothing from the caller's Apollo, Hive or AWS settings leaks in."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/root"),
        "LANG": "C.UTF-8",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_REGION": "us-east-1",
        "APOLLO_TELEMETRY_DISABLED": "true",
        "NODE_ENV": "production",
        "RUST_LOG": "warn",
    }


def post(port, payload, timeout=5.0):
    """POSTs a GraphQL request as `bench`; returns (status, body bytes), or None if unreachable."""
    body = json.dumps(payload).encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("POST", "/graphql", body, {
            "content-type": "application/json", "accept": "application/json",
            "x-stack-user": USER, "connection": "close"})
        response = connection.getresponse()
        return response.status, response.read()
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


def graphql(port, query, variables=None):
    """Runs one operation that must succeed; returns its `data`."""
    reply = post(port, {"query": query, "variables": variables or {}})
    if reply is None:
        raise SystemExit(f"127.0.0.1:{port} did not answer {query!r}")
    status, body = reply
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    if status != 200 or not isinstance(document, dict) or document.get("errors") or not document.get("data"):
        raise SystemExit(f"127.0.0.1:{port} answered {query!r} with {status}: {body[:500]!r}")
    return document["data"]


class Process:
    """A child process with its output in a log file, stopped on exit."""

    def __init__(self, name, argv, env, log_dir, cwd=None):
        self.name = name
        self.log_path = os.path.join(log_dir, f"{name}.log")
        self.log = open(self.log_path, "ab")
        self.started = time.perf_counter()
        self.popen = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                                      stdout=self.log, stderr=subprocess.STDOUT)

    @property
    def pid(self):
        return self.popen.pid

    def exited(self):
        return self.popen.poll() is not None

    def log_tail(self, lines=20):
        self.log.flush()
        with open(self.log_path, "rb") as f:
            return b"\n".join(f.read().splitlines()[-lines:]).decode(errors="replace")

    def fail(self, why):
        raise SystemExit(f"{self.name}: {why}\n--- last lines of {self.log_path} ---\n{self.log_tail()}")

    def stop(self):
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(5)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self.log.close()


def start_subgraphs(work, processes):
    ports = {}
    for name, binary in SUBGRAPHS.items():
        port = free_port()
        data_dir = tempfile.mkdtemp(prefix=f"{name}-", dir=work)
        env = {**base_env(), "PORT": str(port), "STACK_DATA_DIR": data_dir}
        process = Process(name, [os.path.join(RELEASE, binary)], env, work)
        processes.append(process)
        deadline = time.monotonic() + 30
        while post(port, {"query": "{ __typename }"}, timeout=1) is None:
            if process.exited():
                process.fail(f"exited with {process.popen.returncode}")
            if time.monotonic() > deadline:
                process.fail("no answer within 30 s")
            time.sleep(0.01)
        ports[name] = port
    return ports


def seed(ports, todos, attachments):
    """Creates the benchmark data straight on the subgraphs, as `bench`."""
    create = "mutation($title: String!) { createTodo(input: {title: $title}) { id } }"
    attach = ("mutation($todo: ID!, $type: String!, $size: ByteCount!) "
              "{ attachMedia(todoId: $todo, contentType: $type, size: $size) { id } }")
    for i in range(todos):
        todo_id = graphql(ports["todo"], create, {"title": f"benchmark todo {i + 1}"})["createTodo"]["id"]
        for j in range(attachments):
            graphql(ports["media"], attach, {"todo": todo_id, "type": CONTENT_TYPES[j % len(CONTENT_TYPES)],
                                             "size": 1024 * (j + 1)})


def app_supergraph_for(path, ports, work):
    """The app's own supergraph with each `@join__graph` URL pointing at the subgraphs here."""
    with open(path, encoding="utf-8") as f:
        sdl = f.read()
    seen = set()

    def replace(match):
        name = match.group(2)
        if name not in ports:
            raise SystemExit(f"{path}: subgraph {name!r} is not one this benchmark starts")
        seen.add(name)
        return f'{match.group(1)}"{subgraph_url(ports[name])}"'

    sdl = re.sub(r'(@join__graph\(\s*name:\s*"(\w+)"\s*,\s*url:\s*)"[^"]*"', replace, sdl)
    if seen != set(ports):
        raise SystemExit(f"{path}: expected subgraphs {sorted(ports)}, found {sorted(seen)}")
    return write(work, "supergraph.graphql", sdl)


def composed_supergraph_for(ports, work):
    """A supergraph composed by Apollo's composition from the subgraphs' own SDL."""
    subgraphs = [{"name": name, "url": subgraph_url(port),
                  "sdl": graphql(port, "{ _service { sdl } }")["_service"]["sdl"]}
                 for name, port in ports.items()]
    done = subprocess.run(["node", os.path.join(HERE, "compose.mjs")], input=json.dumps(subgraphs),
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"composition failed:\n{done.stderr}")
    return write(work, "supergraph.graphql", done.stdout)


def subgraph_url(port):
    return f"http://127.0.0.1:{port}/graphql"


def write(work, name, text):
    path = os.path.join(work, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


# ---------------------------------------------------------------------------------------------
# The gateways


def apollo_router_config(work, port):
    """Apollo Router YAML: our address only, `x-stack-user` propagated, no dedup, no extras."""
    path = os.path.join(work, f"apollo-router-{port}.yaml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"""\
supergraph:
  listen: 127.0.0.1:{port}
  path: /graphql
  introspection: false
homepage:
  enabled: false
sandbox:
  enabled: false
health_check:
  enabled: false
headers:
  all:
    request:
      - propagate:
          named: x-stack-user
traffic_shaping:
  all:
    deduplicate_query: false
""")
    return path


def apollo_router_binary(args):
    """The Apollo Router to compare with, if any: the one given, or the documented install."""
    if args.no_apollo_router:
        return None
    binary = args.apollo_router or (DEFAULT_APOLLO_ROUTER if os.path.exists(DEFAULT_APOLLO_ROUTER) else None)
    if binary and not os.access(binary, os.X_OK):
        raise SystemExit(f"--apollo-router {binary} is not an executable")
    return binary


def gateways(args, supergraph, ports, work):
    """Each gateway: its name, how to start it on a port, and how many start runs."""
    subgraph_urls = {f"STACK_SUBGRAPH_{name.upper()}_URL": subgraph_url(port)
                     for name, port in ports.items()}

    def ours(port):
        return [ROUTER], {**base_env(), **subgraph_urls, "PORT": str(port)}

    def node(script):
        return lambda port: (["node", os.path.join(HERE, script), supergraph, str(port)], base_env())

    def apollo_router(binary):
        return lambda port: ([binary, "--supergraph", supergraph, "--config",
                              apollo_router_config(work, port), "--log", "error"], base_env())

    found = [
        (OURS, ours, args.rust_runs),
        ("apollo-gateway", node("apollo-gateway.mjs"), args.node_runs),
        ("hive-gateway", node("hive-gateway.mjs"), args.node_runs),
    ]
    binary = apollo_router_binary(args)
    if binary:
        found.append(("apollo-router", apollo_router(binary), args.rust_runs))
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted - {name for name, _, _ in found}
        if unknown:
            raise SystemExit(f"--only: unknown or unavailable gateways {sorted(unknown)}")
        found = [g for g in found if g[0] in wanted]
    if any(name == OURS for name, _, _ in found) and not os.path.exists(ROUTER):
        raise SystemExit(f"{ROUTER} is missing: build it, or drop --skip-build")
    return found


# ---------------------------------------------------------------------------------------------
# Measurements


def query_for(todos):
    return f"{{ todos(first: {todos}) {{ nodes {{ title attachments {{ id status }} }} }} }}"


def check(body, todos, attachments):
    """Why a response is not the seeded data, or None when it is."""
    try:
        document = json.loads(body)
    except ValueError:
        return f"not JSON: {body[:200]!r}"
    if not isinstance(document, dict):
        return f"not a JSON object: {body[:200]!r}"
    if document.get("errors"):
        return f"errors: {json.dumps(document['errors'])[:300]}"
    nodes = ((document.get("data") or {}).get("todos") or {}).get("nodes")
    if not isinstance(nodes, list) or len(nodes) != todos:
        return f"expected {todos} todos: {body[:300]!r}"
    for node in nodes:
        media = node.get("attachments") if isinstance(node, dict) else None
        if not isinstance(media, list) or len(media) != attachments:
            return f"expected {attachments} attachments per todo: {body[:300]!r}"
        if any(not isinstance(m, dict) or not m.get("id") or not m.get("status") for m in media):
            return f"an attachment without id or status: {body[:300]!r}"
    return None


def peak_memory_kib(pid):
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise SystemExit(f"no VmHWM for process {pid}")


def start_once(name, command, payload, args, work, timeout):
    """Spawns a gateway and polls until it answers the query correctly.

    Returns the milliseconds from spawn to that answer, the running process and its port.
    """
    port = free_port()
    argv, env = command(port)
    process = Process(name, argv, env, work, cwd=HERE)
    last = "no answer"
    try:
        while True:
            reply = post(port, payload, timeout=timeout)
            if reply is not None:
                status, body = reply
                problem = check(body, args.todos, args.attachments) if status == 200 else f"status {status}"
                if problem is None:
                    return (time.perf_counter() - process.started) * 1000, process, port
                last = problem
            if process.exited():
                process.fail(f"exited with {process.popen.returncode} (last answer: {last})")
            if time.perf_counter() - process.started > timeout:
                process.fail(f"no correct answer within {timeout:.0f} s (last answer: {last})")
            time.sleep(0.001)
    except BaseException:
        process.stop()
        raise


WRK_SCRIPT = """\
wrk.method = "POST"
wrk.body = {body}
wrk.headers["content-type"] = "application/json"
wrk.headers["accept"] = "application/json"
wrk.headers["x-stack-user"] = "{user}"

local threads = {{}}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
end
{response}
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + (thread:get("bad") or 0)
  end
  io.write(string.format("bad_responses: %d\\n", total))
end
"""

# A cheap body check under load: the data is there and there are no errors. The full check
# runs on a sample before and after the load.
WRK_RESPONSE = """
function response(status, headers, body)
  if status ~= 200 or not body:find('"todos"', 1, true) or body:find('"errors"', 1, true) then
    bad = bad + 1
  end
end
"""


def lua_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_wrk_script(work, payload, body_check, name="query.lua"):
    path = os.path.join(work, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(WRK_SCRIPT.format(body=lua_string(json.dumps(payload)), user=USER,
                                  response=WRK_RESPONSE if body_check else ""))
    return path


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def to_ms(text):
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise SystemExit(f"unexpected wrk duration {text!r}")
    return float(match.group(1)) * UNITS_MS[match.group(2)]


def parse_wrk(output):
    def find(pattern, convert=float, default=None):
        match = re.search(pattern, output, re.MULTILINE)
        if match is None:
            if default is None:
                raise SystemExit(f"wrk output has no {pattern!r}:\n{output}")
            return default
        return convert(match.group(1))

    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "requests": find(r"^\s*(\d+) requests in", int),
        "requests_per_s": find(r"^Requests/sec:\s*([\d.]+)"),
        "p50_ms": find(r"^\s*50%\s+(\S+)", to_ms),
        "p75_ms": find(r"^\s*75%\s+(\S+)", to_ms),
        "p90_ms": find(r"^\s*90%\s+(\S+)", to_ms),
        "p99_ms": find(r"^\s*99%\s+(\S+)", to_ms),
        "non_2xx": find(r"^\s*Non-2xx or 3xx responses:\s*(\d+)", int, 0),
        "socket_errors": sum(int(n) for n in errors.groups()) if errors else 0,
        "bad_bodies": find(r"^bad_responses: (\d+)", int),
    }


def wrk(port, script, args, duration):
    argv = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{duration}", "--latency",
            "-s", script, f"http://127.0.0.1:{port}/graphql"]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return done.stdout


def measure(name, command, runs, payload, script, args, work):
    is_node = name in ("apollo-gateway", "hive-gateway")
    timeout = 60.0 if is_node else 30.0
    print(f"\n== {name}: {runs} start runs", flush=True)
    times = []
    process = None
    for i in range(runs):
        elapsed, process, port = start_once(name, command, payload, args, work, timeout)
        times.append(elapsed)
        if i < runs - 1:
            process.stop()
    try:
        start_kib = peak_memory_kib(process.pid)
        print(f"   start: median {statistics.median(times):.1f} ms; warm: {args.warmup} warmup, "
              f"{args.duration} measured", flush=True)
        wrk(port, script, args, args.warmup)
        output = wrk(port, script, args, args.duration)
        warm = parse_wrk(output)
        reply = post(port, payload)
        after = "no answer" if reply is None else check(reply[1], args.todos, args.attachments)
        if after:
            process.fail(f"wrong answer after the load: {after}")
        peak_kib = peak_memory_kib(process.pid)
        if process.exited():
            process.fail("exited during the load")
    finally:
        process.stop()
    return {
        "start_ms": {"runs": runs, "median": statistics.median(times), "min": min(times),
                     "max": max(times), "all": [round(t, 3) for t in times]},
        "warm": warm,
        "peak_memory_mb": peak_kib * 1024 / 1e6,
        "memory_after_start_mb": start_kib * 1024 / 1e6,
        "wrk_output": output,
    }


def subgraph_ceiling(ports, payload, args, work):
    """Each subgraph's own throughput for the fetch a plan of the query sends it.

    Every gateway's numbers include these subgraphs' cost; a gateway cannot go faster than the
    slower of the two, so this bounds the ratios a run can show.
    """
    todo_fetch = {"query": payload["query"].replace("attachments { id status }", "__typename id")}
    ids = [node["id"] for node in graphql(ports["todo"], todo_fetch["query"])["todos"]["nodes"]]
    fetches = {
        "todo": todo_fetch,
        "media": {"query": "query($r: [_Any!]!) { _entities(representations: $r) "
                           "{ ... on Todo { attachments { id status } } } }",
                  "variables": {"r": [{"__typename": "Todo", "id": i} for i in ids]}},
    }
    out = {}
    for name, fetch in fetches.items():
        graphql(ports[name], fetch["query"], fetch.get("variables"))
        script = write_wrk_script(work, fetch, False, f"{name}-fetch.lua")
        print(f"\n== {name} subgraph alone: its fetch of the plan, {args.duration}", flush=True)
        wrk(ports[name], script, args, args.warmup)
        warm = parse_wrk(wrk(ports[name], script, args, args.duration))
        out[name] = {"fetch": fetch, "warm": warm}
    return out


def stripped_size_mb(binary, work):
    copy = os.path.join(work, "router.stripped")
    shutil.copyfile(binary, copy)
    if shutil.which("strip") is None:
        return None
    subprocess.run(["strip", "--strip-all", copy], check=True)
    return os.path.getsize(copy) / 1e6


# ---------------------------------------------------------------------------------------------
# Report


def versions(args):
    """What was measured: the peers' package versions and the tools' own version lines."""
    out = {}
    for package in ("@apollo/gateway", "@apollo/server", "@graphql-hive/gateway",
                    "@graphql-hive/gateway-runtime", "graphql"):
        try:
            with open(os.path.join(HERE, "node_modules", package, "package.json"), encoding="utf-8") as f:
                out[package] = json.load(f)["version"]
        except (OSError, ValueError, KeyError):
            out[package] = None
    for tool, argv in (("node", ["node", "--version"]), ("wrk", ["wrk", "--version"])):
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        lines = (done.stdout or done.stderr).strip().splitlines()
        out[tool] = lines[0] if lines else None
    binary = apollo_router_binary(args)
    if binary:
        done = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False)
        out["apollo-router"] = done.stdout.strip() or None
    return out


def ratio(numerator, denominator):
    return numerator / denominator if denominator else None


def ratios(results):
    """Ours against each peer that completed: how many times faster, higher, lower, smaller."""
    ours = results.get(OURS)
    if ours is None or "error" in ours:
        return {}
    out = {}
    for name, peer in results.items():
        if name == OURS or "error" in peer:
            continue
        out[name] = {
            "start_x_faster": ratio(peer["start_ms"]["median"], ours["start_ms"]["median"]),
            "throughput_x": ratio(ours["warm"]["requests_per_s"], peer["warm"]["requests_per_s"]),
            "p99_x_lower": ratio(peer["warm"]["p99_ms"], ours["warm"]["p99_ms"]),
            "memory_x_less": ratio(peer["peak_memory_mb"], ours["peak_memory_mb"]),
        }
    return out


def goals(results, binary_mb):
    """The targets the router is held to, each with whether this run met it."""
    ours = results.get(OURS)
    if ours is None or "error" in ours:
        return []
    checks = [
        ("start <= 10 ms (median)", ours["start_ms"]["median"] <= 10),
        ("peak memory <= 16 MB", ours["peak_memory_mb"] <= 16),
    ]
    if binary_mb is not None:
        checks.append(("stripped router binary <= 5 MB", binary_mb <= 5))
    for name, peer in results.items():
        if name == OURS or "error" in peer:
            continue
        factor = 2 if name == "apollo-router" else 10
        checks.append((f"throughput >= {factor}x {name}",
                       ours["warm"]["requests_per_s"] >= factor * peer["warm"]["requests_per_s"]))
        checks.append((f"p99 lower than {name}", ours["warm"]["p99_ms"] < peer["warm"]["p99_ms"]))
    return [{"goal": goal, "met": bool(met)} for goal, met in checks]


def print_table(results, ceiling, ratio_table, goal_list, binary_mb, args):
    print(f"\nquery: {query_for(args.todos)}  ({args.todos} todos x {args.attachments} attachments)")
    print(f"wrk: -t{args.threads} -c{args.connections} -d{args.duration} after {args.warmup} warmup\n")
    header = (f"{'gateway':<16}{'start ms (min-max)':>22}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}"
              f"{'non-2xx':>9}{'sock err':>10}{'bad':>6}{'peak MB':>9}")
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        if "error" in r:
            print(f"{name:<16}failed: {r['error'].splitlines()[0]}")
            continue
        s, w = r["start_ms"], r["warm"]
        start = f"{s['median']:.1f} ({s['min']:.1f}-{s['max']:.1f})"
        print(f"{name:<16}{start:>22}{w['requests_per_s']:>10.0f}{w['p50_ms']:>9.2f}{w['p99_ms']:>9.2f}"
              f"{w['non_2xx']:>9}{w['socket_errors']:>10}{w['bad_bodies']:>6}{r['peak_memory_mb']:>9.1f}")
    for name, c in ceiling.items():
        w = c["warm"]
        label = f"({name} alone)"
        print(f"{label:<16}{'':>22}{w['requests_per_s']:>10.0f}{w['p50_ms']:>9.2f}{w['p99_ms']:>9.2f}"
              f"{w['non_2xx']:>9}{w['socket_errors']:>10}")
    if binary_mb is not None:
        print(f"\n{OURS} binary, stripped: {binary_mb:.2f} MB")
    if ratio_table:
        print(f"\n{OURS} against each peer (this run):")
        for name, r in ratio_table.items():
            x = {k: "n/a" if v is None else f"{v:.2f}x" for k, v in r.items()}
            print(f"  vs {name:<15} start {x['start_x_faster']} faster, throughput "
                  f"{x['throughput_x']}, p99 {x['p99_x_lower']} lower, "
                  f"peak memory {x['memory_x_less']} less")
    if goal_list:
        print("\ngoals:")
        for g in goal_list:
            print(f"  [{'met' if g['met'] else 'MISSED'}] {g['goal']}")


def main():
    args = parse_args()
    ensure_tools(args)
    build(args)
    processes = []
    results = {}
    ceiling = {}
    binary_mb = None
    with tempfile.TemporaryDirectory(prefix="bench-router-") as work:
        try:
            ports = start_subgraphs(work, processes)
            seed(ports, args.todos, args.attachments)
            if args.peer_supergraph == "app":
                supergraph = app_supergraph_for(args.supergraph, ports, work)
            else:
                supergraph = composed_supergraph_for(ports, work)
            payload = {"query": query_for(args.todos)}
            script = write_wrk_script(work, payload, not args.no_body_check)
            ceiling = {} if args.no_ceiling else subgraph_ceiling(ports, payload, args, work)
            for name, command, runs in gateways(args, supergraph, ports, work):
                try:
                    results[name] = measure(name, command, runs, payload, script, args, work)
                except SystemExit as failure:
                    # One gateway failing (a crash, a wrong answer) still leaves the others'.
                    print(f"   {name} failed: {failure}", file=sys.stderr, flush=True)
                    results[name] = {"error": str(failure)}
            binary_mb = stripped_size_mb(ROUTER, work) if OURS in results else None
        finally:
            for process in processes:
                process.stop()
    ratio_table = ratios(results)
    goal_list = goals(results, binary_mb)
    print_table(results, ceiling, ratio_table, goal_list, binary_mb, args)
    report = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "kernel": os.uname().release},
        "settings": {k: v for k, v in vars(args).items()},
        "query": query_for(args.todos),
        "versions": versions(args),
        "router_binary_stripped_mb": binary_mb,
        "gateways": results,
        "subgraphs_alone": ceiling,
        "ratios": ratio_table,
        "goals": goal_list,
    }
    with open(args.results, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2)
    print(f"\nresults: {args.results}")
    if any("error" in r for r in results.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
