"""The part of an email that campaign mail shares, as word shingles and a MinHash signature.

Senders of one campaign change the greeting, sign off in their own way, add their address and
phone number, and their platform appends a footer; a reply quotes history. None of that says
which campaign it is, so ``comparable_text`` removes it, and what is left is cut into
overlapping runs of ``SHINGLE`` words. Near-duplicates share most shingles (Jaccard
similarity), whatever the order of the paragraphs; MinHash estimates that similarity from 128
numbers, and its bands (LSH) find candidates with an indexed lookup.
"""

from __future__ import annotations

import functools
import re
import zlib
from dataclasses import dataclass

import numpy as np

from correspondence.quoting import split_quoted

SHINGLE = 4
NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS
# Shorter than this (in shingles) is too little text to call two messages the same.
MIN_SHINGLES = 8

_GREETING = re.compile(
    r"^(dear|hi|hello|hey|good (morning|afternoon|evening)|to|attn:?|for the attention of|fao)\b[^.!?]{0,80}$",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    r"^(yours( (sincerely|faithfully|truly|respectfully))?|(with )?(kind|kindest|best|warm|warmest) (regards|wishes)"
    r"|regards|best|many thanks|thanks( again| so much)?|thank you( (very|so) much)?|cheers|sincerely"
    r"|all the best|respectfully|in hope|with thanks|take care)[,.!]?$",
    re.IGNORECASE,
)
# The conventional signature separator, and what platforms and phones append.
_FOOTER_START = re.compile(r"^(--\s?|_{5,}|sent from my \w+.*)$", re.IGNORECASE)
# Searched in the lowercased line: ten times faster than re.IGNORECASE over an alternation.
_FOOTER_LINE = re.compile(
    r"unsubscribe|privacy policy|this (e-?mail|message) was sent|sent (via|using|by)|you are receiving this"
    r"|campaigning community|registered charity"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(\+?\d[\d\s()-]{8,}\d)")
POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE)
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+")
_DIGIT = re.compile(r"\d")


def _is_detail(line: str) -> bool:
    """A line of sender details: an address, a phone number, a postcode or a link. (The cheap
    tests first: most lines have no "@" and no digit, and the patterns cost microseconds a line.)"""
    if "@" in line and _EMAIL.search(line):
        return True
    if _DIGIT.search(line) and (_PHONE.search(line) or POSTCODE.search(line)):
        return True
    return bool(_URL.search(line))


# Footers and sender details are looked for where they are: in the last lines, and in short lines
# (a paragraph that mentions a phone number or "sent by the council" is the sender's text).
TAIL_LINES = 12
DETAIL_LINE_CHARS = 100


def comparable_text(text: str, extra_footer_phrases: tuple[str, ...] = ()) -> str:
    """The body without quoted history, greeting, sign-off, sender details and footers."""
    new, _quoted = split_quoted(text or "")
    lines = [line.strip() for line in new.splitlines()]
    for index, line in enumerate(lines):
        if line[:1] in ("-", "_", "s", "S") and _FOOTER_START.match(line):
            lines = lines[:index]
            break
    phrases = _phrases(extra_footer_phrases)
    for index in range(max(len(lines) - TAIL_LINES, 0), len(lines)):
        lowered = lines[index].lower()
        if lowered and (_FOOTER_LINE.search(lowered) or (phrases and phrases.search(lowered))):
            lines[index] = ""
    # The greeting: the first line with words, when it is short and not a sentence.
    for index, line in enumerate(lines):
        if line:
            if len(line) <= DETAIL_LINE_CHARS and _GREETING.match(line):
                lines[index] = ""
            break
    # The sign-off and everything after it (name, address, phone), searched from the end.
    for index in range(len(lines) - 1, max(len(lines) - 15, -1), -1):
        if len(lines[index]) <= 40 and _SIGN_OFF.match(lines[index]):
            lines = lines[:index]
            break
    lines = [line for line in lines if len(line) > DETAIL_LINE_CHARS or not _is_detail(line)]
    # Without a sign-off, a trailing name and address: short lines that are not sentences.
    while lines and (not lines[-1] or (len(lines[-1].split()) <= 6 and not lines[-1].endswith((".", "?", "!")))):
        lines.pop()
    return "\n".join(lines).strip()


@functools.lru_cache(maxsize=64)
def _phrases(extra: tuple[str, ...]) -> re.Pattern[str] | None:
    """The platforms' footer phrases as one pattern for lowercased lines (an office's list, compiled once)."""
    wanted = [re.escape(phrase.lower()) for phrase in extra if phrase]
    return re.compile("|".join(wanted)) if wanted else None


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("'", "").replace("’", ""))


# Shingle hashes are built from the words' CRC-32s (fast, the same in every process and release)
# as a polynomial mod 2**32; MinHash mixes each (MurmurHash3's finaliser) before permuting.
_MULTIPLIER = np.uint64(1_000_003)
_MASK = np.uint64(0xFFFFFFFF)


