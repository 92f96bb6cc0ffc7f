"""One set of templates, every run mode: render.sh's output for dev, compose and Kubernetes, with and
without TLS, is accepted by `nginx -t`; values that could inject configuration are refused."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from harness import RENDER, nginx_argv, render

# What each run mode passes to render.sh. Compose and Kubernetes name their upstreams by DNS.
MODES = {
    "dev": {"AUTH_UPSTREAM": "127.0.0.1:8001", "CUSTOMERS_UPSTREAM": "127.0.0.1:8002 127.0.0.1:8003"},
    "compose": {"AUTH_UPSTREAM": "auth:8000", "CUSTOMERS_UPSTREAM": "customers:8000"},
    "kubernetes": {"AUTH_UPSTREAM": "auth.fleet.svc.cluster.local:8000",
                   "CUSTOMERS_UPSTREAM": "customers.fleet.svc.cluster.local:8000"},
}
# nginx resolves upstream names when it loads its configuration, and `nginx -t` fails on a name that
# does not resolve ("host not found in upstream"). These names resolve only inside compose or the
# cluster, so nginx -t runs with them in a private /etc/hosts (documentation addresses, RFC 5737).
HOSTS = {
    "auth": "192.0.2.10", "customers": "192.0.2.11",
    "auth.fleet.svc.cluster.local": "192.0.2.20", "customers.fleet.svc.cluster.local": "192.0.2.21",
}


def with_private_hosts(argv: list[str], workdir: Path) -> list[str]:
    """argv run in its own mount namespace, where /etc/hosts also lists HOSTS; the machine's is untouched."""
    hosts = workdir / "hosts"
    hosts.write_text(Path("/etc/hosts").read_text() + "".join(f"{ip} {name}\n" for name, ip in HOSTS.items()))
    as_root = ["unshare", "--mount", "--propagation", "private"]
    unshare = as_root if os.geteuid() == 0 else ["unshare", "--user", "--map-root-user", *as_root[1:]]
    return [*unshare, "sh", "-c", 'mount --bind "$0" /etc/hosts && exec "$@"', str(hosts), *argv]


@pytest.fixture(scope="session")
def private_hosts_work(tmp_path_factory) -> bool:
    probe = tmp_path_factory.mktemp("probe")
    result = subprocess.run(with_private_hosts(["getent", "hosts", "auth.fleet.svc.cluster.local"], probe),
                            capture_output=True, text=True)
    return result.returncode == 0 and "192.0.2.20" in result.stdout


def nginx_t(confdir: Path, *, hosts: bool = False) -> subprocess.CompletedProcess:
    argv = nginx_argv(confdir, "-t")
    if hosts:
        argv = with_private_hosts(argv, confdir.parent)
    return subprocess.run(argv, capture_output=True, text=True)


def tls_variables(tls_pair) -> dict[str, str]:
    cert, key = tls_pair
    return {"GATEWAY_TLS_CERT": str(cert), "GATEWAY_TLS_KEY": str(key)}


@pytest.mark.parametrize("tls", [False, True], ids=["plain", "tls"])
@pytest.mark.parametrize("mode", MODES)
def test_every_mode_renders_a_configuration_nginx_accepts(mode, tls, workdir, tls_pair, private_hosts_work):
    needs_names = mode != "dev"
    if needs_names and not private_hosts_work:
        pytest.skip("cannot give nginx -t a private /etc/hosts here (unshare --mount not permitted)")
    variables = {**MODES[mode], **(tls_variables(tls_pair) if tls else {})}
    rendered = render(workdir / "conf", **variables)
    assert rendered.returncode == 0, rendered.stderr
    checked = nginx_t(workdir / "conf", hosts=needs_names)
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


def test_upstream_names_are_resolved_when_nginx_loads(workdir):
    """Why the test above maps the names: nginx refuses a configuration whose upstream does not resolve."""
    assert render(workdir / "conf", **MODES["kubernetes"]).returncode == 0
    checked = nginx_t(workdir / "conf")
    assert checked.returncode != 0
    assert "host not found in upstream" in checked.stderr


def conf(directory: Path, name: str) -> str:
    return (directory / "conf" / "conf.d" / name).read_text()


def test_every_listed_upstream_becomes_a_server_line(workdir):
    rendered = render(workdir / "conf", AUTH_UPSTREAM="auth-1:8000,auth-2:8000",
                      CUSTOMERS_UPSTREAM="10.0.0.1:8000 10.0.0.2:8000,\n[::1]:8000", GATEWAY_UPSTREAM_MAX_CONNS="7")
    assert rendered.returncode == 0, rendered.stderr
    upstreams = conf(workdir, "upstreams.conf")
    auth, customers = upstreams.split("upstream customers")
    assert re.findall(r"server (\S+) max_conns=7;", auth) == ["auth-1:8000", "auth-2:8000"]
    assert re.findall(r"server (\S+) max_conns=7;", customers) == ["10.0.0.1:8000", "10.0.0.2:8000", "[::1]:8000"]


