"""The gateway's behaviour at the edge, with real nginx and stand-in upstreams: what it answers itself
(502, 503, 504, 429) and how (problem+json, Retry-After), which requests it retries on another
server, which headers it sets, forwards and drops, and TLS."""

import concurrent.futures
import http.client
import json
import time

import pytest
import requests

PROBLEM = "application/problem+json"


def assert_gateway_problem(response: requests.Response, status: int) -> dict:
    """An error the gateway made itself: problem+json with the status and the response's request id."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert body["request_id"] == response.headers["X-Request-ID"]
    if "instance" in body and response.request is not None:  # a response a test built has no request
        assert body["instance"] == response.request.path_url.split("?")[0]
    return body


def routes(auth, customers=None, **variables) -> dict[str, str]:
    addresses = lambda ups: " ".join(u.address for u in ups) if isinstance(ups, list) else ups.address  # noqa: E731
    return {"AUTH_UPSTREAM": addresses(auth), "CUSTOMERS_UPSTREAM": addresses(customers or auth), **variables}



def through(gw, headers: dict) -> tuple[requests.Response, dict]:
    """GET the echoing upstream's /v1/auth/me/ through `gw`: the response, and the headers the upstream saw."""
    response = requests.get(f"{gw.url}/v1/auth/me/", headers=headers)
    return response, response.json()["headers"]

# --- errors the gateway makes itself ------------------------------------------------------------
def test_an_upstream_that_refuses_connections_is_a_problem_json_502(gateway, upstreams):
    auth = upstreams()
    dead = upstreams()
    dead.close()  # its port now refuses connections
    gw = gateway(**routes(auth, dead))
    body = assert_gateway_problem(requests.get(f"{gw.url}/v1/customers/", headers={"X-Request-ID": "req-502"}), 502)
    assert body["request_id"] == "req-502"


def test_an_upstream_that_accepts_no_connection_in_time_is_a_504(gateway, upstreams):
    gw = gateway(**routes(upstreams(), upstreams("blackhole")))
    started = time.monotonic()
    response = requests.get(f"{gw.url}/v1/customers/", timeout=15)
    assert_gateway_problem(response, 504)
    assert time.monotonic() - started < 6  # proxy_connect_timeout (3 s), not proxy_read_timeout (25 s)


def test_when_every_server_is_at_max_conns_requests_are_shed_at_once_with_503(gateway, upstreams):
    slow = [upstreams("slow", delay=1.5), upstreams("slow", delay=1.5)]
    gw = gateway(**routes(upstreams(), slow, GATEWAY_UPSTREAM_MAX_CONNS="1"))

    def timed_get(_):
        started = time.monotonic()
        response = requests.get(f"{gw.url}/v1/customers/", timeout=10)
        return response, time.monotonic() - started

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(timed_get, range(8)))

    served = [r for r, _ in results if r.status_code == 200]
    shed = [(r, seconds) for r, seconds in results if r.status_code == 503]
    assert len(served) + len(shed) == 8, [r.status_code for r, _ in results]
    assert 1 <= len(served) <= 2 and len(shed) >= 6
    assert all(u.max_in_flight <= 1 for u in slow)  # max_conns holds across nginx's workers (shared zone)
    for response, seconds in shed:
        assert_gateway_problem(response, 503)
        assert response.headers["Retry-After"] == "5"
        assert seconds < 1.0  # shed at once, not queued behind the slow requests


@pytest.mark.parametrize("method, attempts", [("GET", 2), ("HEAD", 2), ("PUT", 2), ("DELETE", 2),
                                              ("POST", 1), ("PATCH", 1)])
def test_only_idempotent_requests_are_retried_on_another_server(method, attempts, gateway, upstreams):
    """Both servers read the request and hang up: nginx tries a second server for an idempotent method
    only; a POST or PATCH that reached a server may have been acted on and is never sent twice."""
    hangups = [upstreams("hangup"), upstreams("hangup")]
    gw = gateway(**routes(upstreams(), hangups))
    response = requests.request(method, f"{gw.url}/v1/customers/", json=None if method in ("GET", "HEAD") else {})
    assert response.status_code == 502
    assert sum(len(u.requests) for u in hangups) == attempts


