"""A local PostgreSQL cluster with one database and one role per service, run as the postgres user when root."""

from __future__ import annotations

import os
import pwd
import re
import shlex
import signal
import stat
import subprocess
from pathlib import Path

from .config import SERVICES, FleetConfig
from .errors import FleetError
from .processes import child_pids, find_binary, make_dirs, run_checked, say, tail

MIN_MAJOR = 15
SOCKET_PATH_MAX = 107  # sun_path is 108 bytes with the trailing NUL


def find_pg_bin(config: FleetConfig) -> Path:
    """The configured bin dir, else the one matching an existing cluster, else the newest 15+."""
    if config.pg_bin:
        candidates = [config.pg_bin]
    else:
        installed = {}
        for path in Path("/usr/lib/postgresql").glob("*/bin"):
            if path.parent.name.isdigit() and int(path.parent.name) >= MIN_MAJOR:
                installed[int(path.parent.name)] = path
        version_file = config.postgres_data / "PG_VERSION"
        try:
            cluster_major = int(version_file.read_text().strip())
        except (OSError, ValueError):
            cluster_major = None
        if cluster_major in installed:
            candidates = [installed[cluster_major]]
        else:
            candidates = [installed[major] for major in sorted(installed, reverse=True)]
            pg_ctl = find_binary("pg_ctl")
            if pg_ctl:
                candidates.append(Path(pg_ctl).parent)
    for candidate in candidates:
        if (candidate / "pg_ctl").exists() and (candidate / "initdb").exists():
            return candidate
    raise FleetError(f"PostgreSQL {MIN_MAJOR}+ server binaries not found (looked in /usr/lib/postgresql/*/bin "
                     "and PATH); install them (Debian: apt-get install -y postgresql) or set FleetConfig.pg_bin")


def _can_traverse(path: Path, user: pwd.struct_passwd) -> bool:
    st = path.stat()
    if user.pw_uid == st.st_uid:
        return bool(st.st_mode & stat.S_IXUSR)
    if st.st_gid in os.getgrouplist(user.pw_name, user.pw_gid):
        return bool(st.st_mode & stat.S_IXGRP)
    return bool(st.st_mode & stat.S_IXOTH)


