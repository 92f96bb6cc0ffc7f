"""Rotate the signing key while customers keeps running: no valid token, old or new, is ever refused."""

import subprocess
import sys
import time

import jwt
import requests


def rotate(fleet) -> str:
    result = subprocess.run([sys.executable, "manage.py", "signing_key", "rotate"], cwd=fleet.config.service_dir("auth"),
                            env=fleet.env_for("auth"), capture_output=True, text=True, check=True)
    return result.stdout.split("kid=")[1].split(";")[0]


def kid_of(token: str) -> str:
    return jwt.get_unverified_header(token)["kid"]


def test_rotation_publishes_then_signs_with_zero_401s(fleet, gateway, new_user):
    alice = new_user()
    old_token = alice.tokens["access"]
    old_kid = kid_of(old_token)
    time.sleep(1.1)  # key files are named by the second
    new_kid = rotate(fleet)
    assert new_kid != old_kid

    statuses, kids = [], set()
    deadline = time.monotonic() + 16  # publish delay 8 s, plus margin for every worker to switch
    while time.monotonic() < deadline:
        fresh = alice.login()["access"]
        kids.add(kid_of(fresh))
        for token in (old_token, fresh):
            response = requests.get(f"{gateway}/v1/customers/", headers={"Authorization": f"Bearer {token}"}, timeout=5)
            statuses.append(response.status_code)
        time.sleep(0.2)

    published = {key["kid"] for key in requests.get(f"{gateway}/.well-known/jwks.json").json()["keys"]}
    assert {old_kid, new_kid} <= published  # the old key stays until its tokens have expired
    assert kids == {old_kid, new_kid}  # signing moved to the new key during the window
    assert kid_of(alice.login()["access"]) == new_kid
    assert statuses.count(200) == len(statuses), {code: statuses.count(code) for code in set(statuses)}
