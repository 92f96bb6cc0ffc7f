"""Two routes under /bench/ceiling/ (the gateway routes it, and /bench/auth-ceiling/ to this app under auth's
gunicorn settings, only in the bench's own config): ceiling B, one customer by primary key; and the login's
ceiling, one password verified as auth verifies it."""

import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from django.contrib.auth.hashers import Argon2PasswordHasher
from django.http import Http404, JsonResponse
from django.urls import path
from django.views.decorators.http import require_POST

from .models import Customer

FIELDS = ("id", "name", "email", "phone", "company", "owner", "created_at", "updated_at")
PASSWORD_HASH = os.environ.get("BENCH_PASSWORD_HASH", "")  # auth's own hash of the bench user's password
HASHING_THREADS = int(os.environ.get("BENCH_HASHING_THREADS", "2"))  # auth's AUTH_MAX_CONCURRENT_HASHES

_hashing_threads: ThreadPoolExecutor | None = None
_hashing_lock = threading.Lock()


def customer(request, pk):
    row = Customer.objects.filter(pk=pk).values(*FIELDS).first()
    if row is None:
        raise Http404
    return JsonResponse(row)


@require_POST
def password(request):
    """A login with nothing but its hash: Django's Argon2 verify on the process's own hashing threads, as in auth."""
    global _hashing_threads
    with _hashing_lock:
        if _hashing_threads is None:  # made on first use, after gunicorn forks
            _hashing_threads = ThreadPoolExecutor(max_workers=HASHING_THREADS, thread_name_prefix="argon2")
    given = json.loads(request.body)["password"]
    verified = _hashing_threads.submit(Argon2PasswordHasher().verify, given, PASSWORD_HASH).result()
    return JsonResponse({"verified": verified}, status=200 if verified else 401)


urlpatterns = [
    path("bench/ceiling/password/", password),
    path("bench/ceiling/<uuid:pk>/", customer),
]
