"""Work the bench does inside a service's own Django (its settings, its database), one JSON line out.

    cd services/auth      && python ../../bench/django_tasks.py bench-user USERNAME PASSWORD
    cd services/auth      && python ../../bench/django_tasks.py refresh-tokens USERNAME COUNT FILE [USERS]
    cd services/auth      && python ../../bench/django_tasks.py hasher-rate SECONDS THREADS
    cd services/customers && python ../../bench/django_tasks.py customers OWNER COUNT

Run with the service's environment (devfleet's env_for); the bench runs these for you.
"""

from __future__ import annotations

import functools
import json
import os
import secrets
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path


def setup() -> None:
    sys.path.insert(0, os.getcwd())  # the service directory: its `config.settings`
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def emptied(*models) -> None:
    """Every run starts from the same rows and index sizes: what earlier runs inserted would slow later ones."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE " + ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models))


def bench_user(username: str, password: str) -> dict:
    """The user the bench logs in as: created once, its password reset to the bench's own each run.

    The refresh tokens of earlier runs (every login and refresh leaves one) are deleted first.
    """
    from django.contrib.auth import get_user_model

    from tokens.models import RefreshToken

    emptied(RefreshToken)
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.set_password(password)  # hashed with the shipped hasher: logins verify exactly what production does
    user.is_active = True
    user.save()
    return {"sub": str(user.pk), "password_hash": user.password}


def refresh_tokens(username: str, count: int, path: str, users: int = 1) -> dict:
    """`count` live refresh tokens of their own families (each can be spent once), raw values to `path`.

    With `users` > 1 they belong to that many users (`USERNAME-r0`, ...), taken in turn: many people
    refreshing. With 1, all are the bench user's: one user's refreshes wait for each other, since a
    refresh locks its user's row (so it cannot race a password change that revokes every token).
    """
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from tokens.models import RefreshToken
    from tokens.services import hash_token

    model = get_user_model()
    if users == 1:
        owners = [model.objects.get(username=username)]
    else:
        owners = []
        for i in range(users):
            user, created = model.objects.get_or_create(username=f"{username}-r{i}")
            if created:
                user.set_unusable_password()
                user.save()
            owners.append(user)
    now = timezone.now()
    raws = [secrets.token_urlsafe(32) for _ in range(count)]
    RefreshToken.objects.bulk_create(
        [RefreshToken(user=owners[i % len(owners)], family=uuid.uuid4(), token_hash=hash_token(raw),
                      expires_at=now + timedelta(hours=1), family_expires_at=now + timedelta(hours=1))
         for i, raw in enumerate(raws)],
        batch_size=2000,
    )
    Path(path).write_text("\n".join(raws) + "\n")
    return {"tokens": count, "users": len(owners)}


def hasher_rate(seconds: float, threads: int) -> dict:
    """The shipped password hasher's own verifications per second, `threads` at once, in this process."""
    from django.contrib.auth.hashers import Argon2PasswordHasher, get_hasher

    hasher = get_hasher("default")
    password = secrets.token_urlsafe(16)
    encoded = hasher.encode(password, hasher.salt())
    verify = hasher.verify
    if isinstance(hasher, Argon2PasswordHasher):  # the hash itself, on the calling thread (no hashing pool)
        verify = functools.partial(Argon2PasswordHasher.verify, hasher)
    assert verify(password, encoded)
    counts = [0] * threads
    deadline = time.perf_counter() + seconds

    def work(index: int) -> None:
        while time.perf_counter() < deadline:
            verify(password, encoded)
            counts[index] += 1

    started = time.perf_counter()
    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    return {"hasher": hasher.algorithm, "params": {k: getattr(hasher, k, None) for k in
                                                  ("time_cost", "memory_cost", "parallelism")},
            "threads": threads, "verifications": sum(counts), "seconds": elapsed, "rate": sum(counts) / elapsed}


def customers(owner: str, count: int) -> dict:
    """Exactly `count` customers, all of `owner` (the bench user's sub), in one bulk insert into emptied tables."""
    from customers.models import Customer, IdempotencyKey

    emptied(Customer, IdempotencyKey)
    Customer.objects.bulk_create(
        [Customer(owner=owner, name=f"Bench customer {i}", email=f"seed-{i}@bench.example.com",
                  company=f"Company {i % 50}", phone="+44 20 7946 0000") for i in range(count)],
        batch_size=2000,
    )
    first = Customer.objects.filter(owner=owner).order_by("id").values_list("id", flat=True).first()
    return {"customers": count, "customer_id": str(first)}


TASKS = {"bench-user": bench_user, "refresh-tokens": refresh_tokens, "hasher-rate": hasher_rate,
         "customers": customers}


def main(argv: list[str]) -> int:
    task, args = argv[0], argv[1:]
    setup()
    converted = [int(a) if a.isdigit() else (float(a) if a.replace(".", "", 1).isdigit() else a) for a in args]
    print("BENCH-TASK " + json.dumps(TASKS[task](*converted)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
