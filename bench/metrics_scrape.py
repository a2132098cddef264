#!/usr/bin/env python3
"""A scrape through the read-only metrics listener against the same scrape of Envoy's admin
directly (issue #17).

`bin/meshboot run` starts Envoy with the generated bootstrap plus ENVOY_RESOURCES_CONFIG_FILE, a
file of --clusters static clusters, so that /stats/prometheus is a page of ~50,000 series (each
cluster brings ~175); the management endpoint is a closed loopback port and
ENVOY_INITIAL_FETCH_TIMEOUT=1, so Envoy starts its listeners after a second without a control
plane. Then, alternating, --runs times each, a fresh connection and a whole
`GET /stats/prometheus` read to the end:
  - admin:    127.0.0.1:9901, the admin itself (the baseline);
  - listener: 10.17.0.2:9901, the pod's address (a veth in the namespace): the metrics listener,
              which proxies the page from the admin.
The table prints the page (bytes, series), the median and p90 of each, and the ratio of medians.
Budget: listener <= 1.2x admin.

Everything runs in a network namespace of its own (`unshare --net`, root).

Usage: ENVOY_BIN=... python3 bench/metrics_scrape.py [--runs 21] [--clusters 290]
"""
import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mesh_run  # noqa: E402  (MESHBOOT, p90)

POD_IP = "10.17.0.2"
BUDGET = 1.2


def arguments():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--clusters", type=int, default=290)
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.inside:
        script = os.path.abspath(sys.argv[0])
        inner = (f"ip link set lo up && exec {sys.executable} {script} --inside"
                 f" --runs {args.runs} --clusters {args.clusters}")
        sys.exit(subprocess.call(["unshare", "--net", "--", "sh", "-c", inner]))
    if not os.environ.get("ENVOY_BIN"):
        sys.exit("metrics_scrape.py: set ENVOY_BIN")
    return args


def resources(count):
    """static_resources with `count` STATIC clusters (each a loopback endpoint nobody serves)."""
    clusters = [{"name": f"bench_{i}", "type": "STATIC", "connect_timeout": "1s",
                 "load_assignment": {"cluster_name": f"bench_{i}", "endpoints": [{"lb_endpoints": [
                     {"endpoint": {"address": {"socket_address": {"address": "127.0.0.1",
                                                                  "port_value": 20000 + i}}}}]}]}}
                for i in range(count)]
    return {"static_resources": {"clusters": clusters}}


def scrape(host):
    """Seconds for a whole GET /stats/prometheus on a fresh connection, and the page."""
    started = time.monotonic()
    connection = http.client.HTTPConnection(host, 9901, timeout=30)
    connection.request("GET", "/stats/prometheus")
    response = connection.getresponse()
    body = response.read()
    elapsed = time.monotonic() - started
    connection.close()
    if response.status != 200:
        sys.exit(f"metrics_scrape.py: {host}:9901/stats/prometheus answered {response.status}")
    return elapsed, body


def main():
    args = arguments()
    for command in (["ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1"],
                    ["ip", "addr", "add", POD_IP + "/24", "dev", "v0"],
                    ["ip", "link", "set", "v0", "up"], ["ip", "link", "set", "v1", "up"]):
        subprocess.run(command, check=True)
    work = tempfile.mkdtemp(prefix="metrics-scrape-")
    fragment = os.path.join(work, "resources.json")
    with open(fragment, "w") as out:
        json.dump(resources(args.clusters), out)
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("APPMESH_", "MESHBOOT_", "ENVOY_CONFIG", "AWS_"))}
    env.update({"APPMESH_RESOURCE_ARN": "mesh/bench/virtualNode/node",
                "APPMESH_XDS_ENDPOINT": "127.0.0.1:1", "ENVOY_INITIAL_FETCH_TIMEOUT": "1",
                "ENVOY_RESOURCES_CONFIG_FILE": fragment, "ENVOY_LOG_LEVEL": "error",
                "MESHBOOT_BOOTSTRAP_PATH": os.path.join(work, "envoy.json"),
                "MESHBOOT_CACHE_DIR": os.path.join(work, "cache"), "MESHBOOT_AOT": "0"})
    log = open(os.path.join(work, "meshboot.log"), "w")
    meshboot = subprocess.Popen([mesh_run.MESHBOOT, "run"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                scrape(POD_IP)
                break
            except (OSError, http.client.HTTPException):
                if meshboot.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"metrics_scrape.py: no metrics listener on {POD_IP}:9901; see {log.name}")
                time.sleep(0.2)
        _, page = scrape("127.0.0.1")
        series = sum(1 for line in page.splitlines() if line and not line.startswith(b"#"))
        for host in ("127.0.0.1", POD_IP):  # warm-up
            scrape(host)
        times = {"admin": [], "listener": []}
        for run in range(args.runs):
            order = [("admin", "127.0.0.1"), ("listener", POD_IP)]
            for name, host in (order if run % 2 == 0 else reversed(order)):
                times[name].append(scrape(host)[0])
    finally:
        meshboot.send_signal(signal.SIGTERM)
        meshboot.wait(60)

    print(f"GET /stats/prometheus: {len(page):,} bytes, {series:,} series "
          f"({args.clusters} static clusters); {args.runs} scrapes each, alternating, fresh connections")
    print(f"{'path':52} {'median ms':>10} {'p90 ms':>8} {'ratio':>6}")
    baseline = statistics.median(times["admin"])
    for name, label in (("admin", "admin directly, 127.0.0.1:9901"),
                        ("listener", f"metrics listener, {POD_IP}:9901 (pod address)")):
        median = statistics.median(times[name])
        print(f"{label:52} {median * 1000:10.1f} {mesh_run.p90(times[name]) * 1000:8.1f} "
              f"{median / baseline:6.2f}")
    ratio = statistics.median(times["listener"]) / baseline
    print(f"budget: listener <= {BUDGET}x admin: {'met' if ratio <= BUDGET else 'MISSED'} ({ratio:.2f}x)")


if __name__ == "__main__":
    main()
