"""Whether PostgreSQL 15 reads a seed's text as a value of the types whose input can be judged offline.

Seed values are checked at compile time so a bad one is a positioned definition error, not a
failed load. These types take text whose rules are short enough to state here: network addresses
(Python's ipaddress reads what inet and cidr read, and cidr's abbreviated IPv4 forms are
expanded as PostgreSQL expands them), bytea's hex and escape formats, intervals, money, XML
content, and times of day. Where PostgreSQL's reading depends on the server (money's
lc_monetary), the check accepts only what every server reads alike.
"""
from __future__ import annotations

import ipaddress
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable

_HEX_BYTEA = re.compile(r"\\x(\s*[0-9a-fA-F]{2})*\s*\Z")
_ESCAPE_BYTEA = re.compile(r"([^\\]|\\\\|\\[0-3][0-7]{2})*\Z", re.DOTALL)

# interval input as PostgreSQL documents it: `[@] quantity unit ... [ago]` with optional
# hh:mm[:ss] and year-month `Y-M` parts, or ISO 8601 (`P1Y2M3DT4H`, `P0001-02-03T04:05:06`)
_UNIT = (r"(microseconds?|us|usecs?|milliseconds?|ms|msecs?|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h"
         r"|days?|d|weeks?|w|months?|mons?|years?|yrs?|y|decades?|decs?|centur(y|ies)|c|millenni(um|a)|mils?)")
_NUMBER = r"[+-]?(\d+\.?\d*|\.\d+)"
_CLOCK = r"[+-]?\d+:\d{1,2}(:\d{1,2}(\.\d+)?)?"
_INTERVAL_PART = rf"({_NUMBER}\s*{_UNIT}|{_CLOCK}|[+-]?\d+-\d+|{_NUMBER})"
_VERBOSE_INTERVAL = re.compile(rf"\s*(@\s*)?{_INTERVAL_PART}(\s+{_INTERVAL_PART})*(\s+ago)?\s*\Z", re.IGNORECASE)
_ISO_INTERVAL = re.compile(
    r"\s*-?P((\d+(\.\d+)?[YMWD])*(T(\d+(\.\d+)?[HMS])+)?|\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?)?)\s*\Z")

# money as every lc_monetary reads it: digits, an optional fraction after a point, a sign or
# parentheses, and the dollar sign and thousands commas of the C and English locales
_MONEY = re.compile(r"\s*(-?\$?|\$-)(\d{1,3}(,\d{3})+|\d+)(\.\d+)?\s*\Z|\s*\(\$?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?\)\s*\Z")

_TIME = re.compile(r"\s*(\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*(?P<zone>.*?)\s*\Z")
_OFFSET = re.compile(r"([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?\Z")
_ZONE_WORDS = frozenset({"z", "utc", "gmt", "zulu", "ut"})
# what may come before XML content: a declaration, then a document type (read by PostgreSQL, not here)
_XML_PROLOG = re.compile(r"\s*(<\?xml\s[^>]*\?>)?\s*(<!DOCTYPE\s[^\[>]*(\[[^\]]*\])?\s*>)?")


def text_problem(base: str, text: str) -> str | None:
    """Why PostgreSQL would refuse `text` as a value of the built-in type `base` (format_type()'s
    spelling without a modifier); None when it reads it or the type is not judged here."""
    check = _CHECKS.get(base)
    return check(text) if check else None


def _inet(text: str) -> str | None:
    try:
        if "%" in text:  # an IPv6 zone (fe80::1%eth0): Python reads it, PostgreSQL does not
            raise ValueError(text)
        ipaddress.ip_interface(text.strip())
    except ValueError:
        return "is not an IP address (with an optional /netmask bits) for type inet"
    return None


def _cidr(text: str) -> str | None:
    written = text.strip()
    address, slash, bits = written.partition("/")
    parts = address.split(".")
    if "." in address or address.isdigit():  # IPv4, maybe abbreviated: 10/8, 128.1
        if len(parts) < 4 and all(p.isdigit() for p in parts):
            address = ".".join(parts + ["0"] * (4 - len(parts)))
            if not slash:  # PostgreSQL's classful guess at the mask is for the abbreviated form only
                return None if all(int(p) < 256 for p in parts) else "is not a network address for type cidr"
    try:
        ipaddress.ip_network(address + slash + bits, strict=True)
    except ValueError as e:
        if "host bits set" in str(e):
            return "has bits set to the right of the netmask, which type cidr refuses (inet keeps them)"
        return "is not a network address for type cidr (an address and /netmask bits)"
    return None


def _bytea(text: str) -> str | None:
    if text.startswith("\\x"):
        if _HEX_BYTEA.match(text):
            return None
        return "is not bytea's hex format: \\x then pairs of hex digits"
    if _ESCAPE_BYTEA.match(text):
        return None
    return ("is not bytea's escape format (a backslash starts \\\\ or three octal digits up to \\377); "
            "write bytes as hex: \\x0a0b")


def _interval(text: str) -> str | None:
    if _VERBOSE_INTERVAL.match(text) or _ISO_INTERVAL.match(text):
        return None
    return "is not an interval (write e.g. '1 day 02:00:00', '3 hours', '1-2' or 'P1DT2H')"


def _money(text: str) -> str | None:
    if _MONEY.match(text):
        return None
    return "is not an amount of money every server reads alike (write e.g. 12.50, -3, $1,234.56)"


def _xml(text: str) -> str | None:
    content = _XML_PROLOG.sub("", text, count=1)
    try:  # XML content (PostgreSQL's default xmloption): text and elements, several at the top allowed
        ElementTree.fromstring(f"<content>{content}</content>")
    except ElementTree.ParseError as e:
        return f"is not well-formed XML ({str(e).split(':')[0]})"
    return None


def _clock_problem(text: str, zoned: bool) -> str | None:
    found = _TIME.match(text)
    if found is None:
        return "is not a time of day (write hh:mm[:ss])"
    hours, minutes, seconds = int(found[1]), int(found[2]), int(found[3] or 0)
    fraction = float(found[4] or 0)
    if minutes > 59 or seconds > 60 or hours > 24 or (hours == 24 and (minutes, seconds, fraction) != (0, 0, 0)):
        return "is out of range for a time of day (00:00:00 to 24:00:00)"
    zone = found["zone"]
    if not zone:
        return None
    if not zoned:
        return "has a time zone, which type time without time zone drops; write the time alone"
    if zone.lower() in _ZONE_WORDS:
        return None
    offset = _OFFSET.match(zone)
    if offset is None:
        return "has a time zone that is not a UTC offset (write it as +02, -05:30 or Z)"
    if int(offset[2]) > 15 or int(offset[3] or 0) > 59 or int(offset[4] or 0) > 59:
        return "has a UTC offset out of range (at most 15:59:59 either way)"
    return None


_CHECKS: dict[str, Callable[[str], str | None]] = {
    "inet": _inet,
    "cidr": _cidr,
    "bytea": _bytea,
    "interval": _interval,
    "money": _money,
    "xml": _xml,
    "time without time zone": lambda t: _clock_problem(t, zoned=False),
    "time with time zone": lambda t: _clock_problem(t, zoned=True),
}
