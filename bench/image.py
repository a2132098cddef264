#!/usr/bin/env python3
"""The container image's budgets (issue #14): its size and its start-up against the same meshboot
outside a container.

Size: the image's layers gzipped, as jib:buildTar wrote them and a registry stores them. Budget
<= 90 MB (10^6 bytes).

Start-up: `podman run` of the image (read-only root, tmpfs /tmp, as ImageIT runs it) until Envoy's
/ready says LIVE, against the same release tree's bin/meshboot run outside a container (its AOT
caches trained by a warm-up run that is not timed), with the same env file, both against
`meshboot mesh serve` (the App Mesh workshop's mesh) on the loopback of a network namespace this
script creates and enters. Runs alternate so that machine noise hits both alike; the table gives
the median and p90 of each and the ratio of medians. Budget: container <= 1.3x outside.

Usage (root: network namespace, podman): python3 bench/image.py [--runs N]
after `./mvnw -o -B -pl dist,images -am package -DskipTests` (images/target/meshboot-image.tar and
dist/target/meshboot). podman as the machine needs it (runc, cgroupfs, rlimits; build facts).
"""
import argparse
import concurrent.futures
import ctypes
import json
import os
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMAGE_TAR = os.path.join(ROOT, "images", "target", "meshboot-image.tar")
RELEASE = os.path.join(ROOT, "dist", "target", "meshboot")
WORKSHOP = os.path.join(ROOT, "examples", "appmesh-workshop")
STORAGE = os.path.join(ROOT, "images", "target", "bench-podman")
SIZE_BUDGET_MB, RATIO_BUDGET = 90, 1.3
ADMIN, SERVE_ADMIN, XDS = 9901, 9911, 9912
PODMAN = ["podman", "--runtime", "/usr/sbin/runc", "--cgroup-manager", "cgroupfs",
          "--storage-driver", "overlay", "--root", os.path.join(STORAGE, "root"),
          "--runroot", os.path.join(STORAGE, "run")]
LIMITS = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1000:1000"]
POD = None  # the thread inside the network namespace: polls, and starts meshboot outside podman


def image_size():
    """(name, compressed bytes, uncompressed bytes) of each layer, from the docker archive."""
    layers = []
    with tarfile.open(IMAGE_TAR) as archive:
        manifest = json.load(archive.extractfile("manifest.json"))[0]
        for name in manifest["Layers"]:
            blob = archive.extractfile(name).read()
            with tarfile.open(fileobj=__import__("io").BytesIO(blob), mode="r:gz") as layer:
                unpacked = sum(member.size for member in layer.getmembers())
            layers.append((name[:12], len(blob), unpacked))
        return manifest["RepoTags"][0], layers


def enter_netns(name):
    """Moves the calling thread (and what it starts) into network namespace `name`: podman must run
    outside it, or runc takes the container's network namespace for the host's."""
    libc = ctypes.CDLL(None, use_errno=True)
    with open(f"/var/run/netns/{name}") as netns:
        if libc.setns(netns.fileno(), 0x40000000) != 0:
            sys.exit(f"setns {name}: errno {ctypes.get_errno()} (run as root)")


def ready(port, path, word):
    return POD.submit(ready_here, port, path, word).result()


def ready_here(port, path, word):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=1) as answer:
            return word in answer.read().decode()
    except OSError:
        return False