def shingle_hashes(text: str) -> np.ndarray:
    """The sorted, distinct 32-bit hashes of the text's word shingles."""
    tokens = words(text)
    if not tokens:
        return np.array([], dtype=np.uint32)
    each = np.fromiter(map(zlib.crc32, map(str.encode, tokens)), dtype=np.uint64, count=len(tokens))
    width = min(SHINGLE, len(tokens))
    count = len(tokens) - width + 1
    combined = np.zeros(count, dtype=np.uint64)
    for offset in range(width):
        combined = (combined * _MULTIPLIER + each[offset : offset + count]) & _MASK
    return np.unique(combined.astype(np.uint32))


@functools.cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32").permutations


_FMIX_SHIFTS = (np.uint32(16), np.uint32(13), np.uint32(16))
_FMIX_MULTIPLIERS = (np.uint32(0x85EBCA6B), np.uint32(0xC2B2AE35))


def minhash(hashes: np.ndarray) -> np.ndarray:
    """The 128 MinHash values (uint32) of a set of shingle hashes: datasketch's "affine32" scheme
    with its permutations — MurmurHash3's finaliser, then a·h + b mod 2**32 — as one array
    expression. (Its ``update_batch`` calls a Python hash function once per value: ten times
    slower; tests check the values are the library's.)"""
    a, b = _permutations()
    mixed = hashes.astype(np.uint32)  # a copy: the caller's hashes stay as they are
    mixed ^= mixed >> _FMIX_SHIFTS[0]
    mixed *= _FMIX_MULTIPLIERS[0]
    mixed ^= mixed >> _FMIX_SHIFTS[1]
    mixed *= _FMIX_MULTIPLIERS[1]
    mixed ^= mixed >> _FMIX_SHIFTS[2]
    return (mixed[:, None] * a + b).min(axis=0)


# Odd 64-bit multipliers, one per row of a band, and one for the band's number.
_BAND_MIX = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93, 0xFF51AFD7ED558CCD][: ROWS + 1],
    dtype=np.uint64,
)


def band_keys(values: np.ndarray) -> list[int]:
    """One signed 64-bit key per band: equal keys mean that band's ROWS values are all equal
    (a random linear combination mod 2**64: distinct bands collide with odds of about 2**-64)."""
    rows = values.astype(np.uint64).reshape(BANDS, ROWS)
    keys = (rows * _BAND_MIX[:ROWS]).sum(axis=1, dtype=np.uint64) + np.arange(BANDS, dtype=np.uint64) * _BAND_MIX[ROWS]
    return keys.view(np.int64).tolist()


@dataclass(frozen=True)
class Fingerprint:
    hashes: np.ndarray  # the shingle hashes (for the template and the personalised share)
    minhash: np.ndarray
    bands: list[int]

    @property
    def size(self) -> int:
        return len(self.hashes)


def fingerprint(text: str, extra_footer_phrases: tuple[str, ...] = ()) -> Fingerprint | None:
    """The message's fingerprint, or None when too little is left to compare."""
    hashes = shingle_hashes(comparable_text(text, extra_footer_phrases))
    if len(hashes) < MIN_SHINGLES:
        return None
    values = minhash(hashes)
    return Fingerprint(hashes=hashes, minhash=values, bands=band_keys(values))


def to_bytes(values: np.ndarray) -> bytes:
    return values.astype("<u4").tobytes()


def from_bytes(data: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype="<u4")


def jaccard(a: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of one MinHash with each row of ``candidates``."""
    return (candidates == a).mean(axis=1)


def overlap(jaccard_estimate: np.ndarray, size: int, sizes: np.ndarray) -> np.ndarray:
    """The share of the smaller set found in the larger: |A∩B| = J/(1+J)·(|A|+|B|).

    A message that is the campaign text plus a long story of the sender's own has a low Jaccard
    similarity with the bare text but contains nearly all of it.
    """
    common = jaccard_estimate / (1 + jaccard_estimate) * (size + sizes)
    return np.minimum(common / np.minimum(size, sizes), 1.0)


def own_share(hashes: np.ndarray, template: np.ndarray) -> tuple[float, int]:
    """(share, count) of the message's shingles that are not in the campaign's template."""
    if not len(hashes):
        return 0.0, 0
    own = int(len(hashes) - np.isin(hashes, template, assume_unique=True).sum())
    return own / len(hashes), own


def consensus(sets: list[np.ndarray]) -> np.ndarray:
    """The shingles at least half of the messages share (and at least two): the campaign's text."""
    if not sets:
        return np.array([], dtype=np.uint32)
    values, counts = np.unique(np.concatenate(sets), return_counts=True)
    needed = max(2, (len(sets) + 1) // 2)
    return values[counts >= needed].astype(np.uint32)


def postcode_in(text: str) -> str:
    """The last UK postcode in the text (where senders sign off), or ""."""
    found = POSTCODE.findall(text or "")
    if not found:
        return ""
    outward, inward = found[-1]
    return f"{outward} {inward}".upper()


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def own_sentences(body: str, template: np.ndarray, extra_footer_phrases: tuple[str, ...] = ()) -> list[str]:
    """The sentences of the message that are mostly not the campaign's text: what the sender added."""
    found = []
    for sentence in _SENTENCE_END.split(comparable_text(body, extra_footer_phrases)):
        sentence = sentence.strip()
        if len(words(sentence)) < SHINGLE:
            continue
        hashes = shingle_hashes(sentence)
        if not len(template) or np.isin(hashes, template).mean() < 0.5:
            found.append(sentence)
    return found
