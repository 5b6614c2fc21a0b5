"""Fit the reader: LoRA on the bundled all-MiniLM-L6-v2 plus a span head, on the fitting data only.

Trained on the 25 SQuAD v2.0 fitting articles (answerable and unanswerable) and on RealTime QA
quizzes before 2024 whose correct choice stands in the evidence passage (`bench/splits.py`).
Three SQuAD articles and one RealTime QA week in ten are held out as the early-stopping fold
(split by article and by week, never by question). The run is reproducible (fixed seed),
prints what it trained on and the held-out-fold figures, checkpoints as it goes and resumes
from the checkpoint when started again with the same `--out`.

    python -m bench.fit_reader --squad2 dev-v2.0.json --realtimeqa realtimeqa.jsonl.gz --out runs/fit-reader
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import random
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.splits import REALTIMEQA_REPORT_SINCE, SQUAD2_FIT
from qa.reader import artifact
from qa.reader.windows import MAX_TOKENS, Window, answer_mask, batch, best_span, windows

SEED = 13
HELD_OUT_ARTICLES = 3  # SQuAD fitting articles kept for the early-stopping fold
CONTEXT_SHARE = 0.3  # windows that also read the end of the paragraph before, as answering does
CONTEXT_CHARS = 400  # how much of the paragraph before is read (matches qa.reader.runtime)
MAX_ANSWER_TOKENS = 30
# Answerable questions also read against another passage that shares their words (`distractors`).
# Off by default: at 0.5 and 2 epochs the answering passage was preferred more often (0.96 against
# 0.92 on the fold) but span F1 fell (0.722 against 0.748) and the calibrated answers were no better;
# RealTime QA only, at 1.0 and 3 epochs, F1 0.737 against 0.751 and the calibrator no better (README).
DISTRACTOR_SHARE = 0.0
SOURCES = ("squad2", "realtimeqa")  # the fitting data's sources (`Example.source`)


@dataclass(frozen=True)
class Example:
    """A question about one paragraph; no answers means the paragraph does not say."""

    question: str
    text: str
    before: str  # the paragraph before it in the same article ("" for the first)
    answers: tuple[tuple[int, str], ...]
    group: str  # article or quiz week: folds are split by it
    source: str


def squad_examples(path: Path) -> list[Example]:
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    out = []
    for article in data:
        if article["title"] not in SQUAD2_FIT:
            continue
        previous = ""
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                answers = (
                    () if qa.get("is_impossible") else tuple((a["answer_start"], a["text"]) for a in qa["answers"])
                )
                out.append(Example(qa["question"], paragraph["context"], previous, answers, article["title"], "squad2"))
            previous = paragraph["context"]
    return out


def realtimeqa_examples(path: Path) -> list[Example]:
    """Quizzes before 2024 whose correct choice is found in the evidence: that occurrence is the span."""
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            date = row["question_date"].replace("/", "-")
            if date >= REALTIMEQA_REPORT_SINCE or not row.get("evidence"):
                continue
            choice = row["choices"][int(row["answer"][0])]
            evidence = row["evidence"]
            at = evidence.lower().find(choice.lower())
            if at < 0 or not choice.strip():
                continue
            week = quiz_week(date)
            answers = ((at, evidence[at : at + len(choice)]),)
            out.append(Example(row["question_sentence"], evidence, "", answers, week, "realtimeqa"))
    return out


def quiz_week(date: str) -> str:
    """The quiz week a RealTime QA date (YYYY-MM-DD) falls in: the unit its folds are split by."""
    return date[:4] + "-w" + str(int(date[5:7]) * 5 + int(date[8:10]) // 7)


def held_out(squad2: Path, realtimeqa: Path) -> list[Example]:
    """The held-out fold of the fitting data: the reader never trains on it, its calibrator is fitted on it."""
    return split(squad_examples(squad2) + realtimeqa_examples(realtimeqa))[1]


def question_key(text: str) -> str:
    """A question as the fold and the converted question files both spell it (whitespace folded)."""
    return " ".join(text.split())


def split(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    """(fit, held-out fold): whole articles and whole quiz weeks, drawn with the fixed seed."""
    rng = random.Random(SEED)
    articles = sorted({e.group for e in examples if e.source == "squad2"})
    weeks = sorted({e.group for e in examples if e.source == "realtimeqa"})
    held = set(rng.sample(articles, HELD_OUT_ARTICLES)) | set(rng.sample(weeks, max(1, len(weeks) // 10)))
    return [e for e in examples if e.group not in held], [e for e in examples if e.group in held]


def distractors(
    examples: list[Example], share: float, rng: random.Random, sources: tuple[str, ...] = SOURCES
) -> list[Example]:
    """For a `share` of the answerable questions of `sources`, the same question against the other passage of its
    article (or quiz week) that shares most of its words and does not hold the answer, as unanswerable.

    Read alone, a paragraph is scored only against itself; answering compares passages, and a
    paragraph about another event that repeats the question's words ("ISIS claimed responsibility
    for the attack", another attack) must score below the one that answers.
    """
    texts = _passages(examples)
    out = []
    for e in examples:
        if e.answers and e.source in sources and rng.random() < share:
            other = _distractor(e, texts[e.source, e.group])
            if other is not None:
                out.append(Example(e.question, other, "", (), e.group, e.source + "-distractor"))
    return out


def _passages(examples: list[Example]) -> dict[tuple[str, str], list[str]]:
    """The distinct passages of each (source, article or week)."""
    out: dict[tuple[str, str], list[str]] = {}
    for e in examples:
        texts = out.setdefault((e.source, e.group), [])
        if e.text not in texts:
            texts.append(e.text)
    return out


def _distractor(e: Example, texts: list[str]) -> str | None:
    words = _content_words(e.question)
    golds = [g.lower() for _, g in e.answers]
    best, overlap = None, 0
    for text in texts:
        if text != e.text and not any(g in text.lower() for g in golds):
            shared = len(words & _content_words(text))
            if shared > overlap:
                best, overlap = text, shared
    return best


def _content_words(text: str) -> set[str]:
    return {t for t in _tokens(text) if len(t) > 3}


def labelled_windows(tokenizer, example: Example, with_context: bool) -> list[tuple[Window, int, int]]:
    """The example's windows, each with its answer's (start, end) token, or (0, 0) when it holds none."""
    prefix = example.before[-CONTEXT_CHARS:] + "\n\n" if with_context and example.before else ""
    out = []
    for w in windows(tokenizer, example.question, prefix + example.text, answer_from=len(prefix)):
        label = (0, 0)
        if example.answers:
            start, text = example.answers[0]
            a, b = start + len(prefix), start + len(prefix) + len(text)
            starts = np.nonzero((w.offsets[:, 0] <= a) & (w.offsets[:, 1] > a))[0]
            ends = np.nonzero((w.offsets[:, 0] < b) & (w.offsets[:, 1] >= b))[0]
            if len(starts) and len(ends) and ends[0] >= starts[0]:
                label = (int(starts[0]), int(ends[0]))
        out.append((w, *label))
    return out


def f1(prediction: str, gold: str) -> float:
    p, g = _tokens(prediction), _tokens(gold)
    common = sum(min(p.count(t), g.count(t)) for t in set(p))
    if not p or not g or not common:
        return float(p == g)
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


def _tokens(text: str) -> list[str]:
    text = re.sub(r"\b(a|an|the)\b", " ", re.sub(r"[^\w\s]", " ", text.lower()))
    return text.split()


class Trainer:
    """The LoRA-adapted encoder and span head, trained under bf16 autocast with checkpoints."""

    def __init__(self, base: Path, rank: int, alpha: int, threads: int, outputs: int = 2) -> None:
        import torch
        from peft import LoraConfig, get_peft_model
        from transformers import AutoConfig, AutoModel

        torch.set_num_threads(threads)
        torch.manual_seed(SEED)
        config = AutoConfig.from_pretrained(base)
        config.attention_probs_dropout_prob = 0.0  # attention dropout costs 2.6x on this CPU
        encoder = AutoModel.from_pretrained(base, config=config, add_pooling_layer=False)
        # No dropout on the adapters: like attention dropout, it costs more than twice the step time on this CPU.
        lora = LoraConfig(r=rank, lora_alpha=alpha, lora_dropout=0.0, target_modules=artifact.TARGETS)
        self.encoder = get_peft_model(encoder, lora)
        self.head = torch.nn.Linear(config.hidden_size, outputs)
        self.rank, self.alpha = rank, alpha
        self.torch = torch

    def parameters(self):
        return [p for p in self.encoder.parameters() if p.requires_grad] + list(self.head.parameters())

    def outputs(self, inputs: dict[str, np.ndarray]):
        """The head's outputs at every token (batch, tokens, outputs), in float32."""
        torch = self.torch
        tensors = {k: torch.from_numpy(v) for k, v in inputs.items()}
        with torch.autocast("cpu", dtype=torch.bfloat16):
            states = self.encoder(**tensors).last_hidden_state
            return self.head(states).float()

    def logits(self, inputs: dict[str, np.ndarray]):
        out = self.outputs(inputs)
        return out[..., 0], out[..., 1]

    def update(self, loss, optimizer, scheduler) -> float:
        """One optimiser step on `loss` (gradients clipped at norm 1); returns the loss."""
        optimizer.zero_grad()
        loss.backward()
        self.torch.nn.utils.clip_grad_norm_(self.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        return float(loss.detach())

    def state(self) -> dict:
        return {
            "lora": {k: v for k, v in self.encoder.state_dict().items() if "lora_" in k},
            "head": self.head.state_dict(),
        }

    def load_state(self, state: dict) -> None:
        self.encoder.load_state_dict(state["lora"], strict=False)
        self.head.load_state_dict(state["head"])

    def weights(self) -> dict[str, np.ndarray]:
        """The adapter as plain arrays: per target layer its A and B, and the head."""
        out = {}
        for name, tensor in self.state()["lora"].items():
            key = re.sub(r"^base_model\.model\.", "", name).replace(".default", "")
            out[key] = tensor.detach().float().numpy()
        out["head.weight"] = self.head.weight.detach().float().numpy()
        out["head.bias"] = self.head.bias.detach().float().numpy()
        return out


def train_step(trainer: Trainer, optimizer, scheduler, items: list[tuple[Window, int, int]]) -> float:
    torch = trainer.torch
    inputs = batch([w for w, _, _ in items])
    width = inputs["input_ids"].shape[1]
    allowed = answer_mask([w for w, _, _ in items], width)
    allowed[:, 0] = True  # [CLS]: "no answer here"
    start, end = trainer.logits(inputs)
    block = torch.from_numpy(~allowed)
    start, end = start.masked_fill(block, -1e4), end.masked_fill(block, -1e4)
    gold_start = torch.tensor([s for _, s, _ in items])
    gold_end = torch.tensor([e for _, _, e in items])
    loss = (torch.nn.functional.cross_entropy(start, gold_start) + torch.nn.functional.cross_entropy(end, gold_end)) / 2
    return trainer.update(loss, optimizer, scheduler)


def read(trainer: Trainer, tokenizer, question: str, text: str) -> tuple[str, float]:
    """The best span of `text` and its margin over "no answer" (the model in eval mode)."""
    items = windows(tokenizer, question, text)
    inputs = batch(items)
    with trainer.torch.no_grad():
        start, end = trainer.logits(inputs)
    start, end = start.numpy(), end.numpy()
    allowed = answer_mask(items, inputs["input_ids"].shape[1])
    best = (None, -math.inf, 0.0)
    for i, w in enumerate(items):
        a, b, score = best_span(start[i], end[i], allowed[i], MAX_ANSWER_TOKENS)
        if score > best[1]:
            best = ((int(w.offsets[a, 0]), int(w.offsets[b, 1])), score, float(start[i, 0] + end[i, 0]))
    span, score, null = best
    return (text[span[0] : span[1]] if span else ""), score - null


def evaluate(trainer: Trainer, tokenizer, examples: list[Example], limit: int) -> dict[str, float]:
    """On the held-out fold: span F1 and EM of answerable questions, and no-answer accuracy at margin 0."""
    trainer.encoder.eval()
    rng = random.Random(SEED)
    sample = rng.sample(examples, min(limit, len(examples)))
    rows = []  # (source, F1 or None when unanswerable, exact, no-answer decided right)
    margins = {}
    for e in sample:
        span, margin = read(trainer, tokenizer, e.question, e.text)
        margins[e.question, e.text] = margin
        score = max(f1(span, g) for _, g in e.answers) if e.answers else None
        exact = max(float(_tokens(span) == _tokens(g)) for _, g in e.answers) if e.answers else None
        rows.append((e.source, score, exact, (margin > 0) == bool(e.answers)))
    # The answering passage against its distractor: how often the reader's margin prefers the right one.
    texts = _passages(examples)
    preferred = [
        margins[e.question, e.text] > read(trainer, tokenizer, e.question, other)[1]
        for e in sample if e.answers
        for other in [_distractor(e, texts[e.source, e.group])] if other is not None
    ]  # fmt: skip
    trainer.encoder.train()
    figures = _figures(rows)
    figures["answering_passage_preferred"] = round(float(np.mean(preferred)), 4) if preferred else 0.0
    figures["by_source"] = {s: _figures([r for r in rows if r[0] == s]) for s in sorted({r[0] for r in rows})}
    return figures


def _figures(rows: list[tuple]) -> dict:
    scores = [r[1] for r in rows if r[1] is not None]
    exact = [r[2] for r in rows if r[2] is not None]
    return {
        "f1": round(float(np.mean(scores)), 4) if scores else 0.0,
        "em": round(float(np.mean(exact)), 4) if exact else 0.0,
        "answerable_accuracy": round(float(np.mean([r[3] for r in rows])), 4),
        "questions": len(rows),
    }


def batches(items: list, size: int, rng: random.Random, key) -> list[list]:
    """Batches of items of about one length (`key`; little padding), in a random order."""
    order = sorted(range(len(items)), key=lambda i: (key(items[i]), rng.random()))
    groups = [[items[i] for i in order[k : k + size]] for k in range(0, len(order), size)]
    rng.shuffle(groups)
    return groups


def train(trainer: Trainer, items: list, step, args, evaluate, *, key) -> list[dict]:
    """`args.epochs` passes over `items` in batches of about one length (`key`), with `step(trainer, optimizer,
    scheduler, batch) -> loss`; checkpoints in `args.out` every `args.checkpoint_every` steps and resumes from
    there; `evaluate()` on the held-out fold after each epoch. Returns the fold's history."""
    from transformers import get_linear_schedule_with_warmup

    optimizer = trainer.torch.optim.AdamW(trainer.parameters(), lr=args.lr, weight_decay=0.01)
    per_epoch = math.ceil(len(items) / args.batch)
    total = max(1, int(per_epoch * args.epochs))
    scheduler = get_linear_schedule_with_warmup(optimizer, int(0.06 * total), total)
    args.out.mkdir(parents=True, exist_ok=True)
    checkpoint = args.out / "checkpoint.pt"
    done, history = 0, []
    if checkpoint.exists():
        saved = trainer.torch.load(checkpoint, weights_only=False)
        trainer.load_state(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        scheduler.load_state_dict(saved["scheduler"])
        done, history = saved["step"], saved["history"]
        print(f"resumed at step {done} of {total}", flush=True)
    trainer.encoder.train()
    began, losses = time.time(), []
    epoch = done // per_epoch
    while done < total:
        plan = batches(items, args.batch, random.Random(SEED + epoch), key)
        for group in plan[done - epoch * per_epoch :]:
            losses.append(step(trainer, optimizer, scheduler, group))
            done += 1
            if done % 50 == 0:
                rate = len(losses) * args.batch / (time.time() - began)
                print(f"step {done}/{total} loss {np.mean(losses[-50:]):.3f} ({rate:.1f} examples/s)", flush=True)
            if done % args.checkpoint_every == 0 or done == total:
                state = {"model": trainer.state(), "optimizer": optimizer.state_dict(),
                         "scheduler": scheduler.state_dict(), "step": done, "history": history}  # fmt: skip
                trainer.torch.save(state, checkpoint.with_suffix(".partial"))
                checkpoint.with_suffix(".partial").replace(checkpoint)
            if done % per_epoch == 0 or done == total:
                trainer.encoder.eval()
                figures = evaluate()
                trainer.encoder.train()
                history.append({"step": done, **figures})
                print(f"held-out fold at step {done}: {figures}", flush=True)
            if done >= total:
                break
        epoch += 1
    return history


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--squad2", type=Path, required=True)
    parser.add_argument("--realtimeqa", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("runs/fit-reader"))
    parser.add_argument("--artifact", type=Path, default=artifact.SHIPPED, help="where to write the adapter")
    parser.add_argument("--epochs", type=float, default=4.0)
    parser.add_argument("--lr", type=float, default=6e-4)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--rank", type=int, default=32)
    parser.add_argument("--alpha", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--distractors",
        type=float,
        default=DISTRACTOR_SHARE,
        help="share of answerable questions also read against a passage that shares their words but does not answer",
    )
    parser.add_argument(
        "--distractor-sources",
        nargs="+",
        choices=SOURCES,
        default=list(SOURCES),
        help="which sources' questions get distractors",
    )
    parser.add_argument("--limit", type=int, default=0, help="fit on this many questions only (a smoke test)")
    parser.add_argument("--eval-questions", type=int, default=600)
    parser.add_argument("--checkpoint-every", type=int, default=200)
    args = parser.parse_args(argv)

    base = artifact.base_dir()
    tokenizer = artifact.tokenizer(base)
    examples = squad_examples(args.squad2) + realtimeqa_examples(args.realtimeqa)
    fit, held = split(examples)
    if args.limit:
        fit, held = random.Random(SEED).sample(fit, args.limit), held[: max(4, args.limit // 4)]
    rng = random.Random(SEED)
    fit += distractors(fit, args.distractors, random.Random(SEED), tuple(args.distractor_sources))
    items = [w for e in fit for w in labelled_windows(tokenizer, e, rng.random() < CONTEXT_SHARE)]
    trained_on = {
        "squad2_articles": sorted({e.group for e in fit if e.source == "squad2"}),
        "squad2_questions": sum(e.source == "squad2" for e in fit),
        "distractors": sum(e.source.endswith("-distractor") for e in fit),
        "squad2_unanswerable": sum(e.source == "squad2" and not e.answers for e in fit),
        "realtimeqa_questions": sum(e.source == "realtimeqa" for e in fit),
        "realtimeqa_before": REALTIMEQA_REPORT_SINCE,
        "windows": len(items),
        "windows_without_answer": sum(s == 0 for _, s, _ in items),
        "held_out_fold": sorted({e.group for e in held}),
    }
    print(json.dumps({"trained_on": trained_on}, indent=1), flush=True)

    trainer = Trainer(base, args.rank, args.alpha, args.threads)
    began = time.time()
    history = train(
        trainer, items, train_step, args,
        lambda: evaluate(trainer, tokenizer, held, args.eval_questions),
        key=lambda item: item[0].length,
    )  # fmt: skip

    info = {
        "base_sha256": artifact.base_hash(base),
        "rank": args.rank,
        "alpha": args.alpha,
        "max_tokens": MAX_TOKENS,
        "max_answer_tokens": MAX_ANSWER_TOKENS,
        "context_chars": CONTEXT_CHARS,
        "recipe": {
            "epochs": args.epochs,
            "lr": args.lr,
            "batch": args.batch,
            "seed": SEED,
            "distractors": args.distractors,
            "distractor_sources": args.distractor_sources,
        },
        "trained_on": trained_on,
        "held_out_fold": history[-1] if history else {},
        "train_seconds": round(time.time() - began),
    }
    return write(args, trainer, info, history)


def write(args, trainer: Trainer, info: dict, history: list[dict]) -> int:
    """The artifact (`args.artifact`) and the fit's record with its history (`args.out/fit.json`)."""
    artifact.save(args.artifact, trainer.weights(), info)
    (args.out / "fit.json").write_text(json.dumps({**info, "history": history}, indent=1), encoding="utf-8")
    print(f"wrote {args.artifact} ({args.artifact.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
