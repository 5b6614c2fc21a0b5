"""An evaluation run's report: assembling report.json, rendering report.md and report.png, and comparing two runs."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from evaluation.runner import GROUP_ORDER
from evaluation.scoring import DEFINITIONS, summarize

Record = Mapping[str, Any]

# (key, column header); the order of the overall and per-type tables.
COLUMNS = (
    ("hit@1", "hit@1"),
    ("hit@5", "hit@5"),
    ("mrr", "MRR"),
    ("accuracy", "accuracy"),
    ("correct_cited", "correct & cited"),
    ("answered_precision", "answered prec."),
    ("exact_match", "EM"),
    ("f1", "F1"),
    ("citation_precision", "citation prec."),
    ("citation_recall", "citation rec."),
    ("abstention_precision", "abstain prec."),
    ("abstention_recall", "abstain rec."),
    ("supported_share", "supported"),
    ("alce_citation_recall", "ALCE cit. rec."),
    ("alce_citation_precision", "ALCE cit. prec."),
    ("latency_p50_s", "p50 s"),
    ("latency_p95_s", "p95 s"),
)


def build(records: Sequence[Record], *, meta: Mapping[str, Any]) -> dict[str, Any]:
    """The report.json content: `meta`, metrics overall and per group, their definitions, and the failures."""
    groups = {g for r in records for g in r["groups"]}
    ordered = [g for g in GROUP_ORDER if g in groups] + sorted(groups - set(GROUP_ORDER))
    return {
        **meta,
        "overall": summarize(records),
        "by_type": {g: summarize([r for r in records if g in r["groups"]]) for g in ordered},
        "definitions": DEFINITIONS,
        "failures": [_failure(r) for r in records if r["scores"]["correct"] is False],
    }


def _failure(record: Record) -> dict[str, Any]:
    expected = record["expected"]
    return {
        "id": record["id"],
        "question": record["question"],
        "groups": record["groups"],
        "expected": "(abstain)" if expected["unanswerable"] else " | ".join(expected["answers"]),
        "got": got(record),
        "hit_rank": record["scores"]["hit_rank"],
    }


def got(record: Record) -> str:
    """What the assistant said, in one line: its answer, "(abstained) ...", or "ERROR ..."."""
    if record.get("error"):
        return f"ERROR {record['error']}"
    answer = record["answer"]
    text = " ".join(answer["answer"].split())
    return f"(abstained) {text}" if answer["abstained"] else text


def write(out_dir: Path, report: Mapping[str, Any], records: Sequence[Record]) -> None:
    """Write report.json, report.md and report.png into `out_dir`."""
    out_dir = Path(out_dir)
    (out_dir / "report.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
    (out_dir / "report.md").write_text(render_markdown(report), encoding="utf-8")
    draw_chart(report, records, out_dir / "report.png")


def fmt(value: Any, digits: int = 3) -> str:
    """A metric for a table: n/a when undefined, fixed decimals for floats."""
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def render_summary(report: Mapping[str, Any]) -> str:
    """Two lines for a console: counts, then the headline metrics."""
    o = report["overall"]
    return (
        f"{o['questions']} questions: {o['answered']} answered, {o['abstained']} abstained, {o['errors']} errors\n"
        f"accuracy {fmt(o['accuracy'])}, answered precision {fmt(o['answered_precision'])}, "
        f"hit@1 {fmt(o['hit@1'])}, hit@5 {fmt(o['hit@5'])}, MRR {fmt(o['mrr'])}, "
        f"citation precision {fmt(o['citation_precision'])}, recall {fmt(o['citation_recall'])}, "
        f"supported sentences {fmt(o['supported_share'])}, ALCE citation recall {fmt(o['alce_citation_recall'])} / "
        f"precision {fmt(o['alce_citation_precision'])}, fallbacks {o['fallbacks']}, "
        f"latency p50 {fmt(o['latency_p50_s'])} s, p95 {fmt(o['latency_p95_s'])} s"
    )


def render_markdown(report: Mapping[str, Any]) -> str:
    """The report as Markdown: summary, metrics with definitions, per-type table, failures, settings."""
    overall = report["overall"]
    lines = [f"# {report.get('title', 'Evaluation')}", ""]
    lines += [
        f"- run: {report.get('created', '?')}, {overall['questions']} questions, {report.get('seconds', '?')} s "
        f"(and a {report.get('warmup_s', '?')} s warm-up question first)",
        f"- questions: `{report.get('questions_file', '?')}`",
        f"- answered {overall['answered']}, abstained {overall['abstained']}, errors {overall['errors']}",
    ]
    if report.get("corpus"):
        ingest = report.get("ingest", {})
        lines.append(
            f"- corpus: `{report['corpus']}` ({ingest.get('articles', '?')} articles, "
            f"{ingest.get('added', '?')} chunks embedded, {ingest.get('skipped', '?')} unchanged)"
        )
    index = report.get("index")
    if index:
        lines.append(
            f"- index: `{index.get('index', '?')}` ({index.get('articles', '?')} articles, "
            f"{index.get('chunks', '?')} chunks, model `{index.get('model', '?')}`)"
        )
    machine = report.get("machine")
    if machine:
        lines.append(
            f"- machine: {machine.get('platform', '?')}, {machine.get('cpus', '?')} CPUs, "
            f"Python {machine.get('python', '?')}"
        )
    lines += ["", "![metrics per question type and latency](report.png)", "", "## Metrics", ""]
    lines += ["| metric | value | definition |", "| --- | ---: | --- |"]
    for key, header in (*COLUMNS, ("reader_chars_mean", "reader chars"), ("fallbacks", "fallbacks")):
        digits = 0 if key in ("reader_chars_mean", "fallbacks") else 3
        lines.append(f"| {header} | {fmt(overall[key], digits)} | {report['definitions'].get(key, '')} |")

    lines += ["", "## By question type", ""]
    lines.append("| type | n | " + " | ".join(h for _, h in COLUMNS) + " |")
    lines.append("| --- | ---: | " + " | ".join("---:" for _ in COLUMNS) + " |")
    for group, m in report["by_type"].items():
        lines.append(f"| {group} | {m['questions']} | " + " | ".join(fmt(m[k]) for k, _ in COLUMNS) + " |")
    lines += [
        "",
        "Types: who/what/when/where/how many/why come from the item's `type` field, else from the kind of "
        "question the assistant took it for; follow-up = has a history; name variant = a `tags` entry "
        '"variant" or an id containing "variant"; unanswerable = `unanswerable: true`. '
        "An item can count in several types.",
    ]

    failures = report["failures"]
    lines += ["", f"## Failures ({len(failures)})", ""]
    if not failures:
        lines.append("None.")
    for f in failures:
        rank = "no evidence passage retrieved" if f["hit_rank"] is None else f"evidence at rank {f['hit_rank']}"
        lines += [
            f"- **{f['id']}** ({', '.join(f['groups'])}; {rank})",
            f"  - question: {_md(f['question'])}",
            f"  - expected: {_md(f['expected'])}",
            f"  - got: {_md(f['got'])}",
        ]

    settings = report.get("settings") or {}
    lines += ["", "## Settings", "", "| setting | value |", "| --- | --- |"]
    lines += [f"| {section}.{k} | `{v}` |" for section, values in settings.items() for k, v in (values or {}).items()]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def draw_chart(report: Mapping[str, Any], records: Sequence[Record], path: Path) -> None:
    """A PNG with metrics per question type (bars) and the latency distribution (histogram)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    shown = (("hit@5", "hit@5"), ("accuracy", "accuracy"), ("citation_precision", "citation precision"))
    groups = ["all", *report["by_type"]]
    values = [report["overall"], *report["by_type"].values()]
    size = (max(13.0, 6 + 1.1 * len(groups)), 5.5)  # room for every group's three bars
    fig, (bars, hist) = plt.subplots(1, 2, figsize=size, gridspec_kw={"width_ratios": [3, 2]})

    width = 0.8 / len(shown)
    for i, (key, label) in enumerate(shown):
        xs = [g + (i - (len(shown) - 1) / 2) * width for g in range(len(groups))]
        ys = [v[key] if v[key] is not None else 0.0 for v in values]
        drawn = bars.bar(xs, ys, width, label=label)
        bars.bar_label(drawn, labels=[fmt(v[key], 2) for v in values], fontsize=7, padding=2, rotation=90)
    ticks = [f"{g.replace(' ', chr(10))}\n(n={v['questions']})" for g, v in zip(groups, values, strict=True)]
    bars.set_xticks(range(len(groups)), ticks)
    bars.tick_params(axis="x", labelsize=8)
    bars.set_ylim(0, 1.3)
    bars.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    bars.set_ylabel("share")
    bars.set_title("Metrics per question type")
    bars.legend(loc="upper center", ncol=len(shown), fontsize=8, frameon=False)

    latencies = [r["latency_s"] * 1000 for r in records if not r.get("error")]
    if latencies:
        hist.hist(latencies, bins=min(30, max(5, len(latencies) // 3)), color="#777")
        for key, label, style in (("latency_p50_s", "p50", "--"), ("latency_p95_s", "p95", ":")):
            value = report["overall"][key] * 1000
            hist.axvline(value, color="black", linestyle=style, label=f"{label} {value:.1f} ms")
        hist.legend(fontsize=8)
    else:
        hist.text(0.5, 0.5, "no answered questions", ha="center", va="center", transform=hist.transAxes)
    hist.set_xlabel("milliseconds per question")
    hist.set_ylabel("questions")
    hist.yaxis.set_major_locator(MaxNLocator(integer=True))
    hist.set_title("Latency")
    fig.suptitle(report.get("title", "Evaluation"))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def render_comparison(
    name_a: str, report_a: Mapping[str, Any], records_a: Sequence[Record],
    name_b: str, report_b: Mapping[str, Any], records_b: Sequence[Record],
) -> str:  # fmt: skip
    """Two runs side by side: overall metrics with their change, then every question whose outcome differs."""
    lines = [
        f"A: {name_a} ({report_a.get('created', '?')})",
        f"B: {name_b} ({report_b.get('created', '?')})",
        "",
    ]
    lines.append(f"{'metric':<22}{'A':>9}{'B':>9}{'change':>9}")
    for key, header in COLUMNS:
        a, b = report_a["overall"].get(key), report_b["overall"].get(key)
        change = f"{b - a:+.3f}" if a is not None and b is not None else ""
        lines.append(f"{header:<22}{fmt(a):>9}{fmt(b):>9}{change:>9}")

    by_id_a = {r["id"]: r for r in records_a}
    by_id_b = {r["id"]: r for r in records_b}
    common = [i for i in by_id_a if i in by_id_b]
    changed = [(i, _differences(by_id_a[i], by_id_b[i])) for i in common]
    changed = [(i, d) for i, d in changed if d]
    # Regressions first, then fixes, then other changes.
    order = {"worse": 0, "better": 1, "changed": 2}
    changed.sort(key=lambda pair: order[_direction(by_id_a[pair[0]], by_id_b[pair[0]])])
    lines += ["", f"Questions that differ: {len(changed)} of {len(common)} in both runs"]
    for item_id, diffs in changed:
        a, b = by_id_a[item_id], by_id_b[item_id]
        lines += [
            "",
            f"[{_direction(a, b)}] {item_id} ({', '.join(b['groups'])}): {' '.join(b['question'].split())}",
            "  " + "; ".join(diffs),
            f"  A: {_short(got(a))}",
            f"  B: {_short(got(b))}",
        ]
    only_a = [i for i in by_id_a if i not in by_id_b]
    only_b = [i for i in by_id_b if i not in by_id_a]
    if only_a:
        lines += ["", f"Only in A ({len(only_a)}): {', '.join(only_a)}"]
    if only_b:
        lines += ["", f"Only in B ({len(only_b)}): {', '.join(only_b)}"]
    return "\n".join(lines) + "\n"


def _differences(a: Record, b: Record) -> list[str]:
    out = []
    for key, label in (("correct", "correct"), ("abstained", "abstained"), ("hit_rank", "evidence rank")):
        va, vb = a["scores"][key], b["scores"][key]
        if va != vb:
            out.append(f"{label}: {_word(va)} -> {_word(vb)}")
    if bool(a.get("error")) != bool(b.get("error")):
        out.append(f"error: {_word(bool(a.get('error')))} -> {_word(bool(b.get('error')))}")
    if not out and got(a) != got(b):
        out.append("answer text changed")
    return out


def _direction(a: Record, b: Record) -> str:
    ca, cb = a["scores"]["correct"], b["scores"]["correct"]
    if ca and cb is False:
        return "worse"
    if ca is False and cb:
        return "better"
    return "changed"


def _word(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
