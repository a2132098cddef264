#!/usr/bin/env python3
"""`meshboot mesh serve` on a 1,000-node App Mesh definition with 1,000 connected ADS clients (issue #13).

The definition is generated as App Mesh create requests, one file per resource: one mesh, 1,000
virtual nodes (an HTTP listener, DNS service discovery, three backends each), 1,000 virtual
services (300 provided by virtual routers, 700 by virtual nodes) and 300 virtual routers with
three routes each (two weighted targets a route). Each run starts a fresh `bin/meshboot mesh serve`
(the launcher's JVM flags: C1, serial GC, -Xmx64m, plus MESHBOOT_JAVA_OPTS) and reads its /status:
- load and translation of the whole mesh (the first load, in a fresh JVM);
- its resident memory before any client connects (the baseline of the memory rows), then with
  --clients simulated Envoys connected (each its own TCP connection and state-of-the-world ADS
  stream, ACKing as Envoy does: agent test class MeshSwarm, in a JVM of its own), VmRSS and VmHWM
  from /proc/<pid>/status;
- --changes times per run, one route's weights changed (the file replaced by a rename): the
  re-translation's time as /status reports it, how many nodes were translated, and the time from
  the rename to the last ACK of the last affected client, and how many unaffected clients were sent
  anything (budget: none); then once the mesh's egress filter, which every node is translated again
  for and every client is pushed (the same times, informative: the budgets are for one route).
The table prints medians over the runs (of every change for the change rows) and each time's ratio
to loading the definition alone, measured in the same process.
Budgets: whole mesh loaded and translated <= 1,000 ms; one-route change re-translated <= 50 ms;
a change acknowledged by every affected client <= 2,000 ms after the write; the control plane's
VmHWM <= 256 MB at 1,000 connected nodes.

Usage: python3 bench/mesh_serve.py [--runs 5] [--changes 5] [--clients 1000]
   (JDK 25; builds nothing: run `./mvnw -o -q -B -DskipTests package -pl bootstrap-templates,agent`
   and `./mvnw -o -q -B test-compile -pl bootstrap-templates,agent` first)
"""
import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MESHBOOT = os.path.join(ROOT, "bin", "meshboot")
MESH = "bench"
NODES, SERVICES, ROUTERS, ROUTES_PER_ROUTER = 1000, 1000, 300, 3
BUDGET_WHOLE_MS, BUDGET_CHANGE_MS, BUDGET_ACK_MS, BUDGET_HWM_MB = 1000, 50, 2000, 256


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write(path, document):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(document, f, indent=2)


def route(router, index, weight):
    first = (router * ROUTES_PER_ROUTER + index) % NODES
    return {"meshName": MESH, "virtualRouterName": f"router-{router}", "routeName": f"route-{router}-{index}",
            "spec": {"priority": index,
                     "httpRoute": {"match": {"prefix": "/" if index == 0 else f"/r{index}"},
                                   "action": {"weightedTargets": [
                                       {"virtualNode": f"vn-{first}", "weight": weight},
                                       {"virtualNode": f"vn-{(first + NODES // 2) % NODES}", "weight": 1}]}}}}


def backends(node):
    """Three services: one of a router (each router's is read by ~3 nodes), two of nodes."""
    return [f"svc-{(node * 7 + 1) % ROUTERS}", f"svc-{ROUTERS + (node + 1) % (SERVICES - ROUTERS)}",
            f"svc-{ROUTERS + (node + 350) % (SERVICES - ROUTERS)}"]


def generate(directory):
    write(os.path.join(directory, "mesh.json"), {"meshName": MESH, "spec": {"egressFilter": {"type": "DROP_ALL"}}})
    for n in range(NODES):
        write(os.path.join(directory, "virtual-nodes", f"vn-{n}.json"), {
            "meshName": MESH, "virtualNodeName": f"vn-{n}",
            "spec": {"listeners": [{"portMapping": {"port": 8080, "protocol": "http"}}],
                     "serviceDiscovery": {"dns": {"hostname": f"vn-{n}.{MESH}.local"}},
                     "backends": [{"virtualService": {"virtualServiceName": f"{s}.{MESH}.local"}}
                                  for s in backends(n)]}})
    for s in range(SERVICES):
        provider = ({"virtualRouter": {"virtualRouterName": f"router-{s}"}} if s < ROUTERS
                    else {"virtualNode": {"virtualNodeName": f"vn-{s}"}})
        write(os.path.join(directory, "virtual-services", f"svc-{s}.json"),
              {"meshName": MESH, "virtualServiceName": f"svc-{s}.{MESH}.local", "spec": {"provider": provider}})
    for r in range(ROUTERS):
        write(os.path.join(directory, "virtual-routers", f"router-{r}.json"), {
            "meshName": MESH, "virtualRouterName": f"router-{r}",
            "spec": {"listeners": [{"portMapping": {"port": 8080, "protocol": "http"}}]}})
        for i in range(ROUTES_PER_ROUTER):
            write(os.path.join(directory, "routes", f"route-{r}-{i}.json"), route(r, i, 1))


