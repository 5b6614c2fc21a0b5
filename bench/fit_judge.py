"""Fit the support judge: LoRA on the bundled all-MiniLM-L6-v2 plus a one-logit head, on the fitting data only.

Claims are made (`bench.claims`, the generator the verification benchmark uses) from the 25
SQuAD v2.0 fitting articles: true ones (the answer's clause, the question as a statement, each
reworded) and false ones (a number or date changed, another name from elsewhere or from the
same paragraph, two names swapped, a negation, another paragraph, an unanswerable question's
plausible answer). RealTime QA quizzes before 2024 add the question with its correct choice
(true) and with a wrong one (false) against the evidence. Each claim is paired with the spans
the verifier would hand the judge (`judged_spans`): those its exact rules let through, the best
by shared words first; a true claim is said only by a span holding its answer. The reader's
held-out fold (three articles, one quiz week in ten) is held out here too: the calibration (a
scale and shift on the logit) is fitted on it. Reproducible (fixed seed); prints what it
trained on; checkpoints and resumes like the reader's fit.

    python -m bench.fit_judge --squad2 dev-v2.0.json --realtimeqa realtimeqa.jsonl.gz --out runs/fit-judge
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from bench import claims
from bench.fit_reader import SEED, Trainer, held_out, quiz_week, train, write
from bench.splits import REALTIMEQA_REPORT_SINCE, SQUAD2_FIT
from bench.verification import passage
from qa.config import VerifySettings
from qa.reader import artifact
from qa.reader.judge import SHIPPED, inputs
from qa.reader.windows import batch, windows
from qa.verify import Verifier

TRUE_KINDS = ("true_clause", "true_statement", "reordered", "synonym", "passive", "realtimeqa_correct")
UNANSWERABLE_SHARE = 0.4  # unanswerable questions whose plausible answer makes a false claim
# The exact rules as they stand beside the judge (no same-context rule): a span they refuse is never judged, so
# it is never trained on either.
RULES = Verifier(settings=replace(VerifySettings(), anchor_words=0))


@dataclass(frozen=True)
class Pair:
    """A claim and the span it is checked against; label 1 when the span says it."""

    claim: str
    span: str
    label: int
    kind: str
    group: str  # article or quiz week: the fold is split by it


def judged_spans(claim: str, text: str) -> list[tuple[int, int]]:
    """The spans of `text` the verifier hands the judge for `claim` (one to three sentences that hold every name,
    number and date of the claim, the most shared words first), so the judge is fitted on what it will be asked."""
    found = RULES.candidates(claim, passage("fit", "fit", "", 1, text), None)
    return [span for _, span, missing, _ in found if not missing][: RULES.settings.judge_compare]


def squad_pairs(path: Path, rng: random.Random) -> list[Pair]:
    data = [a for a in json.loads(path.read_text(encoding="utf-8"))["data"] if a["title"] in SQUAD2_FIT]
    pool = [
        (a["title"], qa["answers"][0]["text"])
        for a in data for p in a["paragraphs"] for qa in p["qas"]
        if qa.get("answers") and claims.is_name(qa["answers"][0]["text"]) and len(qa["answers"][0]["text"]) < 40
    ]  # fmt: skip
    out: list[Pair] = []
    for article in data:
        title, paragraphs = article["title"], [p["context"] for p in article["paragraphs"]]
        for index, paragraph in enumerate(article["paragraphs"]):
            context = paragraph["context"]
            for qa in paragraph["qas"]:
                out += question_pairs(title, paragraphs, index, context, qa, pool, rng)
    return out


def question_pairs(title, paragraphs, index, context, qa, pool, rng) -> list[Pair]:
    made: list[Pair] = []

    def add(kind: str, claim: str | None, label: int, text: str = context, at: int = -1) -> None:
        """`claim` against each span the verifier would judge in `text`; a true claim is said by a span that holds
        character `at` (the answer) and by no other."""
        for a, b in judged_spans(claim, text) if claim else []:
            said = label and a <= at < b
            made.append(Pair(claim, text[a:b], int(said), kind if said or not label else "other_sentence", title))

    if qa.get("is_impossible"):
        for gold in qa.get("plausible_answers", [])[: rng.random() < UNANSWERABLE_SHARE]:
            add("unanswerable", claims.statement(qa["question"], gold["text"]), 0)
        return made
    gold = qa["answers"][0]
    answer, start = gold["text"], gold["answer_start"]
    true = claims.clause(context, start, start + len(answer))
    if true is None or answer not in true:
        return made
    stated = claims.statement(qa["question"], answer)
    either = rng.choice([true, stated])
    add("true_clause", true, 1, at=start)
    add("true_statement", stated, 1, at=start)
    add("reordered", claims.reorder(true) or claims.reorder(stated), 1, at=start)
    add("synonym", claims.synonyms(either, rng), 1, at=start)
    add("passive", claims.passive(stated, answer), 1, at=start)
    add("number_changed", claims.change_number(either, rng), 0)
    add("date_changed", claims.change_date(either, rng), 0)
    add("negated", claims.negate(either), 0)
    add("names_swapped", claims.swap_names(true), 0)
    add("names_swapped", claims.swap_names(stated), 0)
    if claims.is_name(answer):
        foreign = [n for t, n in pool if t != title and n.lower() not in context.lower()]
        add("foreign_name", claims.swap(either, answer, rng.choice(foreign)) if foreign else None, 0)
        for claim in (true, stated):
            local = claims.local_names(context, answer, claim)
            add("same_paragraph_name", claims.swap(claim, answer, rng.choice(local)) if local else None, 0)
    others = [p for j, p in enumerate(paragraphs) if j != index]
    if others:
        add("wrong_paragraph", either, 0, text=rng.choice(others))
    return made


def realtimeqa_pairs(path: Path, rng: random.Random) -> list[Pair]:
    """Quizzes before 2024: the question with its correct choice (true where a span holds the choice) and with a
    wrong one (false), against the spans of the evidence the verifier would judge."""
    out = []
    for quiz in claims.realtimeqa_claims(path, until=REALTIMEQA_REPORT_SINCE):
        evidence, week = quiz["evidence"], quiz_week(quiz["date"])
        wrong = rng.choice(quiz["false"] or [""])
        for a, b in judged_spans(quiz["true"], evidence):
            said = a <= quiz["at"] < b
            out.append(
                Pair(quiz["true"], evidence[a:b], int(said), "realtimeqa_correct" if said else "other_sentence", week)
            )
        for a, b in judged_spans(wrong, evidence) if wrong else []:
            out.append(Pair(wrong, evidence[a:b], 0, "realtimeqa_wrong", week))
    return out


def all_pairs(squad2: Path, realtimeqa: Path) -> tuple[list[Pair], list[Pair]]:
    """(fit, held-out fold), the fold being the reader's (whole articles and quiz weeks)."""
    rng = random.Random(SEED)
    pairs = list({(p.claim, p.span): p for p in squad_pairs(squad2, rng) + realtimeqa_pairs(realtimeqa, rng)}.values())
    fold = {e.group for e in held_out(squad2, realtimeqa)}
    return [p for p in pairs if p.group not in fold], [p for p in pairs if p.group in fold]


