"""Speed, latency, memory and load-time measurements of a trained model."""

from __future__ import annotations

import contextlib
import gc
import os
import statistics
import time
import tracemalloc
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

from classifier.runtime import Classifier


@contextlib.contextmanager
def single_thread() -> Iterator[str]:
    """Limit BLAS/OpenMP pools to one thread; yields a note of what was done."""
    try:
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn
        yield "threadpoolctl missing: thread pools not limited (prediction code is single-threaded)"
        return
    with threadpool_limits(limits=1):
        yield "thread pools limited to 1 thread (threadpoolctl); single process"


def _rss_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as handle:
        pages = int(handle.read().split()[1])
    import resource

    return pages * resource.getpagesize()


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


_REFERENCE_LOOP: Final = compile("for i in range(10_000_000): pass", "<reference loop>", "exec")


def reference_loop_seconds() -> float:
    """Seconds for ``python -c "for i in range(10_000_000): pass"`` (module-level names, as
    timed in docs/classifier.md): the machine's speed, to compare figures across machines."""
    started = time.perf_counter()
    exec(_REFERENCE_LOOP, {})  # noqa: S102 - a fixed loop compiled above
    return time.perf_counter() - started


def run_bench(
    artifact_path: Path,
    texts: Sequence[str],
    *,
    repeats: int = 5,
    batch_target: int = 5000,
    single_count: int = 1000,
) -> dict[str, Any]:
    """Measure one artifact on the given texts; every figure is a median over ``repeats``."""
    if not texts:
        raise ValueError("bench needs at least one text")
    with single_thread() as note:
        gc.collect()
        rss_before = _rss_bytes()
        started = time.perf_counter()
        clf = Classifier.load(artifact_path)
        clf.predict(texts[0])  # builds the lookup tables: part of loading
        first_load = time.perf_counter() - started
        rss_delta = _rss_bytes() - rss_before

        del clf
        gc.collect()
        tracemalloc.start()
        clf = Classifier.load(artifact_path)
        clf.predict(texts[0])  # include the lookup tables built on first use
        traced_current, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        load_times = [first_load]
        for _ in range(max(0, repeats - 1)):
            del clf
            gc.collect()
            started = time.perf_counter()
            clf = Classifier.load(artifact_path)
            clf.predict(texts[0])
            load_times.append(time.perf_counter() - started)

        batch = list(texts)
        while len(batch) < batch_target:
            batch.extend(texts)
        batch = batch[: max(batch_target, len(texts))]
        rates: list[float] = []
        cpu_rates: list[float] = []
        for _ in range(repeats):
            started = time.perf_counter()
            cpu_started = time.process_time()
            clf.predict_many(batch)
            cpu_rates.append(len(batch) / max(time.process_time() - cpu_started, 1e-9))
            rates.append(len(batch) / (time.perf_counter() - started))

        singles = [texts[i % len(texts)] for i in range(single_count)]
        p50s: list[float] = []
        p99s: list[float] = []
        for _ in range(repeats):
            latencies: list[float] = []
            for text in singles:
                started = time.perf_counter()
                clf.predict(text)
                latencies.append(time.perf_counter() - started)
            p50s.append(_percentile(latencies, 50))
            p99s.append(_percentile(latencies, 99))

    loops = [reference_loop_seconds() for _ in range(repeats)]
    return {
        "threads": note,
        "reference_loop_seconds": statistics.median(loops),
        "repeats": repeats,
        "batch_size": len(batch),
        "batch_texts_per_second": statistics.median(rates),
        "batch_texts_per_second_runs": [round(r) for r in rates],
        "batch_texts_per_cpu_second": statistics.median(cpu_rates),
        "load_average": os.getloadavg()[0],
        "single_p50_ms": statistics.median(p50s) * 1000,
        "single_p99_ms": statistics.median(p99s) * 1000,
        "single_count": single_count,
        "load_seconds": statistics.median(load_times),
        "load_seconds_first": first_load,
        "memory_traced_mb": traced_current / 2**20,
        "memory_traced_peak_mb": traced_peak / 2**20,
        "memory_rss_delta_mb": rss_delta / 2**20,
        "artifact_size_mb": artifact_path.stat().st_size / 2**20,
        "mean_text_chars": sum(len(t) for t in texts) / len(texts),
    }


def format_bench(result: dict[str, Any]) -> str:
    return (
        "\n".join(
            [
                f"threads              {result['threads']}",
                f"batch throughput     {result['batch_texts_per_second']:,.0f} texts/s"
                f" (median of {result['repeats']} runs over {result['batch_size']} texts;"
                f" runs {result['batch_texts_per_second_runs']})",
                f"{'':21}{result['batch_texts_per_cpu_second']:,.0f} texts per CPU-second"
                f" (process time; load average {result['load_average']:.2f} at the end)",
                f"single-text latency  p50 {result['single_p50_ms']:.3f} ms,"
                f" p99 {result['single_p99_ms']:.3f} ms"
                f" (medians of {result['repeats']} runs x {result['single_count']} calls)",
                f"load time            {result['load_seconds']:.3f} s median"
                f" (first {result['load_seconds_first']:.3f} s; unpickling + lookup tables +"
                " first prediction; modules already imported)",
                f"model memory         {result['memory_traced_mb']:.1f} MB traced"
                f" (peak during load {result['memory_traced_peak_mb']:.1f} MB),"
                f" RSS delta {result['memory_rss_delta_mb']:.1f} MB",
                f"artifact size        {result['artifact_size_mb']:.1f} MB;"
                f" mean text length {result['mean_text_chars']:.0f} chars",
                f"machine speed        bare loop of 10 million iterations"
                f" {result['reference_loop_seconds']:.3f} s (median; lower is faster)",
            ]
        )
        + "\n"
    )
