"""Corpus quality checks and the near-duplicate detector."""

from __future__ import annotations

import random
from collections import Counter
from itertools import combinations

import pytest

from classifier.data import DEFAULT_CORPUS_DIR, load_corpus
from classifier.labels import FIELDS
from classifier.normalize import has_diacritics
from classifier.quality import jaccard, near_duplicate_pairs, near_duplicate_share, shingles


def test_near_duplicate_pairs_match_brute_force() -> None:
    rng = random.Random(3)
    words = [
        "đất",
        "đường",
        "rác",
        "nước",
        "cống",
        "xin",
        "xã",
        "thôn",
        "tổ",
        "nhà",
        "bị",
        "hỏng",
        "ngập",
        "lấn",
        "chiếm",
    ]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(3, 12))) for _ in range(120)]
    texts += [texts[0] + " nhé", texts[5].upper(), texts[7][:-2]]
    sets = [shingles(t) for t in texts]
    expected = {
        (i, j) for i, j in combinations(range(len(texts)), 2) if jaccard(sets[i], sets[j]) > 0.6
    }
    found = near_duplicate_pairs(texts)
    assert {(i, j) for i, j, _ in found} == expected
    assert (0, 120) in expected
    assert (5, 121) in expected
    for i, j, score in found:
        assert score == pytest.approx(jaccard(sets[i], sets[j]))


def test_near_duplicate_share_of_unrelated_texts_is_zero() -> None:
    rng = random.Random(5)
    alphabet = "abcdeghiklmnopqrstuvxyđươăâêô "
    texts = [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(60, 300))) for _ in range(3500)
    ]
    assert near_duplicate_share(texts) == 0.0
    assert near_duplicate_share([*texts, texts[0] + " ạ"]) == pytest.approx(2 / 3501)


@pytest.fixture(scope="module")
def corpus_texts() -> list[tuple[str, str]]:
    return [(e.text, e.field) for e in load_corpus(DEFAULT_CORPUS_DIR)]


def test_corpus_lines_are_valid() -> None:
    # strict: any bad line (bad JSON, unknown field/kind, non-boolean urgent) raises
    load_corpus(DEFAULT_CORPUS_DIR, strict=True)


def test_corpus_size(corpus_texts: list[tuple[str, str]]) -> None:
    assert len(corpus_texts) >= 3000


def test_corpus_every_field_has_200(corpus_texts: list[tuple[str, str]]) -> None:
    counts = Counter(field for _, field in corpus_texts)
    small = {field: counts.get(field, 0) for field in FIELDS if counts.get(field, 0) < 200}
    assert not small, f"fields under 200 texts: {small}"


def test_corpus_share_without_diacritics(corpus_texts: list[tuple[str, str]]) -> None:
    assert corpus_texts
    share = sum(not has_diacritics(t) for t, _ in corpus_texts) / len(corpus_texts)
    assert 0.30 <= share <= 0.55, f"{share:.1%} of texts have no diacritics"


def test_corpus_near_duplicates(corpus_texts: list[tuple[str, str]]) -> None:
    texts = [t for t, _ in corpus_texts]
    share = near_duplicate_share(texts)
    if share > 0.01:
        pairs = sorted(near_duplicate_pairs(texts), key=lambda p: -p[2])[:5]
        examples = "\n".join(f"{s:.2f}: {texts[i]!r} ~ {texts[j]!r}" for i, j, s in pairs)
        pytest.fail(f"{share:.2%} of texts have a near-duplicate (> 1%):\n{examples}")
