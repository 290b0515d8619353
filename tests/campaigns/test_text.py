"""The comparable text of an email, its shingles and its MinHash (no database)."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHash

from campaigns import text

LETTER = """Dear Ms Example,

Please protect the number 34 bus, which half of our village relies on to reach the hospital.
Cutting it would leave older people without any way to get to their appointments.

Yours sincerely,
Sam Sender
12 High Street, Townsville NT1 1AA
07700 900123
sam@example.org
"""


def _library_minhash(hashes: np.ndarray) -> np.ndarray:
    sketch = MinHash(num_perm=text.NUM_PERM, seed=1, scheme="affine32", hashfunc=int)
    sketch.update_batch(hashes.tolist())
    return sketch.hashvalues


@pytest.mark.parametrize("size", [1, 8, 150, 5000])
def test_the_minhash_is_the_librarys_affine32_minhash(size):
    hashes = np.unique(np.random.default_rng(size).integers(0, 2**32, size=size, dtype=np.uint64)).astype(np.uint32)
    before = hashes.copy()
    assert np.array_equal(text.minhash(hashes), _library_minhash(hashes))
    assert np.array_equal(hashes, before)


def test_greeting_sign_off_and_sender_details_are_not_compared():
    assert text.comparable_text(LETTER) == (
        "Please protect the number 34 bus, which half of our village relies on to reach the hospital.\n"
        "Cutting it would leave older people without any way to get to their appointments."
    )


def test_short_lines_with_a_phone_a_link_or_a_postcode_are_details_and_sentences_are_not():
    body = (
        "I live at NT1 1AA\n"
        "Call me on 07700 900123\n"
        "See www.example.org/petition\n"
        "The bus is the only way my neighbour at number 12 can reach the surgery on time each week.\n"
    )
    assert text.comparable_text(body) == (
        "The bus is the only way my neighbour at number 12 can reach the surgery on time each week."
    )


def test_shingles_do_not_depend_on_case_or_apostrophes():
    assert np.array_equal(
        text.shingle_hashes("Don't cut the Number 34 bus please"),
        text.shingle_hashes("dont cut the number 34 BUS please"),
    )
