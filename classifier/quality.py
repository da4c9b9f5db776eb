"""Corpus quality checks: near-duplicate detection over character 5-gram sets."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp


def shingles(text: str, n: int = 5) -> set[str]:
    """Lower-cased character n-grams of a text (whitespace runs collapsed)."""
    clean = " ".join(text.lower().split())
    if len(clean) <= n:
        return {clean} if clean else set()
    return {clean[i : i + n] for i in range(len(clean) - n + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def near_duplicate_pairs(
    texts: Sequence[str], threshold: float = 0.6, n: int = 5, chunk: int = 512
) -> list[tuple[int, int, float]]:
    """Pairs (i, j, jaccard) with i < j whose n-gram sets have Jaccard > ``threshold``.

    Exact: the texts' shingle sets form a binary sparse matrix; its product with its
    transpose (an inverted index in matrix form) gives every pair's intersection size.
    Rows are processed in chunks to bound memory.  About a second for 3,500 texts.
    """
    vocab: dict[str, int] = {}
    indices: list[int] = []
    indptr = [0]
    for text in texts:
        for gram in shingles(text, n):
            indices.append(vocab.setdefault(gram, len(vocab)))
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.int32)
    matrix = sp.csr_matrix((data, indices, indptr), shape=(len(texts), max(1, len(vocab))))
    sizes = np.diff(matrix.indptr)
    transposed = matrix.T.tocsr()
    pairs: list[tuple[int, int, float]] = []
    for start in range(0, len(texts), chunk):
        block = (matrix[start : start + chunk] @ transposed).tocoo()
        rows = block.row + start
        keep = block.col > rows
        rows, cols, inter = rows[keep], block.col[keep], block.data[keep]
        union = sizes[rows] + sizes[cols] - inter
        score = inter / np.maximum(union, 1)
        hit = score > threshold
        pairs.extend(zip(rows[hit].tolist(), cols[hit].tolist(), score[hit].tolist(), strict=True))
    return pairs


def near_duplicate_share(texts: Sequence[str], threshold: float = 0.6, n: int = 5) -> float:
    """Share of texts that have at least one near-duplicate partner."""
    if not texts:
        return 0.0
    involved: set[int] = set()
    for i, j, _ in near_duplicate_pairs(texts, threshold, n):
        involved.update((i, j))
    return len(involved) / len(texts)
