"""How long each kind of signed token lives; a retired key stays published for the longest of them."""

from datetime import timedelta

from django.conf import settings


def access_token_lifetime() -> timedelta:
    return settings.ACCESS_TOKEN_LIFETIME


def service_token_lifetime() -> timedelta:
    return settings.SERVICE_TOKEN_LIFETIME


def longest_token_lifetime() -> timedelta:
    return max(access_token_lifetime(), service_token_lifetime())
