"""The ceilings `make bench` runs in Django: ceiling B, the least a view can do per request (one primary-key
query, JsonResponse), and the login's ceiling (one password verified, nothing else)."""
