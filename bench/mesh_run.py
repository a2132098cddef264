#!/usr/bin/env python3
"""`meshboot run --mesh` against `meshboot run` with an equivalent static bootstrap (issue #13).

Both cases start `bin/meshboot run` as a fresh process for the workshop mesh's `frontend` node
(examples/appmesh-workshop) with the crystal apps answering on 127.0.0.1:9081/9082, and time the
command until the first request through the mesh's egress listener (Host
crystal.appmeshworkshop.hosted.local on 127.0.0.1:15001) is answered 200:
  - mesh:   MESHBOOT_MESH=examples/appmesh-workshop: the control plane embedded in the supervisor
            loads and translates the definition and serves it to Envoy over ADS on a unix socket;
  - static: ENVOY_CONFIG_FILE=<the same bootstrap with the node's resources static>: what
            `meshboot bootstrap` writes for the mesh case (node, admin, stats tags, runtime) less
            its ADS (dynamic_resources and the clusters fetched over it), plus the listeners and
            clusters of `meshboot mesh render` with the route configurations inline instead of
            RDS: the baseline, measured in the same run, interleaved. (A minimal hand-written
            bootstrap starts Envoy several times faster than either: the difference is the
            bootstrap's, not the control plane's.)
The table prints the median and p90 of --runs runs of each, the ratio of medians, and the
supervisor's resident memory (VmRSS of the meshboot JVM) once the first request is answered.
Budget: mesh <= 1.5x static.

Everything runs in a network namespace of its own (`unshare --net`, root): the listeners are App
Mesh's 0.0.0.0:15000/15001 and must not meet anything else running on the machine.

Usage: ENVOY_BIN=... python3 bench/mesh_run.py [--runs 11]
"""
import argparse
import copy
import http.client
import http.server
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MESHBOOT = os.path.join(ROOT, "bin", "meshboot")
WORKSHOP = os.path.join(ROOT, "examples", "appmesh-workshop")
NODE = "mesh/appmesh-workshop/virtualNode/frontend"
HOST = "crystal.appmeshworkshop.hosted.local"
BUDGET_RATIO = 1.5


