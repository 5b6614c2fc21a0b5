"""The report of `make bench-perf`: the table (perf.md), the figure (perf.png), the targets each answer picker meets."""

from __future__ import annotations

from pathlib import Path

from bench.common import save_figure


def draw(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    warm_rows = sorted(results["warm"].values(), key=lambda r: r["chunks"])
    left.plot([r["chunks"] for r in warm_rows], [r["p50_ms"] for r in warm_rows], marker="o", label="warm ask p50")
    left.plot([r["chunks"] for r in warm_rows], [r["p95_ms"] for r in warm_rows], marker="o", label="warm ask p95")
    scale = results["store_scaling"]
    left.plot(
        [r["chunks"] for r in scale], [r["vector_query_ms"] for r in scale], "--", marker=".", label="vector query"
    )
    left.plot(
        [r["chunks"] for r in scale], [r["keyword_query_ms"] for r in scale], "--", marker=".", label="keyword query"
    )
    left.set_xscale("log")
    left.set_xlabel("chunks in the index")
    left.set_ylabel("milliseconds")
    left.set_title("Latency against corpus size")
    left.legend(fontsize=8)
    rows = [(k, v) for k, v in results["ingest"].items()]
    right.bar([f"{k}\n({v['chunks']} chunks)" for k, v in rows], [v["ours_peak_rss_mb"]["median"] for _, v in rows],
              label="ingest peak RSS")  # fmt: skip
    right.bar(["warm ask\n(13k chunks)"], [results["warm"]["bbc"]["rss_mb"]], label="answering process RSS")
    right.axhline(1000, color="grey", linestyle=":")
    right.set_ylabel("MB")
    right.set_title("Memory")
    save_figure(fig, path, legend=right)


# The targets each answer picker is held to: the reader reads, so its answers may take longer.
TARGETS = {
    "default": {"one_shot": "<= 1.5 s", "memory": "<= 300 MB", "warm": "<= 30 / 80 ms"},
    "reader": {"one_shot": "<= 2.0 s", "memory": "<= 400 MB", "warm": "<= 150 / 300 ms"},
}


def render(results: dict) -> str:
    ing, cold, warm_rows = results.get("ingest", {}), results["cold_start"], results["warm"]

    def m(spread_: dict, digits: int = 2) -> str:
        return f"{spread_['median']:.{digits}f} ({spread_['min']:.{digits}f}-{spread_['max']:.{digits}f})"

    target = TARGETS.get(results.get("ranker", "default"), TARGETS["default"])
    lines = [
        f"Performance, {results['date']} ({results['machine']}; answer picker: {results.get('ranker', 'default')}; "
        f"warm answers read in {results.get('warm_reads_in', 'ONNX Runtime')})",
        "",
        "| measure | result (median, min-max) | target |",
        "| --- | --- | --- |",
        f"| `import qa` | {m(cold['import qa']['seconds'])} s | |",
        f"| `qa --help` | {m(cold['qa --help']['seconds'])} s | |",
        f"| one-shot `qa ask` (sample index) | {m(cold['qa ask (one-shot)']['seconds'])} s | {target['one_shot']} |",
        f"| peak memory of that `qa ask` | {m(cold['qa ask (one-shot)']['peak_rss_mb'], 0)} MB | {target['memory']} |",
        f"| `python app.py` until its first answer | {m(cold['app until its first answer']['seconds'])} s | |",
    ]
    for name, row in ing.items():
        lines.append(
            f"| ingest {name} ({row['chunks']} chunks): ours / raw PyTorch fp32 | {m(row['ours_paragraphs_per_s'], 1)} / "
            f"{m(row['raw_torch_fp32_paragraphs_per_s'], 1)} paragraphs/s = {row['ratio_to_raw']}x | >= 2x |"
        )
        lines.append(f"| ingest {name}: peak RSS | {m(row['ours_peak_rss_mb'], 0)} MB | <= 1 GB |")
        base = row["llama_index"]
        if "seconds" in base:
            lines.append(f"| ingest {name}: llama-index pipeline (256-token chunks) | {base['seconds']} s, "
                         f"{base['chunks']} chunks, peak {base['peak_rss_mb']} MB | |")  # fmt: skip
    for name, row in warm_rows.items():
        lines.append(f"| warm ask at {row['chunks']} chunks ({name}): p50 / p95 | {row['p50_ms']} / {row['p95_ms']} ms "
                     f"| {target['warm']} |")  # fmt: skip
    busy = results["warm_while_ingesting"]
    lines.append(f"| warm ask while another process ingests: p50 | {busy['p50_ms']} ms | <= 3x idle |")
    one = results.get("add_one", {})
    if one:
        lines.append(f"| add one article to the 13k index (warm) | {one['seconds']} s, of which encoding {one['encode_seconds']} s "
                 f"| <= 0.3 s beyond its encode |")  # fmt: skip
    if "first_ingest_of_process_s" in one:
        lines.append(f"| the first article a process adds (loads the model and the sentence splitter) | "
                     f"{one['first_ingest_of_process_s']} s | |")  # fmt: skip
    for row in results.get("store_scaling", []):
        lines.append(f"| store only, {row['chunks']:,} chunks: vector / keyword query | {row['vector_query_ms']} / "
                     f"{row['keyword_query_ms']} ms | |")  # fmt: skip
    return "\n".join(lines) + "\n"
