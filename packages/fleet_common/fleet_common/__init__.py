"""Shared building blocks of the fleet's Django services."""
