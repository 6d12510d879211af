"""The shape of a 公民身份号码, and nothing more: what the URL guard and the search boxes use
to tell a number from a name. The check digit, the date, encryption and the lookup hash are
the registry's (households/idnumber.py), which takes its shape from here."""

from __future__ import annotations

import re

# 17 digits then a digit or X, once normalised; right or wrong check digit alike.
ID_NUMBER_SHAPE = re.compile(r"^\d{17}[\dX]$")

_FULL_WIDTH = str.maketrans("０１２３４５６７８９ｘＸ", "0123456789XX")


def normalise(raw: str) -> str:
    """Strip spaces and full-width characters people paste from spreadsheets; upper-case x."""
    return "".join(raw.split()).translate(_FULL_WIDTH).upper()


def looks_like_id_number(text: str) -> bool:
    """Whether a search box entry is meant as an identity number rather than a name."""
    return bool(ID_NUMBER_SHAPE.match(normalise(text)))
