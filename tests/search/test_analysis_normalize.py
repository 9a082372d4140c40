"""`normalize` translates through a code-point array instead of the dict (ADR 0428): the same
text out for every character the table maps and for text on every plane. (That it is faster
is a measurement, ADR 0428's, not a test: a timed assertion failed on a loaded machine.)"""

from __future__ import annotations

import random

from portal.search import analysis


def reference(text: str) -> str:
    """normalize() as it was: the dict table, then lower case of the same length."""
    if not text:
        return ""
    text = text.translate(analysis._T2S)
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    return lowered


def test_every_mapped_character_translates_as_the_dict_says():
    mapped = "".join(chr(code) for code in sorted(analysis._T2S))
    assert analysis.normalize(mapped) == reference(mapped)
    # One by one too, the last mapped code point (the array's end) included.
    for code in analysis._T2S:
        assert analysis.normalize(chr(code)) == reference(chr(code)), hex(code)


def test_text_on_every_plane_and_mixed_scripts_is_unchanged_in_meaning():
    samples = [
        "",
        "plain ASCII, Capitals And Digits 123",
        "客戶報價與門店會員",  # traditional
        "客户报价与门店会员",  # simplified: nothing to translate
        "ＡＢＣ１２３　全角",  # full-width and the ideographic space
        "İstanbul ẞtraße",  # lower() would change the length: kept per character
        "𠀀𠀁 supplementary 𩸽 and 鬱 in one text",
        "emoji 😀 beside 報價",
    ]
    rng = random.Random(5)
    alphabet = [*map(chr, analysis._T2S), *"abcXYZ 客户的和", "𠀀", "😀", "İ"]
    samples += [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 80))) for _ in range(300)
    ]
    for text in samples:
        out = analysis.normalize(text)
        assert out == reference(text), text
        assert len(out) == len(text)
