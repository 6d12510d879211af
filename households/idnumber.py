"""公民身份号码 (GB 11643-1999): validation, masking, encryption and the lookup hash.

A number is stored three ways, never in clear text:
- `encrypt()`: AES-256-GCM with a random nonce, for the rare authorised reveal;
- `lookup_hash()`: HMAC-SHA256 under a key derived from the same secret, for exact search and
  for the "one active member per number" unique index;
- `mask()`: first 4 and last 4 characters, for every page, list and API response.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

# The shape alone (what a search box or the URL guard recognises) is the ground's.
from core.id_number_shape import ID_NUMBER_SHAPE, looks_like_id_number, normalise

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_NONCE_BYTES = 12
_AAD = b"zhulian:member.id_number:v1"


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: dt.date
    sex: str  # "M" or "F", as Member.Sex

    @property
    def masked(self) -> str:
        return mask(self.number)


def check_digit(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def parse(raw: str, *, today: dt.date | None = None) -> IdNumber:
    """Validate a number and read its birth date and sex, or raise ValidationError saying why."""
    number = normalise(raw or "")
    if len(number) != 18:
        raise ValidationError(
            _("身份证号码应为18位，当前为%(n)d位。") % {"n": len(number)}, code="length"
        )
    if not ID_NUMBER_SHAPE.match(number):
        raise ValidationError(_("身份证号码前17位应为数字，最后一位为数字或X。"), code="characters")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("身份证号码中的出生日期 %(d)s 不是有效日期。") % {"d": number[6:14]},
            code="birth_date",
        ) from None
    today = today or timezone.localdate()
    if birth > today:
        raise ValidationError(
            _("身份证号码中的出生日期 %(d)s 晚于今天。") % {"d": birth.isoformat()}, code="future"
        )
    if birth.year < 1900:
        raise ValidationError(
            _("身份证号码中的出生年份 %(y)d 早于1900年。") % {"y": birth.year}, code="birth_date"
        )
    expected = check_digit(number[:17])
    if number[17] != expected:
        # Never name the digit that would pass: the mistake is as often in the first 17
        # digits, and a worker told "should be 5" changes the last one to make it fit.
        raise ValidationError(
            _("身份证号码校验位错误：最后一位与前17位不相符。请对照证件逐位核对全部18位。"),
            code="checksum",
        )
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return IdNumber(number=number, birth_date=birth, sex=sex)


def compose(region: str, birth_date: dt.date, sequence: int) -> str:
    """A well-formed number from its parts (6-digit region, birth date, 3-digit sequence).

    For demo data and tests; the sequence's parity carries the sex (odd: male).
    """
    first17 = f"{region[:6]:0>6}{birth_date:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_digit(first17)


def mask(number: str) -> str:
    if len(number) <= 8:
        return "*" * len(number)
    return f"{number[:4]}{'*' * (len(number) - 8)}{number[-4:]}"


@lru_cache(maxsize=4)
def _subkeys(master: bytes) -> tuple[bytes, bytes]:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=64, salt=None, info=b"zhulian id-number keys v1"
    ).derive(master)
    return derived[:32], derived[32:]


def _keys() -> tuple[bytes, bytes]:
    return _subkeys(settings.ZHULIAN_ID_KEY)


def encrypt(number: str) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    return nonce + AESGCM(_keys()[0]).encrypt(nonce, number.encode("ascii"), _AAD)


def decrypt(blob: bytes) -> str:
    blob = bytes(blob)
    nonce, ciphertext = blob[:_NONCE_BYTES], blob[_NONCE_BYTES:]
    return AESGCM(_keys()[0]).decrypt(nonce, ciphertext, _AAD).decode("ascii")


def lookup_hash(number: str) -> str:
    return hmac.new(_keys()[1], normalise(number).encode("ascii"), hashlib.sha256).hexdigest()


# A search for a number, kept (an export job's filters, the access log) as its lookup hash.
_HASHED_SEARCH = "idhash:"


def search_for_keeping(text: str) -> str:
    """A search entry fit to be stored: an identity number becomes its hashed form."""
    if looks_like_id_number(text):
        return _HASHED_SEARCH + lookup_hash(text)
    return text


def search_digest(text: str) -> str | None:
    """The lookup hash a search entry asks for (a number, or its hashed form), else None."""
    if text.startswith(_HASHED_SEARCH):
        return text[len(_HASHED_SEARCH) :]
    return lookup_hash(text) if looks_like_id_number(text) else None