class App(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"crystal"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


# The untimed launches train the AOT caches they miss before they start (bin/meshboot trains them in
# the background otherwise, beside the timed runs); a timed run finds them all.
WAIT = {"MESHBOOT_AOT": "wait"}


def static_bootstrap(written, rendered):
    """The written bootstrap with the node's resources static instead of over ADS."""
    routes = {route["name"]: route for route in rendered["routes"]}
    listeners = copy.deepcopy(rendered["listeners"])
    for listener in listeners:
        for chain in listener.get("filter_chains", []):
            for network_filter in chain.get("filters", []):
                config = network_filter.get("typed_config", {})
                if "rds" in config:
                    config["route_config"] = routes[config.pop("rds")["route_config_name"]]
    clusters = rendered["clusters"]
    if any(cluster.get("type") == "EDS" for cluster in clusters):
        sys.exit("mesh_run.py: EDS clusters: inline their endpoints first")
    bootstrap = copy.deepcopy(written)
    bootstrap.pop("dynamic_resources")
    over_ads = {c["name"] for c in bootstrap["static_resources"]["clusters"]
                if c["name"] == "meshboot_xds" or "ads" in json.dumps(c.get("eds_cluster_config", {}))}
    bootstrap["static_resources"]["clusters"] = [
        c for c in bootstrap["static_resources"]["clusters"] if c["name"] not in over_ads] + clusters
    bootstrap["static_resources"]["listeners"] = listeners
    if bootstrap.get("cluster_manager", {}).get("local_cluster_name") in over_ads:
        del bootstrap["cluster_manager"]["local_cluster_name"]
    return bootstrap


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def answered():
    try:
        connection = http.client.HTTPConnection("127.0.0.1", 15001, timeout=1)
        connection.request("GET", "/", headers={"Host": HOST})
        ok = connection.getresponse().status == 200
        connection.close()
        return ok
    except OSError:
        return False


def one_run(env, log, command=(MESHBOOT, "run")):
    """Seconds from starting `command` to the first 200 through 15001, and its VmRSS then; the
    process is stopped."""
    started = time.monotonic()
    process = subprocess.Popen(list(command), env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        while not answered():
            if process.poll() is not None:
                sys.exit(f"{os.path.basename(command[0])} exited {process.returncode}; see {log.name}")
            if time.monotonic() - started > 60:
                sys.exit(f"mesh_run.py: no answer within 60 s; see {log.name}")
            time.sleep(0.005)
        elapsed = time.monotonic() - started
        return elapsed, rss_kb(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def in_own_network(default_runs):
    """The calling script's arguments (--runs), once it runs in a network namespace of its own:
    outside one it executes itself again under `unshare --net` (root) with loopback up and exits
    with that run's status. ENVOY_BIN is required."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=default_runs)
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    script = os.path.abspath(sys.argv[0])
    if not args.inside:
        inner = f"ip link set lo up && exec {sys.executable} {script} --inside --runs {args.runs}"
        sys.exit(subprocess.call(["unshare", "--net", "--", "sh", "-c", inner]))
    if not os.environ.get("ENVOY_BIN"):
        sys.exit(f"{os.path.basename(script)}: set ENVOY_BIN")
    return args


def p90(samples):
    """The 90th percentile of samples (the nearest rank)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]


def main():
    args = in_own_network(11)

    for port in (9081, 9082):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), App)
        threading.Thread(target=server.serve_forever, daemon=True).start()

    work = tempfile.mkdtemp(prefix="mesh-run-")
    rendered = json.loads(subprocess.run(
        [MESHBOOT, "mesh", "render", WORKSHOP, "--node", NODE], env=dict(os.environ, **WAIT),
        check=True, capture_output=True, text=True).stdout)
    base = dict(os.environ)
    for name in [n for n in base if n.startswith(("APPMESH_", "MESHBOOT_", "ENVOY_CONFIG"))]:
        del base[name]
    base.update({"APPMESH_RESOURCE_ARN": NODE, "ENVOY_LOG_LEVEL": "warning",
                 "MESHBOOT_BOOTSTRAP_PATH": os.path.join(work, "envoy.json"),
                 "MESHBOOT_MESH_SOCKET": os.path.join(work, "mesh.sock")})
    written = json.loads(subprocess.run(
        [MESHBOOT, "bootstrap", "-o", "-"], env=dict(base, MESHBOOT_MESH=WORKSHOP, **WAIT),
        check=True, capture_output=True, text=True).stdout)
    static = os.path.join(work, "static.json")
    with open(static, "w") as out:
        json.dump(static_bootstrap(written, rendered), out)
    cases = {
        "run --mesh (embedded control plane)": dict(base, MESHBOOT_MESH=WORKSHOP),
        "run, static ENVOY_CONFIG_FILE (baseline)": dict(base, ENVOY_CONFIG_FILE=static),
    }
    times = {name: [] for name in cases}
    rss = {name: [] for name in cases}
    with open(os.path.join(work, "meshboot.log"), "w") as log:
        for name, env in cases.items():  # a warm-up each: AOT caches, page cache
            one_run(dict(env, **WAIT), log)
        for _ in range(args.runs):
            for name, env in cases.items():
                elapsed, kb = one_run(env, log)
                times[name].append(elapsed)
                rss[name].append(kb)

    baseline = statistics.median(times["run, static ENVOY_CONFIG_FILE (baseline)"])
    print(f"meshboot run: command to first request answered through 15001 ({args.runs} runs each, interleaved)")
    print(f"{'case':45} {'median ms':>10} {'p90 ms':>8} {'ratio':>6} {'RSS MB':>7}")
    for name in cases:
        median = statistics.median(times[name])
        print(f"{name:45} {median * 1000:10.0f} {p90(times[name]) * 1000:8.0f} {median / baseline:6.2f}"
              f" {statistics.median(rss[name]) / 1024:7.1f}")
    ratio = statistics.median(times["run --mesh (embedded control plane)"]) / baseline
    print(f"budget: mesh <= {BUDGET_RATIO}x static: {'met' if ratio <= BUDGET_RATIO else 'MISSED'} ({ratio:.2f}x)")


if __name__ == "__main__":
    main()
