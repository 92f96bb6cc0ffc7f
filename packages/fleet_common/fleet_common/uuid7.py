"""UUIDv7 (RFC 9562): time-ordered, so ids double as a keyset and cannot be enumerated."""

import os
import threading
import time
import uuid

_RANDOM_BITS = 74
_lock = threading.Lock()
_last = (0, 0)  # (milliseconds, 74 random bits) of the last id made in this process


def uuid7() -> uuid.UUID:
    """Return a UUIDv7: 48-bit Unix milliseconds, version and variant bits, 74 random bits.

    Within one process ids are strictly increasing (RFC 9562 §6.2, method 2): an id made in the same
    millisecond as the previous one (or after the clock stepped back) adds a random increment of up
    to 32 bits to the previous random part, so creation order is id order even below a millisecond.
    """
    global _last
    millis = time.time_ns() // 1_000_000
    with _lock:
        last_millis, last_random = _last
        if millis > last_millis:
            random_part = int.from_bytes(os.urandom(10), "big") >> (80 - _RANDOM_BITS)
        else:
            millis = last_millis
            random_part = last_random + 1 + int.from_bytes(os.urandom(4), "big")
            if random_part >> _RANDOM_BITS:  # the random part overflowed: borrow the next millisecond
                millis, random_part = millis + 1, int.from_bytes(os.urandom(10), "big") >> (80 - _RANDOM_BITS + 1)
        _last = (millis, random_part)
    rand_a, rand_b = random_part >> 62, random_part & ((1 << 62) - 1)
    value = (millis << 80) | (0x7 << 76) | (rand_a << 64) | (0x2 << 62) | rand_b
    return uuid.UUID(int=value)
