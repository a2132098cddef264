#!/usr/bin/env python3
"""Envoy's Prometheus page through meshboot's management API in a large mesh (issue #16, item 3).

A real Envoy runs a static bootstrap (ENVOY_CONFIG_FILE) with enough clusters that its
/stats/prometheus page has --series series (~173 per cluster: ~14 MB for 200,000), supervised by
`bin/meshboot run` (64 MB heap). Each kind of scrape is made --runs times; the table prints the
median time of each, its ratio to fetching the same page from Envoy directly (the baseline,
measured in the same run), and meshboot's resident memory: sampled every 20 ms, its peak during
that kind of scrape and its median while idle before any scrape.
Budgets: every scrape answers whole (series counted); meshboot's peak RSS while scraping stays
within 24 MB of its idle RSS; ?delta keeps the snapshot in a table of at most 8 MB.

Usage: ENVOY_BIN=... python3 bench/admin_pages.py [--series 200000] [--runs 5]
"""
import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERIES_PER_CLUSTER = 173  # Envoy 1.40's /stats/prometheus, measured with 100 static clusters


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=120):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read()


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Sampler(threading.Thread):
    """meshboot's RSS every 20 ms; peak() since the last reset()."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.samples, self.running = pid, [], True

    def run(self):
        while self.running:
            try:
                self.samples.append(rss_mb(self.pid))
            except OSError:
                return
            time.sleep(0.02)

    def reset(self):
        self.samples = []

    def peak(self):
        return max(self.samples) if self.samples else 0.0

    def median(self):
        return statistics.median(self.samples) if self.samples else 0.0


def bootstrap(path, admin, clusters):
    endpoint = {"lb_endpoints": [{"endpoint": {"address": {
        "socket_address": {"address": "127.0.0.1", "port_value": 1}}}}]}
    with open(path, "w") as f:
        json.dump({
            "node": {"id": "bench", "cluster": "bench"},
            "admin": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": admin}}},
            "static_resources": {"clusters": [
                {"name": f"cluster-{i}", "connect_timeout": "1s", "type": "STATIC",
                 "load_assignment": {"cluster_name": f"cluster-{i}", "endpoints": [endpoint]}}
                for i in range(clusters)]},
        }, f)


def timed(url, runs, check):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        body = get(url)
        times.append(time.perf_counter() - start)
        check(body)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--series", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    envoy = os.environ.get("ENVOY_BIN")
    if not envoy:
        sys.exit("set ENVOY_BIN (bin/test installs Envoy into .cache/)")
    work = tempfile.mkdtemp(prefix="meshboot-admin-pages-")
    admin, api = free_port(), free_port()
    clusters = max(1, args.series // SERIES_PER_CLUSTER)
    config = os.path.join(work, "envoy.json")
    bootstrap(config, admin, clusters)
    env = dict(os.environ, ENVOY_BIN=envoy, APPMESH_RESOURCE_ARN="mesh/bench/virtualNode/node",
               ENVOY_CONFIG_FILE=config, ENVOY_ADMIN_ACCESS_PORT=str(admin),
               APPNET_AGENT_ADMIN_MODE="tcp", APPNET_AGENT_HTTP_PORT=str(api),
               ENVOY_LOG_LEVEL="critical", MESHBOOT_LOG_FORMAT="text")
    log = open(os.path.join(work, "meshboot.log"), "w")
    meshboot = subprocess.Popen([os.path.join(ROOT, "bin", "meshboot"), "run"], env=env, stdout=log,
                                stderr=log)
    sampler = Sampler(meshboot.pid)
    try:
        deadline = time.time() + 180
        while True:
            try:
                if get(f"http://127.0.0.1:{admin}/ready", 5).strip() == b"LIVE":
                    break
            except OSError:
                pass
            if time.time() > deadline or meshboot.poll() is not None:
                sys.exit(f"Envoy not LIVE; see {log.name}")
            time.sleep(0.2)
        page = get(f"http://127.0.0.1:{admin}/stats/prometheus")
        series = sum(1 for line in page.split(b"\n") if line and not line.startswith(b"#"))
        time.sleep(5)
        sampler.start()
        time.sleep(5)
        idle = sampler.median()

        def whole(body):
            count = sum(1 for line in body.split(b"\n") if line and not line.startswith(b"#")
                        and not line.startswith(b"meshboot_"))
            if count != series:
                sys.exit(f"a scrape had {count} of {series} series")

        def kept(body):
            if b"meshboot_healthy" not in body:
                sys.exit("the filtered page lacks meshboot's metrics")

        rows = []
        base = timed(f"http://127.0.0.1:{admin}/stats/prometheus", args.runs, lambda body: None)
        rows.append(("Envoy's page, direct (baseline)", base, None))
        for label, query, check in (("via meshboot", "", whole),
                                    ("via meshboot ?filter=metrics_extension",
                                     "?filter=metrics_extension", kept),
                                    ("via meshboot ?delta (snapshot taken)", "?delta", whole)):
            sampler.reset()
            if query == "?delta":
                get(f"http://127.0.0.1:{api}/stats/prometheus?delta")  # starts the snapshots
                time.sleep(3)
            median = timed(f"http://127.0.0.1:{api}/stats/prometheus{query}", args.runs, check)
            rows.append((label, median, sampler.peak()))
        print(f"{series} series ({len(page) / 1e6:.1f} MB, {clusters} clusters), {args.runs} runs each,"
              f" {os.cpu_count()} CPUs; meshboot idle RSS {idle:.1f} MB")
        print(f"{'scrape':44} {'median s':>9} {'ratio':>6} {'peak RSS MB':>12} {'over idle':>10}")
        for label, median, peak in rows:
            peak_text = f"{peak:12.1f} {peak - idle:10.1f}" if peak is not None else f"{'':>12} {'':>10}"
            print(f"{label:44} {median:9.3f} {median / base:6.2f} {peak_text}")
        print(f"budget: peak RSS over idle <= 24 MB (heap 64 MB)")
    finally:
        sampler.running = False
        meshboot.send_signal(signal.SIGTERM)
        try:
            meshboot.wait(30)
        except subprocess.TimeoutExpired:
            meshboot.kill()


if __name__ == "__main__":
    main()
