"""Packaging: the systemd unit (systemd-analyze verify), `make install`
(DESTDIR, PREFIX, file modes, a config never overwritten), and the
sd_notify protocol of `dagd serve` (READY, RELOADING, WATCHDOG, STOPPING)
over a unix datagram socket standing in for systemd's $NOTIFY_SOCKET."""
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import time
import uuid

import pytest

from conftest import DAGD, JOB, ROOT

BUILD = os.environ.get("BUILD", "build")


def make_install(destdir, prefix="/usr/local"):
    for b in ("dagd", "dagd-job", "dagd-sql"):
        if not os.path.exists(os.path.join(ROOT, BUILD, b)):
            pytest.skip("%s/%s is not built" % (BUILD, b))
    # -o all: install what is built (under `make san` too), never rebuild here
    r = subprocess.run(["make", "--no-print-directory", "-o", "all", "install",
                        "BUILD=" + BUILD, "DESTDIR=" + str(destdir), "PREFIX=" + prefix],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    return r


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_make_install_layout_and_modes(tmp_path):
    dest = tmp_path / "root"
    make_install(dest)
    pre = dest / "usr/local"
    for b in ("dagd", "dagd-job", "dagd-sql"):
        assert mode(pre / "bin" / b) == 0o755, b
    unit = pre / "lib/systemd/system/dagd.service"
    assert mode(unit) == 0o644
    assert mode(pre / "lib/sysusers.d/dagd.conf") == 0o644
    assert mode(dest / "etc/dagd/dagd.yaml") == 0o644
    assert mode(dest / "etc/dagd/dags") == 0o755
    assert mode(pre / "share/dagd/examples/config/dags/hello.yaml") == 0o644
    assert (pre / "share/dagd/examples/sql/etl/example/daily_totals.sql").is_file()
    text = unit.read_text()
    assert "ExecStart=/usr/local/bin/dagd serve --config /etc/dagd/dagd.yaml\n" in text
    assert "\nType=notify\n" in text and "\nKillMode=process\n" in text
    # the installed binaries check the installed examples against the installed config
    r = subprocess.run([str(pre / "bin/dagd"), "check", "--config", str(dest / "etc/dagd/dagd.yaml"),
                        str(pre / "share/dagd/examples/config/dags")], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    n = len([f for f in os.listdir(os.path.join(ROOT, "config/dags")) if f.endswith(".yaml")])
    assert "%d files checked: %d ok" % (n, n) in r.stdout, r.stdout

    # a second install never overwrites the admin's config
    (dest / "etc/dagd/dagd.yaml").write_text("# mine\n")
    make_install(dest)
    assert (dest / "etc/dagd/dagd.yaml").read_text() == "# mine\n"


def test_make_install_prefix_rewrites_the_unit(tmp_path):
    dest = tmp_path / "root"
    make_install(dest, prefix="/usr")
    unit = dest / "usr/lib/systemd/system/dagd.service"
    assert "ExecStart=/usr/bin/dagd serve --config /etc/dagd/dagd.yaml\n" in unit.read_text()
    assert "/usr/local/" not in unit.read_text()
    assert mode(dest / "usr/bin/dagd") == 0o755


def test_systemd_analyze_verify(tmp_path):
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze not installed (apt-get install systemd; make deps does)")
    dest = tmp_path / "root"
    make_install(dest)
    # verify insists that ExecStart exists: point it at the DESTDIR copy
    text = (dest / "usr/local/lib/systemd/system/dagd.service").read_text()
    unit = tmp_path / "dagd.service"
    unit.write_text(text.replace("/usr/local/bin/", str(dest / "usr/local/bin") + "/"))
    r = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0 and not r.stdout.strip() and not r.stderr.strip(), r.stdout + r.stderr
    # and the sysusers file parses, creating the user in a throwaway root
    if shutil.which("systemd-sysusers"):
        (dest / "etc").mkdir(exist_ok=True)
        r = subprocess.run(["systemd-sysusers", "--root=" + str(dest),
                            str(dest / "usr/local/lib/sysusers.d/dagd.conf")],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        assert "dagd:x:" in (dest / "etc/passwd").read_text()


def test_dockerfile_runtime_packages_cover_the_binaries():
    """Every library dagd and dagd-sql link (DT_NEEDED) comes from a package
    the runtime stage of systemd/Dockerfile installs."""
    for tool in ("objdump", "ldd", "dpkg"):
        if not shutil.which(tool):
            pytest.skip("%s not installed" % tool)
    text = open(os.path.join(ROOT, "systemd/Dockerfile")).read()
    m = re.search(r'ARG RUNTIME_PACKAGES="([^"]*)"', text)
    assert m, "no ARG RUNTIME_PACKAGES in systemd/Dockerfile"
    runtime = set(m.group(1).replace("\\\n", " ").split()) | {"libc6"}
    missing = []
    for b in ("dagd", "dagd-sql"):
        path = os.path.join(ROOT, BUILD, b)
        if not os.path.exists(path):
            pytest.skip("%s/%s is not built" % (BUILD, b))
        dump = subprocess.run(["objdump", "-p", path], capture_output=True, text=True).stdout
        needed = re.findall(r"^\s*NEEDED\s+(\S+)", dump, re.M)
        where = dict(re.findall(r"^\s*(\S+) => (/\S+)", subprocess.run(
            ["ldd", path], capture_output=True, text=True).stdout, re.M))
        for so in needed:
            if re.match(r"lib(asan|ubsan|lsan)", so):  # a sanitizer build
                continue
            real = os.path.realpath(where[so])
            pkg = None
            for cand in (real, real[4:] if real.startswith("/usr/") else "/usr" + real):
                r = subprocess.run(["dpkg", "-S", cand], capture_output=True, text=True)
                if r.returncode == 0:
                    pkg = r.stdout.split(":")[0]
                    break
            assert pkg, "no package owns %s (%s)" % (so, real)
            if pkg not in runtime:
                missing.append("%s: %s (%s)" % (b, so, pkg))
    assert not missing, "add to RUNTIME_PACKAGES in systemd/Dockerfile: " + ", ".join(missing)


def test_docker_compose_config_validates():
    text = open(os.path.join(ROOT, "docker-compose.yml")).read()
    assert "dockerfile: systemd/Dockerfile" in text
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"],
                                                 capture_output=True).returncode == 0:
        cmd = ["docker", "compose"]
    elif shutil.which("docker-compose"):
        cmd = ["docker-compose"]
    else:
        pytest.skip("neither `docker compose` nor docker-compose is installed")
    r = subprocess.run(cmd + ["-f", os.path.join(ROOT, "docker-compose.yml"), "config", "-q"],
                       capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr


class Notify:
    """A unix datagram socket that plays systemd's notify socket."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.seen = []

    def recv(self, timeout):
        self.sock.settimeout(timeout)
        try:
            msg = self.sock.recv(4096).decode()
        except socket.timeout:
            return None
        self.seen.append(msg)
        return msg

    def expect(self, line, timeout=10, skip_watchdog=True):
        """The next message that is not a WATCHDOG=1 ping must hold LINE."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            msg = self.recv(max(0.01, deadline - time.time()))
            if msg is None:
                break
            if skip_watchdog and msg == "WATCHDOG=1":
                continue
            assert line in msg.split("\n"), "expected %s, got %r (all: %r)" % (line, msg, self.seen)
            return msg
        raise AssertionError("no %s in %ss; got %r" % (line, timeout, self.seen))

    def close(self):
        self.sock.close()


def start_serve(d, env_extra):
    env = dict(os.environ, DAGD_JOB_BIN=JOB)
    for k in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"):
        env.pop(k, None)
    env.update(env_extra)
    d.proc = subprocess.Popen([DAGD, "serve", "--config", d.config],
                              stdout=d.log, stderr=d.log, env=env)
    return d.proc


ENV_DAG = """
dag: envdump
schedule: none
start_date: 2026-01-01
tasks:
  dump:
    shell: env | sort
"""


def test_sd_notify_ready_reload_watchdog_stopping(daemon, tmp_path):
    d = daemon()
    d.write_dag("envdump", ENV_DAG)
    path = str(tmp_path / "notify.sock")
    n = Notify(path)
    try:
        proc = start_serve(d, {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "200000"})
        n.expect("READY=1")
        d.wait_ready()

        # WATCHDOG=1 every 100 ms (half of WATCHDOG_USEC): at least twice a second
        pings, deadline = 0, time.time() + 1.0
        while time.time() < deadline:
            msg = n.recv(max(0.01, deadline - time.time()))
            if msg == "WATCHDOG=1":
                pings += 1
            elif msg is not None:
                raise AssertionError("unexpected %r" % msg)
        assert pings >= 2, (pings, n.seen)

        proc.send_signal(signal.SIGHUP)
        msg = n.expect("RELOADING=1")
        assert any(l.startswith("MONOTONIC_USEC=") for l in msg.split("\n")), msg
        n.expect("READY=1")

        # tasks do not inherit the notify socket or the watchdog
        run = d.trigger("envdump")
        assert d.wait_run("envdump", run["run_id"])["state"] == "success"
        log = d.log_of("envdump", run["run_id"], "dump")
        assert "PATH=" in log
        for k in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"):
            assert k + "=" not in log, log

        proc.send_signal(signal.SIGTERM)
        n.expect("STOPPING=1")
        assert proc.wait(timeout=15) == 0, d.daemon_log()
    finally:
        n.close()


def test_sd_notify_abstract_socket_and_foreign_watchdog(daemon):
    d = daemon()
    name = "dagd-test-%s" % uuid.uuid4().hex
    n = Notify("\0" + name)
    try:
        # WATCHDOG_PID names another process: the watchdog is not ours
        proc = start_serve(d, {"NOTIFY_SOCKET": "@" + name, "WATCHDOG_USEC": "100000",
                               "WATCHDOG_PID": "1"})
        n.expect("READY=1", skip_watchdog=False)
        assert n.recv(0.5) is None, n.seen
        proc.send_signal(signal.SIGTERM)
        n.expect("STOPPING=1", skip_watchdog=False)
        assert proc.wait(timeout=15) == 0
    finally:
        n.close()


def test_serve_without_notify_socket_is_quiet(daemon):
    # no NOTIFY_SOCKET (a terminal, or docker): nothing is sent, serve works
    d = daemon()
    start_serve(d, {"WATCHDOG_USEC": "100000"})
    d.wait_ready()
    d.proc.send_signal(signal.SIGTERM)
    assert d.proc.wait(timeout=15) == 0
