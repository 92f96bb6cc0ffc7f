import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.test import override_settings

from accounts.hashers import FleetArgon2PasswordHasher

pytestmark = pytest.mark.django_db
ARGON = ["accounts.hashers.FleetArgon2PasswordHasher", "django.contrib.auth.hashers.PBKDF2PasswordHasher"]


@override_settings(PASSWORD_HASHERS=ARGON)
def test_argon2id_with_at_least_owasp_parameters():
    encoded = make_password("a long pass phrase")
    assert encoded.startswith("argon2$argon2id$")
    assert "m=19456,t=3,p=1" in encoded
    hasher = FleetArgon2PasswordHasher()
    assert hasher.memory_cost >= 19 * 1024 and hasher.time_cost >= 2 and hasher.parallelism == 1


@override_settings(PASSWORD_HASHERS=ARGON)
def test_an_older_hash_is_upgraded_at_login(api, django_user_model):
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    user = django_user_model.objects.create(username="old", password=PBKDF2PasswordHasher().encode("a long pass phrase",
                                                                                                 "saltsaltsalt"))
    response = api.post("/v1/auth/token/", {"username": "old", "password": "a long pass phrase"}, format="json")
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert check_password("a long pass phrase", user.password)


def test_hashing_runs_at_most_the_configured_number_at_once(settings):
    from contextlib import ExitStack

    from accounts.hashers import hashing_slot
    from fleet_common.exceptions import ServiceUnavailable

    with ExitStack() as held:
        for _ in range(settings.AUTH_MAX_CONCURRENT_HASHES):
            held.enter_context(hashing_slot())
        with pytest.raises(ServiceUnavailable):
            with hashing_slot():
                pass
    with hashing_slot():
        pass  # slots come back
