#!/usr/bin/env python3
"""Multi-node, fault and load scenarios of `vouch serve` (issue 8; docs/deployment.md).

    multinode.py cluster      three nodes on one PostgreSQL behind HAProxy, load, one node SIGKILLed
    multinode.py pg-restart   PostgreSQL stopped and restarted under load
    multinode.py sqlite-kill  a SQLite node SIGKILLed during writes, restarted, audit complete
    multinode.py disk-full    the data directory (a small tmpfs) fills up, then frees
    multinode.py collateral   the collateral source goes down: stale grace, then 503, then back
    multinode.py skew         nodes whose clocks differ (libfaketime), within and past the bound
    multinode.py scale        wrk: one node vs three nodes behind HAProxy (LOAD_SECONDS)
    multinode.py soak         three nodes under wrk for SOAK_SECONDS, RSS and fds every 10 s
    multinode.py all          every scenario above except soak (`make test-long`)

Everything listens on 127.0.0.1 only; every process started here (PostgreSQL, nodes, HAProxy,
swtpm, the fake collateral source) is stopped on exit, also on errors and SIGINT/SIGTERM, and the
scratch directory is removed (KEEP=1 keeps it). Exit status 0: every assertion held; 1: one
failed (the reason is printed); 77: a prerequisite is missing (skipped, the reason is printed).

Environment: VOUCH_BIN (default build/bin/vouch), VOUCH_VECTORS_DIR (default ../shared/vectors),
LOAD_SECONDS (default 20), SOAK_SECONDS (default 600), KEEP=1.
"""

import argparse
import base64
import collections
import concurrent.futures
import http.client
import json
import os
import random
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VOUCH = os.environ.get("VOUCH_BIN", os.path.join(ROOT, "build", "bin", "vouch"))
VECTORS = os.environ.get("VOUCH_VECTORS_DIR", os.path.join(os.path.dirname(ROOT), "shared", "vectors"))
PG_SERVER = os.path.join(ROOT, "tests", "store", "postgres-server")
FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"
SKIP = 77


class Skip(Exception):
    pass


class Failed(Exception):
    pass


def log(*args):
    print("[%s]" % time.strftime("%H:%M:%S"), *args, flush=True)


def check(cond, what):
    if not cond:
        raise Failed(what)
    log("  ok:", what)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def b64u(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def jwt_claims(token):
    p = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))


def request(port, method, path, body=None, headers=None, timeout=30.0):
    """One HTTP request on a fresh connection: (status, headers, body); status 0 = no answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            headers = dict(headers or {}, **{"Content-Type": "application/json"})
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data
    except (OSError, http.client.HTTPException) as e:
        return 0, {}, repr(e).encode()
    finally:
        conn.close()


def problem_check(data):
    """The check id of a problem+json answer, or of an Azure-shaped error (error.target)."""
    try:
        j = json.loads(data)
        if isinstance(j.get("error"), dict):
            return j["error"].get("target", "")
        return j.get("check", "")
    except (ValueError, AttributeError):
        return ""


class Harness:
    """Owns the scratch directory and every process and mount it starts; close() undoes all."""

    def __init__(self, name):
        if not os.access(VOUCH, os.X_OK):
            raise Skip("no %s: build first (make build) or set VOUCH_BIN" % VOUCH)
        self.dir = tempfile.mkdtemp(prefix="vouch-%s-" % name, dir="/tmp")
        os.chmod(self.dir, 0o755)  # PostgreSQL runs as nobody below it
        self.procs = []  # (name, Popen)
        self.mounts = []
        self.pg_ctrl = None
        self.closers = []
        self.kek = base64.b64encode(os.urandom(32)).decode()

    # --- processes ---
    def spawn(self, name, argv, env=None, log_name=None):
        out = open(os.path.join(self.dir, (log_name or name) + ".log"), "ab")
        p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env,
                             stdin=subprocess.DEVNULL, start_new_session=True)
        out.close()
        self.procs.append((name, p))
        return p

    def stop(self, p, sig=signal.SIGTERM, timeout=25):
        if p.poll() is None:
            try:
                p.send_signal(sig)
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.procs = [(n, q) for n, q in self.procs if q is not p]
        return p.returncode

    def close(self):
        for fn in reversed(self.closers):
            try:
                fn()
            except Exception as e:  # noqa: BLE001 - best-effort cleanup
                log("cleanup:", e)
        for _, p in list(self.procs):
            self.stop(p, timeout=10)
        if self.pg_ctrl:
            subprocess.run([PG_SERVER, "stop", self.pg_ctrl], check=False)
            self.pg_ctrl = None
        for m in reversed(self.mounts):
            subprocess.run(["umount", "-l", m], check=False)
        if os.environ.get("KEEP") == "1":
            log("kept", self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    # --- PostgreSQL ---
    def start_pg(self):
        self.pg_ctrl = os.path.join(self.dir, "pg")
        subprocess.run([PG_SERVER, "start", self.pg_ctrl, str(os.getpid())], check=True)
        if os.path.exists(os.path.join(self.pg_ctrl, "unavailable")):
            raise Skip("PostgreSQL: " + open(os.path.join(self.pg_ctrl, "unavailable")).read().strip())
        self.pg_url = open(os.path.join(self.pg_ctrl, "url")).read().strip()
        self.pg_data = open(os.path.join(self.pg_ctrl, "datadir")).read().strip()
        self.pg_bin = open(os.path.join(self.pg_ctrl, "bin")).read().strip()
        self.pg_port = int(self.pg_url.rsplit(":", 1)[1].split("/")[0])
        return self.pg_url

    def _as_nobody(self):
        if os.getuid() != 0:
            return []
        import pwd
        pw = pwd.getpwnam("nobody")
        return ["setpriv", "--reuid=%d" % pw.pw_uid, "--regid=%d" % pw.pw_gid, "--clear-groups"]

    def pg_ctl(self, action):
        argv = self._as_nobody() + [os.path.join(self.pg_bin, "pg_ctl"), "-D",
                                    os.path.join(self.pg_data, "data"), "-w", "-t", "60"]
        if action == "stop":
            argv += ["-m", "fast", "stop"]
        else:
            argv += ["-l", os.path.join(self.pg_data, "postgres.log"), "-o",
                     "-c listen_addresses=127.0.0.1 -p %d -c unix_socket_directories=%s "
                     "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                     "-c max_connections=300" % (self.pg_port, self.pg_data), "start"]
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def psql(self, sql):
        r = subprocess.run(["psql", self.pg_url, "-X", "-At", "-c", sql], check=True,
                           capture_output=True, text=True)
        return [line for line in r.stdout.splitlines() if line]

    # --- vouch serve ---
    def start_node(self, name, store, public_url=None, extra_env=None, port=None, faketime=None,
                   data_dir=None):
        port = port or free_port()
        data_dir = data_dir or os.path.join(self.dir, name)
        os.makedirs(data_dir, exist_ok=True)
        env = dict(os.environ)
        env.update({"VOUCH_KEK": self.kek, "VOUCH_SERVER_TLS_MODE": "off",
                    "VOUCH_LOGGING_LEVEL": "warn"})
        if store:
            env["VOUCH_STORAGE_URL"] = store
        if public_url:
            env["VOUCH_SERVICE_PUBLIC_URL"] = public_url
        if faketime:
            env["LD_PRELOAD"] = FAKETIME_LIB
            env["FAKETIME"] = faketime
            env["FAKETIME_DONT_RESET"] = "1"
        env.update(extra_env or {})
        argv = [VOUCH, "serve", "--listen", "127.0.0.1:%d" % port, "--data-dir", data_dir]
        p = self.spawn(name, argv, env)
        node = {"name": name, "port": port, "proc": p, "data_dir": data_dir, "store": store,
                "env": env, "argv": argv}
        return node

    def restart_node(self, node):
        node["proc"] = self.spawn(node["name"], node["argv"], node["env"])
        return node

    def wait_ready(self, node, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if node["proc"].poll() is not None:
                raise Failed("%s exited with %s during start-up (log: %s)" % (
                    node["name"], node["proc"].returncode, self.tail(node["name"])))
            status, _, _ = request(node["port"], "GET", "/readyz", timeout=2)
            if status == 200:
                return
            time.sleep(0.1)
        raise Failed("%s not ready after %ds" % (node["name"], timeout))

    def tail(self, name, lines=8):
        try:
            with open(os.path.join(self.dir, name + ".log"), "rb") as f:
                return b"".join(f.readlines()[-lines:]).decode(errors="replace")
        except OSError:
            return ""

    def admin_key(self, nodes):
        for n in nodes:
            path = os.path.join(n["data_dir"], "bootstrap-admin-key")
            if os.path.exists(path):
                return open(path).read().strip()
        raise Failed("no node wrote a bootstrap admin key")

    # --- HAProxy ---
    def start_haproxy(self, nodes, port=None):
        if not shutil.which("haproxy"):
            raise Skip("haproxy is not installed (apt-get install haproxy)")
        port = port or free_port()
        cfg = os.path.join(self.dir, "haproxy.cfg")
        servers = "\n".join("    server %s 127.0.0.1:%d check inter 500ms fall 2 rise 2" %
                            (n["name"], n["port"]) for n in nodes)
        with open(cfg, "w") as f:
            f.write("""global
    maxconn 4096
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    retries 2
    option redispatch 1
    option http-server-close
