"""`python -m devfleet dev|test`: the entry points behind `make dev` and `make test`."""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import threading

from .config import REPO_ROOT, SERVICES, dev_config
from .errors import FleetError
from .fleet import Fleet
from .infra import Infra
from .prereqs import ensure_prerequisites
from .processes import LogStreamer, say
from .testrun import run_tests


class Interrupted(BaseException):
    """SIGINT or SIGTERM: unwinds start() or the wait loop so exactly what we started gets stopped."""


def _raise_interrupted(signum, frame) -> None:
    raise Interrupted(signal.Signals(signum).name)


def _print_table(fleet: Fleet) -> None:
    rows = fleet.urls()
    width = max(map(len, rows))
    print("\n".join(["", "fleet is up:"] + [f"  {name:<{width}}  {value}" for name, value in rows.items()]
                    + ["  Ctrl-C stops everything started here.", ""]), flush=True)


def dev(*, tls: bool = False, customers_instances: int = 1) -> int:
    """Start the dev fleet, stream its logs, stop it on Ctrl-C or SIGTERM; data stays in var/dev."""
    try:
        fleet = Fleet(dev_config(REPO_ROOT, gateway_tls=tls, customers_instances=customers_instances))
    except ValueError as exc:  # e.g. GATEWAY_PORT=abc
        say(f"error: {exc}")
        return 1
    try:
        fleet.acquire_lock()  # first of all: a second `make dev` touches nothing
        ensure_prerequisites()
    except FleetError as exc:
        fleet.stop()
        say(f"error: {exc}")
        return 1
    streamer = LogStreamer(fleet.log_paths())
    code = 0
    try:
        signal.signal(signal.SIGINT, _raise_interrupted)
        signal.signal(signal.SIGTERM, _raise_interrupted)
        fleet.start()
        _print_table(fleet)
        streamer.start()
        idle = threading.Event()
        while True:
            idle.wait(1.0)
            fleet.check_alive()
    except Interrupted as exc:
        say(f"{exc}: stopping")
    except FleetError as exc:
        say(f"error: {exc}")
        code = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the shutdown short
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        streamer.stop()
        try:
            fleet.stop()
        except FleetError as exc:
            say(f"error: {exc}")
            code = 1
    return code


def manage(service: str, args: list[str]) -> int:
    """Run a service's manage.py against the running dev fleet (e.g. to create a service client)."""
    config = dev_config(REPO_ROOT)
    if not config.secrets_path.exists():
        say("error: no dev fleet state yet; run `make dev` first")
        return 1
    env = Infra(config).env_for(service)
    return subprocess.run([str(config.venv_bin("python")), "manage.py", *args], cwd=config.service_dir(service),
                          env=env).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devfleet", description="Run the fleet as local processes.")
    commands = parser.add_subparsers(dest="command", required=True)
    dev_parser = commands.add_parser("dev", help="start the whole fleet (make dev); Ctrl-C stops it")
    dev_parser.add_argument("--tls", action="store_true",
                            help="the gateway terminates TLS with a self-signed certificate (var/dev/tls/cert.pem)")
    dev_parser.add_argument("--customers-instances", type=int, default=1, metavar="N",
                            help="run N customers processes behind the gateway (ports 8002, 8003, ...)")
    test = commands.add_parser("test", help="run every test suite against fresh infrastructure (make test)")
    test.add_argument("--fast", action="store_true", help="skip the end-to-end, reliability and security suites")
    run = commands.add_parser("manage", help="run a service's manage.py with the dev fleet's settings")
    run.add_argument("service", choices=SERVICES)
    run.add_argument("args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command == "dev":
        return dev(tls=args.tls, customers_instances=args.customers_instances)
    if args.command == "manage":
        return manage(args.service, args.args)
    try:
        return run_tests(REPO_ROOT, fast=args.fast)
    except KeyboardInterrupt:
        say("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
