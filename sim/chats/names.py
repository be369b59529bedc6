"""Members become pseudonyms the moment they are read.

A pseudonym is a keyed hash (HMAC-SHA256) of the normalised display name, with a salt
chosen per reading: ``m-`` and the first eight hex digits. The same name gives the same
pseudonym everywhere in one reading (a sender, a name inside "Alice added Bob", a quoted
sender), and nothing in the result can be turned back into the name without the salt,
which is never stored. A new salt (the default) gives unrelated pseudonyms, so two
readings of one export cannot be joined unless the caller passes the same salt.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata

DIGITS = 8
"""Hex digits of a pseudonym (32 bits: a clash among 500 members has odds of 3 in 100,000,
and a clash is resolved by lengthening, see :class:`Pseudonyms`)."""
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202f\u2060-\u2069\ufeff]")
_PHONE = re.compile(r"^\+?[\d\s().\-]{7,}$")


def normalise(name: str) -> str:
    """The form of a display name that is hashed.

    Unicode NFKC, invisible direction marks removed (WhatsApp wraps phone numbers in
    them), WhatsApp's ``~`` before names that are not in the phone's contacts dropped,
    surrounding quotes and spaces removed, inner spaces collapsed, case folded. A phone
    number keeps only its ``+`` and digits, so ``+1 (555) 010-0123`` and ``+15550100123``
    are one person.
    """
    text = unicodedata.normalize("NFKC", _INVISIBLE.sub(" ", name))
    text = text.strip().lstrip("~").strip().strip("\"'“”「」").strip()
    text = re.sub(r"\s+", " ", text).casefold()
    if _PHONE.match(text):
        text = ("+" if text.startswith("+") else "") + re.sub(r"\D", "", text)
    return text


def pseudonym(name: str, salt: bytes, digits: int = DIGITS) -> str:
    """``m-`` and the first ``digits`` hex digits of HMAC-SHA256(salt, normalised name)."""
    digest = hmac.new(salt, normalise(name).encode("utf-8"), hashlib.sha256).hexdigest()
    return f"m-{digest[:digits]}"


class Pseudonyms:
    """The pseudonyms of one reading: one salt, a cache, and clash resolution.

    Parameters
    ----------
    salt
        The key of the hash; ``None`` draws 32 random bytes (``secrets.token_bytes``).
    """

    def __init__(self, salt: bytes | None = None) -> None:
        self._salt = secrets.token_bytes(32) if salt is None else bytes(salt)
        self._by_key: dict[str, str] = {}
        self._by_name: dict[str, str] = {}  # as written: most names repeat exactly
        self._taken: set[str] = set()

    def __call__(self, name: str) -> str:
        """The pseudonym of display name ``name``."""
        found = self._by_name.get(name)
        if found is not None:
            return found
        key = normalise(name)
        found = self._by_key.get(key)
        if found is not None:
            self._by_name[name] = found
            return found
        digits = DIGITS
        made = pseudonym(key, self._salt, digits)
        while made in self._taken:  # two names, one short hash: lengthen the second
            digits += 4
            made = pseudonym(key, self._salt, digits)
        self._by_key[key] = self._by_name[name] = made
        self._taken.add(made)
        return made