def test_plain_mode_has_no_tls_server_and_no_redirect(workdir):
    assert render(workdir / "conf", **MODES["dev"]).returncode == 0
    files = {p.name for p in (workdir / "conf" / "conf.d").rglob("*.conf")}
    assert "api.plain.conf" in files
    assert not {"api.tls.conf", "https-redirect.tls.conf"} & files


def test_tls_mode_listens_with_ssl_and_redirects_plain_http(workdir, tls_pair):
    variables = {**MODES["dev"], **tls_variables(tls_pair), "GATEWAY_PORT": "8080", "GATEWAY_TLS_PORT": "8443"}
    assert render(workdir / "conf", **variables).returncode == 0
    listen = conf(workdir, "listen/api.tls.conf")
    assert "listen 8443 ssl default_server;" in listen
    assert f"ssl_certificate {tls_pair[0]};" in listen and f"ssl_certificate_key {tls_pair[1]};" in listen
    redirect = conf(workdir, "https-redirect.tls.conf")
    assert "listen 8080 default_server;" in redirect
    assert "return 301 https://$host:8443$request_uri;" in redirect
    assert "return 308 https://$host:8443$request_uri;" in redirect
    assert not (workdir / "conf" / "conf.d" / "listen" / "api.plain.conf").exists()


def test_a_redirect_to_port_443_names_no_port(workdir, tls_pair):
    """Behind a port mapping (container 8443, public 443) redirects name the port clients use."""
    variables = {**MODES["compose"], **tls_variables(tls_pair), "GATEWAY_TLS_REDIRECT_PORT": "443"}
    assert render(workdir / "conf", **variables).returncode == 0
    assert "return 301 https://$host$request_uri;" in conf(workdir, "https-redirect.tls.conf")


def test_rerendering_without_tls_leaves_no_tls_file_behind(workdir, tls_pair):
    assert render(workdir / "conf", **MODES["dev"], **tls_variables(tls_pair)).returncode == 0
    assert render(workdir / "conf", **MODES["dev"]).returncode == 0
    assert not list((workdir / "conf" / "conf.d").rglob("*.tls.conf"))


def test_limits_have_defaults_and_are_configurable(workdir):
    assert render(workdir / "default", **MODES["dev"]).returncode == 0
    limits = (workdir / "default" / "conf.d" / "limits.conf").read_text()
    assert "rate=10r/s;" in limits and "limit_req_status 429;" in limits
    assert "burst=20 nodelay;" in (workdir / "default" / "conf.d" / "locations" / "auth.conf").read_text()

    assert render(workdir / "conf", **MODES["dev"], GATEWAY_AUTH_RATE="30r/m", GATEWAY_AUTH_BURST="3").returncode == 0
    limits = conf(workdir, "limits.conf")
    assert "rate=30r/m;" in limits
    assert re.search(r"default 2;", limits), "Retry-After of a 429 at 30r/m is 2 s"
    auth = conf(workdir, "locations/auth.conf")
    limited = re.findall(r"location = (\S+) +\{ limit_req zone=auth_credentials burst=3 nodelay;", auth)
    assert sorted(limited) == sorted(f"/{v}/auth/{p}" for v in ("v1", "v2")
                                     for p in ("token/", "token/refresh/", "users/", "oauth/token/"))


def test_v1s_lifecycle_dates_are_the_services_and_move_with_theirs(workdir):
    from fleet_common.settings import DEFAULT_API_LIFECYCLE
    from django.utils.http import http_date

    v1 = DEFAULT_API_LIFECYCLE["v1"]
    assert render(workdir / "default", **MODES["dev"]).returncode == 0
    maps = (workdir / "default" / "conf.d" / "00-common.conf").read_text()
    assert f'"@{int(v1["deprecation"].timestamp())}"' in maps and f'"{http_date(v1["sunset"].timestamp())}"' in maps
    moved = render(workdir / "conf", **MODES["dev"], API_V1_DEPRECATED_AT="2027-01-02",
                   API_V1_SUNSET_AT="2028-06-30T12:00:00+02:00")
    assert moved.returncode == 0, moved.stderr
    maps = conf(workdir, "00-common.conf")
    assert '"@1798848000"' in maps and '"Fri, 30 Jun 2028 10:00:00 GMT"' in maps


def test_only_idempotent_requests_are_passed_to_another_server(workdir):
    assert render(workdir / "conf", **MODES["dev"]).returncode == 0
    gateway = conf(workdir, "gateway.conf")
    assert "proxy_next_upstream error timeout;" in gateway
    assert "proxy_next_upstream_tries 2;" in gateway
    assert "proxy_next_upstream_timeout 5s;" in gateway
    rendered = "\n".join(p.read_text() for p in (workdir / "conf").rglob("*.conf"))
    assert "non_idempotent" not in re.sub(r"#.*", "", rendered)


