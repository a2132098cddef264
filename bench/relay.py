#!/usr/bin/env python3
"""Relay benchmark (issue #4 budgets): the added cost of meshboot's xDS relay.

Separate processes, as in a pod: a loopback upstream (dev.meshboot.xds.RelayBench upstream) that
answers each request with a DiscoveryResponse of the asked size; the relay in a JVM with the flags
`meshboot run` gives the supervisor (RelayBench relay); and a client standing in for Envoy
(RelayBench client) that reaches the upstream directly and through the relay (unix socket in, TCP
out), interleaved in the same run. The floor, when a C compiler is at hand: a bare byte splice
(bench/splice.c) between a second unix socket and the upstream, measured in the same run. It costs
what one more hop costs on this machine with no HTTP/2 or gRPC work at all, so "the relay beyond
the splice" is what the relay's own work adds.

Prints the median and p99 time from request to a 1 MB response per path, what the relay adds, the
10 KB responses per second one stream sustains, and the CPU time of the relay process.
Budgets: <= 1 ms p50 and <= 5 ms p99 added for 1 MB; >= 1000 responses/s of 10 KB.

Usage: python3 bench/relay.py [--rounds 300] [--seconds 5] [--runs 1]   (after ./mvnw install -pl agent)
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The supervisor's flags (bin/meshboot run): the relay runs in that JVM.
RUN_FLAGS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k", "-Xmx64m", "-XX:-UsePerfData",
             "-Xms2m", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=40", "-XX:TrimNativeHeapInterval=10000",
             "--enable-native-access=ALL-UNNAMED"]
# The upstream and the client (Envoy's stand-in) are light JVMs: on a small machine a JVM with its
# JIT and GC threads in full swing would take the CPUs the relay is measured on.
PEER_FLAGS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m", "-Xms256m", "-XX:-UsePerfData"]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def splice_binary(tmp):
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        return None
    binary = os.path.join(tmp, "splice")
    subprocess.run([compiler, "-O2", "-pthread", "-o", binary, os.path.join(ROOT, "bench", "splice.c")],
                   check=True)
    return binary


def start(command):
    """Starts a helper that prints one line when ready and stops when its stdin closes."""
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    return process, process.stdout.readline().split()


def stop(process):
    process.stdin.close()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()  # the splice never reads stdin
        process.wait()


def run_once(java, classpath, rounds, seconds):
    bench = [java, *PEER_FLAGS, "-cp", classpath, "dev.meshboot.xds.RelayBench"]
    with tempfile.TemporaryDirectory(prefix="meshboot-relay-bench") as tmp:
        socket = os.path.join(tmp, "relay.sock")
        floor_socket = os.path.join(tmp, "splice.sock")
        helpers = []
        try:
            upstream, line = start(bench + ["upstream"])
            helpers.append(upstream)
            port = line[1]
            relay, line = start([java, *RUN_FLAGS, "-cp", classpath, "dev.meshboot.xds.RelayBench", "relay",
                                 port, socket])
            helpers.append(relay)
            if line != ["ready"]:
                sys.exit("the relay did not start")
            client = bench + ["client", port, socket, str(rounds), str(seconds)]
            splice = splice_binary(tmp)
            if splice is not None:
                floor, line = start([splice, port, floor_socket])
                helpers.append(floor)
                if line != ["ready"]:
                    sys.exit("the splice did not start")
                client.append(floor_socket)
            before = cpu_seconds(relay.pid)
            result = subprocess.run(client, capture_output=True, text=True)
            relay_cpu = cpu_seconds(relay.pid) - before
            if result.returncode != 0:
                sys.exit(result.stdout + result.stderr)
            return result.stdout, relay_cpu, splice is not None
        finally:
            for process in reversed(helpers):
                stop(process)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    java_home = subprocess.run(["bash", "-c", f"source {ROOT}/bin/lib/java.sh && meshboot_find_java_home"],
                               check=True, capture_output=True, text=True).stdout.strip()
    classpath = os.pathsep.join([os.path.join(ROOT, "agent", "target", "meshboot.jar"),
                                 os.path.join(ROOT, "agent", "target", "test-classes")])
    print(f"{args.rounds} rounds of 1 MB (after 100 to warm up), {args.seconds}s of 10 KB, "
          f"{os.cpu_count()} CPUs")
    for _ in range(args.runs):
        table, relay_cpu, floor = run_once(f"{java_home}/bin/java", classpath, args.rounds, args.seconds)
        print(table, end="")
        if not floor:
            print("(no C compiler: the splice floor was not measured)")
        print(f"relay process CPU: {relay_cpu:.2f} s\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
