"""Refit the line-shape model (``cleaner/checks/lineshape.py``) from a labelled corpus.

Usage (from the project folder)::

    .venv/bin/python bench/train_lineshape.py                 # extraction-dev naive + traf, report only
    .venv/bin/python bench/train_lineshape.py --write         # ... and write the weights to rules/shape.yml
    .venv/bin/python bench/train_lineshape.py A.jsonl B.jsonl --folds 10 --l2 3

Input: JSONL corpora of ``{"id", "text", "lines": [{"text", "label"}], "truth"}`` records
(``label`` is ``content`` or ``boilerplate``), default
``../shared/corpora/extraction-dev/{naive,traf}.jsonl``. Nothing is copied from them.

The model has two logistic stages, fitted by Newton's method with an L2 penalty
(numpy, here only; the check itself is pure Python):

1. stage 1 scores each line from its own shape (``LOCAL_FEATURES``);
2. stage 2 scores it again from its shape plus its context (``CONTEXT_FEATURES``),
   computed from stage-1 scores. So that stage 2 learns from stage-1 scores as
   they look on unseen pages, its training contexts come from out-of-fold stage-1
   models (pages split into ``--folds`` groups).

Longer lines count more (weight ``1 + log(1 + words)``), closer to what the
token-shingle F1 rewards than one vote per line. Each regime (``page``: all the
visible text of a page, mostly short lines; ``extract``: an extractor's output,
mostly prose; see ``lineshape.regime``) gets its own pair of models. The report is a page-grouped
cross-validation: each fold's pages are scored by models fitted without them,
and the kept lines are scored with the extraction scorer (``--scorer``), per
corpus and threshold. ``--write`` replaces the block between ``# BEGIN model``
and ``# END model`` in ``rules/shape.yml`` with the weights fitted on all pages
(rounded to 4 decimals), leaving the rest of the file as it is.

``--cv-cleaner`` also cross-validates the whole cleaner: each fold's pages are
cleaned with every default rule, the line-shape rule carrying weights fitted
without those pages. Those are the numbers to expect on pages the weights have
not seen (``bench/quality.py`` runs the shipped weights, fitted on the dev split).
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "bench"))

from quality import DEFAULT_CORPORA, DEFAULT_SCORER, load_corpus, load_scorer

from cleaner.checks.lineshape import (
    CONTEXT_FEATURES,
    LOCAL_FEATURES,
    STAGE2_FEATURES,
    context_features,
    document_features,
    regime,
)
from cleaner.rules import check_params, load_rules

SHAPE_RULES = PROJECT / "rules" / "shape.yml"

# The context is built with the parameters the rule files give the line-shape check.
CONTEXT = check_params(load_rules(), "line_shape")
REGIMES = ("page", "extract")


def fit_logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float, iters: int = 30) -> tuple[np.ndarray, float]:
    """Weighted L2-penalised logistic regression (bias not penalised) by Newton's method."""
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    beta = np.zeros(d + 1)
    penalty = np.full(d + 1, l2)
    penalty[-1] = 0.0
    for _ in range(iters):
        z = xb @ beta
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        grad = xb.T @ (w * (p - y)) + penalty * beta
        hess = (xb * (w * p * (1 - p))[:, None]).T @ xb + np.diag(penalty) + 1e-9 * np.eye(d + 1)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.max(np.abs(step)) < 1e-7:
            break
    return beta[:-1], float(beta[-1])


def predict(x: np.ndarray, coef: np.ndarray, bias: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x @ coef + bias, -30, 30)))


class Page:
    def __init__(self, record: dict[str, Any], corpus: str, content_weight: float = 1.0) -> None:
        self.record = record
        self.corpus = corpus
        self.texts = [ln["text"] for ln in record["lines"]]
        self.y = np.array([1.0 if ln["label"] == "content" else 0.0 for ln in record["lines"]])
        self.local = np.array(document_features(self.texts)) if self.texts else np.zeros((0, len(LOCAL_FEATURES)))
        size = np.exp(self.local[:, 0]) if len(self.texts) else np.zeros(0)
        self.weight = 1.0 + np.log1p(size)
        self.weight = self.weight * np.where(self.y > 0, content_weight, 1.0)
        self.regime = regime(self.local.tolist(), CONTEXT)


def _stack(pages: Sequence[Page], attr: str) -> np.ndarray:
    return np.concatenate([getattr(p, attr) for p in pages])


def fit_stage1(pages: Sequence[Page], l2: float) -> tuple[np.ndarray, float]:
    return fit_logistic(_stack(pages, "local"), _stack(pages, "y"), _stack(pages, "weight"), l2)


def stage2_matrix(page: Page, p1: np.ndarray) -> np.ndarray:
    ctx = np.array(context_features(page.local.tolist(), p1.tolist(), CONTEXT))
    return np.hstack([page.local, ctx])