frontend vouch
    bind 127.0.0.1:%d
    default_backend nodes
backend nodes
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
%s
""" % (port, servers))
        self.spawn("haproxy", ["haproxy", "-db", "-f", cfg])
        deadline = time.time() + 20
        while time.time() < deadline:
            if request(port, "GET", "/healthz", timeout=2)[0] == 200:
                return port
            time.sleep(0.2)
        raise Failed("haproxy did not come up: " + self.tail("haproxy"))

    # --- a software TPM (as scripts/demo) ---
    def start_swtpm(self):
        for tool in ("swtpm", "swtpm_setup", "swtpm_localca", "tpm2_getrandom"):
            if not shutil.which(tool):
                raise Skip(tool + " is not installed")
        d = os.path.join(self.dir, "tpm")
        os.makedirs(os.path.join(d, "state"))
        os.makedirs(os.path.join(d, "localca"))
        with open(os.path.join(d, "localca.conf"), "w") as f:
            f.write("statedir = %s/localca\nsigningkey = %s/localca/signkey.pem\n"
                    "issuercert = %s/localca/issuercert.pem\ncertserial = %s/localca/certserial\n"
                    % (d, d, d, d))
        with open(os.path.join(d, "setup.conf"), "w") as f:
            f.write("create_certs_tool = /usr/bin/swtpm_localca\ncreate_certs_tool_config = "
                    "%s/localca.conf\ncreate_certs_tool_options = /etc/swtpm-localca.options\n"
                    "active_pcr_banks = sha256\n" % d)
        subprocess.run(["swtpm_setup", "--tpm2", "--tpmstate", d + "/state", "--create-ek-cert",
                        "--create-platform-cert", "--lock-nvram", "--config", d + "/setup.conf",
                        "--overwrite", "--pcr-banks", "sha256"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(50):
            port = free_port()
            try:
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port + 1))
                break
            except OSError:
                continue
        p = self.spawn("swtpm", ["swtpm", "socket", "--tpm2", "--tpmstate", "dir=" + d + "/state",
                                 "--server", "type=tcp,port=%d,bindaddr=127.0.0.1" % port,
                                 "--ctrl", "type=tcp,port=%d,bindaddr=127.0.0.1" % (port + 1),
                                 "--flags", "not-need-init,startup-clear"])
        env = dict(os.environ, TPM2TOOLS_TCTI="swtpm:host=127.0.0.1,port=%d" % port)
        for _ in range(50):
            if subprocess.run(["tpm2_getrandom", "8"], env=env, capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        else:
            raise Failed("swtpm did not come up")
        cas = [open(os.path.join(d, "localca", "swtpm-localca-rootca-cert.pem")).read(),
               open(os.path.join(d, "localca", "issuercert.pem")).read()]
        return {"tcti": "swtpm:host=127.0.0.1,port=%d" % port, "cas": cas, "proc": p}

    # --- a small tmpfs ---
    def tmpfs(self, name, size):
        path = os.path.join(self.dir, name)
        os.makedirs(path)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s,mode=0755" % size, "tmpfs", path],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise Skip("cannot mount a tmpfs here (needs root): " + r.stderr.strip())
        self.mounts.append(path)
        return path


def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def open_fds(pid):
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return 0


# --- evidence ---
def snp_paths():
    v = os.path.join(VECTORS, "snp", "go-sev-guest")
    if not os.path.isdir(v):
        raise Skip(v + " is absent (real SEV-SNP report used as load)")
    return v


def snp_body(nonce="multinode"):
    v = snp_paths()
    chain = ssl.DER_cert_to_PEM_cert(open(os.path.join(v, "vcek.testcer"), "rb").read())
    chain += open(os.path.join(v, "ask_ark_milan.pem")).read()
    wrapper = json.dumps({"SnpReport": b64u(open(os.path.join(v, "attestation.bin"), "rb").read()),
                          "VcekCertChain": base64.b64encode(chain.encode()).decode()})
    return json.dumps({"report": b64u(wrapper.encode()), "nonce": nonce})


def snp_report():
    return open(os.path.join(snp_paths(), "attestation.bin"), "rb").read()


ATTEST = "/attest/SevSnpVm?api-version=2022-08-01"


def attest_once(port, body):
    """(status, jti or None, check)."""
    status, _, data = request(port, "POST", ATTEST, body, {"Content-Type": "application/json"})
    if status == 200:
        try:
            return status, jwt_claims(json.loads(data)["token"])["jti"], ""
        except (ValueError, KeyError, IndexError):
            return status, None, "unparsable token"
    return status, None, problem_check(data)


def audited(h_or_sqlite, kind):
    """Counter of jti over audit entries of `kind` (a Harness with PostgreSQL, or a SQLite path)."""
    if isinstance(h_or_sqlite, Harness):
        rows = h_or_sqlite.psql("SELECT payload FROM audit_log WHERE kind = '%s'" % kind)
    else:
        import sqlite3
        db = sqlite3.connect("file:%s?mode=ro" % h_or_sqlite, uri=True)
        rows = [r[0] for r in db.execute("SELECT payload FROM audit_log WHERE kind = ?", (kind,))]
        db.close()
    c = collections.Counter()
    for r in rows:
        j = json.loads(r)
        if j.get("jti"):
            c[j["jti"]] += 1
    return c


def audit_verify(h, store_url=None, data_dir=None):
    argv = [VOUCH, "audit", "verify"]
    argv += ["--storage-url", store_url] if store_url else ["--data-dir", data_dir]
    r = subprocess.run(argv, capture_output=True, text=True)
    log("  vouch audit verify:", r.stdout.strip().replace("\n", "; "), r.stderr.strip())
    return r.returncode == 0


class Load:
    """Closed-loop workers calling fn(worker_index) until stopped; results are collected."""

    def __init__(self, fn, workers):
        self.fn, self.stop_flag, self.results, self.lock = fn, threading.Event(), [], threading.Lock()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True)
                        for i in range(workers)]

    def _run(self, i):
        while not self.stop_flag.is_set():
            r = self.fn(i)
            with self.lock:
                self.results.append((time.time(), r))

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def stop(self):
        self.stop_flag.set()
        for t in self.threads:
            t.join(60)
        return self.results


# =====================================================================================
# cluster: three nodes on one PostgreSQL behind HAProxy
# =====================================================================================
def scenario_cluster(h, seconds):
    pg = h.start_pg()
    store = pg + "?pool=8"
    ha_port = free_port()
    public = "http://127.0.0.1:%d" % ha_port
    log("three nodes start at once on an empty database")
    nodes = [h.start_node("node%d" % i, store, public) for i in (1, 2, 3)]
    for n in nodes:
        h.wait_ready(n)
    check(h.psql("SELECT count(*) FROM signing_keys WHERE state = 'active'") == ["1"],
          "one active signing key after a simultaneous start (no node generated its own)")
    jwks = [request(n["port"], "GET", "/certs")[2] for n in nodes]
    check(len(set(jwks)) == 1 and b'"kid"' in jwks[0], "every node publishes the same JWKS")
    bootstrap = int(h.psql("SELECT count(*) FROM api_keys WHERE label = 'bootstrap'")[0])
    log("  bootstrap admin keys created by the simultaneous start: %d" % bootstrap)
    check(bootstrap == 1, "one bootstrap admin key after a simultaneous start")
    # A node given another key-encryption key must refuse to start, not make keys of its own.
    wrong = h.start_node("wrong-kek", store, public, extra_env={
        "VOUCH_KEK": base64.b64encode(os.urandom(32)).decode()})
    try:
        rc = wrong["proc"].wait(60)
    except subprocess.TimeoutExpired:
        rc = None
        h.stop(wrong["proc"])
    check(rc not in (None, 0) and "service.key.self_test" in h.tail("wrong-kek", 20),
          "a node with another KEK refuses to start (exit %s, service.key.self_test)" % rc)
    check(h.psql("SELECT count(*) FROM signing_keys") == ["1"], "and it stored no key of its own")
    ha = h.start_haproxy(nodes, ha_port)
    key = h.admin_key(nodes)
    auth = {"Authorization": "Bearer " + key}

    # Provisioning through HAProxy (any node), trust for the software TPM.
    tpm = h.start_swtpm()
    st, _, d = request(ha, "PUT", "/admin/settings", {"tpm_ca_certificates": tpm["cas"]}, auth)
    check(st == 200, "tenant settings set through HAProxy (HTTP %d)" % st)
    release_policy = {"version": "1.0.0", "anyOf": [
        {"authority": public, "allOf": [{"claim": "ear_status", "equals": "affirming"}]}]}
    st, _, d = request(ha, "PUT", "/rp/v1/secrets/multinode", {
        "value": base64.b64encode(b"the multinode secret").decode(),
        "releasePolicy": release_policy, "trustedIssuers": [public]}, auth)
    check(st in (200, 201), "secret stored (HTTP %d)" % st)

    # Caches across nodes: a policy set on node1 applies on node2 and node3 within seconds.
    body = snp_body()
    deny = ("version=1.0;\nauthorizationrules\n{\n    => deny();\n};\nissuancerules\n{\n};\n")
    jws = "%s.%s." % (b64u(b'{"alg":"none"}'), b64u(json.dumps({"AttestationPolicy": b64u(deny.encode())}).encode()))
    for n in nodes:  # warm every node's policy cache
        check(attest_once(n["port"], body)[0] == 200, "%s attests with the default policy" % n["name"])
    t0 = time.time()
    st, _, d = request(nodes[0]["port"], "PUT", "/policies/SevSnpVm?api-version=2022-08-01", jws,
                       dict(auth, **{"Content-Type": "text/plain"}))
    check(st == 200, "deny-all policy set on node1 (HTTP %d)" % st)
    lag = {}
    while time.time() - t0 < 30 and len(lag) < 3:
        for n in nodes:
            if n["name"] not in lag and attest_once(n["port"], body)[0] != 200:
                lag[n["name"]] = time.time() - t0
        time.sleep(0.2)
    log("  policy change seen after: " + ", ".join("%s %.1fs" % kv for kv in sorted(lag.items())))
    check(len(lag) == 3 and max(lag.values()) < 7, "the new policy applies on every node within 7 s")
    st, _, d = request(nodes[1]["port"], "POST", "/policies/SevSnpVm:reset?api-version=2022-08-01",
                       b64u(b'{"alg":"none"}') + "..", dict(auth, **{"Content-Type": "text/plain"}))
    check(st == 200, "policy reset on node2 (HTTP %d)" % st)
    time.sleep(6)
    for n in nodes:
        check(attest_once(n["port"], body)[0] == 200, "%s permits again" % n["name"])

    # Key rotation on node2: node1 and node3 sign with the new key within seconds.
    st, _, d = request(nodes[1]["port"], "POST", "/admin/keys:rotate", "", auth)
    check(st == 200, "keys rotated on node2 (HTTP %d)" % st)
    new_kid = h.psql("SELECT kid FROM signing_keys WHERE tenant = 'default' AND state = 'active'")[0]
    t0 = time.time()
    seen = {}
    while time.time() - t0 < 30 and len(seen) < 3:
        for n in nodes:
            st, _, d = request(n["port"], "POST", ATTEST, body, {"Content-Type": "application/json"})
            if st == 200:
                hdr = json.loads(base64.urlsafe_b64decode(json.loads(d)["token"].split(".")[0] + "=="))
                if hdr.get("kid") == new_kid and n["name"] not in seen:
                    seen[n["name"]] = time.time() - t0
        time.sleep(0.2)
    log("  rotated key used after: " + ", ".join("%s %.1fs" % kv for kv in sorted(seen.items())))
    check(len(seen) == 3 and max(seen.values()) < 7, "every node signs with the rotated key within 7 s")

    # TPM passport tokens (EARs with a bound key), through HAProxy: enrolment challenge, session
    # and appraisal may each land on a different node.
    def vouch_attest(*args):
        r = subprocess.run([VOUCH, "attest", "--verifier", public, "--tpm", tpm["tcti"],
                            "--event-log", "", "--json"] + list(args),
                           capture_output=True, text=True, timeout=120)
        try:
            return r.returncode, json.loads(r.stdout)
        except ValueError:
            return r.returncode, {"error": r.stderr}
    ears = []
    for _ in range(3):
        rc, out = vouch_attest("--model", "passport")
        check(rc == 0 and "ear" in out, "vouch attest (passport, TPM) through HAProxy: exit %d %s" % (
            rc, "" if rc == 0 else json.dumps(out)[:300]))
        ears.append(out["ear"])
    revoked_ear = ears.pop()
    st, _, _ = request(nodes[0]["port"], "POST", "/admin/tokens/%s:revoke" % jwt_claims(revoked_ear)["jti"], "", auth)
    check(st == 200, "a token revoked on node1")
    for n in nodes:
        st, _, d = request(n["port"], "POST", "/rp/v1/secrets/multinode:release", {"token": revoked_ear})
        check(st == 401 and problem_check(d) == "token.result.revoked",
              "%s refuses the revoked token at once (HTTP %d %s)" % (n["name"], st, problem_check(d)))

    # --- the load ---
    rats_body = snp_report()
    live = {n["name"]: True for n in nodes}

    def attest_worker(i):
        return ("attest",) + attest_once(ha, body)

    def release_worker(i):
        ear = ears[i % len(ears)]
        st, _, d = request(ha, "POST", "/rp/v1/secrets/multinode:release", {"token": ear})
        return ("release", st, jwt_claims(ear)["jti"], problem_check(d) if st != 200 else "")

    def rats_worker(i):
        alive = [n for n in nodes if live[n["name"]]]
        st, hd, d = request(random.choice(alive)["port"], "POST",
                            "/challenge-response/v1/newSession?nonceSize=32", "")
        if st != 201:
            return ("rats", "no-session", st, [])
        path = hd["location"].split(public, 1)[-1]
        with concurrent.futures.ThreadPoolExecutor(len(alive)) as ex:
            answers = list(ex.map(lambda n: request(n["port"], "POST", path, rats_body, {
                "Content-Type": "application/vnd.vouch.sevsnp-report"}), alive))
        got = [(a[0], problem_check(a[2]) if a[0] != 200 else "") for a in answers]
        return ("rats", path, st, got)

    bg_results = []
    bg_stop = threading.Event()

    def bg_worker():
        while not bg_stop.is_set():
            rc, out = vouch_attest("--model", "background-check", "--secret", "multinode",
                                   "--out", os.path.join(h.dir, "bg-secret"))
            bg_results.append((rc, out))

    loads = [Load(attest_worker, 4).start(), Load(release_worker, 3).start(),
             Load(rats_worker, 1).start()]
    bg = threading.Thread(target=bg_worker, daemon=True)
    bg.start()
    log("load for %ds over HAProxy; node3 is SIGKILLed at %ds" % (seconds, seconds // 2))
    time.sleep(seconds / 2)
    live["node3"] = False
    killed_at = time.time()
    nodes[2]["proc"].kill()
    nodes[2]["proc"].wait()
    log("  node3 killed")
    time.sleep(seconds / 2)
    bg_stop.set()
    results = []
    for ld in loads:
        results += ld.stop()
    bg.join(180)

    attests = [r for t, r in results if r[0] == "attest"]
    releases = [r for t, r in results if r[0] == "release"]
    rats = [r for t, r in results if r[0] == "rats"]
    after_kill = [r for t, r in results if t > killed_at + 3 and r[0] in ("attest", "release")]
    codes = collections.Counter((r[0], r[1]) for t, r in results if r[0] != "rats")
    log("  answers (kind, HTTP): %s" % dict(codes))
    ok_jtis = [r[2] for r in attests if r[1] == 200]
    check(len(ok_jtis) > 50, "attestations accepted under load: %d" % len(ok_jtis))
    failed = [r for r in attests + releases if r[1] != 200]
    log("  failed requests (in flight on node3 when killed, or 503 during the switch): %d of %d" % (
        len(failed), len(attests) + len(releases)))
    check(all(r[1] == 200 for r in after_kill),
          "every request from 3 s after the kill on succeeds (%d)" % len(after_kill))
    check(len(failed) <= 20, "at most 20 requests failed around the kill (%d)" % len(failed))
    bg_ok = sum(1 for rc, _ in bg_results if rc == 0)
    log("  background-check releases (vouch attest through HAProxy): %d ok of %d" % (bg_ok, len(bg_results)))
    check(bg_ok >= 1, "background-check model released the secret under load")

    # RATS sessions: each consumed once across nodes.
    twice = [r for r in rats if sum(1 for s, c in r[3] if c != "store.session.consumed" and s != 0) > 1]
    once = sum(1 for r in rats if sum(1 for s, c in r[3] if c != "store.session.consumed" and s != 0) == 1)
    winners = collections.Counter(g for r in rats for g in r[3] if g[1] != "store.session.consumed")
    log("  RATS sessions raced on every live node: %d, consumed exactly once: %d; winners' answers %s" % (
        len(rats), once, dict(winners)))
    check(not twice, "no session nonce accepted twice (%d raced)" % len(rats))
    check(len(rats) > 10, "enough sessions raced (%d)" % len(rats))

    for n in nodes[:2]:
        check(n["proc"].poll() is None, "%s still running" % n["name"])
        rc = h.stop(n["proc"])
        check(rc == 0, "%s stops on SIGTERM with exit 0 (%s)" % (n["name"], rc))
    h.stop(tpm["proc"])

    audit_att = audited(h, "attestation")
    missing = [j for j in ok_jtis if j not in audit_att]
    check(not missing, "every returned token's jti is in the audit log (%d tokens)" % len(ok_jtis))
    rel_ok = collections.Counter(r[2] for r in releases if r[1] == 200)
    rel_audit = audited(h, "secret.release")
    short = {j: (n, rel_audit[j]) for j, n in rel_ok.items() if rel_audit[j] < n}
    check(not short, "every released secret has its secret.release audit entry (%d releases)" %
          sum(rel_ok.values()))
    dup = h.psql("SELECT count(*) FROM (SELECT tenant, nonce FROM sessions GROUP BY tenant, nonce "
                 "HAVING count(*) > 1) d")
    check(dup == ["0"], "no nonce issued twice in the sessions table")
    check(audit_verify(h, store_url=pg), "vouch audit verify passes")
    return {"accepted": len(ok_jtis), "releases": sum(rel_ok.values()), "failed": len(failed),
            "rats": len(rats), "policy_lag": lag, "key_lag": seen}


# =====================================================================================
# faults
# =====================================================================================
def scenario_pg_restart(h, seconds):
    pg = h.start_pg()
    store = pg + "?pool=4&connect_timeout=2&statement_timeout_ms=3000"
    nodes = [h.start_node("node%d" % i, store) for i in (1, 2)]
    for n in nodes:
        h.wait_ready(n)
    body = snp_body()

    def worker(i):
        n = nodes[i % 2]
        status, hd, data = request(n["port"], "POST", ATTEST, body, {"Content-Type": "application/json"})
        jti = None
        if status == 200:
            jti = jwt_claims(json.loads(data)["token"])["jti"]
        return (status, hd.get("retry-after"), problem_check(data) if status != 200 else "", jti)

    ld = Load(worker, 4).start()
    time.sleep(3)
    log("stopping PostgreSQL for 8 s under load")
    down = time.time()
    h.pg_ctl("stop")
    time.sleep(8)
    h.pg_ctl("start")
    up = time.time()
    log("PostgreSQL started again")
    time.sleep(max(6, seconds // 2))
    res = ld.stop()
    outage = [r for t, r in res if down + 0.5 < t < up]
    after = [r for t, r in res if t > up]
    first_ok = min((t for t, r in res if t > up and r[0] == 200), default=None)
    codes = collections.Counter(r[0] for _, r in res)
    log("  answers: %s; during the outage %s" % (dict(codes), dict(collections.Counter(
        (r[0], r[2]) for r in outage))))
    check(all(n["proc"].poll() is None for n in nodes), "no node crashed")
    check(outage and all(r[0] == 503 for r in outage), "only 503 while the database is down (%d)" % len(outage))
    check(all(r[1] for r in outage), "every 503 carries Retry-After")
    check(first_ok is not None, "the nodes recover without a restart (first 200 %.1fs after the "
          "database is back)" % ((first_ok or up) - up))
    tail = [r for t, r in res if t > up + 5]
    check(tail and all(r[0] == 200 for r in tail), "everything succeeds 5 s after the database is back")
    for n in nodes:
        check(h.stop(n["proc"]) == 0, "%s stops cleanly" % n["name"])
    jtis = [r[3] for _, r in res if r[0] == 200]
    audit_att = audited(h, "attestation")
    check(all(j in audit_att for j in jtis), "every returned token is audited (%d)" % len(jtis))
    check(audit_verify(h, store_url=pg), "vouch audit verify passes")
    return {"outage_503": len(outage), "recovery_s": round((first_ok or up) - up, 2), "ok": len(jtis)}


def scenario_sqlite_kill(h, seconds):
    body = snp_body()
    node = h.start_node("sqlite", None)
    db = os.path.join(node["data_dir"], "vouch.db")
    returned = []
    rounds = 3
    for k in range(rounds):
        h.wait_ready(node)

        def worker(i):
            return attest_once(node["port"], body)

        ld = Load(worker, 4).start()
        time.sleep(max(2, seconds / (2 * rounds)))
        node["proc"].kill()
        node["proc"].wait()
        res = ld.stop()
        ok = [r[1] for _, r in res if r[0] == 200]
        returned += ok
        log("  round %d: %d tokens returned, then SIGKILL" % (k + 1, len(ok)))
        h.restart_node(node)
    h.wait_ready(node)
    check(attest_once(node["port"], body)[0] == 200, "the restarted node attests")
    check(h.stop(node["proc"]) == 0, "the node stops cleanly")
    audit_att = audited(db, "attestation")
    missing = [j for j in returned if j not in audit_att]
    check(not missing, "after %d SIGKILLs every returned token (%d) has its audit entry" % (
        rounds, len(returned)))
    check(audit_verify(h, data_dir=node["data_dir"]), "vouch audit verify passes")
    return {"returned": len(returned), "audit_entries": sum(audit_att.values())}


def scenario_disk_full(h, seconds):
    data = h.tmpfs("data", "24m")
    body = snp_body()
    node = h.start_node("disk", None, data_dir=data)
    h.wait_ready(node)
    db = os.path.join(data, "vouch.db")
    check(attest_once(node["port"], body)[0] == 200, "attests with space left")
    filler = os.path.join(data, "filler")
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)  # fill up to the last block
    for chunk in (65536, 4096, 512):
        try:
            while True:
                os.write(fd, b"\0" * chunk)
        except OSError:
            pass
    os.close(fd)
    log("data directory full: %s" % subprocess.run(["df", "-h", data], capture_output=True,
                                                   text=True).stdout.splitlines()[-1])
    res = []
    for _ in range(200):
        res.append(attest_once(node["port"], body))
    codes = collections.Counter((r[0], r[2]) for r in res)
    log("  answers while full: %s" % dict(codes))
    check(node["proc"].poll() is None, "no crash while the disk is full")
    full_errors = [r for r in res if r[0] != 200]
    check(full_errors, "writes fail while the disk is full")
    check(all(r[0] == 503 and r[2] == "store.disk_full" for r in full_errors),
          "each failure is a clear 503 store.disk_full")
    st, _, _ = request(node["port"], "GET", "/readyz")
    log("  /readyz while full: HTTP %d" % st)
    os.unlink(filler)
    log("space freed")
    time.sleep(0.5)
    after = [attest_once(node["port"], body) for _ in range(20)]
    check(all(r[0] == 200 for r in after), "attestations succeed again once space returns, no restart")
    returned = [r[1] for r in res + after if r[0] == 200]
    check(h.stop(node["proc"]) == 0, "the node stops cleanly")
    audit_att = audited(db, "attestation")
    check(all(j in audit_att for j in returned), "every returned token is audited (%d)" % len(returned))
    r = subprocess.run(["python3", "-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1])"
                        ".execute('PRAGMA integrity_check').fetchone()[0])", db],
                       capture_output=True, text=True)
    check(r.stdout.strip() == "ok", "SQLite integrity_check: %s" % r.stdout.strip())
    check(audit_verify(h, data_dir=data), "vouch audit verify passes")
    return {"full_answers": {"%d %s" % k: v for k, v in codes.items()}}


def make_crl(h, seconds_valid, name):
    """A DER CRL (self-signed throwaway CA) whose nextUpdate is seconds_valid from now."""
    d = os.path.join(h.dir, "ca")
    if not os.path.isdir(d):
        os.makedirs(d)
        open(os.path.join(d, "index.txt"), "w").close()
        with open(os.path.join(d, "crlnumber"), "w") as f:
            f.write("01\n")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout", d + "/key.pem", "-out",
                        d + "/cert.pem", "-subj", "/CN=fake-ark", "-days", "2"], check=True,
                       capture_output=True)
        with open(os.path.join(d, "ca.cnf"), "w") as f:
            f.write("[ca]\ndefault_ca = c\n[c]\ndatabase = %s/index.txt\ncrlnumber = %s/crlnumber\n"
                    "default_md = sha256\n" % (d, d))
    out = os.path.join(d, name)
    subprocess.run(["openssl", "ca", "-gencrl", "-config", d + "/ca.cnf", "-keyfile",
                    d + "/key.pem", "-cert", d + "/cert.pem", "-crlsec", str(seconds_valid),
                    "-out", out + ".pem"], check=True, capture_output=True)
    subprocess.run(["openssl", "crl", "-in", out + ".pem", "-outform", "der", "-out", out],
                   check=True, capture_output=True)
    return open(out, "rb").read()


def scenario_collateral(h, seconds):
    import http.server
    crl = {"body": make_crl(h, 12, "crl1.der")}
    fetches = []

    class Kds(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            fetches.append(self.path)
            if self.path.endswith("/crl"):
                self.send_response(200)
                self.send_header("Content-Type", "application/pkix-crl")
                self.send_header("Content-Length", str(len(crl["body"])))
                self.end_headers()
                self.wfile.write(crl["body"])
            else:
                self.send_error(404)

        def log_message(self, *a):
            pass

    kds_port = free_port()
    server = {"s": None}

    def source_up():
        s = http.server.ThreadingHTTPServer(("127.0.0.1", kds_port), Kds)
        threading.Thread(target=s.serve_forever, daemon=True).start()
        server["s"] = s

    def source_down():
        if server["s"]:
            server["s"].shutdown()
            server["s"].server_close()
            server["s"] = None

    h.closers.append(source_down)
    source_up()
    grace = 15
    node = h.start_node("collateral", None, extra_env={
        "VOUCH_COLLATERAL_AMD_KDS_URL": "http://127.0.0.1:%d" % kds_port,
        "VOUCH_COLLATERAL_STALE_GRACE_SECONDS": str(grace),
        "VOUCH_COLLATERAL_MIN_REFRESH_SECONDS": "1",
        "VOUCH_COLLATERAL_REFRESH_AHEAD_SECONDS": "0",
        "VOUCH_COLLATERAL_RETRIES": "0",
        "VOUCH_COLLATERAL_TIMEOUT_SECONDS": "2",
        "VOUCH_COLLATERAL_CONNECT_TIMEOUT_SECONDS": "1"})
    h.wait_ready(node)
    path = "/vcek/v1/Milan/crl"
    t_crl = time.time()
    st, _, d = request(node["port"], "GET", path)
    check(st == 200 and d == crl["body"], "CRL served through the node from the source (HTTP %d)" % st)
    source_down()
    log("collateral source down; the CRL's nextUpdate is in ~12 s, grace %d s" % grace)
    st, _, d = request(node["port"], "GET", path)
    check(st == 200, "served from the cache while still fresh")
    time.sleep(max(0, t_crl + 13 - time.time()))
    st, _, d = request(node["port"], "GET", path)
    check(st == 200, "served stale past nextUpdate, within the grace (HTTP %d)" % st)
    time.sleep(max(0, t_crl + 12 + grace + 2 - time.time()))
    st, hd, d = request(node["port"], "GET", path)
    check(st == 503 and problem_check(d) == "collateral.amd_kds.stale" and hd.get("retry-after"),
          "after the grace: 503 collateral.amd_kds.stale with Retry-After (HTTP %d %s)" % (
              st, problem_check(d)))
    log("  detail: %s" % json.loads(d).get("detail"))
    crl["body"] = make_crl(h, 3600, "crl2.der")
    source_up()
    time.sleep(1.5)
    st, _, d = request(node["port"], "GET", path)
    check(st == 200 and d == crl["body"], "the source is back: the fresh CRL is served (HTTP %d)" % st)
    check(h.stop(node["proc"]) == 0, "the node stops cleanly")
    db = os.path.join(node["data_dir"], "vouch.db")
    import sqlite3
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    stale = c.execute("SELECT count(*) FROM audit_log WHERE kind = 'collateral.stale'").fetchone()[0]
    c.close()
    check(stale >= 1, "stale use audited (collateral.stale entries: %d)" % stale)
    check(audit_verify(h, data_dir=node["data_dir"]), "vouch audit verify passes")
    return {"fetches": len(fetches), "stale_audited": stale}


def scenario_skew(h, seconds):
    if not os.path.exists(FAKETIME_LIB):
        raise Skip("libfaketime is not installed (faketime package): clock skew not tested")
    # The software TPM's EK CA is made now: a node 20 s behind sees it as not yet valid for 20 s
    # (certificate validity is checked against each node's own clock, too).
    tpm = h.start_swtpm()
    tpm_made = time.time()
    pg = h.start_pg()
    store = pg + "?pool=4"
    ha_port = free_port()
    public = "http://127.0.0.1:%d" % ha_port  # one issuer for the whole fleet
    a = h.start_node("exact", store, public)
    h.wait_ready(a)
    b = h.start_node("ahead20", store, public, faketime="+20s")
    c = h.start_node("behind20", store, public, faketime="-20s")
    d = h.start_node("ahead90", store, public, faketime="+90s")
    for n in (b, c, d):
        h.wait_ready(n)
    key = h.admin_key([a, b, c, d])
    auth = {"Authorization": "Bearer " + key}
    st, _, body = request(a["port"], "PUT", "/admin/settings", {"tpm_ca_certificates": tpm["cas"]}, auth)
    check(st == 200, "TPM CAs set (HTTP %d %s)" % (st, problem_check(body)))
    st, _, _ = request(a["port"], "PUT", "/rp/v1/secrets/skew", {
        "value": base64.b64encode(b"skew").decode(),
        "releasePolicy": {"version": "1.0.0", "anyOf": [{"authority": public, "allOf": [
            {"claim": "ear_status", "equals": "affirming"}]}]},
        "trustedIssuers": [public]}, auth)
    check(st in (200, 201), "secret stored")
    time.sleep(6)  # other nodes cache tenant settings for up to 5 s

    def ear_from(node):
        # The attester talks to one node (its URL), the issuer is the fleet's public URL.
        r = subprocess.run([VOUCH, "attest", "--verifier", "http://127.0.0.1:%d" % node["port"],
                            "--tpm", tpm["tcti"], "--event-log", "", "--json", "--model", "passport"],
                           capture_output=True, text=True, timeout=120)
        out = json.loads(r.stdout) if r.stdout.strip().startswith("{") else {}
        if r.returncode != 0 or "ear" not in out:
            raise Failed("vouch attest on %s: exit %d %s %s" % (node["name"], r.returncode, r.stdout[:300], r.stderr[:300]))
        return out["ear"]

    results = {}
    for issuer in (a, b, d, c):
        if issuer is c:
            time.sleep(max(0.0, tpm_made + 22 - time.time()))
        ear = ear_from(issuer)
        for rp in (a, b, c):
            st, _, body = request(rp["port"], "POST", "/rp/v1/secrets/skew:release", {"token": ear})
            results[(issuer["name"], rp["name"])] = (st, problem_check(body) if st != 200 else "")
    for k, v in sorted(results.items()):
        log("  token from %-8s released by %-8s -> HTTP %d %s" % (k[0], k[1], v[0], v[1]))
    # The rule: a token is refused when its issuer's clock is ahead of the relying node's by more
    # than [relying_party] skew_seconds (30 s), and accepted otherwise (a token from a clock
    # behind is only older).
    offset = {"exact": 0, "ahead20": 20, "behind20": -20, "ahead90": 90}
    within = [v for (i, r), v in results.items() if offset[i] - offset[r] <= 30]
    beyond = [v for (i, r), v in results.items() if offset[i] - offset[r] > 30]
    check(all(v[0] == 200 for v in within),
          "tokens from a clock at most 30 s ahead of the relying node's are accepted (%d pairs)"
          % len(within))
    check(all(v == (401, "token.result.nbf") for v in beyond),
          "tokens from a clock more than 30 s ahead are refused with token.result.nbf (%d pairs)"
          % len(beyond))
    # Sessions opened on one node and consumed on another, 40 s apart in clock.
    st, hd, _ = request(c["port"], "POST", "/challenge-response/v1/newSession?nonceSize=32", "")
    path = hd.get("location", "").split(public, 1)[-1]
    st2, _, body = request(b["port"], "POST", path, snp_report(),
                           {"Content-Type": "application/vnd.vouch.sevsnp-report"})
    check(st == 201 and problem_check(body) != "store.session.expired" and st2 != 404,
          "a session opened on the node 20 s behind is consumed on the node 20 s ahead (HTTP %d %s)"
          % (st2, problem_check(body)))
    for n in (a, b, c, d):
        h.stop(n["proc"])
    h.stop(tpm["proc"])
    times = [int(x) for x in h.psql("SELECT time FROM audit_log WHERE tenant = 'default' ORDER BY seq")]
    back = sum(1 for x, y in zip(times, times[1:]) if y < x)
    log("  audit entries whose time is earlier than their predecessor's (skewed writers): %d" % back)
    check(audit_verify(h, store_url=pg), "vouch audit verify passes with skewed writers")
    return {"matrix": {"%s->%s" % k: v[0] for k, v in results.items()}}


# =====================================================================================
# load: one node vs three behind HAProxy; soak
# =====================================================================================
def wrk(url, seconds, connections=32, threads=2):
    if not shutil.which("wrk"):
        raise Skip("wrk is not installed")
    r = subprocess.run(["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % seconds, "-s",
                        os.path.join(ROOT, "bench", "load", "attest.lua"), url],
                       capture_output=True, text=True, env=dict(os.environ, VOUCH_LOAD_BODY=os.environ["VOUCH_LOAD_BODY"]))
    line = [x for x in r.stdout.splitlines() if x.startswith("LOAD")]
    if not line:
        raise Failed("wrk: " + r.stdout + r.stderr)
    return dict(kv.split("=") for kv in line[0].split()[1:])


def write_body(h):
    path = os.path.join(h.dir, "body.json")
    with open(path, "w") as f:
        f.write(snp_body("load"))
    os.environ["VOUCH_LOAD_BODY"] = path


def scenario_scale(h, seconds):
    pg = h.start_pg()
    store = pg + "?pool=8"
    write_body(h)
    ha_port = free_port()
    public = "http://127.0.0.1:%d" % ha_port
    nodes = [h.start_node("node%d" % i, store, public) for i in (1, 2, 3)]
    for n in nodes:
        h.wait_ready(n)
    out = {}
    one = wrk("http://127.0.0.1:%d%s" % (nodes[0]["port"], ATTEST), seconds)
    log("  1 node, direct:              %s" % one)
    out["one_direct"] = one
    # HAProxy with only node1, then with all three.
    h1 = h.start_haproxy(nodes[:1])
    r = wrk("http://127.0.0.1:%d%s" % (h1, ATTEST), seconds)
    log("  1 node behind HAProxy:       %s" % r)
    out["one_haproxy"] = r
    for name, p in list(h.procs):
        if name == "haproxy":
            h.stop(p)
    h3 = h.start_haproxy(nodes, ha_port)
    stats = "SELECT xact_commit + xact_rollback, tup_inserted, tup_updated, tup_fetched " \
            "FROM pg_stat_database WHERE datname = 'postgres'"
    before = [int(x) for x in h.psql(stats)[0].split("|")]
    r3 = wrk("http://127.0.0.1:%d%s" % (h3, ATTEST), seconds)
    time.sleep(1)  # PostgreSQL's statistics are flushed at most every second
    after = [int(x) for x in h.psql(stats)[0].split("|")]
    log("  3 nodes behind HAProxy:      %s" % r3)
    out["three_haproxy"] = r3
    n = max(1, int(r3["requests"]))
    per = [round((a - b) / n, 2) for a, b in zip(after, before)]
    log("  PostgreSQL per attestation: %.2f transactions, %.2f rows inserted, %.2f updated, "
        "%.2f fetched" % tuple(per))
    out["db_per_attestation"] = {"transactions": per[0], "inserted": per[1], "updated": per[2],
                                 "fetched": per[3]}
    ratio = float(r3["rps"]) / float(out["one_haproxy"]["rps"])
    log("  ratio 3 nodes / 1 node (both behind HAProxy): %.2f (%d cores on this machine)" % (
        ratio, os.cpu_count()))
    out["ratio"] = round(ratio, 2)
    check(int(r3["errors"]) == 0 and int(one["errors"]) == 0, "no errors under load")
    return out


def scenario_soak(h, seconds):
    pg = h.start_pg()
    store = pg + "?pool=8"
    write_body(h)
    ha_port = free_port()
    nodes = [h.start_node("node%d" % i, store, "http://127.0.0.1:%d" % ha_port) for i in (1, 2, 3)]
    for n in nodes:
        h.wait_ready(n)
    ha = h.start_haproxy(nodes, ha_port)
    samples = []
    result = {}

    def run():
        result.update(wrk("http://127.0.0.1:%d%s" % (ha, ATTEST), seconds, connections=16))

    t = threading.Thread(target=run, daemon=True)
    t.start()
    start = time.time()
    while t.is_alive():
        row = [round(time.time() - start)] + [(rss_kb(n["proc"].pid) // 1024, open_fds(n["proc"].pid))
                                              for n in nodes]
        row.append(int(h.psql("SELECT count(*) FROM pg_stat_activity WHERE datname = 'postgres'")[0]))
        samples.append(row)
        log("  t=%3ds  RSS MB / fds: %s  PostgreSQL connections: %d" % (row[0], row[1:-1], row[-1]))
        t.join(10)
    log("  wrk: %s" % result)
    check(int(result.get("errors", 1)) == 0, "no errors during the soak")
    check(all(n["proc"].poll() is None for n in nodes), "every node still running")
    if len(samples) >= 4:
        mid = samples[len(samples) // 2]
        last = samples[-1]
        for i in range(3):
            check(last[1 + i][1] <= mid[1 + i][1] + 8, "node%d: open fds stable (%d -> %d)" % (
                i + 1, mid[1 + i][1], last[1 + i][1]))
            check(last[1 + i][0] <= mid[1 + i][0] * 1.25 + 8, "node%d: RSS stable in the second half "
                  "(%d MB -> %d MB)" % (i + 1, mid[1 + i][0], last[1 + i][0]))
    audit_att = audited(h, "attestation")
    log("  audited attestations: %d" % sum(audit_att.values()))
    for n in nodes:
        h.stop(n["proc"])
    check(audit_verify(h, store_url=pg), "vouch audit verify passes")
    return {"wrk": result, "samples": samples}


SCENARIOS = {
    "cluster": scenario_cluster, "pg-restart": scenario_pg_restart,
    "sqlite-kill": scenario_sqlite_kill, "disk-full": scenario_disk_full,
    "collateral": scenario_collateral, "skew": scenario_skew, "scale": scenario_scale,
    "soak": scenario_soak,
}
ALL = ["cluster", "pg-restart", "sqlite-kill", "disk-full", "collateral", "skew", "scale"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scenario", choices=sorted(SCENARIOS) + ["all"])
    args = ap.parse_args()

    def on_signal(signum, frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    names = ALL if args.scenario == "all" else [args.scenario]
    summary = {}
    rc = 0
    for name in names:
        seconds = int(os.environ.get("SOAK_SECONDS", "600")) if name == "soak" else int(
            os.environ.get("LOAD_SECONDS", "20"))
        log("== %s" % name)
        h = None
        try:
            h = Harness(name)
            summary[name] = SCENARIOS[name](h, seconds)
            log("== %s: PASS %s" % (name, json.dumps(summary[name], default=str)))
        except Skip as e:
            log("== %s: SKIP %s" % (name, e))
            summary[name] = "skip"
            rc = rc or (SKIP if len(names) == 1 else 0)
        except Failed as e:
            log("== %s: FAIL %s" % (name, e))
            if h is not None:
                for n, _ in h.procs:
                    if n.startswith(("node", "sqlite", "disk", "collateral")):
                        log("   %s log tail:\n%s" % (n, h.tail(n)))
            summary[name] = "FAIL"
            rc = 1
        finally:
            if h is not None:
                h.close()
    log("summary: %s" % json.dumps({k: ("PASS" if isinstance(v, dict) else v) for k, v in summary.items()}))
    return rc


if __name__ == "__main__":
    sys.exit(main())
