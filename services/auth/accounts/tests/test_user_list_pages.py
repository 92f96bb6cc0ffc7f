"""Staff list users a page at a time: by number in v1, by cursor in v2 (at most 100 a page)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_users(django_user_model):
    return [django_user_model.objects.create_user(username=f"user{i:02d}", password="x") for i in range(25)]


def test_v2_pages_through_every_user_once_in_order_of_joining(staff, bearer, many_users):
    client, seen, url = bearer("root"), [], "/v2/auth/users/?page_size=10"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        body = response.json()
        assert len(body["results"]) <= 10
        seen += body["results"]
        url = body["next"]
    assert sorted(user["username"] for user in seen) == ["root", *(f"user{i:02d}" for i in range(25))]
    assert [user["date_joined"] for user in seen] == sorted(user["date_joined"] for user in seen)


@pytest.mark.parametrize("query", ["page_size=101", "page_size=0", "page_size=²", "cursor=bogus"])
def test_v2_refuses_a_page_it_cannot_give(staff, bearer, query):
    response = bearer("root").get(f"/v2/auth/users/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_v1_pages_by_number_with_a_count(staff, bearer, many_users):
    body = bearer("root").get("/v1/auth/users/?page_size=10&page=3").json()
    assert body["count"] == 26 and len(body["results"]) == 6 and body["next"] is None
    assert bearer("root").get("/v1/auth/users/?page=4&page_size=10").status_code == 404
