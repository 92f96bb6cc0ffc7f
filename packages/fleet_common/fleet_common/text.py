"""Plain checks of text parsed without a serializer (headers, path segments, cursors, token claims); no Django."""


def is_storable_text(value: str) -> bool:
    """No NUL and no lone surrogate: text that PostgreSQL (and UTF-8) can hold, for values parsed without a serializer."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_ascii_digits(value: str) -> bool:
    """0-9 only: `str.isdigit()` also accepts '²' and '١', which `int()` then refuses with a ValueError."""
    return value.isascii() and value.isdigit()