def test_timeouts_nest_inside_each_other(workdir, monkeypatch):
    """statement_timeout 5 s < gunicorn timeout 20 s < proxy_read_timeout 25 s; upstream keep-alive 60 s < gunicorn's 75 s."""
    for name in ("GUNICORN_TIMEOUT", "GUNICORN_KEEPALIVE", "DATABASE_STATEMENT_TIMEOUT_MS"):
        monkeypatch.delenv(name, raising=False)  # the shipped defaults
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(workdir))  # else importing the config makes a directory
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@127.0.0.1:5432/db")
    import environ
    from fleet_common import gunicorn_conf, settings

    options = settings.databases(environ.Env())["default"]["OPTIONS"]["options"]
    statement_timeout = int(re.search(r"statement_timeout=(\d+)", options)[1]) / 1000

    assert render(workdir / "conf", **MODES["dev"]).returncode == 0
    gateway, upstreams = conf(workdir, "gateway.conf"), conf(workdir, "upstreams.conf")
    read_timeout = int(re.search(r"proxy_read_timeout (\d+)s;", gateway)[1])
    keepalive = {int(v) for v in re.findall(r"keepalive_timeout (\d+)s;", upstreams)}
    assert (statement_timeout, gunicorn_conf.timeout, read_timeout) == (5, 20, 25)
    assert statement_timeout < gunicorn_conf.timeout < read_timeout
    assert keepalive == {60} and max(keepalive) < gunicorn_conf.keepalive == 75


@pytest.mark.parametrize("name, value", [
    ("GATEWAY_PORT", "8080; include /etc/passwd"),
    ("GATEWAY_PORT", "0"),
    ("GATEWAY_PORT", "70000"),
    ("AUTH_UPSTREAM", "auth:8000; return 200"),
    ("AUTH_UPSTREAM", "auth:8000\nserver evil:80"),
    ("AUTH_UPSTREAM", "auth"),
    ("AUTH_UPSTREAM", "auth:99999"),
    ("AUTH_UPSTREAM", " , "),
    ("CUSTOMERS_UPSTREAM", "customers:8000 customers:8000"),
    ("CUSTOMERS_UPSTREAM", "customers:8000 ${GATEWAY_PORT}"),
    ("GATEWAY_UPSTREAM_MAX_CONNS", "0"),
    ("GATEWAY_UPSTREAM_MAX_CONNS", "32 backup"),
    ("GATEWAY_AUTH_RATE", "10r/s; limit_req_status 200"),
    ("GATEWAY_AUTH_RATE", "0r/s"),
    ("GATEWAY_AUTH_RATE", "10r/h"),
    ("GATEWAY_AUTH_BURST", "20 nodelay; allow all"),
    ("GATEWAY_AUTH_BURST", "0"),  # nginx itself refuses burst=0
    ("GATEWAY_TLS_CERT", "/etc/cert.pem; ssl_verify_client off"),
    ("GATEWAY_TLS_CERT", "relative/cert.pem"),
    ("GATEWAY_DOCS_ROOT", "relative/docs"),
    ("GATEWAY_DOCS_ROOT", "/srv/docs\"; autoindex on; #"),
    ("GATEWAY_DOCS_ROOT", "/srv/docs; autoindex on"),
    ("GATEWAY_DOCS_ROOT", "/srv/$document_root"),
    ("GATEWAY_DOCS_ROOT", "/srv/docs\nlocation / { }"),
    ("API_V1_DEPRECATED_AT", "tomorrow"),
    ("API_V1_SUNSET_AT", "2027-12-01\"; return 200; #"),
    ("GATEWAY_TRUSTED_PROXIES", "10.0.0.0/8; allow all"),
    ("GATEWAY_TRUSTED_PROXIES", "10.0.0.0/8\nreal_ip_header X-Real-IP"),
    ("GATEWAY_TRUSTED_PROXIES", "ingress.example"),
    ("GATEWAY_TRUSTED_PROXIES", "10.0.0.0/8 10.0.0.0/8"),
])
def test_values_that_could_inject_configuration_are_refused(name, value, workdir):
    variables = {**MODES["compose"], "GATEWAY_TLS_KEY": "/etc/key.pem" if name == "GATEWAY_TLS_CERT" else "",
                 name: value}
    rendered = render(workdir / "conf", **{k: v for k, v in variables.items() if v or k == name})
    assert rendered.returncode != 0
    assert name in rendered.stderr
    assert not (workdir / "conf" / "conf.d").exists()


def test_tls_needs_both_the_certificate_and_the_key(workdir):
    rendered = render(workdir / "conf", **MODES["dev"], GATEWAY_TLS_CERT="/etc/cert.pem")
    assert rendered.returncode != 0 and "GATEWAY_TLS_KEY" in rendered.stderr


def test_a_template_variable_render_does_not_provide_is_refused(workdir):
    copy = workdir / "gateway"
    shutil.copytree(RENDER.parent, copy, ignore=shutil.ignore_patterns("README.md"))
    (copy / "templates" / "extra.conf.template").write_text("# ${NOT_A_RENDER_VARIABLE}\n")
    result = subprocess.run(["bash", str(copy / "render.sh"), str(workdir / "conf")],
                            env={"PATH": os.environ["PATH"], **MODES["dev"]}, capture_output=True, text=True)
    assert result.returncode != 0 and "NOT_A_RENDER_VARIABLE" in result.stderr
