#!/usr/bin/env python3
"""Supervision benchmark of `meshboot run` with a real Envoy (issue #3 budgets).

Prints a table:
- restart decision: time from SIGKILL of Envoy to meshboot's "envoy exited; restarting" log line
  (median and p90 over --kills kills; the backoff is excluded, it comes after the decision);
- meshboot's resident memory and CPU while idle, supervising Envoy with the management API on,
  sampled over --idle-seconds (the budget is stated after 5 minutes: --idle-seconds 300);
- the metrics_extension filter of /stats/prometheus over a synthetic page of --series series shaped
  like Envoy's (half of the families App Mesh's), run in a JVM with meshboot's jar: MB/s of page.
  (Envoy itself needs seconds to render such a page; that is not meshboot's cost.)
Budgets: decision <= 10 ms p50; RSS <= 56 MB (issue #11); idle CPU <= 0.5 % of a core; filter
>= 100 MB/s. A JVM doing nothing, started with the supervisor's flags, is measured beside meshboot
over the same idle period as the floor.

With --relay (issue #4): Envoy's ADS goes through meshboot's xDS relay to a loopback management
server (dev.meshboot.xds.BenchUpstream from the agent's test classes: TLS with a throw-away
certificate, SigV4 verification, a new configuration every --push-seconds), so the relay, its TLS
client, the signing credentials and the last-known-good cache are all active. RSS budget: 80 MB.

Usage: ENVOY_BIN=... python3 bench/supervise.py [--kills 10] [--idle-seconds 60] [--series 50000]
                                                [--relay [--push-seconds 30]]
"""
import argparse
import datetime
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TICKS = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read()


