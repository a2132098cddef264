#!/usr/bin/env python3
"""Relay benchmark (issue #4 budgets): the added cost of meshboot's xDS relay.

Runs dev.meshboot.xds.RelayBench (agent test classes) in one JVM with the flags `meshboot run` uses:
a loopback upstream answers each request with a DiscoveryResponse of the asked size; a client reaches
it directly and through the relay (unix socket in, TCP out), interleaved in the same run. Prints the
median and p99 time from request to a 1 MB response per path and what the relay adds, and the 10 KB
responses per second one stream sustains through each path.
Budgets: <= 1 ms p50 and <= 5 ms p99 added for 1 MB; >= 1000 responses/s of 10 KB.

Usage: python3 bench/relay.py [--rounds 300] [--seconds 5]   (after ./mvnw install -pl agent)
"""
import argparse
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The supervisor's flags (bin/meshboot run): the relay runs in that JVM.
RUN_FLAGS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k", "-Xmx64m", "-XX:-UsePerfData",
             "-Xms2m", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=40",
             "--enable-native-access=ALL-UNNAMED"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    java_home = subprocess.run(["bash", "-c", f"source {ROOT}/bin/lib/java.sh && meshboot_find_java_home"],
                               check=True, capture_output=True, text=True).stdout.strip()
    classpath = os.pathsep.join([os.path.join(ROOT, "agent", "target", "meshboot.jar"),
                                 os.path.join(ROOT, "agent", "target", "test-classes")])
    result = subprocess.run([f"{java_home}/bin/java", *RUN_FLAGS, "-cp", classpath, "dev.meshboot.xds.RelayBench",
                             str(args.rounds), str(args.seconds)], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(result.stdout + result.stderr)
    print(f"{args.rounds} rounds of 1 MB, {args.seconds}s of 10 KB, {os.cpu_count()} CPUs")
    print(result.stdout, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
