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
               127.0.0.1:15010 (plain gRPC, started once, outside the timings);
               baseline: `envoy -c` of the bootstrap `meshboot bootstrap` wrote for that environment.
  - relay:     MESHBOOT_XDS_MODE=relay: Envoy's ADS goes to meshboot's relay on a unix socket, and
               the relay forwards each stream over TLS (MESHBOOT_XDS_TLS, MESHBOOT_XDS_CA_FILE) to
               `meshboot mesh serve --tls-cert --tls-key` on 127.0.0.1:15011 (started once, outside
               the timings), SigV4-signed as in production (AWS_REGION and static dummy keys in the
               environment, no metadata service; mesh serve does not check signatures: relay mode
               runs unsigned without a region, but no App Mesh endpoint accepts that, so the
               signing machinery is part of what is measured). The CA and the server certificate
               (SAN IP:127.0.0.1, DNS:localhost) are made by `openssl` in the run's temp dir.
               Baseline: `envoy -c` of the bootstrap `meshboot bootstrap` writes for the same
               endpoint in direct mode with TLS and the same CA (MESHBOOT_XDS_MODE=direct,
               MESHBOOT_XDS_TLS=true): Envoy alone connecting to the same TLS server itself,
               unsigned (Envoy 1.35+ cannot sign).
The static and generated meshboot cases run twice: as a restart finds them (the launch record the
previous run of the same case wrote: bin/meshboot starts Envoy itself before the JVM), and with the
records set aside before each run ("no launch record": a first start with those variables), which
the table shows beside them. Every launch uses this run's own cache directory (MESHBOOT_CACHE_DIR),
its AOT caches trained by the warm-ups.
The table: median and p90 of each, the ratio of each meshboot case to its baseline, and one verdict
per budget (on the restart rows). Budgets (issue #15), each meshboot case against its own baseline: static <= 2x,
generated <= 2x, relay <= 2.5x Envoy alone. A missed budget is printed (MISSED), not an exit status,
as in the other bench/ scripts: the exit status is non-zero only when a measurement failed.

Everything runs in a network namespace of its own (`unshare --net`, root): the listeners are App
Mesh's 0.0.0.0:15000/15001.

Usage: ENVOY_BIN=... python3 bench/first_answer.py [--runs 15]   (root; needs unshare, ip, openssl)
"""
import http.server
import glob
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mesh_run  # noqa: E402  (the workshop node, its app, one_run)

MESHBOOT = mesh_run.MESHBOOT
BUDGETS = {"static": 2.0, "generated": 2.0, "relay": 2.5}


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


def loopback_certificates(work):
    """A CA and a server certificate it signed for 127.0.0.1 and localhost (EC P-256, PEM, the key
    in PKCS#8 as mesh serve reads it), made by the openssl CLI: (ca.pem, server.pem, server.key)."""
    ca, ca_key = os.path.join(work, "ca.pem"), os.path.join(work, "ca.key")
    cert, key = os.path.join(work, "server.pem"), os.path.join(work, "server.key")
    csr, extensions = os.path.join(work, "server.csr"), os.path.join(work, "server.ext")
    with open(extensions, "w") as out:
        out.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                  "keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for command in (["openssl", "req", "-x509", *ec, "-keyout", ca_key, "-out", ca, "-days", "2",
                     "-subj", "/CN=first_answer.py bench CA"],
                    ["openssl", "req", *ec, "-keyout", key, "-out", csr, "-subj", "/CN=localhost"],
                    ["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
                     "-out", cert, "-days", "2", "-extfile", extensions]):
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"first_answer.py: {' '.join(command)} exited {done.returncode}: {done.stderr.strip()}")
    return ca, cert, key


def without_records(cache, run):
    """run() with no launch record in the cache directory: the records are set aside and put back
    afterwards, and the one this run writes is removed (the other cases keep theirs)."""
    records = os.path.join(cache, "launch")
    aside = os.path.join(cache, "aside")
    os.makedirs(aside, exist_ok=True)
    for record in glob.glob(os.path.join(records, "*.record")):
        os.rename(record, os.path.join(aside, os.path.basename(record)))
    try:
        return run()
    finally:
        for record in glob.glob(os.path.join(records, "*.record")):
            os.remove(record)
        for record in glob.glob(os.path.join(aside, "*.record")):
            os.rename(record, os.path.join(records, os.path.basename(record)))