def readers(router):
    """The nodes whose backends reach router `router`'s service."""
    return [n for n in range(NODES) if backends(n)[0] == f"svc-{router}"]


def status(admin):
    with urllib.request.urlopen(f"http://{admin}/status", timeout=10) as response:
        return json.load(response)


def memory(pid):
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(value.split()[0]) / 1024
    return values


def wait(what, predicate, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.01)
    sys.exit(f"timed out waiting for {what}")


def one_run(args, java, definition, work, run_index):
    port, admin_port = free_port(), free_port()
    admin = f"127.0.0.1:{admin_port}"
    log = open(os.path.join(work, f"serve-{run_index}.log"), "w")
    serve = subprocess.Popen([MESHBOOT, "mesh", "serve", definition, "--listen", f"127.0.0.1:{port}",
                              "--admin", admin], stdout=log, stderr=subprocess.STDOUT)
    swarm = None
    try:
        def ready():
            if serve.poll() is not None:
                sys.exit(f"mesh serve exited {serve.returncode}; see {log.name}")
            try:
                return status(admin)
            except OSError:
                return None
        first = wait("mesh serve", ready)["lastChange"]
        out = {"load": first["loadMs"], "translate": first["translateMs"],
               "whole": first["loadMs"] + first["translateMs"]}
        time.sleep(1)
        out["rss idle"] = memory(serve.pid)["VmRSS"]
        classpath = os.pathsep.join([os.path.join(ROOT, "agent", "target", "meshboot.jar"),
                                     os.path.join(ROOT, "agent", "target", "test-classes")])
        swarm = subprocess.Popen([java, "-Xmx1g", "-cp", classpath, "dev.meshboot.mesh.serve.MeshSwarm",
                                  "127.0.0.1", str(port), MESH, str(args.clients)],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = swarm.stdout.readline().strip()
        if line != "ready":
            sys.exit(f"the simulated Envoys did not start: {line!r}")
        connected = status(admin)["connectedNodes"]
        if connected != args.clients:
            sys.exit(f"{connected} nodes connected, not {args.clients}")
        time.sleep(1)
        mem = memory(serve.pid)
        out["rss"] = mem["VmRSS"]
        out["hwm connected"] = mem["VmHWM"]
        out["hwm"] = mem["VmHWM"]
        changes = []
        for c in range(args.changes):
            router = (run_index * args.changes + c) * 37 % ROUTERS
            before = status(admin)["version"]
            staged = os.path.join(work, "route.json")
            write(staged, route(router, 0, 2 + run_index * args.changes + c))
            t0 = time.monotonic_ns()
            os.rename(staged, os.path.join(definition, "routes", f"route-{router}-0.json"))
            listed = [n for n in readers(router) if n < args.clients]
            swarm.stdin.write(f"await {t0} {' '.join(str(n) for n in listed)}\n")
            swarm.stdin.flush()
            acked = swarm.stdout.readline().split()
            change = wait("the change applied", lambda: (lambda s: s if s["version"] != before else None)(status(admin)))
            last = change["lastChange"]
            expected = sorted(f"mesh/{MESH}/virtualNode/vn-{n}" for n in readers(router))
            if sorted(last["changed"]) != expected:
                sys.exit(f"route-{router}-0 changed {last['changed']}, expected {expected}")
            if float(acked[1]) < 0 or not listed:
                sys.exit(f"an affected client got nothing after route-{router}-0 changed")
            changes.append({"retranslate": last["translateMs"], "translated": last["translated"],
                            "ack": float(acked[1]), "others": int(acked[3])})
        out["changes"] = changes
        # The mesh's egress filter toggled: every node is translated again and pushed.
        before = status(admin)["version"]
        staged = os.path.join(work, "mesh.json")
        write(staged, {"meshName": MESH, "spec": {"egressFilter": {
            "type": "ALLOW_ALL" if run_index % 2 == 0 else "DROP_ALL"}}})
        t0 = time.monotonic_ns()
        os.rename(staged, os.path.join(definition, "mesh.json"))
        swarm.stdin.write(f"await {t0} {' '.join(str(n) for n in range(args.clients))}\n")
        swarm.stdin.flush()
        acked = swarm.stdout.readline().split()
        last = wait("the mesh change applied",
                    lambda: (lambda s: s if s["version"] != before else None)(status(admin)))["lastChange"]
        if last["translated"] != NODES or float(acked[1]) < 0:
            sys.exit(f"the mesh change translated {last['translated']} nodes, acked {acked}")
        out["mesh load"] = last["loadMs"]
        out["mesh translate"] = last["translateMs"]
        out["mesh ack"] = float(acked[1])
        out["hwm"] = max(out["hwm"], memory(serve.pid)["VmHWM"])
        return out
    finally:
        if swarm:
            swarm.stdin.close()
            swarm.wait(timeout=30)
        serve.terminate()
        serve.wait(timeout=30)
        log.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--changes", type=int, default=5)
    parser.add_argument("--clients", type=int, default=NODES)
    args = parser.parse_args()
    java_home = subprocess.run(["bash", "-c", f"source {ROOT}/bin/lib/java.sh && meshboot_find_java_home"],
                               check=True, capture_output=True, text=True).stdout.strip()
    java = os.path.join(java_home, "bin", "java")
    work = tempfile.mkdtemp(prefix="meshboot-bench-mesh-")
    definition = os.path.join(work, "mesh")
    generate(definition)
    files = sum(len(f) for _, _, f in os.walk(definition))

    runs = [one_run(args, java, definition, work, i) for i in range(args.runs)]
    changes = [c for r in runs for c in r["changes"]]
    load = statistics.median(r["load"] for r in runs)
    rss_idle = statistics.median(r["rss idle"] for r in runs)
    rows = [
        ("load the definition alone (baseline)", load, "ms", load),
        ("whole mesh: load + translate", statistics.median(r["whole"] for r in runs), "ms", load),
        ("whole mesh: translate alone", statistics.median(r["translate"] for r in runs), "ms", load),
        ("one-route change: re-translate", statistics.median(c["retranslate"] for c in changes), "ms", load),
        ("one-route change: write to last ACK", statistics.median(c["ack"] for c in changes), "ms", load),
        ("mesh change (all nodes): load + translate",
         statistics.median(r["mesh load"] + r["mesh translate"] for r in runs), "ms", load),
        ("mesh change (all nodes): write to last ACK", statistics.median(r["mesh ack"] for r in runs), "ms", load),
        ("RSS, no client (baseline)", rss_idle, "MB", rss_idle),
        (f"RSS, {args.clients} clients connected", statistics.median(r["rss"] for r in runs), "MB", rss_idle),
        (f"peak RSS (VmHWM) up to {args.clients} connected", max(r["hwm connected"] for r in runs), "MB",
         rss_idle),
        ("peak RSS (VmHWM), whole run", max(r["hwm"] for r in runs), "MB", rss_idle),
    ]
    print(f"{args.runs} runs x {args.changes} changes, {args.clients} clients, {files} definition files "
          f"({NODES} nodes, {SERVICES} services, {ROUTERS} routers x {ROUTES_PER_ROUTER} routes), "
          f"{os.cpu_count()} CPUs, {java_home}, launcher flags + MESHBOOT_JAVA_OPTS="
          f"{os.environ.get('MESHBOOT_JAVA_OPTS', '')!r}")
    print(f"{'case':42} {'median':>9} {'unit':>4} {'x base':>7}")
    for name, value, unit, base in rows:
        print(f"{name:42} {value:9.1f} {unit:>4} {value / base:7.2f}")
    worst_ack = max(c["ack"] for c in changes)
    translated = sorted({c["translated"] for c in changes})
    others = sum(c["others"] for c in changes)
    print(f"nodes translated per change: {translated}; slowest change to last ACK: {worst_ack:.0f} ms; "
          f"unaffected clients pushed anything: {others}")
    ok = (rows[1][1] <= BUDGET_WHOLE_MS and rows[3][1] <= BUDGET_CHANGE_MS and worst_ack <= BUDGET_ACK_MS
          and rows[-1][1] <= BUDGET_HWM_MB and others == 0)
    print(f"budget (whole <= {BUDGET_WHOLE_MS} ms, change re-translated <= {BUDGET_CHANGE_MS} ms, every change "
          f"acknowledged <= {BUDGET_ACK_MS} ms, VmHWM <= {BUDGET_HWM_MB} MB, no unaffected push): "
          + ("met" if ok else "MISSED"))
    shutil.rmtree(work)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