def test_a_request_that_never_reached_a_stopped_server_goes_to_another(gateway, upstreams):
    """A refused connection means nothing was sent: even a POST is safely passed to the next server."""
    alive, stopped = upstreams(), upstreams()
    stopped.close()
    gw = gateway(**routes(upstreams(), [stopped, alive]))
    statuses = [requests.request(method, f"{gw.url}/v1/customers/", json={}).status_code
                for method in ("GET", "POST", "PATCH") * 4]
    assert statuses == [200] * 12
    assert len(alive.requests) == 12


# --- edge rate limits ---------------------------------------------------------------------------
def post_from(gw, path: str, source: str = "127.0.0.1", headers: dict | None = None) -> requests.Response:
    """A POST whose client address is `source` (any 127.x.y.z is this machine)."""
    connection = http.client.HTTPConnection("127.0.0.1", gw.port, source_address=(source, 0), timeout=5)
    connection.request("POST", path, body=b"{}", headers={"Content-Type": "application/json", **(headers or {})})
    raw = connection.getresponse()
    response = requests.Response()
    response.status_code, response._content = raw.status, raw.read()
    response.headers = requests.structures.CaseInsensitiveDict(raw.getheaders())
    connection.close()
    return response


def test_credential_posts_over_the_rate_get_a_429_with_retry_after(gateway, upstreams):
    auth = upstreams()
    gw = gateway(**routes(auth, upstreams(), GATEWAY_AUTH_RATE="1r/m", GATEWAY_AUTH_BURST="1"))
    assert [post_from(gw, "/v1/auth/token/").status_code for _ in range(2)] == [200, 200]  # 1 + burst
    limited = post_from(gw, "/v1/auth/token/")
    assert_gateway_problem(limited, 429)
    assert limited.headers["Retry-After"] == "60"  # one request's worth of 1r/m
    # One budget per client for every credential endpoint, under any spelling of the path.
    for path in ("/v2/auth/token/", "/v1/auth/token/refresh/", "/v2/auth/users/", "/v1/auth/oauth/token/",
                 "/v1/auth/./token/", "/v1//auth/token/"):
        assert post_from(gw, path).status_code == 429, path
    assert len(auth.requests) == 2
    # Counted per client address; other endpoints and other methods are not limited.
    assert post_from(gw, "/v1/auth/token/", source="127.0.0.2").status_code == 200
    assert post_from(gw, "/v1/auth/token/revoke/").status_code == 200
    assert requests.get(f"{gw.url}/v1/auth/users/").status_code == 200


def test_the_token_endpoints_errors_from_the_gateway_are_rfc_6749_bodies(gateway, upstreams):
    dead = upstreams()
    dead.close()  # auth refuses connections: a 502, as the client-credentials grant sees it
    gw = gateway(**routes(dead, upstreams(), GATEWAY_AUTH_RATE="1r/m", GATEWAY_AUTH_BURST="1"))
    cases = [(post_from(gw, "/v2/auth/oauth/token/"), 502, "temporarily_unavailable"),
             (post_from(gw, "/v2/auth/oauth/token/"), 502, "temporarily_unavailable"),
             (post_from(gw, "/v1/auth/oauth/token/"), 429, "temporarily_unavailable"),
             (requests.post(f"{gw.url}/v2/auth/oauth/token/", data=b"x" * (2 << 20)), 413, "invalid_request"),
             (requests.request("TRACE", f"{gw.url}/v2/auth/oauth/token/"), 405, "invalid_request")]
    for response, status, error in cases:
        assert response.status_code == status
        assert response.headers["Content-Type"] == "application/json"
        body = response.json()
        assert body.keys() == {"error", "error_description"} and body["error"] == error, body
    assert cases[2][0].headers["Retry-After"] == "60" and cases[4][0].headers["Allow"] == "POST, OPTIONS"
    # Every other path keeps problem+json, the token endpoint's neighbours included.
    assert_gateway_problem(post_from(gw, "/v2/auth/token/"), 429)


def test_a_services_own_429_passes_through_with_its_own_retry_after(gateway, upstreams):
    throttled = upstreams("status", status=429, headers={"Retry-After": "7"}, body=b'{"detail":"slow down"}')
    gw = gateway(**routes(throttled))
    response = requests.get(f"{gw.url}/v1/auth/me/")
    assert response.status_code == 429
    assert response.json() == {"detail": "slow down"}  # the service's body, not replaced
    assert response.headers["Retry-After"] == "7"  # exactly one, the service's