class Postgres:
    """initdb once, pg_ctl start/stop, and idempotent provisioning of roles and databases."""

    def __init__(self, config: FleetConfig) -> None:
        self.config = config
        self.as_root = os.geteuid() == 0
        self.started = False
        self._bin: Path | None = None

    # --- plumbing ----------------------------------------------------------------------------
    @property
    def bin(self) -> Path:
        if self._bin is None:
            self._bin = find_pg_bin(self.config)
        return self._bin

    def _owner(self) -> pwd.struct_passwd:
        try:
            return pwd.getpwnam("postgres")
        except KeyError:
            raise FleetError("running as root, but there is no 'postgres' user to run PostgreSQL as "
                             "(Postgres refuses to run as root); install postgresql or run as a normal user") from None

    def _argv(self, tool: str, *args: str) -> list[str]:
        """Postgres refuses to run as root: as root, run its tools as the postgres user."""
        argv = [str(self.bin / tool), *args]
        if self.as_root:
            runuser = find_binary("runuser") or "runuser"
            argv = [runuser, "-u", "postgres", "--", *argv]
        return argv

    def _env(self) -> dict:
        """No PG* variables from the caller: every connection parameter is explicit."""
        env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        env.setdefault("LANG", "C.UTF-8")
        return env

    def _run(self, tool: str, *args: str, what: str, input: str | None = None) -> str:
        # cwd: a directory the postgres user may enter (root's cwd usually is not).
        return run_checked(self._argv(tool, *args), what=what, cwd=self.config.postgres_dir,
                           env=self._env(), input=input)

    def _chown(self, path: Path) -> None:
        if self.as_root:
            owner = self._owner()
            os.chown(path, owner.pw_uid, owner.pw_gid)

    # --- lifecycle ---------------------------------------------------------------------------
    def prepare(self) -> None:
        """Directories owned by whoever runs Postgres, reachable by it, with a socket path that fits."""
        config = self.config
        socket_path = config.postgres_sockdir / f".s.PGSQL.{config.postgres_port}"
        if len(str(socket_path).encode()) > SOCKET_PATH_MAX:
            raise FleetError(f"the Postgres socket path {socket_path} is longer than {SOCKET_PATH_MAX} bytes; "
                             "use a shorter state dir")
        make_dirs(config.logs_dir)
        for directory, mode in ((config.postgres_dir, 0o755), (config.postgres_data, 0o700),
                                (config.postgres_sockdir, 0o700)):
            make_dirs(directory, mode)
            self._chown(directory)
        log = config.log_path("postgres")
        log.touch(exist_ok=True)
        self._chown(log)
        if self.as_root:
            owner = self._owner()
            for path in [*reversed(config.postgres_data.parents), config.logs_dir]:
                if not _can_traverse(path, owner):
                    raise FleetError(f"the postgres user cannot enter {path} (mode {stat.filemode(path.stat().st_mode)}); "
                                     f"make it traversable (chmod o+x {shlex.quote(str(path))}) or use another state dir")
            data_owner = config.postgres_data.stat().st_uid
            if data_owner != owner.pw_uid:
                raise FleetError(f"{config.postgres_data} belongs to uid {data_owner}, not to postgres")

    def has_cluster(self) -> bool:
        return (self.config.postgres_data / "PG_VERSION").exists()

    def ensure_cluster(self) -> None:
        """initdb only when there is no cluster yet: the data of earlier runs is kept."""
        data = self.config.postgres_data
        if self.has_cluster():
            return
        if any(data.iterdir()):
            raise FleetError(f"{data} is not empty but holds no PostgreSQL cluster; move it away")
        say(f"postgres: creating a cluster in {data}")
        self._run("initdb", "-D", str(data), "-U", "postgres", "--auth-local=trust",
                  "--auth-host=scram-sha-256", "--encoding=UTF8", "--no-locale", what="initdb")

    def is_running(self) -> bool:
        if not self.has_cluster():
            return False
        result = subprocess.run(self._argv("pg_ctl", "-D", str(self.config.postgres_data), "status"),
                                cwd=self.config.postgres_dir, env=self._env(), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return result.returncode == 0

    def start(self) -> None:
        config = self.config
        options = (f"-p {config.postgres_port} -k {shlex.quote(str(config.postgres_sockdir))} "
                   "-c listen_addresses=127.0.0.1 -c unix_socket_permissions=0700")
        try:
            self._run("pg_ctl", "-D", str(config.postgres_data), "-w", "-t", str(int(config.ready_timeout)),
                      "-l", str(config.log_path("postgres")), "-o", options, "start", what="pg_ctl start")
        except FleetError as exc:
            log = config.log_path("postgres")
            raise FleetError(f"{exc}\nlast 30 lines of {log}:\n{tail(log)}") from None
        self.started = True
        say(f"postgres: up on 127.0.0.1:{config.postgres_port} (data {config.postgres_data})")

    def stop(self) -> None:
        """Fast shutdown (rolls back open transactions, checkpoints): data is safe."""
        data = str(self.config.postgres_data)
        try:
            self._run("pg_ctl", "-D", data, "-w", "-t", str(int(self.config.stop_timeout)), "-m", "fast", "stop",
                      what="pg_ctl stop")
        except FleetError as exc:
            say(f"postgres: {exc}; trying immediate shutdown")
            self._run("pg_ctl", "-D", data, "-w", "-m", "immediate", "stop", what="pg_ctl stop -m immediate")
        self.started = False

    def pids(self) -> list[int]:
        """The postmaster (first line of postmaster.pid) and every process it forked (backends, checkpointer ...)."""
        try:
            postmaster = int((self.config.postgres_data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            raise FleetError(f"postgres is not running (no postmaster.pid in {self.config.postgres_data})") from None
        return [postmaster, *child_pids(postmaster)]

    def freeze(self) -> list[int]:
        """SIGSTOP the whole server (a stalled disk or VM): sockets stay open, nothing answers. thaw() undoes it."""
        pids = self.pids()
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        say(f"postgres: frozen (SIGSTOP to {len(pids)} processes)")
        return pids

    def thaw(self) -> None:
        """SIGCONT to the postmaster and every child it has, frozen or forked meanwhile."""
        pids = self.pids()
        for pid in pids:
            os.kill(pid, signal.SIGCONT)
        say(f"postgres: thawed (SIGCONT to {len(pids)} processes)")

    # --- provisioning ------------------------------------------------------------------------
    def psql(self, sql: str, *, database: str = "postgres") -> str:
        """Superuser psql over the private socket dir; SQL on stdin so no password shows in `ps`."""
        config = self.config
        return self._run("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(config.postgres_sockdir),
                         "-p", str(config.postgres_port), "-U", "postgres", "-d", database,
                         what="psql", input=sql)

    def provision(self, passwords: dict[str, str], *, test_mode: bool) -> None:
        """A login role and an owned database per service; each role reaches its own database only."""
        self.psql(provision_sql(passwords, test_mode=test_mode))
        say(f"postgres: roles and databases {', '.join(SERVICES)} ready"
            + (" (roles may CREATEDB for tests)" if test_mode else ""))


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def provision_sql(passwords: dict[str, str], *, test_mode: bool) -> str:
    """Idempotent: safe on every start; passwords are re-applied so they always match secrets.env."""
    for name in passwords:
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise ValueError(f"bad role name {name!r}")
    names = ", ".join(_literal(name) for name in passwords)
    roles = ", ".join(passwords)
    createdb = "CREATEDB" if test_mode else "NOCREATEDB"
    lines = [
        f"SELECT format('CREATE ROLE %I', r) FROM unnest(ARRAY[{names}]) AS r "
        "WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r)\\gexec",
    ]
    for name, password in passwords.items():
        lines.append(f"ALTER ROLE {name} WITH LOGIN NOSUPERUSER NOCREATEROLE NOREPLICATION {createdb} "
                     f"PASSWORD {_literal(password)};")
    lines.append(
        f"SELECT format('CREATE DATABASE %I OWNER %I', d, d) FROM unnest(ARRAY[{names}]) AS d "
        "WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = d)\\gexec"
    )
    for name in passwords:
        lines += [
            f"ALTER DATABASE {name} OWNER TO {name};",
            f"REVOKE ALL ON DATABASE {name} FROM PUBLIC;",
        ]
    # The maintenance databases are not the services' either; pytest-django alone needs `postgres`.
    lines += [
        "REVOKE CONNECT ON DATABASE postgres FROM PUBLIC;",
        "REVOKE CONNECT ON DATABASE template1 FROM PUBLIC;",
        (f"GRANT CONNECT ON DATABASE postgres TO {roles};" if test_mode
         else f"REVOKE CONNECT ON DATABASE postgres FROM {roles};"),
    ]
    return "\n".join(lines) + "\n"
