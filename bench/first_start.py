#!/usr/bin/env python3
"""A first start on a new machine: time from `meshboot run` on an empty cache directory to the first
HTTP answer through Envoy's listener, with the AOT caches trained in the background (bin/meshboot's
default) and trained before the start (MESHBOOT_AOT=wait, what every first start did before issue
#15), against a start whose caches are there (issue #15).

Cases, alternating run by run, each a fresh process with a static ENVOY_CONFIG_FILE (a listener on
127.0.0.1:15001 routing to a local app, bench/first_answer.py's), until the first 200 through 15001:
  - fresh, background: a new MESHBOOT_CACHE_DIR; the launch starts without caches and trains them
    in the background. After the answer the run is stopped and the training awaited (not timed,
    so that it does not run beside the next case); "caches in place" is from the command to the
    training's end.
  - fresh, wait:       a new MESHBOOT_CACHE_DIR and MESHBOOT_AOT=wait: the trainings first.
  - cached:            a cache directory trained once before the runs.
  - no caches:         MESHBOOT_AOT=0, what the background case costs without its training beside it.

In a network namespace of its own (`unshare --net`, root).

Usage: ENVOY_BIN=... python3 bench/first_start.py [--runs 5]
"""
import http.server
import json
import os
import statistics
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import first_answer  # noqa: E402  (the static bootstrap)
import mesh_run  # noqa: E402  (the app, one_run)

MESHBOOT = mesh_run.MESHBOOT


def trained(cache_dir, timeout=300):
    """Seconds until the background training on cache_dir logged its end (bin/meshboot's line)."""
    log = os.path.join(cache_dir, "training-background.log")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(log):
            with open(log) as lines:
                if "AOT trainings for" in lines.read():
                    return
        time.sleep(0.02)
    sys.exit(f"first_start.py: no end of the background training in {log}")


def row(name, samples):
    return f"{name:<48} {statistics.median(samples) * 1000:>8.0f} {mesh_run.p90(samples) * 1000:>8.0f}"


def main():
    args = mesh_run.in_own_network(5)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 9081), mesh_run.App)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    work = tempfile.mkdtemp(prefix="first-start-")
    static = os.path.join(work, "static.json")
    with open(static, "w") as out:
        json.dump(first_answer.static_bootstrap(os.path.join(work, "admin.sock")), out)
    base = {name: value for name, value in os.environ.items()
            if not name.startswith(("APPMESH_", "MESHBOOT_", "ENVOY_CONFIG"))}
    base.update({"APPMESH_RESOURCE_ARN": mesh_run.NODE, "ENVOY_LOG_LEVEL": "warning",
                 "ENVOY_CONFIG_FILE": static, "MESHBOOT_BOOTSTRAP_PATH": os.path.join(work, "envoy.json")})
    cached = dict(base, MESHBOOT_CACHE_DIR=os.path.join(work, "cached"))
    names = ["fresh cache, trained in the background", "fresh cache, trained first (MESHBOOT_AOT=wait)",
             "cached", "no caches (MESHBOOT_AOT=0)"]
    times = {name: [] for name in names}
    ready = []
    with open(os.path.join(work, "meshboot.log"), "w") as log:
        mesh_run.one_run(dict(cached, MESHBOOT_AOT="wait"), log)  # trains the cached case's caches
        for i in range(args.runs):
            fresh = os.path.join(work, f"background-{i}")
            started = time.monotonic()
            times[names[0]].append(mesh_run.one_run(dict(base, MESHBOOT_CACHE_DIR=fresh), log)[0])
            trained(fresh)
            ready.append(time.monotonic() - started)
            times[names[1]].append(mesh_run.one_run(
                dict(base, MESHBOOT_CACHE_DIR=os.path.join(work, f"wait-{i}"), MESHBOOT_AOT="wait"), log)[0])
            times[names[2]].append(mesh_run.one_run(cached, log)[0])
            times[names[3]].append(mesh_run.one_run(dict(cached, MESHBOOT_AOT="0"), log)[0])
    print(f"{args.runs} runs each, command to the first 200 through 15001 (static ENVOY_CONFIG_FILE), ms")
    print(f"{'case':<48} {'median':>8} {'p90':>8}")
    for name in names:
        print(row(name, times[name]))
    print(row("  (background: caches in place after)", ready))
    print(f"logs: {work}")


if __name__ == "__main__":
    main()
