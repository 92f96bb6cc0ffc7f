import pytest

pytestmark = pytest.mark.django_db


def test_unknown_version_is_a_json_404(api):
    response = api.get("/v3/auth/me/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_unknown_path_under_v2_is_a_problem(api):
    response = api.get("/v2/auth/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_wrong_method_is_405(api):
    assert api.get("/v1/auth/token/").status_code == 405


def test_wrong_content_type_is_415(api):
    response = api.post("/v1/auth/token/", "username=a&password=b", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


def test_malformed_json_is_400(api):
    response = api.post("/v2/auth/token/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_health_and_readiness(api):
    assert api.get("/healthz").json() == {"status": "ok"}
    assert api.get("/readyz").status_code == 200
