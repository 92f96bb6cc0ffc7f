"""Conditional requests (RFC 9110 §13): parse `If-Match` and `If-None-Match` against strong ETags."""

import re

ANY = "*"
_ENTITY_TAG = re.compile(r'\s*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*(?:,|$)')


def quote_etag(opaque: str) -> str:
    """A strong entity tag: the opaque part in double quotes."""
    return f'"{opaque}"'


def parse_etags(header: str | None) -> list[tuple[bool, str]] | str | None:
    """`None` without the header, `ANY` for `*`, else `[(weak, opaque), ...]`; malformed members are dropped."""
    if header is None:
        return None
    if header.strip() == ANY:
        return ANY
    tags, position = [], 0
    while position < len(header):
        match = _ENTITY_TAG.match(header, position)
        if not match:
            break
        tags.append((bool(match.group(1)), match.group(2)))
        position = match.end()
    return tags


def none_match(header: str | None, current: str) -> bool:
    """`If-None-Match` (weak comparison): true when the client already holds `current` (answer 304)."""
    tags = parse_etags(header)
    if tags is None:
        return False
    return tags == ANY or any(quote_etag(opaque) == current for _, opaque in tags)


def strong_tags(header: str | None) -> list[str] | str | None:
    """`If-Match` (strong comparison, so weak tags never match): `None`, `ANY` or the opaque parts."""
    tags = parse_etags(header)
    if tags is None or tags == ANY:
        return tags
    return [opaque for weak, opaque in tags if not weak]
