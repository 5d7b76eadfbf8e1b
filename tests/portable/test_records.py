"""The flash record format: the same bytes on both interpreters, damage always detected."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runcue import records

from conftest import load_vectors, run_driver

CASES = load_vectors("records.json")


@pytest.mark.parametrize("index", range(len(CASES)))
def test_record_vectors_agree_on_both_interpreters(interpreter, index):
    case = CASES[index]
    got = run_driver(interpreter, "records_driver", "records.json")[index]
    if "fields" in case:
        assert got["hex"] == case["hex"]
    elif "error" in case:
        assert got == {"error": case["error"]}
    else:
        assert got == {"frames": case["frames"]}


def test_week1_session_frames_stay_small():
    # START + 17 segment changes + END + one check-in: the ~200-byte budget of the design.
    size = (records.OVERHEAD * 20 + records.payload_size(records.START)
            + 17 * records.payload_size(records.SEG)
            + records.payload_size(records.END) + records.payload_size(records.CHECKIN))
    assert size <= 200, size


def test_every_payload_fits_the_frame_buffer():
    for rtype in range(records.START, records.SUMMARY + 1):
        assert records.payload_size(rtype) <= records.MAX_PAYLOAD
        assert records.payload_size(rtype) + records.OVERHEAD <= records.MAX_FRAME


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=200))
def test_decoder_gives_only_clear_errors_on_garbage(data):
    try:
        frames = records.decode_all(data)
    except records.RecordError as e:
        assert "no intact record at byte" in str(e)
    else:
        assert sum(records.payload_size(t) + records.OVERHEAD for t, _ in frames) == len(data)


VALID = bytes.fromhex(CASES[8]["hex"])


@settings(max_examples=400, deadline=None)
@given(st.integers(0, len(VALID) * 8 - 1))
def test_any_single_bit_flip_is_detected(bit):
    damaged = bytearray(VALID)
    damaged[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(records.RecordError):
        records.decode_all(bytes(damaged))


@settings(max_examples=200, deadline=None)
@given(st.integers(1, len(VALID) - 1))
def test_truncation_is_detected(cut):
    frames = []
    pos = 0
    data = VALID[:cut]
    while pos < len(data) and records.check_frame(data, pos):
        pos += records.check_frame(data, pos)
        frames.append(pos)
    # Every whole frame before the cut survives; the torn one does not decode.
    assert all(p <= cut for p in frames)
    if pos < cut:
        with pytest.raises(records.RecordError):
            records.decode_frame(data, pos)
