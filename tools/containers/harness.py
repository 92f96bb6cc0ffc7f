"""`make test-containers`: build every image with podman and prove that docker-compose.yml runs.

Standard library only (podman-compose lives in its own tools venv). From the repository root:

    .venv/bin/python tools/containers/harness.py [--keep]   # --keep: leave the stack up at the end
    .venv/bin/python tools/containers/harness.py --down     # remove what --keep left

Steps (each timed): install podman & co. when missing; local stand-ins for the registry images
(no registry is reachable here) from one cached debootstrap rootfs; the project's images, built
from the same build sections as `docker compose build`; static checks of every image; the stack
started in compose's dependency order; the smoke tests in tests/containers; a restart (down
without -v, up again) and the persistence tests; then everything it made is removed except the
cached rootfs under var/containers/cache/.

podman here does not do what Docker does with a compose file (README.md beside this file), so the
harness does it: it starts containers in depends_on order, runs healthchecks itself until healthy
(`podman healthcheck run`), waits for one-off containers and checks their exit codes, waits for
aardvark-dns to answer, and stops containers with each service's stop_grace_period.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "tools" / "containers"
WORK = ROOT / "var" / "containers"
CACHE = WORK / "cache"
TOOLS_VENV = WORK / "tools-venv"
ROOTFS_TAR = CACHE / "debian-bookworm-minbase.tar"
COMPOSE_FILE = ROOT / "docker-compose.yml"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")

PROJECT = "fleet-containers-test"
IMAGE_TAG = "containers-test"
BASE_IMAGE = f"localhost/fleet-standin-base:{IMAGE_TAG}"
PODMAN_COMPOSE = "podman-compose==1.6.0"
# iptables: netavark (podman's network backend) sets up every network, a build's included, with it; Debian
# only suggests it, and without it a build fails with "netavark: No such file or directory".
APT_PACKAGES = ["podman", "buildah", "runc", "debootstrap", "netavark", "aardvark-dns", "iptables"]
DEBIAN_MIRROR = os.environ.get("DEBIAN_MIRROR", "http://deb.debian.org/debian")
HEALTHY_TIMEOUT = 180.0
DNS_TIMEOUT = 120.0
DNS_SETTLED_ROUNDS = 3  # consecutive rounds, a second apart, in which every name resolved

#: Local stand-ins for the registry images, tagged with exactly the names the project uses.
STANDINS = {
    "python": "docker.io/library/python:3.11-slim-bookworm",
    "postgres": "docker.io/library/postgres:15",
    "redis": "docker.io/library/redis:7",
    "nginx": "docker.io/library/nginx:1.22",
}
COMPILERS = ("gcc", "cc", "c++", "g++", "clang", "make", "ld")
#: On every stand-in, so a run killed before its teardown leaves images the next run knows as its own.
STANDIN_LABEL = "io.fleet.containers-harness.standin"


class HarnessError(Exception):
    pass


def say(message: str) -> None:
    print(f"containers: {message}", flush=True)


def run(argv: list[str], *, check: bool = True, capture: bool = False, env: dict | None = None,
        quiet: bool = False, **kwargs) -> subprocess.CompletedProcess:
    if not quiet:
        say("$ " + " ".join(argv))
    if "input" not in kwargs:
        kwargs["stdin"] = subprocess.DEVNULL
    result = subprocess.run(argv, text=True, env=env,
                            stdout=subprocess.PIPE if capture else None,
                            stderr=subprocess.PIPE if capture else None, **kwargs)
    if check and result.returncode != 0:
        detail = f"\n{result.stdout or ''}{result.stderr or ''}" if capture else ""
        raise HarnessError(f"`{' '.join(argv)}` exited with {result.returncode}{detail}")
    return result


@dataclass
class Timings:
    steps: list[tuple[str, float]] = field(default_factory=list)

    @contextmanager
    def step(self, name: str):
        say(f"--- {name}")
        started = time.monotonic()
        try:
            yield
        finally:
            self.steps.append((name, time.monotonic() - started))
            say(f"--- {name}: {time.monotonic() - started:.1f} s")


# --- prerequisites ---------------------------------------------------------------------------

def ensure_packages() -> None:
    """podman & co. from Debian when missing (as root), else the exact command to run."""
    missing = [p for p in APT_PACKAGES
               if run(["dpkg-query", "-W", "-f=${Status}", p], check=False, capture=True, quiet=True).stdout
               != "install ok installed"]
    if not missing:
        return
    command = f"apt-get update && apt-get install -y {' '.join(missing)}"
    if os.geteuid() != 0:
        raise HarnessError(f"missing {', '.join(missing)}; as root run: {command}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run(["apt-get", "update", "-qq"], env=env)
    run(["apt-get", "install", "-y", "-qq", *missing], env=env)


def ensure_podman_compose() -> Path:
    """podman-compose from PyPI (Debian's 1.0.3 ignores depends_on conditions silently)."""
    binary = TOOLS_VENV / "bin" / "podman-compose"
    version = run([str(binary), "--version"], check=False, capture=True, quiet=True) if binary.exists() else None
    if version is None or version.returncode != 0 or "1.6.0" not in version.stdout:
        shutil.rmtree(TOOLS_VENV, ignore_errors=True)
        run([sys.executable, "-m", "venv", str(TOOLS_VENV)])
        run([str(TOOLS_VENV / "bin" / "pip"), "install", "--quiet", PODMAN_COMPOSE])
    return binary


def podman_env() -> dict[str, str]:
    """containers.conf for this machine kind (runc, ulimits); the gateway's port; our image tag."""
    env = dict(os.environ)
    env["CONTAINERS_CONF"] = str(HERE / "containers.conf")
    env["FLEET_IMAGE_TAG"] = IMAGE_TAG
    return env


# --- images ----------------------------------------------------------------------------------

class Podman:
    def __init__(self, env: dict[str, str]):
        self.env = env

    def __call__(self, *args: str, check: bool = True, capture: bool = False, quiet: bool = False, **kwargs):
        return run(["podman", *args], check=check, capture=capture, env=self.env, quiet=quiet, **kwargs)

    def image_exists(self, name: str) -> bool:
        return self("image", "exists", name, check=False, quiet=True).returncode == 0

    def image_ids(self) -> set[str]:
        return set(self("images", "--all", "--quiet", "--no-trunc", capture=True, quiet=True).stdout.split())

    def inspect_image(self, name: str) -> dict:
        return json.loads(self("image", "inspect", name, capture=True, quiet=True).stdout)[0]

    def healthcheck(self, name: str) -> list[str]:
        """The image's HEALTHCHECK test (podman reports it beside Config, not inside it)."""
        info = self.inspect_image(name)
        return (info.get("Healthcheck") or info["Config"].get("Healthcheck") or {}).get("Test") or []

    def build(self, *args: str) -> None:
        # docker format keeps HEALTHCHECK (OCI drops it); no layer cache, so no intermediate images
        # are left behind; never pull: every base is local.
        self("build", "--format", "docker", "--layers=false", "--pull=never", *args)


def ensure_rootfs() -> None:
    """One minimal Debian bookworm rootfs for every stand-in, cached as a tarball between runs."""
    if ROOTFS_TAR.exists():
        say(f"rootfs: cached {ROOTFS_TAR.relative_to(ROOT)}")
        return
    CACHE.mkdir(parents=True, exist_ok=True)
    rootfs = WORK / "rootfs"
    shutil.rmtree(rootfs, ignore_errors=True)
    run(["debootstrap", "--variant=minbase", "bookworm", str(rootfs), DEBIAN_MIRROR])
    # Like Debian's own container images: no apt caches, documentation or translations, and
    # dpkg told to keep them out of every later install; apt installs no recommends.
    for pattern in ("var/cache/apt/archives/*.deb", "var/cache/apt/*.bin", "var/lib/apt/lists/*",
                    "usr/share/doc/*", "usr/share/man/*", "usr/share/info/*", "usr/share/locale/*"):
        for path in rootfs.glob(pattern):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            elif path.name != "lock":
                path.unlink()
    (rootfs / "etc/dpkg/dpkg.cfg.d/container-excludes").write_text(
        "path-exclude /usr/share/doc/*\npath-include /usr/share/doc/*/copyright\n"
        "path-exclude /usr/share/man/*\npath-exclude /usr/share/info/*\n"
        "path-exclude /usr/share/locale/*\npath-include /usr/share/locale/locale.alias\n")
    (rootfs / "etc/apt/apt.conf.d/90container").write_text(
        'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\nAcquire::Languages "none";\n')
    partial = ROOTFS_TAR.with_suffix(".partial")
    run(["tar", "-C", str(rootfs), "--numeric-owner", "-cf", str(partial), "."])
    partial.rename(ROOTFS_TAR)
    shutil.rmtree(rootfs)


def find_cpython_311() -> Path:
    """A CPython 3.11 (>= 3.11.3) built on this machine kind, to carry into the python stand-in.

    Debian bookworm's python3.11 is 3.11.2, for which the service locks are incomplete (redis
    needs async-timeout below 3.11.3); python:3.11-slim-bookworm is CPython 3.11 compiled from
    source into /usr/local on bookworm, and so is this machine's pyenv build.
    """
    candidates = [Path(sys.base_prefix)] if sys.version_info[:2] == (3, 11) else []
    candidates += sorted(Path.home().glob(".pyenv/versions/3.11.*"), reverse=True)
    for prefix in candidates:
        python = prefix / "bin" / "python3.11"
        if not python.exists():
            continue
        out = run([str(python), "-c", "import sys; print(*sys.version_info[:3])"], capture=True, quiet=True)
        major, minor, micro = map(int, out.stdout.split())
        if (major, minor) == (3, 11) and micro >= 3:
            return prefix
    raise HarnessError("no CPython 3.11.3+ found (this interpreter or ~/.pyenv/versions/3.11.*) "
                       "for the python stand-in")


def cpython_tarball(prefix: Path, target: Path) -> None:
    """The interpreter, its standard library and headers; no site-packages, tests, IDLE or Tk, no
    .pyc (the official image strips the same)."""
    skip_dirs = {"site-packages", "test", "tests", "idle_test", "idlelib", "tkinter", "turtledemo", "__pycache__"}

    def keep(info: tarfile.TarInfo):
        parts = Path(info.name).parts
        if any(part in skip_dirs for part in parts[:-1]) or (info.isdir() and parts[-1] in skip_dirs - {"site-packages"}):
            return None
        if info.name.endswith((".pyc", ".a")) or "_tkinter" in parts[-1]:
            return None
        return info

    with tarfile.open(target, "w") as tar:
        tar.add(prefix / "bin" / "python3.11", arcname="bin/python3.11")
        for folder in ("include", "lib"):
            tar.add(prefix / folder, arcname=folder, filter=keep)


def build_standins(podman: Podman, built: list[str]) -> None:
    """Import the rootfs, then each stand-in on top of it. A tag that already exists without our
    label is kept as it is (and not removed at the end): it is not ours."""
    podman("import", "--quiet", str(ROOTFS_TAR), BASE_IMAGE)
    built.append(BASE_IMAGE)
    context = WORK / "build" / "standins"
    shutil.rmtree(context, ignore_errors=True)
    shutil.copytree(HERE / "standins", context)
    for name, tag in STANDINS.items():
        if podman.image_exists(tag):
            if STANDIN_LABEL not in (podman.inspect_image(tag).get("Labels") or {}):
                say(f"stand-in {name}: {tag} exists and is not one of ours; using it")
                continue
            podman("rmi", tag, check=False, capture=True)  # left by a run that was killed: rebuild
        if name == "python":
            prefix = find_cpython_311()
            say(f"stand-in python: CPython from {prefix}")
            cpython_tarball(prefix, context / "cpython.tar")
        podman.build("--quiet", "--label", f"{STANDIN_LABEL}=true", "--build-arg", f"BASE={BASE_IMAGE}",
                     "-f", str(context / f"{name}.Containerfile"), "-t", tag, str(context))
        built.append(tag)
    shutil.rmtree(context)


def check_image(podman: Podman, image: str, *, service: str) -> list[str]:
    """Facts every project image must show; returns the problems found."""
    config = podman.inspect_image(image)["Config"]
    problems = []
    user = (config.get("User") or "").split(":")[0]
    if user in ("", "0", "root"):
        problems.append(f"{image}: runs as root (USER {user or 'unset'})")
    if podman.healthcheck(image) in ([], ["NONE"]):
        problems.append(f"{image}: no HEALTHCHECK")
    if not config.get("StopSignal"):
        problems.append(f"{image}: no STOPSIGNAL")
    found = podman("run", "--rm", "--network=none", "--entrypoint", "sh", image, "-c",
                   f"for c in {' '.join(COMPILERS)}; do command -v $c; done; true", capture=True, quiet=True).stdout.split()
    if found:
        problems.append(f"{image}: has compilers/build tools: {' '.join(found)}")
    if service in ("auth", "customers"):
        env = dict(item.split("=", 1) for item in config.get("Env") or [])
        for name in ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED"):
            if env.get(name) != "1":
                problems.append(f"{image}: {name} is not 1")
        # Production refuses to start without its secrets: no default key hides in the image.
        refused = podman("run", "--rm", "--network=none", image, "python", "manage.py", "check",
                         check=False, capture=True, quiet=True)
        if refused.returncode == 0 or "DJANGO_SECRET_KEY" not in refused.stderr:
            problems.append(f"{image}: started without DJANGO_SECRET_KEY (exit {refused.returncode})")
        else:
            say(f"{image}: refuses to start without DJANGO_SECRET_KEY, as it should")
    return problems


# --- the stack -------------------------------------------------------------------------------

class Stack:
    """docker-compose.yml under podman-compose, with the start order and conditions done here."""

    def __init__(self, podman: Podman, compose: Path, env_file: Path, port: int):
        self.podman = podman
        self.env = {**podman.env, "GATEWAY_PORT": str(port), "GATEWAY_BIND": "127.0.0.1"}
        self.base = [str(compose), "--env-file", str(env_file), "-p", PROJECT, "-f", str(COMPOSE_FILE)]
        self.services = self._config()

    def compose(self, *args: str, capture: bool = False, check: bool = True):
        return run([*self.base, *args], env=self.env, capture=capture, check=check)

    def _config(self) -> dict:
        """The interpolated compose file as JSON (podman-compose's venv has PyYAML)."""
        yaml_text = self.compose("config", capture=True).stdout
        python = TOOLS_VENV / "bin" / "python"
        out = run([str(python), "-c", "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)"],
                  input=yaml_text, capture=True, quiet=True)
        return json.loads(out.stdout)["services"]

    def container(self, service: str) -> str:
        names = self.podman("ps", "--all", "--format", "{{.Names}}",
                            "--filter", f"label=io.podman.compose.project={PROJECT}",
                            "--filter", f"label=com.docker.compose.service={service}",
                            capture=True, quiet=True).stdout.split()
        if len(names) != 1:
            raise HarnessError(f"expected one container for {service}, found {names}")
        return names[0]

    def dependencies(self, service: str) -> dict[str, str]:
        depends = self.services[service].get("depends_on") or {}
        if isinstance(depends, list):
            return {name: "service_started" for name in depends}
        return {name: spec.get("condition", "service_started") for name, spec in depends.items()}

    def waves(self) -> list[list[str]]:
        """Services grouped so each group's dependencies are all in earlier groups."""
        done: set[str] = set()
        waves = []
        while len(done) < len(self.services):
            wave = sorted(s for s in self.services if s not in done and set(self.dependencies(s)) <= done)
            if not wave:
                raise HarnessError(f"depends_on cycle among {set(self.services) - done}")
            waves.append(wave)
            done.update(wave)
        return waves

    def conditions_needed(self, service: str) -> set[str]:
        return {cond for other in self.services for dep, cond in self.dependencies(other).items() if dep == service}

    def up(self) -> None:
        """Create everything without starting it, then start wave by wave, honouring conditions."""
        self.compose("up", "--no-start", "--no-deps")
        for wave in self.waves():
            say(f"starting {', '.join(wave)}")
            self.podman("start", *(self.container(s) for s in wave), capture=True)
            for service in wave:
                needed = self.conditions_needed(service)
                if "service_completed_successfully" in needed or self._is_one_off(service):
                    self.wait_completed(service)
                elif self._has_healthcheck(service):
                    self.wait_healthy(service)
        self.wait_for_dns()

    def _is_one_off(self, service: str) -> bool:
        return self.services[service].get("restart") == "no"

    def _has_healthcheck(self, service: str) -> bool:
        check = self.services[service].get("healthcheck")
        if check is not None:
            return not check.get("disable")
        return self.podman.healthcheck(self.services[service]["image"]) not in ([], ["NONE"])

    def wait_completed(self, service: str) -> None:
        name = self.container(service)
        code = int(self.podman("wait", name, capture=True, quiet=True).stdout.strip())
        if code != 0:
            self.dump_logs([service])
            raise HarnessError(f"{service} (one-off) exited with {code}")
        say(f"{service}: completed, exit 0")

    def wait_healthy(self, service: str) -> None:
        """podman schedules healthchecks with systemd timers, absent here: run them until healthy."""
        name = self.container(service)
        started = time.monotonic()
        while True:
            if self.podman("healthcheck", "run", name, check=False, capture=True, quiet=True).returncode == 0:
                say(f"{service}: healthy after {time.monotonic() - started:.1f} s")
                return
            state = json.loads(self.podman("inspect", name, capture=True, quiet=True).stdout)[0]["State"]
            if not state["Running"]:
                self.dump_logs([service])
                raise HarnessError(f"{service} exited with {state['ExitCode']} before it was healthy")
            if time.monotonic() - started > HEALTHY_TIMEOUT:
                self.dump_logs([service])
                raise HarnessError(f"{service} not healthy within {HEALTHY_TIMEOUT:.0f} s")
            time.sleep(1)

    def wait_for_dns(self) -> None:
        """aardvark-dns 1.4 (podman 4.3) rebinds on every container start on its network and can then
        stop answering for half a minute: a service would wait that long to reach its database. Wait
        until every service name resolves inside each app container, several rounds running."""
        names = [s for s in self.services if not self._is_one_off(s)]
        apps = [self.container(s) for s in names if "build" in self.services[s]]
        lookups = " ".join(f"getent hosts {name} >/dev/null &&" for name in names) + " true"
        started = time.monotonic()
        settled: list[float] = []  # when each round of the current run of good rounds began
        while len(settled) < DNS_SETTLED_ROUNDS:
            round_started = time.monotonic()
            settled = settled + [round_started] if all(self._resolves(app, lookups) for app in apps) else []
            if time.monotonic() - started > DNS_TIMEOUT:
                raise HarnessError(f"service names did not resolve inside the network within {DNS_TIMEOUT:.0f} s")
            if len(settled) < DNS_SETTLED_ROUNDS:
                time.sleep(1)
        waited = settled[0] - started
        say("service names resolve inside the network" + (
            f", after {waited:.1f} s in which aardvark-dns did not answer" if waited >= 0.5 else " at once"))

    def _resolves(self, container: str, lookups: str) -> bool:
        try:
            return self.podman("exec", container, "sh", "-c", lookups, check=False, capture=True, quiet=True,
                               timeout=2).returncode == 0
        except subprocess.TimeoutExpired:
            return False

    def stop(self) -> dict[str, tuple[int, float]]:
        """Stop running containers in reverse start order, each with its stop_grace_period (which
        podman-compose 1.6.0 does not pass to podman); returns exit code and seconds for each."""
        results = {}
        for wave in reversed(self.waves()):
            for service in wave:
                name = self.container(service)
                state = json.loads(self.podman("inspect", name, capture=True, quiet=True).stdout)[0]["State"]
                if not state["Running"]:
                    continue
                grace = parse_duration(self.services[service].get("stop_grace_period", "10s"))
                started = time.monotonic()
                self.podman("stop", "--time", str(int(grace)), name, capture=True)
                seconds = time.monotonic() - started
                code = json.loads(self.podman("inspect", name, capture=True, quiet=True).stdout)[0]["State"]["ExitCode"]
                results[service] = (code, seconds)
                say(f"{service}: stopped in {seconds:.1f} s, exit {code}")
        return results

    def down(self, *, volumes: bool) -> None:
        self.compose("down", *(["--volumes"] if volumes else []), capture=True, check=False)

    def volumes(self) -> list[str]:
        return self.podman("volume", "ls", "--quiet", "--filter", f"label=io.podman.compose.project={PROJECT}",
                           capture=True, quiet=True).stdout.split()

    def leftovers(self) -> list[str]:
        containers = self.podman("ps", "--all", "--quiet", "--filter", f"label=io.podman.compose.project={PROJECT}",
                                 capture=True, quiet=True).stdout.split()
        networks = [n for n in self.podman("network", "ls", "--format", "{{.Name}}", capture=True, quiet=True).stdout.split()
                    if n.startswith(PROJECT)]
        return [f"container {c}" for c in containers] + [f"volume {v}" for v in self.volumes()] + \
               [f"network {n}" for n in networks]

    def check_redis(self) -> None:
        """Redis refuses a client without its password, and both services counted in it (their databases)."""
        redis = self.container("redis")
        refused = self.podman("exec", "--env", "REDISCLI_AUTH=", redis, "redis-cli", "ping", capture=True,
                              check=False, quiet=True)
        if "NOAUTH" not in refused.stdout + refused.stderr:
            raise HarnessError(f"Redis answered a client without its password: {refused.stdout.strip()!r}")
        for service, database in (("auth", "0"), ("customers", "1")):
            keys = self.podman("exec", redis, "redis-cli", "-n", database, "dbsize", capture=True, quiet=True)
            if int(keys.stdout.strip() or 0) == 0:
                raise HarnessError(f"no throttle counter of {service} in Redis database {database}")
            logs = self.podman("logs", self.container(service), capture=True, quiet=True)
            if "throttle_store_unavailable" in logs.stdout + logs.stderr:
                raise HarnessError(f"{service} could not use Redis (throttle_store_unavailable in its log)")
        say("Redis: a client without the password is refused; auth and customers count in it")

    def dump_logs(self, services: list[str] | None = None) -> None:
        for service in services or list(self.services):
            try:
                name = self.container(service)
            except HarnessError:
                continue
            print(f"----- logs of {service} (last 40 lines) -----", flush=True)
            self.podman("logs", "--tail", "40", name, check=False, quiet=True)


def parse_duration(value) -> float:
    """Compose durations: 40s, 1m30s, 500ms, or a number of seconds."""
    if isinstance(value, (int, float)):
        return float(value)
    total, number = 0.0, ""
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001, "us": 1e-6}
    i = 0
    while i < len(value):
        if value[i].isdigit() or value[i] == ".":
            number += value[i]
            i += 1
            continue
        unit = value[i:i + 2] if value[i:i + 2] in units else value[i]
        total += float(number) * units[unit]
        number, i = "", i + len(unit)
    return total + (float(number) if number else 0.0)


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def pytest(marker: str, *, gateway: str, state_file: Path) -> None:
    env = {**os.environ, "CONTAINERS_GATEWAY_URL": gateway, "CONTAINERS_STATE_FILE": str(state_file),
           "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    python = ROOT / ".venv" / "bin" / "python"
    run([str(python if python.exists() else sys.executable), "-m", "pytest", "-p", "no:cacheprovider", "-q",
         "-m", marker, "tests/containers"], cwd=ROOT, env=env)


# --- main ------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the images and run docker-compose.yml under podman.")
    parser.add_argument("--keep", action="store_true", help="leave the stack running (and the images) at the end, even after a failure")
    parser.add_argument("--down", action="store_true", help="only remove what --keep left: the stack, its volumes, its images")
    args = parser.parse_args(argv)
    port = int(os.environ.get("CONTAINERS_TEST_PORT", "8080"))
    if args.down:
        return 0 if remove_kept(port) else 1
    timings = Timings()
    started = time.monotonic()
    built: list[str] = []
    sizes: list[tuple[str, str]] = []
    stack: Stack | None = None
    podman: Podman | None = None
    ok = False
    images_before: set[str] = set()
    try:
        with timings.step("prerequisites"):
            ensure_packages()
            compose = ensure_podman_compose()
            podman = Podman(podman_env())
            images_before = podman.image_ids()
            if not port_is_free(port):
                raise HarnessError(f"port {port} is busy; set CONTAINERS_TEST_PORT to a free one")
            stack = Stack(podman, compose, test_env(fresh=True), port)
            if stack.leftovers():
                say(f"removing what an earlier run left: {stack.leftovers()}")
                stack.down(volumes=True)
        with timings.step("Debian rootfs (debootstrap, or the cached tarball)"):
            ensure_rootfs()
        with timings.step("stand-in base images"):
            build_standins(podman, built)
        with timings.step("project images (podman-compose build)"):
            build_args = f"--format docker --layers=false -v {HOST_CA_BUNDLE}:/etc/ssl/certs/ca-certificates.crt:ro"
            stack.compose("--podman-build-args", build_args, "build", "--pull", "never")
            built += [s["image"] for s in stack.services.values() if "build" in s]
        with timings.step("image checks"):
            problems = []
            for service, spec in stack.services.items():
                if "build" in spec:
                    problems += check_image(podman, spec["image"], service=service)
            if problems:
                raise HarnessError("image checks failed:\n  " + "\n  ".join(problems))
            say("every project image: non-root, HEALTHCHECK, STOPSIGNAL, no compiler")
        gateway = f"http://127.0.0.1:{port}"
        state_file = WORK / "persistence-state.json"
        state_file.unlink(missing_ok=True)
        with timings.step("up (create, then start in depends_on order)"):
            stack.up()
        with timings.step("smoke tests through the gateway"):
            pytest("not after_restart", gateway=gateway, state_file=state_file)
            stack.check_redis()
        with timings.step("restart: stop gracefully, down (volumes kept), up"):
            stopped = stack.stop()
            bad = {s: r for s, r in stopped.items() if r[0] != 0}
            if bad:
                raise HarnessError(f"not a clean graceful stop (exit codes): {bad}")
            stack.down(volumes=False)
            kept = stack.volumes()
            say(f"volumes kept across down: {', '.join(kept)}")
            if len(kept) != 4:
                raise HarnessError(f"expected the 4 named volumes to survive `down`, found {kept}")
            stack.up()
        with timings.step("persistence tests"):
            pytest("after_restart", gateway=gateway, state_file=state_file)
        ok = True
    except HarnessError as exc:
        say(f"FAILED: {exc}")
        if stack is not None:
            stack.dump_logs()
    except KeyboardInterrupt:
        say("interrupted")
    finally:
        if podman is not None:
            for image in built:
                if podman.image_exists(image):
                    size = podman("images", "--format", "{{.Size}}", image, capture=True, quiet=True).stdout.strip()
                    sizes.append((image, size))
            if args.keep:  # also after a failure: that is when one wants to look inside
                say(f"--keep: the stack is up on http://127.0.0.1:{port}; remove it with `make down-podman`")
            else:
                with timings.step("teardown"):
                    ok = teardown(podman, stack, built, images_before) and ok
    print("\n== make test-containers ==", flush=True)
    for name, seconds in timings.steps:
        print(f"  {name:<50} {seconds:7.1f} s")
    print(f"  {'total (wall time)':<50} {time.monotonic() - started:7.1f} s")
    if sizes:
        print("  image sizes (podman images):")
        for image, size in sizes:
            print(f"    {image:<50} {size}")
    print(f"== {'passed' if ok else 'FAILED'} ==", flush=True)
    return 0 if ok else 1


def test_env(*, fresh: bool) -> Path:
    """The stack's .env, written as the README's `make env` does; `fresh`: new secrets even if one exists."""
    WORK.mkdir(parents=True, exist_ok=True)
    env_file = WORK / "test.env"
    if fresh:
        env_file.unlink(missing_ok=True)
    # A kept one gains the secrets added since; the script's advice is for `make env`'s .env, not this file.
    run([sys.executable, str(HERE / "write_env.py"), "--output", str(env_file)], capture=True, quiet=True)
    return env_file


def remove_kept(port: int) -> bool:
    """`--down`: what a `--keep` run left (containers, network, volumes, the images it built) goes."""
    podman = Podman(podman_env())
    # podman-compose reads the compose file's required variables even to remove: any secrets will do.
    stack = Stack(podman, ensure_podman_compose(), test_env(fresh=False), port)
    standins = [tag for tag in STANDINS.values()
                if podman.image_exists(tag) and STANDIN_LABEL in (podman.inspect_image(tag).get("Labels") or {})]
    built = [BASE_IMAGE, *standins, *(spec["image"] for spec in stack.services.values() if "build" in spec)]
    return teardown(podman, stack, built, podman.image_ids())


def teardown(podman: Podman, stack: Stack | None, built: list[str], images_before: set[str]) -> bool:
    """Remove our containers, network, volumes and images; keep only the cached rootfs tarball."""
    if stack is not None:
        stack.down(volumes=True)
    for image in reversed(built):
        if podman.image_exists(image):
            podman("rmi", image, check=False, capture=True)
    # Untagged images our builds made (none expected with --layers=false, but be sure).
    for image_id in podman.image_ids() - images_before:
        podman("rmi", image_id, check=False, capture=True, quiet=True)
    shutil.rmtree(WORK / "build", ignore_errors=True)
    for leftover in ("test.env", "persistence-state.json"):
        (WORK / leftover).unlink(missing_ok=True)
    left = (stack.leftovers() if stack else []) + [f"image {i}" for i in podman.image_ids() - images_before]
    if left:
        say(f"teardown left: {left}")
        return False
    say("teardown: no container, volume, network or image of this run is left")
    return True


if __name__ == "__main__":
    sys.exit(main())
