"""Simulated devices speak exactly what the decoders read (round trip)."""

from __future__ import annotations

import random
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tbib.devices.gatt import decode
from tbib.devices.ieee11073 import sfloat
from tbib.devices.mapping import measurements
from tbib.devices.simulator import encode_sfloat, patient_round


@given(st.integers(-2045, 2045), st.integers(0, 8))
def test_sfloat_encoding_round_trips(mantissa: int, places: int) -> None:
    value = Decimal(mantissa).scaleb(-places)
    assert sfloat(int.from_bytes(encode_sfloat(value, places), "little")) == value


@given(st.integers(0, 10_000))
def test_every_simulated_message_decodes_to_plausible_measurements(seed: int) -> None:
    for message in patient_round(random.Random(seed), seed % 65536):
        values, missing = measurements(decode(message.characteristic, message.payload))
        assert values and not missing
        for key, value in values.items():
            assert value > 0, key


def test_a_simulated_glucose_reads_back_in_grams_per_litre() -> None:
    rounds = patient_round(random.Random(4))
    glucose = next(m for m in rounds if m.characteristic == "2A18")
    values, _missing = measurements(decode("2A18", glucose.payload))
    assert Decimal("0.75") <= values["glucose"] <= Decimal("2.60")
