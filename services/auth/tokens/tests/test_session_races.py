"""Changes that end sessions against a refresh in flight: each waits for the other, none lets a session survive.

`other_session` plays the refresh: it holds the user's row and the token's, as the refresh's one locking read
does, and inserts the successor its commit will publish. Or it plays the change, and the refresh is real.
"""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.services import user_delete, user_password_change
from fleet_testing import in_thread
from tokens.models import RefreshToken
from tokens.services import hash_token, refresh_token_revoke, token_pair_refresh

pytestmark = pytest.mark.django_db(transaction=True)


def refresh_in_flight(session, user, raw: str) -> RefreshToken:
    """Open the refresh's transaction: lock the user and the token, spend it, insert its successor (uncommitted)."""
    token = RefreshToken.objects.get(token_hash=hash_token(raw))
    successor = RefreshToken(id=uuid.uuid4(), user_id=user.pk, family=token.family, token_hash=hash_token("next"),
                             expires_at=timezone.now() + timedelta(days=1), family_expires_at=token.family_expires_at)
    with session.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute("SELECT 1 FROM accounts_user u JOIN tokens_refreshtoken t ON u.id = t.user_id "
                       "WHERE t.id = %s FOR UPDATE", [token.pk])
        cursor.execute("UPDATE tokens_refreshtoken SET spent_at = now() WHERE id = %s", [token.pk])
        cursor.execute("INSERT INTO tokens_refreshtoken (id, user_id, family, token_hash, created_at, expires_at, "
                       "family_expires_at) VALUES (%s, %s, %s, %s, now(), %s, %s)",
                       [successor.id, user.pk, token.family, successor.token_hash, successor.expires_at,
                        successor.family_expires_at])
    return successor


def commit_after_it_waited(session, thread) -> None:
    thread.join(0.5)
    assert thread.is_alive()  # it waits for the refresh
    with session.cursor() as cursor:
        cursor.execute("COMMIT")
    thread.join()


def test_a_logout_racing_a_refresh_ends_the_refreshed_session_too(user, login, other_session):
    raw = login()["refresh"]
    successor = refresh_in_flight(other_session, user, raw)
    thread, raised = in_thread(lambda: refresh_token_revoke(raw=raw))
    commit_after_it_waited(other_session, thread)
    assert raised == []
    assert RefreshToken.objects.get(pk=successor.id).revoked_at is not None


def test_deleting_a_user_during_a_refresh_deletes_the_refreshed_token_too(user, login, other_session):
    raw = login()["refresh"]
    refresh_in_flight(other_session, user, raw)
    thread, raised = in_thread(lambda: user_delete(user=user))
    commit_after_it_waited(other_session, thread)
    assert raised == []  # was an IntegrityError at COMMIT: the successor still pointed at the user (a 500)
    assert not RefreshToken.objects.filter(user_id=user.pk).exists()


def test_a_password_change_racing_a_refresh_ends_the_refreshed_session(user, login, other_session):
    raw = login()["refresh"]
    successor = refresh_in_flight(other_session, user, raw)
    thread, raised = in_thread(lambda: user_password_change(
        user=user, current_password="correct horse battery", new_password="a new and longer passphrase"))
    commit_after_it_waited(other_session, thread)
    assert raised == []
    assert RefreshToken.objects.get(pk=successor.id).revoked_at is not None


def test_of_two_password_changes_with_the_same_current_password_the_second_is_refused(user, other_session):
    with other_session.cursor() as cursor:  # the first change, not yet committed: the user's row is locked
        cursor.execute("BEGIN")
        cursor.execute("SELECT 1 FROM accounts_user WHERE id = %s FOR UPDATE", [user.pk])
        user.set_password("the first new passphrase")
        cursor.execute("UPDATE accounts_user SET password = %s WHERE id = %s", [user.password, user.pk])
    stale = type(user).objects.get(pk=user.pk)  # read before the first change commits, as a racing request did
    thread, raised = in_thread(lambda: user_password_change(
        user=stale, current_password="correct horse battery", new_password="the second new passphrase"))
    commit_after_it_waited(other_session, thread)
    assert [type(error).__name__ for error in raised] == ["ValidationError"]
    user.refresh_from_db()
    assert user.check_password("the first new passphrase")


def test_a_refresh_waiting_for_a_change_of_its_user_holds_no_token_the_change_revokes(user, login, other_session):
    """The refresh locked its token, then waited for the user, whose change then revoked that token: a deadlock
    (a 503 for one side; a race hunt met it when a refresh spent the token made while the change began)."""
    raw = login()["refresh"]
    with other_session.cursor() as cursor:  # a change that ends sessions, under way: the user's row is locked
        cursor.execute("BEGIN")
        cursor.execute("SELECT 1 FROM accounts_user WHERE id = %s FOR UPDATE", [user.pk])
    thread, raised = in_thread(lambda: token_pair_refresh(raw=raw))
    thread.join(0.5)
    assert thread.is_alive()  # the refresh waits for the user
    with other_session.cursor() as cursor:  # the change goes on to revoke the user's tokens, and commits
        cursor.execute("UPDATE tokens_refreshtoken SET revoked_at = now() WHERE user_id = %s", [user.pk])
        cursor.execute("COMMIT")
    thread.join()
    assert [type(error).__name__ for error in raised] == ["AuthenticationFailed"]  # refused, not a deadlock