def test_a_gateway_problem_names_its_instance_when_the_path_is_plain_uri_text(gateway, upstreams):
    gw = gateway(**routes(upstreams()))
    assert assert_gateway_problem(requests.get(f"{gw.url}/v3/no%20such/thing?q=1"), 404)["instance"] == \
        "/v3/no%20such/thing"
    assert "instance" not in assert_gateway_problem(requests.get(f"{gw.url}/v1/" + "a" * 9000), 414)
    connection = http.client.HTTPConnection("127.0.0.1", gw.port)
    connection.putrequest("GET", '/v3/"quoted"\\', skip_accept_encoding=True)  # raw: a client need not encode
    connection.endheaders()
    raw = connection.getresponse()
    body = json.loads(raw.read())  # still valid JSON
    assert raw.status == 404 and body["status"] == 404 and "instance" not in body


def test_only_the_well_known_documents_auth_publishes_are_routed(gateway, upstreams):
    auth = upstreams()
    gw = gateway(**routes(auth, upstreams()))
    for path in ("/.well-known/jwks.json", "/.well-known/oauth-authorization-server"):
        assert requests.get(f"{gw.url}{path}").status_code == 200, path
    for path in ("/.well-known/openid-configuration", "/.well-known/jwks.json/", "/.well-known/", "/.well-known"):
        assert_gateway_problem(requests.get(f"{gw.url}{path}"), 404)
    assert len(auth.requests) == 2


@pytest.mark.parametrize("path", ["/v1/auth/token", "/v2/auth/token/refresh", "/v2/auth/users", "/v1/auth/oauth/token"])
def test_a_credential_path_without_its_slash_goes_to_auth_and_is_never_nginxs_html_301(gateway, upstreams, path):
    auth = upstreams()
    gw = gateway(**routes(auth, upstreams()))
    response = requests.post(f"{gw.url}{path}", json={}, allow_redirects=False)
    assert response.status_code == 200 and [request["path"] for request in auth.requests] == [path]


def test_the_gateways_own_errors_on_v1_carry_v1s_lifecycle_headers(gateway, upstreams):
    gw = gateway(**routes(upstreams(), upstreams("status", status=404, body=b'{"detail":"Not found."}',
                                                  headers={"Deprecation": "@1", "Sunset": "x", "Link": "<y>"})))
    host = gw.url.split("://", 1)[1]
    for response in (requests.request("TRACE", f"{gw.url}/v1/customers/?page=2"),
                     requests.get(f"{gw.url}/v1/no/such/route")):
        assert response.headers["Deprecation"] == "@1796083200"  # the services' defaults (fleet_common.settings)
        assert response.headers["Sunset"] == "Wed, 01 Dec 2027 00:00:00 GMT"
        successor = response.request.path_url.split("?")[0].replace("/v1/", "/v2/", 1)  # as the services: no query
        assert response.headers["Link"] == f'<http://{host}{successor}>; rel="successor-version"'
    for response in (requests.request("TRACE", f"{gw.url}/v2/customers/"), requests.get(f"{gw.url}/nothing")):
        assert not {"Deprecation", "Sunset", "Link"} & set(response.headers)
    # A 414: nginx read no URI, only the request line as far as it fit.
    for path, successor in ((f"/v1/customers/?q={'a' * 9000}", "/v2/customers/"),  # the query made it too long
                            (f"/v1/customers/{'a' * 9000}/", "/v2/")):  # the path itself: its version alone
        response = requests.get(f"{gw.url}{path}")
        assert_gateway_problem(response, 414)
        assert response.headers["Deprecation"] == "@1796083200"
        assert response.headers["Link"] == f'<{successor}>; rel="successor-version"'  # no Host was read
    assert "Deprecation" not in requests.get(f"{gw.url}/v2/customers/?q={'a' * 9000}").headers
    service = requests.get(f"{gw.url}/v1/customers/x/")  # a service's own v1 answer keeps its own, once
    assert (service.headers["Deprecation"], service.headers["Sunset"], service.headers["Link"]) == ("@1", "x", "<y>")


