"""Command line: ``python -m classifier train|evaluate|predict|bench|agree|export-corrections``."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from classifier.data import (
    DEFAULT_ARTIFACT_PATH,
    DEFAULT_CORPUS_DIR,
    DEFAULT_TESTSET_PATH,
    corpus_hash,
    file_hash,
    heldout_split,
    load_corpus,
    read_jsonl,
)

log = logging.getLogger("classifier")


def _add_paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus-dir", type=Path, default=DEFAULT_CORPUS_DIR)
    parser.add_argument("--artifact", type=Path, default=DEFAULT_ARTIFACT_PATH)
    parser.add_argument("--testset", type=Path, default=DEFAULT_TESTSET_PATH)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m classifier", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("train", help="train on the corpus and write the artifact")
    _add_paths(p)

    p = sub.add_parser("evaluate", help="figures on the own held-out split and the independent set")
    _add_paths(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = sub.add_parser("predict", help="JSON Lines {id, text} on stdin -> predictions on stdout")
    _add_paths(p)
    p.add_argument("--explain", action="store_true", help="add the terms behind the field")
    p.add_argument("--top", type=int, default=5, help="number of explain terms")

    p = sub.add_parser("bench", help="throughput, latency, memory and load time on one core")
    _add_paths(p)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("agree", help="agreement between labellings of the same texts")
    _add_paths(p)
    p.add_argument("reference", type=Path, help="labelled JSON Lines file or corpus directory")
    p.add_argument("others", type=Path, nargs="+", help="other labellings of some of its texts")
    p.add_argument("--model", action="store_true", help="also score the deployed model")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("export-corrections", help="append staff corrections to a corpus file")
    p.add_argument("--input", type=Path, default=None, help="JSON Lines file (default: stdin)")
    p.add_argument(
        "--out", type=Path, default=DEFAULT_CORPUS_DIR / "corrections.jsonl", help="corpus file"
    )
    return parser


def _ensure(args: argparse.Namespace) -> Path:
    from classifier.model import ensure_model

    return ensure_model(args.corpus_dir, args.artifact, args.testset)


def cmd_train(args: argparse.Namespace) -> int:
    from classifier.model import read_metadata, train

    path = train(args.corpus_dir, args.artifact, args.testset)
    meta = read_metadata(path) or {}
    heldout = meta.get("metrics", {}).get("heldout", {})
    print(
        f"trained {meta.get('version')} in {meta.get('training_seconds')} s -> {path}\n"
        f"chosen C {meta.get('hyperparameters', {}).get('chosen_c')}; "
        f"triage threshold {meta.get('triage_threshold'):.4f}; "
        f"urgent threshold {meta.get('urgent_threshold'):.4f}; "
        f"held-out macro-F1 {heldout.get('macro_f1', float('nan')):.4f}"
    )
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from classifier.evaluation import evaluate_examples, format_report
    from classifier.model import heldout_artifact_path
    from classifier.runtime import Classifier

    clf = Classifier.load(_ensure(args))
    split_clf = Classifier.load(heldout_artifact_path(args.artifact))
    examples = load_corpus(args.corpus_dir)
    if corpus_hash(args.corpus_dir) != clf.corpus_hash:
        log.warning("the corpus changed while evaluating: held-out figures may be off")
    train_idx, heldout_idx = heldout_split(examples)
    train_fields = [examples[i].field for i in train_idx]
    result: dict[str, Any] = {
        "model": {
            key: clf.metadata.get(key)
            for key in (
                "version",
                "corpus_hash",
                "testset_hash",
                "trained_at",
                "n_train",
                "n_heldout",
                "n_fitted",
                "n_features",
                "triage_threshold",
                "urgent_threshold",
                "training_seconds",
            )
        },
        "hyperparameters": clf.metadata.get("hyperparameters", {}).get("chosen_c"),
        "cv": clf.metadata.get("metrics", {}).get("cv"),
        "heldout": evaluate_examples(
            split_clf, [examples[i] for i in heldout_idx], train_fields
        ),
    }
    if args.testset.is_file():
        current = file_hash(args.testset)
        result["independent"] = evaluate_examples(clf, read_jsonl(args.testset), train_fields)
        result["independent"]["testset_hash"] = current
        result["independent"]["hash_matches_artifact"] = current == clf.metadata.get("testset_hash")
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    model = result["model"]
    print(
        f"model {model['version']} trained {model['trained_at']} in {model['training_seconds']} s"
    )
    print(
        f"train {model['n_train']} texts, held-out {model['n_heldout']}, "
        f"{model['n_features']} features; chosen C {result['hyperparameters']}"
    )
    print(
        f"held-out figures: the model fitted on the {model['n_train']} training texts; "
        f"independent figures: the deployed model, refitted on all {model['n_fitted']}"
    )
    print(format_report("own held-out split", result["heldout"]))
    if "independent" in result:
        note = (
            ""
            if result["independent"]["hash_matches_artifact"]
            else " [file changed since training]"
        )
        print(format_report(f"independent test set{note}", result["independent"]))
    else:
        print(f"== independent test set: {args.testset} not found ==")
    return 0


def _predict_lines(lines: Iterator[str], out: IO[str], clf: Any, explain: bool, top: int) -> None:
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        record: dict[str, Any]
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            record = {"id": None, "error": f"invalid JSON: {exc.msg}"}
        else:
            if not isinstance(obj, dict):
                record = {"id": None, "error": "line is not a JSON object"}
            else:
                ident = obj.get("id")
                text = obj.get("text")
                if "text" not in obj:
                    record = {"id": ident, "error": "missing text"}
                elif not isinstance(text, str):
                    record = {"id": ident, "error": "text must be a string"}
                elif not text.strip():
                    record = {"id": ident, "error": "empty text"}
                else:
                    p = clf.predict(text)
                    record = {
                        "id": ident,
                        "field": p.field,
                        "confidence": p.confidence,
                        "kind": p.kind,
                        "kind_confidence": p.kind_confidence,
                        "urgent": p.urgent,
                        "route": p.route,
                    }
                    if explain:
                        record["explain"] = [[t, w] for t, w in clf.explain(text, top=top)]
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()


def cmd_predict(args: argparse.Namespace) -> int:
    from classifier.runtime import Classifier

    clf = Classifier.load(_ensure(args))
    _predict_lines(iter(sys.stdin), sys.stdout, clf, args.explain, args.top)
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from classifier.bench import format_bench, run_bench

    path = _ensure(args)
    texts = [e.text for e in load_corpus(args.corpus_dir)]
    result = run_bench(path, texts, repeats=args.repeats)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(format_bench(result), end="")
    return 0


def cmd_agree(args: argparse.Namespace) -> int:
    from classifier.agreement import agreement, align, format_agreement, read_labelling
    from classifier.data import Example

    reference = read_labelling(args.reference)
    others = {str(path): read_labelling(path) for path in args.others}
    covered = {e.text for labelling in others.values() for e in labelling}
    labellings = {f"{args.reference} (reference)": reference, **others}
    if args.model:
        from classifier.runtime import Classifier

        clf = Classifier.load(_ensure(args))
        texts = [e.text for e in reference if e.text in covered]
        labellings["model"] = [
            Example(text=t, field=p.field, kind=p.kind, urgent=p.urgent)
            for t, p in zip(texts, clf.predict_many(texts), strict=True)
        ]
    names = list(labellings)
    results = {
        f"{second} vs {first}": agreement(align(labellings[first], labellings[second]))
        for i, first in enumerate(names)
        for second in names[i + 1 :]
    }
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print("".join(format_agreement(name, report) for name, report in results.items()), end="")
    return 0


def cmd_export_corrections(args: argparse.Namespace) -> int:
    from classifier.corrections import export_corrections

    source: IO[str] = sys.stdin if args.input is None else args.input.open(encoding="utf-8")
    rows: list[Any] = []
    parse_errors: list[str] = []
    with source:
        for number, raw in enumerate(source, start=1):
            if not raw.strip():
                continue
            try:
                rows.append(json.loads(raw))
            except json.JSONDecodeError as exc:
                parse_errors.append(f"line {number}: invalid JSON: {exc.msg}")
    result = export_corrections(rows, args.out)
    for message in parse_errors + result.errors:
        print(f"refused: {message}", file=sys.stderr)
    print(
        f"wrote {result.written} correction(s) to {args.out}; "
        f"{result.skipped_duplicates} duplicate(s) skipped; "
        f"{len(parse_errors) + len(result.errors)} refused"
    )
    return 1 if parse_errors or result.errors else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s"
    )
    handlers = {
        "train": cmd_train,
        "evaluate": cmd_evaluate,
        "predict": cmd_predict,
        "bench": cmd_bench,
        "agree": cmd_agree,
        "export-corrections": cmd_export_corrections,
    }
    return handlers[args.command](args)