def wait(what, check, timeout=60):
    """Seconds until check() holds, polled every 10 ms."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            sys.exit(f"gave up waiting for {what}")
        time.sleep(0.01)
    return time.monotonic() - start


def container_start(image, env_file, netns):
    name = f"meshboot-bench-{os.getpid()}"
    start = time.monotonic()
    subprocess.run(PODMAN + ["run", "-d", "--name", name, "--network", f"ns:/var/run/netns/{netns}",
                             "--env-file", env_file, "--read-only", "--read-only-tmpfs=false",
                             "--tmpfs", "/tmp:rw,size=64m,mode=1777"] + LIMITS + [image],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait("Envoy LIVE in the container", lambda: ready(ADMIN, "/ready", "LIVE"))
    took = time.monotonic() - start
    subprocess.run(PODMAN + ["rm", "-f", "-t", "0", name], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait("Envoy's admin port closed", lambda: not ready(ADMIN, "/ready", ""))
    return took


def outside_start(env_file, work, aot="1"):
    """Times `bin/meshboot run` outside a container; aot="wait" trains its missing caches first."""
    environment = {"PATH": "/usr/bin:/bin", "HOME": work, "MESHBOOT_CACHE_DIR": os.path.join(work, "cache"),
                   "MESHBOOT_BOOTSTRAP_PATH": os.path.join(work, "envoy.json"),
                   "APPNET_AGENT_ADMIN_MODE": "uds", "APPNET_AGENT_ADMIN_UDS_PATH": os.path.join(work, "api.sock"),
                   "LANG": "C.UTF-8", "MESHBOOT_AOT": aot}
    start = time.monotonic()
    process = POD.submit(subprocess.Popen, [os.path.join(RELEASE, "bin", "meshboot"), "run", "--env-file", env_file],
                         env=environment, start_new_session=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).result()
    wait("Envoy LIVE outside", lambda: ready(ADMIN, "/ready", "LIVE"))
    took = time.monotonic() - start
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    wait("Envoy's admin port closed", lambda: not ready(ADMIN, "/ready", ""))
    return took


def row(name, samples):
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
    return f"{name:<28} {statistics.median(samples) * 1000:>8.0f} {p90 * 1000:>8.0f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    for path in (IMAGE_TAR, os.path.join(RELEASE, "bin", "meshboot")):
        if not os.path.exists(path):
            sys.exit(f"no {path}: ./mvnw -o -B -pl dist,images -am package -DskipTests")

    image, layers = image_size()
    compressed = sum(size for _, size, _ in layers)
    print(f"{'layer':<14} {'gzipped MB':>11} {'unpacked MB':>12}")
    for name, size, unpacked in layers:
        print(f"{name:<14} {size / 1e6:>11.1f} {unpacked / 1e6:>12.1f}")
    verdict = "ok" if compressed <= SIZE_BUDGET_MB * 1e6 else "OVER"
    print(f"{'image':<14} {compressed / 1e6:>11.1f} {sum(u for _, _, u in layers) / 1e6:>12.1f}"
          f"   budget <= {SIZE_BUDGET_MB} MB: {verdict}\n")

    subprocess.run(PODMAN + ["load", "-q", "-i", IMAGE_TAR], check=True, stdout=subprocess.DEVNULL)
    netns = f"mbbench{os.getpid()}"
    subprocess.run(["ip", "netns", "add", netns], check=True)
    subprocess.run(["ip", "netns", "exec", netns, "ip", "link", "set", "lo", "up"], check=True)
    global POD
    POD = concurrent.futures.ThreadPoolExecutor(1, initializer=enter_netns, initargs=(netns,))
    serve = None
    try:
        with tempfile.TemporaryDirectory(prefix="meshboot-bench-") as work:
            os.chmod(work, 0o755)
            env_file = os.path.join(work, "envoy.env")
            with open(env_file, "w") as out:
                out.write("APPMESH_RESOURCE_ARN=mesh/appmesh-workshop/virtualNode/frontend\n"
                          f"APPMESH_XDS_ENDPOINT=127.0.0.1:{XDS}\nLISTENER_DRAIN_WAIT_TIME_S=5\n")
            os.chmod(env_file, 0o644)
            serve = POD.submit(subprocess.Popen, [os.path.join(RELEASE, "bin", "meshboot"), "mesh", "serve",
                                                  WORKSHOP, "--admin", f"127.0.0.1:{SERVE_ADMIN}",
                                                  "--listen", f"127.0.0.1:{XDS}"],
                               env={"PATH": "/usr/bin:/bin", "HOME": work, "MESHBOOT_AOT": "wait"},
                               start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).result()
            wait("mesh serve ready", lambda: ready(SERVE_ADMIN, "/ready", "ready"))
            outside_start(env_file, work, aot="wait")  # warm-up: the launcher trains its caches first
            container_start(image, env_file, netns)  # warm-up: podman's first container
            inside, outside = [], []
            for _ in range(runs):
                inside.append(container_start(image, env_file, netns))
                outside.append(outside_start(env_file, work))
    finally:
        if serve:
            os.killpg(serve.pid, signal.SIGKILL)
        POD.shutdown()
        subprocess.run(["ip", "netns", "del", netns], check=False)

    print(f"{'start to Envoy LIVE (' + str(runs) + ' runs)':<28} {'median ms':>8} {'p90 ms':>8}")
    print(row("podman run (image)", inside))
    print(row("bin/meshboot run (release)", outside))
    ratio = statistics.median(inside) / statistics.median(outside)
    print(f"ratio of medians {ratio:.2f}   budget <= {RATIO_BUDGET}: {'ok' if ratio <= RATIO_BUDGET else 'OVER'}")


if __name__ == "__main__":
    main()
