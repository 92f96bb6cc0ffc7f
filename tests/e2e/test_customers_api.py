"""The customers API through the real gateway: scopes, other owners, conditional writes, idempotency, throttling."""

import subprocess
import threading
import uuid

import requests

from devfleet import REPO_ROOT


def set_account(fleet, username: str, *, read_only: bool = False, staff: bool = False) -> None:
    """What an auth administrator does: a group or the staff flag; the next login's token carries the scopes."""
    code = (
        "from django.contrib.auth.models import Group; from accounts.models import User; "
        f"u = User.objects.get(username={username!r}); "
        + (f"u.groups.add(Group.objects.get_or_create(name='customers-readonly')[0]); " if read_only else "")
        + f"u.is_staff = {staff!r}; u.save()"
    )
    subprocess.run([str(REPO_ROOT / ".venv" / "bin" / "python"), "manage.py", "shell", "-c", code],
                   cwd=REPO_ROOT / "services" / "auth", env=fleet.env_for("auth"), check=True, capture_output=True)


def create(user, version="v2", **fields):
    body = {"name": "Ada", "email": f"{uuid.uuid4().hex[:8]}@example.com", **fields}
    response = user.request("POST", f"/{version}/customers/", json=body)
    assert response.status_code == 201, response.text
    return response


def test_a_read_only_user_may_read_but_writing_is_403_naming_the_scope(fleet, new_user):
    reader = new_user()
    own = create(reader).json()["id"]
    set_account(fleet, reader.username, read_only=True)
    reader.tokens = reader.login()
    assert reader.request("GET", "/v2/customers/").status_code == 200
    for method, path in (("POST", "/v2/customers/"), ("PATCH", f"/v2/customers/{own}/"),
                         ("DELETE", f"/v2/customers/{own}/")):
        response = reader.request(method, path, json={"name": "x"})
        assert response.status_code == 403, (method, response.text)
        assert "customers:write" in response.json()["detail"]


def test_an_admin_sees_and_changes_other_owners_customers(fleet, new_user):
    owner, admin = new_user(), new_user()
    theirs = create(owner).json()["id"]
    set_account(fleet, admin.username, staff=True)
    admin.tokens = admin.login()
    assert admin.request("GET", f"/v2/customers/{theirs}/").status_code == 200
    assert admin.request("PATCH", f"/v2/customers/{theirs}/", json={"company": "Audit"}).status_code == 200
    assert owner.request("GET", f"/v2/customers/{theirs}/").json()["company"] == "Audit"


def test_another_owners_customer_is_404_for_every_method_and_never_listed(new_user):
    alice, bob = new_user(), new_user()
    path = f"/v1/customers/{create(alice).json()['id']}/"
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        assert bob.request(method, path, json={"name": "x", "email": "x@example.com"}).status_code == 404, method
    create(bob)
    for query in ("", "?search=Ada", "?ordering=-name"):
        rows = bob.request("GET", f"/v2/customers/{query}").json()["results"]
        assert {row["owner"] for row in rows} == {bob.id}


def test_etag_survives_the_gateway_and_if_none_match_gives_304(new_user):
    alice = new_user()
    path = create(alice).headers["Location"].split("://", 1)[1].split("/", 1)[1]
    fetched = alice.request("GET", f"/{path}")
    etag = fetched.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert alice.request("GET", f"/{path}", headers={"If-None-Match": etag}).status_code == 304


def test_two_writers_with_the_same_if_match_get_one_200_and_one_412(new_user):
    alice = new_user()
    for round_ in range(5):
        created = create(alice)
        path = f"/v2/customers/{created.json()['id']}/"
        etag, barrier, statuses = created.headers["ETag"], threading.Barrier(2), []

        def write(name):
            barrier.wait()
            response = requests.patch(f"{alice.gateway}{path}", json={"name": name}, timeout=10,
                                      headers={**alice.headers, "If-Match": etag})
            statuses.append(response.status_code)

        threads = [threading.Thread(target=write, args=(f"Writer {i}",)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(statuses) == [200, 412], f"round {round_}: {statuses}"
        assert alice.request("GET", path).headers["ETag"].endswith('-2"')


def test_twenty_concurrent_posts_with_one_idempotency_key_make_one_row(new_user):
    alice = new_user()
    body = {"name": "Once", "email": "once@example.com"}
    headers = {**alice.headers, "Idempotency-Key": f"import-{uuid.uuid4()}"}
    barrier, responses = threading.Barrier(20), []

    def post():
        barrier.wait()
        responses.append(requests.post(f"{alice.gateway}/v2/customers/", json=body, headers=headers, timeout=15))

    threads = [threading.Thread(target=post) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {201, 409}, statuses
    created = [r for r in responses if r.status_code == 201]
    assert created and len({r.json()["id"] for r in created}) == 1
    assert sum(r.headers.get("Idempotent-Replayed") != "true" for r in created) == 1
    assert alice.request("GET", "/v1/customers/").json()["count"] == 1
    replay = requests.post(f"{alice.gateway}/v2/customers/", json=body, headers=headers, timeout=10)
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == created[0].json()["id"]
    other = requests.post(f"{alice.gateway}/v2/customers/", json={**body, "name": "Twice"}, headers=headers, timeout=10)
    assert other.status_code == 422 and other.headers["Content-Type"] == "application/problem+json"


def test_writes_are_throttled_through_the_gateway_with_retry_after(new_user):
    """The write scope (120/min by default) is spent by bodies that fail validation too: throttles come first."""
    alice = new_user()
    session = requests.Session()
    session.headers.update(alice.headers)
    statuses = []
    for _ in range(130):
        response = session.post(f"{alice.gateway}/v2/customers/", json={}, timeout=10)
        statuses.append(response.status_code)
        if response.status_code == 429:
            break
    assert statuses[-1] == 429 and set(statuses[:-1]) == {400} and len(statuses) == 121
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert response.headers["Content-Type"] == "application/problem+json"
    assert session.get(f"{alice.gateway}/v2/customers/", timeout=10).status_code == 200  # reads still pass


def test_v1_carries_its_lifecycle_headers_through_the_gateway(gateway, new_user):
    response = new_user().request("GET", "/v1/customers/")
    assert response.headers["Deprecation"].startswith("@") and response.headers["Sunset"].endswith("GMT")
    assert response.headers["Link"] == f'<{gateway}/v2/customers/>; rel="successor-version"'
