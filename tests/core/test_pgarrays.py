"""Array literals round-trip through PostgreSQL as the values they were made of."""

import datetime as dt

import pytest
from django.db import connection

from core.pgarrays import date_array, int_array, text_array

pytestmark = pytest.mark.django_db


def _back(literal: str, cast: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT %s::{cast}", [literal])
        return cursor.fetchone()[0]


def test_int_arrays_round_trip_with_nulls_and_empty():
    assert _back(int_array([3, 1, 2**40]), "bigint[]") == [3, 1, 2**40]
    assert _back(int_array([1, None, 2]), "int[]") == [1, None, 2]
    assert _back(int_array([]), "bigint[]") == []


def test_date_arrays_round_trip():
    days = [dt.date(2026, 12, 1), None, dt.date(2025, 1, 31)]
    assert _back(date_array(days), "date[]") == days


def test_text_arrays_keep_quotes_backslashes_commas_and_braces():
    values = ["given", 'a "b"', "c\\d", "e,f", "{g}", "", "NULL", None, "中文"]
    assert _back(text_array(values), "varchar[]") == values


def test_an_int_array_refuses_what_is_not_a_number():
    with pytest.raises(ValueError, match="invalid literal"):
        int_array(["1}, {2"])
