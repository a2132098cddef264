#!/usr/bin/env python3
"""Time from the command to the first HTTP answer through a listener: `meshboot run` against Envoy
started directly with the same bootstrap, in the same run (issue #15).

Cases, alternating run by run (a warm-up each first: AOT caches, page cache), each a fresh process
until the first 200 through Envoy's egress listener (127.0.0.1:15001, Host
crystal.appmeshworkshop.hosted.local, the workshop mesh's frontend node answered by a local app):
  - static:    ENVOY_CONFIG_FILE = a complete static bootstrap written by hand (a listener on
               15001 routing to the app, an admin socket: the issue's "simplest case", nothing to
               render or fetch); baseline: `envoy -c` of that file.
  - generated: the bootstrap meshboot renders for the node, ADS to `meshboot mesh serve` on
               127.0.0.1:15010 (started once, outside the timings);
               baseline: `envoy -c` of the bootstrap `meshboot bootstrap` wrote for that environment.
The table: median and p90 of each, the ratio of each meshboot case to its baseline.
Budgets (issue #15): static <= 2x, generated <= 2x Envoy alone. (The relay case, <= 2.5x against a
loopback TLS management server, is not measured here yet.)

Everything runs in a network namespace of its own (`unshare --net`, root): the listeners are App
Mesh's 0.0.0.0:15000/15001.

Usage: ENVOY_BIN=... python3 bench/first_answer.py [--runs 15]
"""
import argparse
import http.server
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mesh_run  # noqa: E402  (the workshop node, its app, one_run)

MESHBOOT = mesh_run.MESHBOOT
BUDGETS = {"static": 2.0, "generated": 2.0}


def static_bootstrap(admin_socket):
    """A user's complete static bootstrap: 15001 routes every request to the app on 9081."""
    route = {"virtual_hosts": [{"name": "app", "domains": ["*"],
                                "routes": [{"match": {"prefix": "/"}, "route": {"cluster": "app"}}]}]}
    manager = {"@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
               "stat_prefix": "egress", "route_config": route,
               "http_filters": [{"name": "envoy.filters.http.router", "typed_config": {
                   "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"}}]}
    return {
        "node": {"id": mesh_run.NODE, "cluster": "frontend"},
        "admin": {"address": {"pipe": {"path": admin_socket}}},
        "static_resources": {
            "listeners": [{"name": "egress", "address": {"socket_address": {"address": "127.0.0.1", "port_value": 15001}},
                           "filter_chains": [{"filters": [{"name": "envoy.filters.network.http_connection_manager",
                                                           "typed_config": manager}]}]}],
            "clusters": [{"name": "app", "type": "STATIC", "connect_timeout": "1s",
                          "load_assignment": {"cluster_name": "app", "endpoints": [{"lb_endpoints": [
                              {"endpoint": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": 9081}}}}]}]}}]}}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.inside:
        inner = f"ip link set lo up && exec {sys.executable} {os.path.abspath(__file__)} --inside --runs {args.runs}"
        sys.exit(subprocess.call(["unshare", "--net", "--", "sh", "-c", inner]))
    envoy = os.environ.get("ENVOY_BIN")
    if not envoy:
        sys.exit("first_answer.py: set ENVOY_BIN")

    for port in (9081, 9082):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), mesh_run.App)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    work = tempfile.mkdtemp(prefix="first-answer-")
    log = open(os.path.join(work, "bench.log"), "w")
    serve = subprocess.Popen([MESHBOOT, "mesh", "serve", mesh_run.WORKSHOP, "--listen", "127.0.0.1:15010"],
                             env=dict(os.environ, **mesh_run.WAIT), stdout=log, stderr=subprocess.STDOUT)
    try:
        base = dict(os.environ)
        for name in [n for n in base if n.startswith(("APPMESH_", "MESHBOOT_", "ENVOY_CONFIG"))]:
            del base[name]
        base.update({"APPMESH_RESOURCE_ARN": mesh_run.NODE, "ENVOY_LOG_LEVEL": "warning",
                     "MESHBOOT_BOOTSTRAP_PATH": os.path.join(work, "envoy.json")})
        static = os.path.join(work, "static.json")
        with open(static, "w") as out:
            json.dump(static_bootstrap(os.path.join(work, "admin.sock")), out)
        # generated: direct ADS to mesh serve; the baseline is the file meshboot writes for it
        generated_env = dict(base, APPMESH_XDS_ENDPOINT="127.0.0.1:15010", MESHBOOT_XDS_MODE="direct")
        by_hand = os.path.join(work, "generated.json")
        subprocess.run([MESHBOOT, "bootstrap", "-o", by_hand], env=dict(generated_env, **mesh_run.WAIT), check=True)
        envoy_args = ["--disable-hot-restart", "-l", "warning"]
        cases = {
            "envoy -c static.json": ([envoy, "-c", static] + envoy_args, base),
            "meshboot run, ENVOY_CONFIG_FILE=static.json": ([MESHBOOT, "run"], dict(base, ENVOY_CONFIG_FILE=static)),
            "envoy -c generated.json (mesh serve)": ([envoy, "-c", by_hand] + envoy_args, base),
            "meshboot run, generated (mesh serve)": ([MESHBOOT, "run"], generated_env),
        }
        times = {name: [] for name in cases}
        for command, env in cases.values():
            mesh_run.one_run(dict(env, **mesh_run.WAIT), log, command)[0]
        for _ in range(args.runs):
            for name, (command, env) in cases.items():
                times[name].append(mesh_run.one_run(env, log, command)[0])
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(30)

    print(f"command to first answer through 15001 ({args.runs} runs each, alternating; {os.cpu_count()} CPUs)")
    print(f"{'case':46} {'median ms':>10} {'p90 ms':>8} {'ratio':>6}")
    names = list(cases)
    verdicts = []
    for baseline_name, name, budget_name in ((names[0], names[1], "static"), (names[2], names[3], "generated")):
        baseline = statistics.median(times[baseline_name])
        for each in (baseline_name, name):
            ordered = sorted(times[each])
            median = statistics.median(ordered)
            p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
            print(f"{each:46} {median * 1000:10.0f} {p90 * 1000:8.0f} {median / baseline:6.2f}")
        ratio = statistics.median(times[name]) / baseline
        verdicts.append(f"{budget_name} <= {BUDGETS[budget_name]}x: "
                        f"{'met' if ratio <= BUDGETS[budget_name] else 'MISSED'} ({ratio:.2f}x)")
    print("budgets: " + "; ".join(verdicts))


if __name__ == "__main__":
    main()
