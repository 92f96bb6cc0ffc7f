"""`make bench`: the fleet's throughput and latency against its ceilings (see bench/__main__.py)."""
