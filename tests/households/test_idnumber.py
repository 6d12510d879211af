import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from households import idnumber

VALID = "11010519491231002X"  # the standard's own example


def test_parse_reads_birth_date_and_sex():
    parsed = idnumber.parse(VALID)
    assert parsed.birth_date == dt.date(1949, 12, 31)
    assert parsed.sex == "F"


def test_parse_accepts_lower_case_x_and_full_width_digits():
    assert idnumber.parse("11010519491231002x").number == VALID
    assert idnumber.parse("１１０１０５１９４９１２３１００２Ｘ").number == VALID


@pytest.mark.parametrize(
    ("raw", "code", "fragment"),
    [
        ("1101051949123100", "length", "18位"),
        ("11010519491231A02X", "characters", "前17位"),
        ("110105194902300021", "birth_date", "19490230"),
        ("110105209912310022", "future", "晚于今天"),
        ("110105194912310021", "checksum", "核对全部18位"),
    ],
)
def test_parse_says_what_is_wrong(raw, code, fragment):
    with pytest.raises(ValidationError) as caught:
        idnumber.parse(raw)
    assert caught.value.code == code
    assert fragment in caught.value.messages[0]


def test_checksum_error_never_names_the_digit_that_would_pass():
    with pytest.raises(ValidationError) as caught:
        idnumber.parse("110105194912310021")
    message = caught.value.messages[0]
    assert "X" not in message and "应为" not in message
    assert "18位" in message


def test_mask_keeps_first_and_last_four():
    assert idnumber.mask(VALID) == "1101**********002X"


def test_encrypt_round_trips_and_is_not_deterministic():
    first, second = idnumber.encrypt(VALID), idnumber.encrypt(VALID)
    assert first != second
    assert VALID.encode() not in first
    assert idnumber.decrypt(first) == VALID


def test_lookup_hash_is_stable_and_keyed():
    assert idnumber.lookup_hash(VALID) == idnumber.lookup_hash(VALID.lower())
    assert VALID not in idnumber.lookup_hash(VALID)


births = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2025, 12, 31))


@given(births, st.integers(0, 999), st.sampled_from(["110105", "320506", "440305"]))
def test_composed_numbers_always_parse(birth, sequence, region):
    number = idnumber.compose(region, birth, sequence)
    parsed = idnumber.parse(number)
    assert parsed.birth_date == birth
    assert parsed.sex == ("M" if sequence % 2 else "F")


@given(births, st.integers(0, 999), st.integers(0, 16), st.integers(1, 9))
def test_any_single_digit_change_is_caught(birth, sequence, position, delta):
    number = idnumber.compose("320506", birth, sequence)
    digit = (int(number[position]) + delta) % 10
    changed = number[:position] + str(digit) + number[position + 1 :]
    with pytest.raises(ValidationError):
        idnumber.parse(changed)