def oof_stage1(pages: Sequence[Page], folds: list[list[int]], l2: float) -> dict[int, np.ndarray]:
    out: dict[int, np.ndarray] = {}
    for fold in folds:
        held = set(fold)
        coef, bias = fit_stage1([p for i, p in enumerate(pages) if i not in held], l2)
        for i in fold:
            out[i] = predict(pages[i].local, coef, bias)
    return out


def fit_regimes(pages: Sequence[Page], k: int, l2: float, seed: int, shared_stage1: bool) -> dict[str, Any]:
    """A model per regime. Stage 2 learns from contexts of out-of-fold stage-1 scores.

    With ``shared_stage1`` stage 1 is fitted on the pages of every regime (a line's own
    shape means the same everywhere; chrome kinds rare in one regime are common in
    the other) and only stage 2 is per regime.
    """
    folds = make_folds(len(pages), k, seed)
    oof = oof_stage1(pages, folds, l2) if shared_stage1 else {}
    shared = fit_stage1(pages, l2) if shared_stage1 else None
    models = {}
    for reg in REGIMES:
        sel = [i for i, p in enumerate(pages) if p.regime == reg]
        if not sel:
            continue
        sub = [pages[i] for i in sel]
        if shared_stage1:
            c1, b1 = shared
            scores = [oof[i] for i in sel]
        else:
            c1, b1 = fit_stage1(sub, l2)
            inner = oof_stage1(sub, make_folds(len(sub), k, seed), l2)
            scores = [inner[j] for j in range(len(sub))]
        x2 = np.vstack([stage2_matrix(p, q) for p, q in zip(sub, scores, strict=True)])
        c2, b2 = fit_logistic(x2, _stack(sub, "y"), _stack(sub, "weight"), l2)
        models[reg] = {"stage1": (c1, b1), "stage2": (c2, b2)}
    return models


def score_page(page: Page, model: dict[str, Any]) -> np.ndarray:
    c1, b1 = model["stage1"]
    c2, b2 = model["stage2"]
    p1 = predict(page.local, c1, b1)
    return predict(stage2_matrix(page, p1), c2, b2)


def make_folds(n: int, k: int, seed: int) -> list[list[int]]:
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return [order[i::k] for i in range(k)]


def cross_validate(pages: Sequence[Page], k: int, l2: float, seed: int, shared_stage1: bool) -> list[np.ndarray]:
    """Out-of-fold stage-2 probabilities per page; a page's naive and traf versions stay in one fold."""
    ids = sorted({p.record["id"] for p in pages})
    id_fold = {pid: i % k for i, pid in enumerate(random.Random(seed).sample(ids, len(ids)))}
    out: list[np.ndarray] = [np.zeros(0)] * len(pages)
    for f in range(k):
        train = [p for p in pages if id_fold[p.record["id"]] != f]
        models = fit_regimes(train, k, l2, seed + 1, shared_stage1)
        for i, p in enumerate(pages):
            if id_fold[p.record["id"]] == f:
                out[i] = score_page(p, models[p.regime])
    return out


