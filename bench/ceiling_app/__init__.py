"""Ceiling B of `make bench`: the least a Django view can do per request (one primary-key query, JsonResponse)."""
