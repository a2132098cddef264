#!/usr/bin/env python3
"""Start-up benchmark of `meshboot bootstrap` (issue #2 budget) and `meshboot run` as fresh processes.

Runs each case N times, interleaved so machine noise hits every case alike, and prints a table with
the median and p90 wall time, the ratio of medians to a JVM hello-world measured in the same run,
and the peak resident set size (the largest ru_maxrss of any run). Budget: the first meshboot case
(the README's example environment) <= 150 ms median, <= 3.5x hello-world (issue #15; issue #2's
were 250 ms and 8x), <= 90 MB peak RSS.

Nothing reaches a real metadata address: instance metadata is disabled in every case but the one
that asks loopback fakes of ECS task metadata and IMDSv2 (served by this script).

Usage: python3 bench/startup.py [--runs N]   (JDK 25 and a built jar; bin/meshboot builds it)
"""
import argparse
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MESHBOOT = os.path.join(ROOT, "bin", "meshboot")
BUDGET_MS, BUDGET_RATIO, BUDGET_RSS_MB = 150, 3.5, 90
FORGET = "  + Envoy binary, envoy --version every run"
CACHE_DIR = os.environ.get("MESHBOOT_CACHE_DIR") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "meshboot")


def forget_envoy_versions():
    """Makes meshboot ask Envoy again: the remembered answers live beside the AOT cache."""
    for name in os.listdir(CACHE_DIR) if os.path.isdir(CACHE_DIR) else []:
        if name.startswith("envoy-version-"):
            os.remove(os.path.join(CACHE_DIR, name))
# The launcher's JVM flags, so that the baseline pays the same JVM costs minus meshboot's work.
JVM_FLAGS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k", "-Xmx64m", "-XX:-UsePerfData"]


class FakeMetadata(http.server.BaseHTTPRequestHandler):
    """ECS task metadata v4 under /v4/bench and IMDSv2 (a token first) on one loopback port."""
    TOKEN = "bench-token"
    PLACEMENT = {"region": "us-west-2", "availability-zone": "us-west-2b", "availability-zone-id": "usw2-az2"}
    TASK = json.dumps({"Cluster": "arn:aws:ecs:us-west-2:111122223333:cluster/bench",
                       "TaskARN": "arn:aws:ecs:us-west-2:111122223333:task/bench/1", "LaunchType": "EC2",
                       "AvailabilityZone": "us-west-2b", "Limits": {"CPU": 0.25, "Memory": 512}})

    def answer(self, status, body="", ttl=None):
        data = body.encode()
        self.send_response(status)
        if ttl:
            self.send_header("X-aws-ec2-metadata-token-ttl-seconds", ttl)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):
        if self.path != "/latest/api/token":
            return self.answer(404)
        self.answer(200, self.TOKEN, self.headers.get("X-aws-ec2-metadata-token-ttl-seconds", "21600"))

    def do_GET(self):
        if self.path == "/v4/bench/task":
            return self.answer(200, self.TASK)
        if self.headers.get("X-aws-ec2-metadata-token") != self.TOKEN:
            return self.answer(401)
        name = self.path.removeprefix("/latest/meta-data/placement/")
        self.answer(200, self.PLACEMENT[name]) if name in self.PLACEMENT else self.answer(404)

    def log_message(self, *args):
        pass