def model_params(models: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Fitted models in the shape of the rule's ``model`` parameter."""
    out: dict[str, Any] = {}
    for reg, model in models.items():
        out[reg] = {}
        for stage, names in (("stage1", LOCAL_FEATURES), ("stage2", STAGE2_FEATURES)):
            coef, bias = model[stage]
            out[reg][stage] = {"bias": float(bias), "weights": {n: float(c) for n, c in zip(names, coef, strict=True)}}
    return out


def cross_validate_cleaner(pages: Sequence[Page], k: int, l2: float, seed: int, shared_stage1: bool,
                           scorer: Any) -> None:
    """The whole cleaner (all default rules) on each fold's pages, with line-shape weights fitted without them."""
    from dataclasses import replace

    from cleaner.pipeline import clean_article
    from cleaner.read import article_from_text

    rules = load_rules()
    shape = next(r for r in rules if r.check is not None and r.check.name == "line_shape")
    ids = sorted({p.record["id"] for p in pages})
    id_fold = {pid: i % k for i, pid in enumerate(random.Random(seed).sample(ids, len(ids)))}
    cleaned: dict[int, str] = {}
    for f in range(k):
        train = [p for p in pages if id_fold[p.record["id"]] != f]
        params = {**shape.params, "model": model_params(fit_regimes(train, k, l2, seed + 1, shared_stage1))}
        fold_rules = [replace(r, params=params) if r is shape else r for r in rules]
        for i, p in enumerate(pages):
            if id_fold[p.record["id"]] == f:
                article = article_from_text(p.record["text"], str(p.record["id"]), has_title=False)
                cleaned[i] = clean_article(article, fold_rules).cleaned
    for corpus in dict.fromkeys(p.corpus for p in pages):
        sel = [i for i, p in enumerate(pages) if p.corpus == corpus]
        m = scorer.score([pages[i].record for i in sel], {pages[i].record["id"]: cleaned[i] for i in sel},
                         True, 0, 0, "cv")
        print(f"{corpus}: whole cleaner, page-grouped cross-validation of the line-shape weights: "
              f"F1 {m['f1']:.3f}  P {m['precision']:.3f}  R {m['recall']:.3f}  bpP {m['bp_precision']:.3f}  "
              f"bpR {m['bp_recall']:.3f}  content kept {m['content_kept']:.3f}")


def report(pages: Sequence[Page], probs: Sequence[np.ndarray], thresholds: Sequence[tuple[float, float]],
           scorer: Any) -> None:
    for corpus in dict.fromkeys(p.corpus for p in pages):
        sel = [(p, pr) for p, pr in zip(pages, probs, strict=True) if p.corpus == corpus]
        records = [p.record for p, _ in sel]
        counts = {reg: sum(1 for p, _ in sel if p.regime == reg) for reg in REGIMES}
        print(f"{corpus}: page-grouped cross-validation ({counts['page']} pages read as 'page', "
              f"{counts['extract']} as 'extract')")
        for th_page, th_extract in thresholds:
            th = {"page": th_page, "extract": th_extract}
            preds = {p.record["id"]: "\n".join(t for t, q in zip(p.texts, pr, strict=True) if q >= th[p.regime])
                     for p, pr in sel}
            m = scorer.score(records, preds, True, 0, 0, "cv")
            print(f"  thresholds page {th_page:.2f} extract {th_extract:.2f}: F1 {m['f1']:.3f}  P {m['precision']:.3f}  R {m['recall']:.3f}  "
                  f"bpP {m['bp_precision']:.3f}  bpR {m['bp_recall']:.3f}  content kept {m['content_kept']:.3f}")


def _fmt(x: float) -> str:
    return f"{x:.4f}".rstrip("0").rstrip(".") if x else "0.0"


def model_yaml(models: dict[str, dict[str, Any]], indent: str) -> list[str]:
    lines = [f"{indent}model:"]
    for reg in REGIMES:
        lines.append(f"{indent}  {reg}:")
        for stage, names in (("stage1", LOCAL_FEATURES), ("stage2", STAGE2_FEATURES)):
            coef, bias = models[reg][stage]
            lines.append(f"{indent}    {stage}:")
            lines.append(f"{indent}      bias: {_fmt(bias)}")
            lines.append(f"{indent}      weights:")
            lines += [f"{indent}        {name}: {_fmt(float(c))}" for name, c in zip(names, coef, strict=True)]
    return lines


def write_model(model: dict[str, Any], path: Path) -> None:
    text = path.read_text(encoding="utf-8").split("\n")
    begin = next(i for i, line in enumerate(text) if line.strip() == "# BEGIN model")
    end = next(i for i, line in enumerate(text) if line.strip() == "# END model")
    indent = text[begin][: len(text[begin]) - len(text[begin].lstrip())]
    path.write_text("\n".join(text[: begin + 1] + model_yaml(model, indent) + text[end:]), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpora", nargs="*", type=Path)
    ap.add_argument("--scorer", type=Path, default=DEFAULT_SCORER)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--l2", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--content-weight", type=float, default=1.0, help="weight of content lines against boilerplate")
    ap.add_argument("--thresholds", default="0.5/0.5,0.4/0.2,0.3/0.1",
                    help="PAGE/EXTRACT threshold pairs to report, comma-separated")
    ap.add_argument("--shared-stage1", action="store_true", help="fit stage 1 on the pages of both regimes")
    ap.add_argument("--no-cv", action="store_true", help="skip the cross-validation report")
    ap.add_argument("--cv-cleaner", action="store_true",
                    help="also cross-validate the whole cleaner (all default rules) with fold-fitted weights")
    ap.add_argument("--write", action="store_true", help=f"write the weights into {SHAPE_RULES.relative_to(PROJECT)}")
    ap.add_argument("--rules-file", type=Path, default=SHAPE_RULES)
    args = ap.parse_args(argv)

    corpora = args.corpora or [p for p in DEFAULT_CORPORA if p.exists()]
    pages = [Page(r, c.name, args.content_weight) for c in corpora for r in load_corpus(c) if r["lines"]]
    print(f"{len(pages)} pages, {sum(len(p.texts) for p in pages)} lines, "
          f"{len(LOCAL_FEATURES)} + {len(CONTEXT_FEATURES)} features")
    if not args.no_cv:
        scorer = load_scorer(args.scorer)
        probs = cross_validate(pages, args.folds, args.l2, args.seed, args.shared_stage1)
        pairs = [tuple(float(x) for x in t.split("/")) for t in args.thresholds.split(",")]
        report(pages, probs, pairs, scorer)  # type: ignore[arg-type]
        if args.cv_cleaner:
            cross_validate_cleaner(pages, args.folds, args.l2, args.seed, args.shared_stage1, scorer)
    model = fit_regimes(pages, args.folds, args.l2, args.seed, args.shared_stage1)
    if args.write:
        write_model(model, args.rules_file)
        print(f"model written to {args.rules_file}")
    else:
        print("\n".join(model_yaml(model, "")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