def wait(predicate, what, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if predicate():
                return
        except OSError:
            pass
        time.sleep(0.05)
    sys.exit(f"timed out waiting for {what}")


def envoy_child(pid):
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    return int(entry)
            except OSError:
                continue
    return None


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def synthetic_page(series):
    """Envoy-shaped Prometheus text: counters, gauges and histograms; every other family App Mesh's."""
    lines, made, family = [], 0, 0
    while made < series:
        prefix = "envoy_appmesh_" if family % 2 else "envoy_cluster_"
        name = f"{prefix}metric_{family}"
        if family % 5 == 4:
            lines.append(f"# TYPE {name} histogram")
            for le in ("0.5", "1", "5", "10", "25", "50", "100", "250", "500", "1000", "+Inf"):
                lines.append(f'{name}_bucket{{envoy_cluster_name="c{family}",le="{le}"}} {family}')
            lines.append(f'{name}_sum{{envoy_cluster_name="c{family}"}} {family * 3}')
            lines.append(f'{name}_count{{envoy_cluster_name="c{family}"}} {family}')
            made += 13
        else:
            lines.append(f"# TYPE {name} {'gauge' if family % 3 else 'counter'}")
            for i in range(10):
                lines.append(f'{name}{{envoy_cluster_name="c{i}",Mesh="m",VirtualNode="n"}} {i * family}')
            made += 10
        family += 1
    return "\n".join(lines) + "\n"


BENCH_JAVA = """
package dev.meshboot.server;
import java.io.*;
import java.nio.file.*;
public class FilterBench {
  public static void main(String[] args) throws Exception {
    byte[] page = Files.readAllBytes(Path.of(args[0]));
    double mb = page.length / 1e6;
    java.util.List<Double> rates = new java.util.ArrayList<>();
    for (int i = 0; i < 16; i++) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      long start = System.nanoTime();
      PrometheusLines.read(new ByteArrayInputStream(page),
          PrometheusFilter.metricsExtension(PrometheusLines.writingTo(out)));
      if (out.size() == 0) throw new AssertionError("nothing kept");
      if (i >= 5) rates.add(mb / ((System.nanoTime() - start) / 1e9));
    }
    java.util.Collections.sort(rates);
    System.out.println(mb + " " + rates.get(rates.size() / 2));
  }
}
"""


def filter_throughput(work, series):
    """MB of page and median MB/s of the filter, in a JVM as the agent runs it."""
    page = os.path.join(work, "page.txt")
    with open(page, "w") as f:
        f.write(synthetic_page(series))
    with open(os.path.join(work, "FilterBench.java"), "w") as f:
        f.write(BENCH_JAVA)
    jar = os.path.join(ROOT, "agent", "target", "meshboot.jar")
    java_home = subprocess.run(["bash", "-c", f"source {ROOT}/bin/lib/java.sh && meshboot_find_java_home"],
                               check=True, capture_output=True, text=True).stdout.strip()
    subprocess.run([f"{java_home}/bin/javac", "-cp", jar, "-d", work, os.path.join(work, "FilterBench.java")], check=True)
    out = subprocess.run([f"{java_home}/bin/java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m",
                          "-cp", f"{jar}:{work}", "dev.meshboot.server.FilterBench", page], check=True, capture_output=True, text=True)
    megabytes, rate = out.stdout.split()
    return float(megabytes), float(rate)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--idle-seconds", type=int, default=60)
    parser.add_argument("--series", type=int, default=50000)
    parser.add_argument("--relay", action="store_true")
    parser.add_argument("--push-seconds", type=int, default=30)
    args = parser.parse_args()
    envoy = os.environ.get("ENVOY_BIN")
    if not envoy:
        sys.exit("set ENVOY_BIN (bin/test installs Envoy into .cache/)")

    work = tempfile.mkdtemp(prefix="meshboot-supervise-")
    admin, api = free_port(), free_port()
    env = dict(os.environ, ENVOY_BIN=envoy, APPMESH_RESOURCE_ARN="mesh/bench/virtualNode/node",
               APPMESH_XDS_ENDPOINT="127.0.0.1:1", ENVOY_INITIAL_FETCH_TIMEOUT="1",
               ENVOY_ADMIN_ACCESS_PORT=str(admin), APPNET_AGENT_ADMIN_MODE="tcp",
               APPNET_AGENT_HTTP_PORT=str(api), MESHBOOT_BOOTSTRAP_PATH=os.path.join(work, "envoy.json"),
               ENVOY_LOG_LEVEL="critical",
               MESHBOOT_RESTART_BACKOFF_MS="50", MESHBOOT_RESTART_RESET_S="1", APPNET_ENVOY_RESTART_COUNT="10",
               HC_POLL_INTERVAL_MS="10000", MESHBOOT_LOG_FORMAT="text")
    upstream = None
    if args.relay:
        upstream, relay_env = start_upstream(work, args.push_seconds)
        env.update(relay_env)
    log_path = os.path.join(work, "meshboot.log")
    log = open(log_path, "w")
    meshboot = subprocess.Popen([os.path.join(ROOT, "bin", "meshboot"), "run"], env=env, stdout=log, stderr=log)
    floor = None
    try:
        wait(lambda: get(f"http://127.0.0.1:{admin}/ready").strip() == b"LIVE", "Envoy LIVE", 120)

        decisions = []
        for _ in range(args.kills):
            child = envoy_child(meshboot.pid)
            before = open(log_path).read().count("envoy exited; restarting")
            killed = datetime.datetime.now(datetime.timezone.utc)
            os.kill(child, signal.SIGKILL)
            wait(lambda: open(log_path).read().count("envoy exited; restarting") > before, "restart decision")
            line = [l for l in open(log_path) if "envoy exited; restarting" in l][-1]
            logged = datetime.datetime.fromisoformat(line.split()[0].replace("Z", "+00:00"))
            decisions.append((logged - killed).total_seconds() * 1000)
            wait(lambda: get(f"http://127.0.0.1:{admin}/ready").strip() == b"LIVE", "Envoy LIVE again")
            time.sleep(1.2)  # a healthy period refills the budget

        # meshboot polls fast for a minute after an Envoy starts; idle is what comes after.
        floor = start_floor(work)
        time.sleep(65)
        cpu0, t0 = cpu_seconds(meshboot.pid), time.time()
        peak, floor_peak, samples = 0.0, 0.0, []
        while time.time() - t0 < args.idle_seconds:
            samples.append(rss_mb(meshboot.pid))
            peak = max(peak, samples[-1])
            floor_peak = max(floor_peak, rss_mb(floor.pid))
            time.sleep(1)
        idle_cpu = (cpu_seconds(meshboot.pid) - cpu0) / (time.time() - t0) * 100
        peak = max(peak, rss_mb(meshboot.pid))

        megabytes, rate = filter_throughput(work, args.series)
        decisions.sort()
        p90 = decisions[int(round(0.9 * (len(decisions) - 1)))]
        print(f"{len(decisions)} kills, {args.idle_seconds}s idle, {args.series} series ({megabytes:.1f} MB), {os.cpu_count()} CPUs")
        print(f"{'measure':52} {'value':>12} {'budget':>12}")
        print(f"{'restart decision after SIGKILL, median ms':52} {statistics.median(decisions):12.1f} {'<= 10':>12}")
        print(f"{'restart decision after SIGKILL, p90 ms':52} {p90:12.1f} {'':>12}")
        if args.relay:
            status = get(f"http://127.0.0.1:{api}/status").decode()
            pushed = status.count('"source": "live"')
            print(f"{'relay: types ACKed live in /status':52} {pushed:12d} {'':>12}")
        rss_budget = "<= 80" if args.relay else "<= 56"
        print(f"{'meshboot peak RSS while supervising, MB':52} {peak:12.1f} {rss_budget:>12}")
        if samples:
            print(f"{'meshboot median RSS while supervising, MB':52} {statistics.median(samples):12.1f} {'':>12}")
        print(f"{'a JVM doing nothing (same flags), peak RSS, MB':52} {floor_peak:12.1f} {'(floor)':>12}")
        print(f"{'meshboot over the floor, MB':52} {peak - floor_peak:12.1f} {'':>12}")
        print(f"{'meshboot idle CPU, % of one core':52} {idle_cpu:12.2f} {'<= 0.5':>12}")
        print(f"{'?filter=metrics_extension, median MB/s of page':52} {rate:12.0f} {'>= 100':>12}")
    finally:
        if floor:
            floor.kill()
        meshboot.send_signal(signal.SIGTERM)
        try:
            meshboot.wait(30)
        except subprocess.TimeoutExpired:
            meshboot.kill()
        if upstream:
            upstream.kill()


def start_floor(work):
    """A JVM doing nothing, with the supervisor's memory flags (no AOT cache: none is trained for it,
    and the JDK's default CDS archive is mapped instead): the floor of RSS."""
    java_home = subprocess.run(["bash", "-c", f"source {ROOT}/bin/lib/java.sh && meshboot_find_java_home"],
                               check=True, capture_output=True, text=True).stdout.strip()
    source = os.path.join(work, "Idle.java")
    with open(source, "w") as f:
        f.write("public class Idle { public static void main(String[] a) throws Exception {"
                " Thread.sleep(Long.MAX_VALUE); } }\n")
    subprocess.run([f"{java_home}/bin/javac", "-d", work, source], check=True)
    return subprocess.Popen([f"{java_home}/bin/java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k",
                             "-Xmx64m", "-XX:-UsePerfData", "-Xms2m", "-XX:MinHeapFreeRatio=10",
                             "-XX:MaxHeapFreeRatio=40", "-XX:TrimNativeHeapInterval=10000", "-cp", work, "Idle"])


def start_upstream(work, push_seconds):
    """The TLS, SigV4-verifying management server of --relay, and meshboot's environment for it."""
    java_home = subprocess.run(["bash", "-c", f"source {ROOT}/bin/lib/java.sh && meshboot_find_java_home"],
                               check=True, capture_output=True, text=True).stdout.strip()
    keystore, ca = os.path.join(work, "upstream.p12"), os.path.join(work, "ca.pem")
    keytool = [f"{java_home}/bin/keytool", "-keystore", keystore, "-storepass", "changeit", "-alias", "upstream"]
    subprocess.run([*keytool, "-genkeypair", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=bench",
                    "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12"], check=True,
                   capture_output=True)
    subprocess.run([*keytool, "-exportcert", "-rfc", "-file", ca], check=True, capture_output=True)
    port, listener = free_port(), free_port()
    # The agent's test class path: the Envoy API classes are test dependencies, not in meshboot.jar.
    deps = os.path.join(work, "test-classpath.txt")
    # In the reactor with the templates module (nothing needs to be installed), after compiling the
    # tests that hold BenchUpstream; the agent's class path is written last.
    subprocess.run([os.path.join(ROOT, "mvnw"), "-q", "-B", "-pl", "bootstrap-templates,agent", "test-compile",
                    "dependency:build-classpath", "-Dspotless.check.skip=true", "-Dmdep.includeScope=test",
                    f"-Dmdep.outputFile={deps}"], cwd=ROOT, check=True, env=dict(os.environ, JAVA_HOME=java_home))
    classpath = os.pathsep.join([os.path.join(ROOT, "agent", "target", "test-classes"),
                                 os.path.join(ROOT, "agent", "target", "classes"), open(deps).read().strip()])
    upstream = subprocess.Popen([f"{java_home}/bin/java", "-cp", classpath, "dev.meshboot.xds.BenchUpstream",
                                 str(port), keystore, str(listener), str(push_seconds), "AKIDBENCHRELAY",
                                 "bench-relay-secret"], stdout=subprocess.PIPE, text=True)
    if upstream.stdout.readline().strip() != "listening":
        sys.exit("the bench management server did not start")
    return upstream, dict(APPMESH_XDS_ENDPOINT=f"127.0.0.1:{port}", MESHBOOT_XDS_MODE="relay",
                          MESHBOOT_XDS_TLS="true", MESHBOOT_XDS_CA_FILE=ca,
                          MESHBOOT_XDS_RELAY_SOCKET=os.path.join(work, "relay.sock"),
                          MESHBOOT_XDS_CACHE_DIR=os.path.join(work, "xds-cache"),
                          AWS_REGION="us-west-2", AWS_ACCESS_KEY_ID="AKIDBENCHRELAY",
                          AWS_SECRET_ACCESS_KEY="bench-relay-secret", AWS_EC2_METADATA_DISABLED="true",
                          MESHBOOT_STS_ENDPOINT="http://127.0.0.1:1", ENVOY_INITIAL_FETCH_TIMEOUT="15")


if __name__ == "__main__":
    main()