# --- TRACE: nginx refuses it before any location ----------------------------------------------
@pytest.mark.parametrize("path, allow", [
    ("/v1/customers/", "GET, POST, HEAD, OPTIONS"),
    ("/v2/customers/0190a000-0000-7000-8000-000000000000/", "GET, PUT, PATCH, DELETE, HEAD, OPTIONS"),
    ("/v2/auth/users/", "GET, POST, HEAD, OPTIONS"),
    ("/v1/auth/users/0190a000-0000-7000-8000-000000000000/", "GET, PATCH, DELETE, HEAD, OPTIONS"),
    ("/v2/auth/me/", "GET, PATCH, HEAD, OPTIONS"),
    ("/v1/auth/token/refresh/", "POST, OPTIONS"),
    ("/.well-known/jwks.json", "GET, HEAD, OPTIONS"),
])
def test_trace_is_a_405_whose_allow_names_the_routes_methods(gateway, upstreams, path, allow):
    gw = gateway(**routes(upstreams()))
    response = requests.request("TRACE", f"{gw.url}{path}")
    assert_gateway_problem(response, 405)
    assert response.headers["Allow"] == allow  # the token endpoint's: test_the_token_endpoints_errors_...


def test_a_services_own_405_keeps_its_allow_alone(gateway, upstreams):
    refusing = upstreams("status", status=405, headers={"Allow": "GET, OPTIONS"}, body=b'{"detail":"no"}')
    gw = gateway(**routes(refusing))
    response = requests.put(f"{gw.url}/v2/customers/")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, OPTIONS"  # one header (requests would join two with ", ")


# --- headers ------------------------------------------------------------------------------------
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}


def test_security_headers_on_every_response_and_once(gateway, upstreams):
    loose = {"X-Frame-Options": "SAMEORIGIN", "Content-Security-Policy": "default-src *",
             "Referrer-Policy": "unsafe-url", "X-Content-Type-Options": "nosniff"}
    gw = gateway(**routes(upstreams("echo", headers=loose)))
    for response in (requests.get(f"{gw.url}/v1/auth/me/"), requests.get(f"{gw.url}/nowhere"),
                     requests.get(f"{gw.url}/healthz")):
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value, (response.url, name)  # requests joins duplicates with ", "
        assert "Strict-Transport-Security" not in response.headers  # never over plain HTTP
        assert response.headers["Server"] == "nginx"  # no version


def test_forwarding_headers_are_the_gateways_own(gateway, upstreams):
    auth = upstreams()
    gw = gateway(**routes(auth))
    spoofed = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example",
               "Forwarded": "for=203.0.113.9", "X-Real-IP": "203.0.113.9", "Proxy": "http://evil.example"}
    _, seen = through(gw, spoofed)
    assert seen["X-Forwarded-For"] == "127.0.0.1"
    assert seen["X-Forwarded-Proto"] == "http"
    assert seen["Host"] == f"127.0.0.1:{gw.port}"  # with its port, for Location and pagination links
    for dropped in ("X-Forwarded-Host", "Forwarded", "X-Real-IP", "Proxy", "Connection"):
        assert dropped not in seen


# --- behind a trusted proxy (an Ingress controller) ---------------------------------------------
def test_behind_a_trusted_proxy_the_client_and_its_scheme_are_the_proxys_word(gateway, upstreams):
    auth = upstreams()
    gw = gateway(**routes(auth, GATEWAY_TRUSTED_PROXIES="110.0.0.0/8, 127.0.0.1/32 10.0.0.0/8"))
    # The rightmost address that is not a trusted proxy: what a client put first is not believed.
    response, seen = through(gw, {"X-Forwarded-For": "198.51.100.1, 203.0.113.9, 10.1.2.3",
                                  "X-Forwarded-Proto": "https"})
    assert seen["X-Forwarded-For"] == "203.0.113.9" and seen["X-Forwarded-Proto"] == "https"
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"  # the client is on TLS
    deadline = time.monotonic() + 5  # nginx writes the line once the response is sent
    while not (logged := [line for line in gw.access_log() if line["uri"] == "/v1/auth/me/"]):
        assert time.monotonic() < deadline, gw.log()
        time.sleep(0.05)
    assert logged[-1]["remote_addr"] == "203.0.113.9"
    _, plain = through(gw, {"X-Forwarded-Proto": "gopher"})
    assert plain["X-Forwarded-Proto"] == "http" and plain["X-Forwarded-For"] == "127.0.0.1"