def java_home():
    out = subprocess.run(["bash", "-c", f"source {ROOT}/bin/lib/java.sh && meshboot_find_java_home"],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


def run(argv, env):
    """Wall time in ms and peak RSS in MB of one process, with its exit status checked."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = (time.perf_counter() - start) * 1000
    stderr = proc.stderr.read().decode()
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(argv)} failed:\n{stderr}")
    return elapsed, usage.ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()

    jdk = java_home()
    work = tempfile.mkdtemp(prefix="meshboot-bench-")
    with open(os.path.join(work, "Hello.java"), "w") as f:
        f.write('public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n')
    subprocess.run([f"{jdk}/bin/javac", "-d", work, os.path.join(work, "Hello.java")], check=True)
    with open(os.path.join(work, "resources.yaml"), "w") as f:
        f.write("static_resources:\n  clusters:\n    - name: app\n      connect_timeout: 1s\n      type: STATIC\n"
                "      load_assignment:\n        cluster_name: app\n        endpoints:\n          - lb_endpoints:\n"
                "              - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 8080}}}\n")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("APPMESH_", "ENVOY_", "MESHBOOT_", "AWS_"))}
    env["PATH"] = "/usr/bin:/bin"  # no envoy on PATH unless a case sets ENVOY_BIN
    env["AWS_EC2_METADATA_DISABLED"] = "true"  # never the real instance metadata
    metadata = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeMetadata)
    threading.Thread(target=metadata.serve_forever, daemon=True).start()
    fake = f"http://127.0.0.1:{metadata.server_address[1]}"
    example = os.path.join(ROOT, "examples", "cart.env")
    out = os.path.join(work, "envoy.json")
    cases = [
        ("JVM hello-world (baseline)", [f"{jdk}/bin/java", *JVM_FLAGS, "-cp", work, "Hello"], {}),
        ("meshboot bootstrap, examples/cart.env", [MESHBOOT, "bootstrap", "--env-file", example, "-o", out], {}),
    ]
    envoy = os.environ.get("ENVOY_BIN") or shutil.which("envoy")
    if envoy:
        # auto mode asks the Envoy binary its version; meshboot remembers the answer per binary.
        cases.append(("  + Envoy binary, version remembered", [MESHBOOT, "bootstrap", "--env-file", example, "-o", out],
                      {"ENVOY_BIN": os.path.realpath(envoy)}))
        cases.append((FORGET, [MESHBOOT, "bootstrap", "--env-file", example, "-o", out],
                      {"ENVOY_BIN": os.path.realpath(envoy)}))
    cases.append(("  + user fragment file (full schema)", [MESHBOOT, "bootstrap", "--env-file", example, "-o", out],
                  {"ENVOY_RESOURCES_CONFIG_FILE": os.path.join(work, "resources.yaml")}))
    # ECS on EC2: task metadata and instance metadata (token, region, zone, zone ID) from loopback fakes.
    cases.append(("  + ECS task and EC2 instance metadata (fakes)", [MESHBOOT, "bootstrap", "--env-file", example, "-o", out],
                  {"AWS_EXECUTION_ENV": "AWS_ECS_EC2", "ECS_CONTAINER_METADATA_URI_V4": fake + "/v4/bench",
                   "AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": fake}))
    # meshboot run up to Envoy's start: the supervisor starts, a child meshboot renders, the xDS
    # relay starts (cart.env is an App Mesh endpoint), Envoy is spawned; the stand-in Envoy exits at once and cleanly, so meshboot stops with it.
    stand_in = os.path.join(work, "envoy")
    with open(stand_in, "w") as f:
        f.write('#!/bin/sh\n[ "$1" = --version ] && echo "$0  version: '
                '0000000000000000000000000000000000000000/1.40.0/Clean/RELEASE/BoringSSL"\nexit 0\n')
    os.chmod(stand_in, 0o755)
    cases.append(("meshboot run until Envoy starts (and exits)", [MESHBOOT, "run", "--env-file", example],
                  {"ENVOY_BIN": stand_in, "MESHBOOT_BOOTSTRAP_PATH": out,
                   # The relay's credentials and identity must stay on this machine: static keys,
                   # no instance metadata, STS on a closed loopback port.
                   "AWS_ACCESS_KEY_ID": "AKIDBENCH", "AWS_SECRET_ACCESS_KEY": "bench-secret",
                   "AWS_EC2_METADATA_DISABLED": "true", "MESHBOOT_STS_ENDPOINT": "http://127.0.0.1:1",
                   "MESHBOOT_XDS_RELAY_SOCKET": os.path.join(work, "relay.sock")}))

    # The first launch trains the AOT cache for this jar (before it starts: MESHBOOT_AOT=wait, not in
    # the background beside the timed runs); it is not measured.
    run(cases[1][1], {**env, "MESHBOOT_AOT": "wait"})
    for _, argv, extra in cases:
        run(argv, {**env, **extra, "MESHBOOT_AOT": "wait"})

    times = {name: [] for name, _, _ in cases}
    rss = {name: 0.0 for name, _, _ in cases}
    for _ in range(args.runs):
        for name, argv, extra in cases:
            if name == FORGET:
                forget_envoy_versions()
            elapsed, peak = run(argv, {**env, **extra})
            times[name].append(elapsed)
            rss[name] = max(rss[name], peak)

    base = statistics.median(times[cases[0][0]])
    print(f"{args.runs} runs per case, {os.cpu_count()} CPUs, {jdk}")
    print(f"{'case':44} {'median ms':>10} {'p90 ms':>8} {'x hello':>8} {'peak RSS MB':>12}")
    for name, _, _ in cases:
        values = sorted(times[name])
        median = statistics.median(values)
        p90 = values[int(round(0.9 * (len(values) - 1)))]
        print(f"{name:44} {median:10.0f} {p90:8.0f} {median / base:8.1f} {rss[name]:12.1f}")
    main_case = cases[1][0]
    median = statistics.median(times[main_case])
    ok = median <= BUDGET_MS and median / base <= BUDGET_RATIO and rss[main_case] <= BUDGET_RSS_MB
    print(f"budget (<= {BUDGET_MS} ms, <= {BUDGET_RATIO:.1f}x hello-world, <= {BUDGET_RSS_MB} MB): "
          + ("met" if ok else "MISSED"))
    metadata.shutdown()
    shutil.rmtree(work)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