def step(trainer: Trainer, optimizer, scheduler, items: list) -> float:
    torch = trainer.torch
    logits = trainer.outputs(batch([w for w, _ in items]))[:, 0, 0]
    labels = torch.tensor([float(p.label) for _, p in items])
    loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels)
    return trainer.update(loss, optimizer, scheduler)


def logits_of(trainer: Trainer, tokenizer, pairs: list[Pair], size: int = 64) -> np.ndarray:
    out = []
    with trainer.torch.no_grad():
        for k in range(0, len(pairs), size):
            chunk = pairs[k : k + size]
            out.append(trainer.outputs(inputs(tokenizer, [(p.span, p.claim) for p in chunk]))[:, 0, 0].numpy())
    return np.concatenate(out) if out else np.zeros(0)


def calibrate(logits: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """A scale and shift on the logit (Platt scaling) fitted on the fold."""
    from sklearn.linear_model import LogisticRegression

    if len(set(labels.tolist())) < 2:
        return {"scale": 1.0, "shift": 0.0}
    fitted = LogisticRegression(C=1e4).fit(logits.reshape(-1, 1), labels)
    return {"scale": round(float(fitted.coef_[0, 0]), 5), "shift": round(float(fitted.intercept_[0]), 5)}


def by_kind(pairs: list[Pair], probabilities: np.ndarray, threshold: float) -> dict[str, dict]:
    """Per kind of claim: how many, and how often the judge gets it wrong (a true one refused, a false one
    accepted) at `threshold`."""
    rows: dict[str, list[bool]] = defaultdict(list)
    for p, prob in zip(pairs, probabilities, strict=True):
        rows[p.kind].append((prob >= threshold) != bool(p.label))
    return {k: {"n": len(v), "wrong": round(float(np.mean(v)), 4)} for k, v in sorted(rows.items())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--squad2", type=Path, required=True)
    parser.add_argument("--realtimeqa", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("runs/fit-judge"))
    parser.add_argument("--artifact", type=Path, default=SHIPPED, help="where to write the adapter")
    parser.add_argument("--epochs", type=float, default=1.5)
    parser.add_argument("--lr", type=float, default=6e-4)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--rank", type=int, default=32)
    parser.add_argument("--alpha", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--pairs", type=int, default=0, help="fit on this many pairs, drawn at random (0 = all)")
    parser.add_argument("--fold-pairs", type=int, default=3000, help="held-out pairs scored after each epoch")
    parser.add_argument("--checkpoint-every", type=int, default=200)
    args = parser.parse_args(argv)

    base = artifact.base_dir()
    tokenizer = artifact.tokenizer(base)
    fit, fold = all_pairs(args.squad2, args.realtimeqa)
    rng = random.Random(SEED)
    if args.pairs:
        fit = rng.sample(fit, min(args.pairs, len(fit)))
    fold = rng.sample(fold, min(args.fold_pairs, len(fold)))
    items = [(windows(tokenizer, p.claim, p.span)[0], p) for p in fit]
    trained_on = {
        "squad2_articles": sorted({p.group for p in fit if not p.kind.startswith("realtimeqa")}),
        "realtimeqa_before": REALTIMEQA_REPORT_SINCE,
        "pairs": len(fit),
        "true": sum(p.label for p in fit),
        "kinds": dict(sorted(Counter(p.kind for p in fit).items())),
        "held_out_fold": sorted({p.group for p in fold}),
        "fold_pairs": len(fold),
    }
    print(json.dumps({"trained_on": trained_on}, indent=1), flush=True)

    trainer = Trainer(base, args.rank, args.alpha, args.threads, outputs=1)
    labels = np.array([p.label for p in fold])

    def evaluate() -> dict:
        logits = logits_of(trainer, tokenizer, fold)
        probabilities = 1 / (1 + np.exp(-logits))
        return {"accuracy": round(float(np.mean((probabilities >= 0.5) == labels)), 4), "pairs": len(fold)}

    began = time.time()
    history = train(trainer, items, step, args, evaluate, key=lambda item: item[0].length)
    trainer.encoder.eval()
    logits = logits_of(trainer, tokenizer, fold)
    calibration = calibrate(logits, labels)
    probabilities = 1 / (1 + np.exp(-(calibration["scale"] * logits + calibration["shift"])))
    threshold = 0.5
    figures = {
        "accuracy": round(float(np.mean((probabilities >= threshold) == labels)), 4),
        "by_kind": by_kind(fold, probabilities, threshold),
    }
    print(f"held-out fold, calibrated: {json.dumps(figures)}", flush=True)
    info = {
        "kind": "judge",
        "base_sha256": artifact.base_hash(base),
        "rank": args.rank,
        "alpha": args.alpha,
        "calibration": calibration,
        "threshold": threshold,
        "recipe": {"epochs": args.epochs, "lr": args.lr, "batch": args.batch, "seed": SEED, "pairs": args.pairs},
        "trained_on": trained_on,
        "held_out_fold": figures,
        "train_seconds": round(time.time() - began),
    }
    return write(args, trainer, info, history)


if __name__ == "__main__":
    raise SystemExit(main())