def test_an_untrusted_peers_forwarding_headers_are_still_ignored(gateway, upstreams):
    auth = upstreams()
    gw = gateway(**routes(auth, GATEWAY_TRUSTED_PROXIES="10.0.0.0/8"))
    response, seen = through(gw, {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
    assert seen["X-Forwarded-For"] == "127.0.0.1" and seen["X-Forwarded-Proto"] == "http"
    assert "Strict-Transport-Security" not in response.headers


def test_behind_a_trusted_proxy_the_edge_limit_counts_each_client(gateway, upstreams):
    auth = upstreams()
    gw = gateway(**routes(auth, GATEWAY_AUTH_RATE="1r/m", GATEWAY_AUTH_BURST="1", GATEWAY_TRUSTED_PROXIES="127.0.0.1"))
    alice, bob = ({"X-Forwarded-For": address} for address in ("203.0.113.1", "203.0.113.2"))
    assert [post_from(gw, "/v1/auth/token/", headers=alice).status_code for _ in range(3)] == [200, 200, 429]
    assert post_from(gw, "/v1/auth/token/", headers=bob).status_code == 200  # not the proxy's budget


def test_upstream_connections_are_kept_alive(gateway, upstreams):
    auth = upstreams()
    gw = gateway(**routes(auth))
    with requests.Session() as client:  # one client connection, so one nginx worker serves all three
        connections = {client.get(f"{gw.url}/v1/auth/me/").json()["connection"] for _ in range(3)}
    assert len(connections) == 1


def test_an_upstream_connection_is_replaced_after_100_requests(gateway, upstreams):
    """So the connections nginx reuses cannot all stay on one gunicorn worker for good (upstreams.conf)."""
    gw = gateway(**routes(upstreams()))
    with requests.Session() as client:
        connections = [client.get(f"{gw.url}/v1/auth/me/").json()["connection"] for _ in range(101)]
    assert connections[:100] == [connections[0]] * 100
    assert connections[100] != connections[0]


def test_compression_never_weakens_a_services_etag(gateway, upstreams):
    """gzip would turn a strong ETag weak (W/"..."), and If-Match would then never match."""
    body = b'{"results": [' + b",".join(b'{"name": "Ada Lovelace"}' for _ in range(2000)) + b"]}"
    gw = gateway(**routes(upstreams("status", status=200, headers={"ETag": '"v42"'}, body=body)))
    response = requests.get(f"{gw.url}/v1/customers/", headers={"Accept-Encoding": "gzip"})
    assert response.headers["ETag"] == '"v42"'
    assert "Content-Encoding" not in response.headers


# --- TLS ----------------------------------------------------------------------------------------
def test_with_tls_the_service_learns_the_client_used_https(gateway, upstreams, tls_pair):
    cert, key = tls_pair
    auth = upstreams()
    gw = gateway(**routes(auth), GATEWAY_TLS_CERT=str(cert), GATEWAY_TLS_KEY=str(key))
    response = requests.get(f"{gw.https_url}/v1/auth/me/", verify=str(cert))
    seen = response.json()["headers"]
    assert seen["X-Forwarded-Proto"] == "https"
    assert seen["Host"] == f"127.0.0.1:{gw.tls_port}"
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    missing = requests.get(f"{gw.https_url}/nowhere", verify=str(cert))
    assert_gateway_problem(missing, 404)
    assert missing.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_with_tls_plain_http_is_redirected_to_https(gateway, upstreams, tls_pair):
    cert, key = tls_pair
    auth = upstreams()
    gw = gateway(**routes(auth), GATEWAY_TLS_CERT=str(cert), GATEWAY_TLS_KEY=str(key))
    target = f"https://127.0.0.1:{gw.tls_port}/v1/auth/users/?page=2"
    for method, status in (("GET", 301), ("HEAD", 301), ("POST", 308), ("PATCH", 308)):
        response = requests.request(method, f"{gw.url}/v1/auth/users/?page=2", allow_redirects=False)
        assert response.status_code == status, method
        assert response.headers["Location"] == target
        assert "Strict-Transport-Security" not in response.headers
    assert auth.requests == []  # nothing reached a service over plain HTTP
    health = requests.get(f"{gw.url}/healthz")  # probes and load balancers speak plain HTTP
    assert health.status_code == 200 and "Strict-Transport-Security" not in health.headers
    # nginx's own errors on the plain port are problem+json too.
    assert_gateway_problem(requests.get(f"{gw.url}/" + "a" * 9000), 414)
