"""Security events are structured log lines with the request id, and never carry a secret."""

import logging

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit(caplog):
    caplog.set_level(logging.INFO, logger="audit")

    def events():
        return [record.msg for record in caplog.records if record.name == "audit" and isinstance(record.msg, dict)]
    return events


def test_login_success_and_failure_are_audited_with_the_request_id(api, user, audit):
    api.post("/v1/auth/token/", {"username": "alice", "password": "wrong password"}, format="json",
             HTTP_X_REQUEST_ID="req-123")
    api.post("/v1/auth/token/", {"username": "alice", "password": "correct horse battery"}, format="json")
    names = [event["event"] for event in audit()]
    assert names[:2] == ["login_failed", "login_succeeded"]
    assert audit()[0]["request_id"] == "req-123"


def test_refresh_reuse_is_audited(api, user, login, audit):
    pair = login()
    api.post("/v1/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json")
    api.post("/v1/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json")
    assert "refresh_token_reuse_detected" in [event["event"] for event in audit()]


def test_no_password_or_token_reaches_the_audit_log(api, user, login, audit, caplog):
    pair = login()
    api.post("/v1/auth/token/", {"username": "alice", "password": "wrong password"}, format="json")
    # A password typed into the username box: a failed login logs the name's digest, not the name.
    api.post("/v1/auth/token/", {"username": "correct horse battery", "password": "alice"}, format="json")
    api.post("/v1/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json")
    text = caplog.text + repr([record.msg for record in caplog.records])
    for secret in ("correct horse battery", "wrong password", pair["refresh"], pair["access"]):
        assert secret not in text
    failed = [event for event in audit() if event["event"] == "login_failed"]
    assert len(failed) == 2 and all(len(event["username_sha256"]) == 64 for event in failed)


def test_key_rotation_and_client_lifecycle_are_audited(audit, tmp_path, settings):
    from django.core.management import call_command

    from clients.models import ServiceClient
    from tokens import keyring

    settings.AUTH_SIGNING_KEYS_DIR = str(tmp_path)
    keyring._keyring = None  # a keyring over the empty temporary directory
    try:
        call_command("signing_key", "rotate")
    finally:
        keyring._keyring = None
    call_command("service_client", "create", "billing", "--scope", "customers:read")
    call_command("service_client", "disable", ServiceClient.objects.get().client_id)
    names = [event["event"] for event in audit()]
    assert {"signing_key_created", "service_client_created", "service_client_disabled"} <= set(names)
