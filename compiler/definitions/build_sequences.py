"""Reading identity and serial sequence options: `identity: {kind: always, start: 100}` and
`sequence: {start: 100}` on a serial column."""
from __future__ import annotations

from ..model.sequences import OPTION_KEYS, TYPE_RANGES, SequenceOptions, SequenceProblem, normal_options
from ..model.types import SERIAL_TYPES
from .load import Mapping
from .reader import Reader

IDENTITY_KINDS = ("always", "by default")
IDENTITY_KEYS = frozenset({"kind", *OPTION_KEYS})
SEQUENCE_KEYS = frozenset(OPTION_KEYS)


def identity_kind(r: Reader, m: Mapping, what: str) -> str | None:
    """`identity: always` or the `kind` of `identity: {kind: ..., start: ...}`."""
    spec = m.get("identity")
    if not isinstance(spec, Mapping):
        return r.choice(m, "identity", IDENTITY_KINDS, what)
    r.keys(spec, IDENTITY_KEYS, "an identity")
    if spec.get("kind") is None:
        r.error(spec.pos, "an identity needs 'kind' (always or by default)")
        return None
    return r.choice(spec, "kind", IDENTITY_KINDS, what)


def sequence_options(r: Reader, m: Mapping, ctype: str, identity: str | None, what: str) -> SequenceOptions:
    """The options of an identity mapping or of `sequence:` (serial columns only), checked."""
    spec = m.get("identity")
    if m.get("sequence") is not None:
        spec = r.get(m, "sequence", Mapping, what)
        if spec is None:
            return ()
        if ctype not in SERIAL_TYPES:
            hint = "; an identity column takes them in 'identity: {kind: ..., start: ...}'" if identity else ""
            r.error(m.key_pos["sequence"], f"'sequence' options need a serial type, and {what} is "
                                           f"{ctype}{hint}")
            return ()
        r.keys(spec, SEQUENCE_KEYS, "sequence options")
    if not isinstance(spec, Mapping) or (identity is None and ctype not in SERIAL_TYPES):
        return ()
    integer_type = SERIAL_TYPES.get(ctype, ctype)
    if integer_type not in TYPE_RANGES:
        return ()  # an identity of another type is reported by the column reader
    given: dict[str, int | bool] = {}
    for key in OPTION_KEYS:
        value = r.flag(spec, key, what) if key == "cycle" else r.get(spec, key, int, what)
        if value is not None:
            given[key] = value
        elif spec.get(key) is not None:
            return ()  # the reader said why
    try:
        return normal_options(integer_type, given)
    except SequenceProblem as e:
        r.error(spec.pos, f"{what}: {e}")
        return ()