def main():
    args = mesh_run.in_own_network(15)
    envoy = os.environ["ENVOY_BIN"]
    if not shutil.which("openssl"):
        sys.exit("first_answer.py: openssl is missing (bin/test installs it): it makes the TLS server's certificate")

    for port in (9081, 9082):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), mesh_run.App)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    work = tempfile.mkdtemp(prefix="first-answer-")
    log = open(os.path.join(work, "bench.log"), "w")
    ca, cert, key = loopback_certificates(work)
    servers = [subprocess.Popen([MESHBOOT, "mesh", "serve", mesh_run.WORKSHOP, "--listen", listen] + tls,
                                env=dict(os.environ, **mesh_run.WAIT), stdout=log, stderr=subprocess.STDOUT)
               for listen, tls in (("127.0.0.1:15010", []),
                                   ("127.0.0.1:15011", ["--tls-cert", cert, "--tls-key", key]))]
    try:
        base = dict(os.environ)
        for name in [n for n in base if n.startswith(("APPMESH_", "MESHBOOT_", "ENVOY_CONFIG", "AWS_"))]:
            del base[name]
        cache = os.path.join(work, "cache")  # this run's own: AOT caches and launch records
        base.update({"APPMESH_RESOURCE_ARN": mesh_run.NODE, "ENVOY_LOG_LEVEL": "warning",
                     "MESHBOOT_BOOTSTRAP_PATH": os.path.join(work, "envoy.json"),
                     "MESHBOOT_CACHE_DIR": cache})
        static = os.path.join(work, "static.json")
        with open(static, "w") as out:
            json.dump(static_bootstrap(os.path.join(work, "admin.sock")), out)
        # generated: direct ADS to mesh serve; the baseline is the file meshboot writes for it
        generated_env = dict(base, APPMESH_XDS_ENDPOINT="127.0.0.1:15010", MESHBOOT_XDS_MODE="direct")
        by_hand = os.path.join(work, "generated.json")
        subprocess.run([MESHBOOT, "bootstrap", "-o", by_hand], env=dict(generated_env, **mesh_run.WAIT), check=True)
        # relay: through meshboot's relay, TLS and signed, to mesh serve's TLS port; the baseline is
        # the file meshboot writes for Envoy connecting to that port with TLS itself
        tls_env = dict(base, APPMESH_XDS_ENDPOINT="127.0.0.1:15011", MESHBOOT_XDS_TLS="true",
                       MESHBOOT_XDS_CA_FILE=ca)
        # the relay's last-known-good cache is emptied before every run (a new pod), so that a
        # server the relay cannot reach fails the run instead of being hidden by the cache
        xds_cache = os.path.join(work, "xds-cache")
        relay_env = dict(tls_env, MESHBOOT_XDS_MODE="relay",
                         MESHBOOT_XDS_RELAY_SOCKET=os.path.join(work, "relay.sock"),
                         MESHBOOT_XDS_CACHE_DIR=xds_cache,
                         AWS_REGION="us-west-2", AWS_EC2_METADATA_DISABLED="true",
                         AWS_ACCESS_KEY_ID="AKIDFIRSTANSWERBENCH", AWS_SECRET_ACCESS_KEY="first-answer-bench-not-a-secret")
        tls_by_hand = os.path.join(work, "direct-tls.json")
        subprocess.run([MESHBOOT, "bootstrap", "-o", tls_by_hand], env=dict(tls_env, MESHBOOT_XDS_MODE="direct", **mesh_run.WAIT),
                       check=True)
        envoy_args = ["--disable-hot-restart", "-l", "warning"]
        # per budget: (its baseline, Envoy alone) and (its meshboot case), each (name, command, env)
        # the static and generated cases twice: as a restart finds them (the launch record of the
        # previous start: bin/meshboot starts Envoy itself), and without any record (removed before
        # each run: a first start with these variables, which the budget is not about but the
        # table shows); a third entry is the latter
        pairs = {
            "static": (("envoy -c static.json", [envoy, "-c", static] + envoy_args, base),
                       ("meshboot run, ENVOY_CONFIG_FILE=static.json", [MESHBOOT, "run"],
                        dict(base, ENVOY_CONFIG_FILE=static)),
                       ("  same, no launch record", [MESHBOOT, "run"],
                        dict(base, ENVOY_CONFIG_FILE=static))),
            "generated": (("envoy -c generated.json (mesh serve)", [envoy, "-c", by_hand] + envoy_args, base),
                          ("meshboot run, generated (mesh serve)", [MESHBOOT, "run"], generated_env),
                          ("  same, no launch record", [MESHBOOT, "run"], generated_env)),
            "relay": (("envoy -c direct-tls.json (mesh serve TLS)", [envoy, "-c", tls_by_hand] + envoy_args, base),
                      ("meshboot run, relay (mesh serve TLS)", [MESHBOOT, "run"], relay_env)),
        }
        cases = {(budget, i): (name, command, env) for budget, pair in pairs.items()
                 for i, (name, command, env) in enumerate(pair)}
        times = {case: [] for case in cases}
        for _, command, env in cases.values():
            shutil.rmtree(xds_cache, ignore_errors=True)
            mesh_run.one_run(dict(env, **mesh_run.WAIT), log, command)
        for _ in range(args.runs):
            for case, (_, command, env) in cases.items():
                shutil.rmtree(xds_cache, ignore_errors=True)
                if case[1] == 2:
                    times[case].append(without_records(cache, lambda: mesh_run.one_run(env, log, command)[0]))
                else:
                    times[case].append(mesh_run.one_run(env, log, command)[0])
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            server.wait(30)

    print(f"command to first answer through 15001 ({args.runs} runs each, alternating; {os.cpu_count()} CPUs)")
    print(f"{'case':48} {'median ms':>10} {'p90 ms':>8} {'ratio':>6}")
    verdicts = []
    for budget_name, pair in pairs.items():
        baseline = statistics.median(times[(budget_name, 0)])
        for i, (each, *_) in enumerate(pair):
            median = statistics.median(times[(budget_name, i)])
            p90 = mesh_run.p90(times[(budget_name, i)])
            print(f"{each:48} {median * 1000:10.0f} {p90 * 1000:8.0f} {median / baseline:6.2f}")
        ratio = statistics.median(times[(budget_name, 1)]) / baseline
        verdicts.append(f"{budget_name} <= {BUDGETS[budget_name]}x: "
                        f"{'met' if ratio <= BUDGETS[budget_name] else 'MISSED'} ({ratio:.2f}x)")
    print("budgets: " + "; ".join(verdicts))


if __name__ == "__main__":
    main()
