"""`newsagent bench ingest` and `newsagent bench model`: printed tables, not timed tests."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

bench_app = typer.Typer(help="Benchmarks: ingest, model speed, batching, the floor, concurrency, scale, embedders.",
                        no_args_is_help=True)
out = Console() if sys.stdout.isatty() else Console(width=160)  # a piped table keeps its columns whole


@bench_app.command("ingest")
def bench_ingest(
    sizes: list[int] = typer.Option([1000, 10000], "-n", "--n", "--articles", help="Corpus sizes (repeat the option)."),
    words: int = typer.Option(800, "--words", help="Words per article."),
    copy_rate: float = typer.Option(0.02, "--copy-rate", help="Share of articles that are spun copies."),
    seed: int = typer.Option(0, "--seed", help="Random seed of the synthetic corpus."),
    workdir: Optional[Path] = typer.Option(None, "--workdir", help="Where the temporary files go."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Ingest N synthetic ~800-word articles into a fresh store: articles/s, MB/s, derivative detection time."""
    from agent.bench.ingest import run

    results = [run(n, words, copy_rate, seed, workdir) for n in sizes]
    if as_json:
        print(json.dumps([r.as_dict() for r in results], indent=2))
        return
    table = Table("articles", "MB", "seconds", "articles/s", "MB/s", "derivatives s", "ms/article",
                  "copies found", "false copies", title="bench ingest")
    for r in results:
        table.add_row(str(r.articles), f"{r.megabytes:.1f}", f"{r.seconds:.1f}", f"{r.articles_per_s:.0f}",
                      f"{r.mb_per_s:.2f}", f"{r.derivative_seconds:.2f}", f"{r.derivative_ms_per_article:.2f}",
                      f"{r.copies_found}/{r.planted_copies}", str(r.false_copies))
    out.print(table)
    if len(results) > 1:
        a, b = results[0], results[-1]
        growth = b.derivative_seconds / max(a.derivative_seconds, 1e-9)
        out.print(f"derivative detection: {b.articles / max(a.articles, 1):.0f}x the articles took {growth:.1f}x "
                  f"the time (quadratic would be {(b.articles / max(a.articles, 1)) ** 2:.0f}x)")
    for r in results:
        out.print(f"phases at {r.articles}: " + ", ".join(f"{k} {v:.2f}s" for k, v in r.phase_seconds.items()))


@bench_app.command("model")
def bench_model(
    models: Optional[list[str]] = typer.Option(None, "-m", "--model", help="Model string (repeat; default the "
                                                                           "configured model)."),
    runs: int = typer.Option(3, "--runs", help="Timed prompts per model."),
    prompt_words: int = typer.Option(450, "--prompt-words", help="Words in each timed prompt."),
    max_tokens: int = typer.Option(128, "--max-tokens", help="Tokens generated per prompt at most."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Load time, prompt tokens/s, generated tokens/s, and generation against the memory-bandwidth bound."""
    from agent.bench.model import run

    results = [run(m, runs, prompt_words, max_tokens) for m in (models or [None])]
    if as_json:
        print(json.dumps([r.as_dict() for r in results], indent=2))
        return
    table = Table("model", "size MB", "load s", "prompt tok", "prompt tok/s", "gen tok", "gen tok/s",
                  "copy GB/s", "bound tok/s", "gen / bound", title="bench model")
    for r in results:
        table.add_row(r.model, _opt(r.model_bytes and r.model_bytes / 1e6, ".0f"), _opt(r.load_seconds, ".2f"),
                      str(r.prompt_tokens), f"{r.prompt_tokens_per_s:.1f}", str(r.generated_tokens),
                      f"{r.generated_tokens_per_s:.1f}", f"{r.copy_gb_per_s:.2f}", _opt(r.bound_tokens_per_s, ".1f"),
                      _opt(r.share_of_bound, ".0%"))
    out.print(table)
    out.print("bound = measured copy bandwidth ÷ model bytes: each generated token reads every weight once")


@bench_app.command("extract")
def bench_extract_cmd(
    models: Optional[list[str]] = typer.Option(None, "-m", "--model", help="Model string (repeat)."),
    corpus: Optional[Path] = typer.Option(None, "--corpus", help="Folder of articles (default: the sample corpus)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Extraction of a corpus, cold and warm: seconds, tokens, and llama.cpp's prompt vs generation time."""
    from agent.bench.pipeline import SAMPLE, bench_extract

    rows = [(m or "default", r) for m in (models or [None]) for r in bench_extract(m, corpus or SAMPLE)]
    _stage_table(rows, "bench extract", as_json)


@bench_app.command("brief")
def bench_brief_cmd(
    models: Optional[list[str]] = typer.Option(None, "-m", "--model", help="Model string (repeat)."),
    corpus: Optional[Path] = typer.Option(None, "--corpus", help="Folder of articles (default: the sample corpus)."),
    baseline: bool = typer.Option(True, "--baseline/--no-baseline", help="Also run a LangChain map-reduce summary."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The whole brief cold and warm, beside a plain LangChain map-reduce summary on the same model."""
    from agent.bench.pipeline import SAMPLE, bench_brief

    rows = [(m or "default", r) for m in (models or [None]) for r in bench_brief(m, corpus or SAMPLE, baseline)]
    _stage_table(rows, "bench brief", as_json)


@bench_app.command("embed")
def bench_embed_cmd(
    embedders: Optional[list[str]] = typer.Option(None, "-e", "--embedder", help="minilm, fake, lexical or hybrid "
                                                                                   "(repeat; default all four)."),
    k: int = typer.Option(3, "-k", help="Nearest neighbours per sentence for the candidate recall column."),
    labeled: bool = typer.Option(False, "--labeled-negatives", help="Negatives only between gold-quoted sentences."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Sentence embedders on the eval gold: load s, sentences/s, same-fact pair precision/recall, probe cosines."""
    from agent.bench.embed import print_tables, run

    results = run(embedders or ["minilm", "fake", "lexical", "hybrid"], k=k, labeled=labeled)
    if as_json:
        print(json.dumps([r.as_dict() for r in results], indent=2))
        return
    print_tables(results, out, labeled)


@bench_app.command("floor")
def bench_floor_cmd(
    model: Optional[str] = typer.Option(None, "-m", "--model", help="Model string (default the configured model)."),
    corpus: Optional[Path] = typer.Option(None, "--corpus", help="Folder of articles (default: the sample corpus)."),
    baseline: bool = typer.Option(True, "--baseline/--no-baseline", help="Also time a LangChain map-reduce summary."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The cold brief per stage against the floor (read once at the prompt rate + write at the generation rate)."""
    from agent.bench.floor import run
    from agent.bench.pipeline import SAMPLE

    r = run(model, corpus or SAMPLE, baseline)
    if as_json:
        print(json.dumps(r.as_dict(), indent=2))
        return
    table = Table("stage", "seconds", "floor s", "x floor", "prompt tok (evaluated)", "must read", "gen tok",
                  "must write", "prompt eval s", "generation s", "above floor s", title=f"bench floor · {r.model}")
    for s in r.stages:
        table.add_row(s.stage, f"{s.seconds:.1f}", f"{s.floor_s:.1f}", f"{s.seconds / max(s.floor_s, 0.1):.1f}",
                      f"{s.prompt_tokens} ({s.evaluated})", str(s.read_tokens), str(s.completion_tokens),
                      str(s.write_tokens), _opt(s.prompt_eval_s, ".1f"), _opt(s.generation_s, ".1f"), f"{s.above:.1f}")
    out.print(table)
    brief_stages = [s for s in r.stages if s.in_brief]
    cold = sum(s.seconds for s in brief_stages)
    out.print(f"rates measured in the run: prompt {r.prompt_rate} tok/s, generation {r.generation_rate} tok/s; "
              f"corpus {r.corpus_tokens} tokens")
    out.print(f"cold brief ({', '.join(s.stage for s in brief_stages)}) {cold:.1f} s, floor "
              f"{sum(s.floor_s for s in brief_stages):.1f} s; warm re-run {r.warm_s:.2f} s (target <= 1 s); stages "
              f"not in the brief: {', '.join(s.stage for s in r.stages if not s.in_brief) or 'none'}")
    if r.map_reduce_s:
        out.print(f"LangChain map-reduce {r.map_reduce_s:.1f} s; cold brief / map-reduce = "
                  f"{cold / r.map_reduce_s:.2f} (target <= 0.5)")


@bench_app.command("batch")
def bench_batch_cmd(
    model: Optional[str] = typer.Option(None, "-m", "--model", help="A local model string."),
    widths: list[int] = typer.Option([1, 2, 4, 8], "-n", "--sequences", help="Sequences per step (repeat)."),
    max_tokens: int = typer.Option(64, "--max-tokens", help="Tokens generated per sequence."),
    grammar: bool = typer.Option(False, "--grammar/--no-grammar", help="Constrain each sequence by a JSON grammar."),
    repeats: int = typer.Option(3, "--repeats", help="Rounds per width (the widths take turns; fastest kept)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Generated tokens/s with several sequences decoded per step on the embedded model (llama.cpp batch API)."""
    from agent.bench.batch import run

    rows = run(model, tuple(widths), max_tokens, grammar, repeats)
    if as_json:
        print(json.dumps([r.as_dict() for r in rows], indent=2))
        return
    table = Table("sequences", "prompt tok", "prefill s", "generated", "generation s", "gen tok/s", "speed-up",
                  "seq 1 same as alone", title="bench batch")
    for r in rows:
        table.add_row(str(r.sequences), str(r.prompt_tokens), f"{r.prefill_s:.2f}", str(r.generated),
                      f"{r.generation_s:.2f}", f"{r.tokens_per_s:.1f}", f"{r.speedup:.2f}x", str(r.same_as_alone))
    out.print(table)


@bench_app.command("concurrency")
def bench_concurrency_cmd(
    models: Optional[list[str]] = typer.Option(None, "-m", "--model", help="Remote model strings to sweep (repeat)."),
    levels: list[int] = typer.Option([1, 2, 4, 8], "-c", "--concurrency", help="Levels (repeat)."),
    corpus: Optional[Path] = typer.Option(None, "--corpus", help="Folder of articles for -m models."),
    fake: bool = typer.Option(False, "--fake", help="Also sweep a local fake endpoint (fixed latency, 429s)."),
    fake_levels: list[int] = typer.Option([1, 2, 4, 8, 16, 32, 64], "--fake-concurrency", help="Fake levels."),
    latency: float = typer.Option(0.2, "--latency", help="Fake endpoint seconds per answer."),
    capacity: int = typer.Option(16, "--capacity", help="Fake endpoint slots; above them it answers 429."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Cold extraction at each --concurrency level: wall seconds, speed-up, failures and 429s."""
    from agent.bench.concurrency import fake_sweep, sweep
    from agent.bench.pipeline import SAMPLE

    rows = [r for m in (models or []) for r in sweep(m, corpus or SAMPLE, levels)]
    rows += fake_sweep(fake_levels, latency, capacity) if fake else []
    if as_json:
        print(json.dumps([r.as_dict() for r in rows], indent=2))
        return
    table = Table("endpoint", "concurrency", "model calls s", "speed-up", "extract s", "calls", "failed chunks",
                  "429s sent", "peak in flight", title="bench concurrency (cold extraction)")
    for r in rows:
        table.add_row(r.endpoint, str(r.concurrency), f"{r.seconds:.2f}", f"{r.speedup:.2f}x", f"{r.extract_s:.1f}",
                      str(r.calls),
                      str(r.failed_chunks), _opt(r.throttled, "d"), _opt(r.peak_inflight, "d"))
    out.print(table)


@bench_app.command("scale")
def bench_scale_cmd(
    sizes: list[int] = typer.Option([1000, 3000, 10000], "-n", "--articles", help="Corpus sizes (repeat)."),
    words: int = typer.Option(300, "--words", help="Words per synthetic article."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Synthetic articles through ingest, embedding, alignment and extraction (fake model): time, memory, growth."""
    from agent.bench.scale import growth, run

    rows = run(sizes, words)
    if as_json:
        print(json.dumps([r.as_dict() for r in rows], indent=2))
        return
    stages = list(dict.fromkeys(k for r in rows for k in r.seconds))
    table = Table("stage", *[f"{r.articles} articles" for r in rows], "growth k (t ∝ n^k)",
                  title="bench scale (seconds; fake model, fake embedder)")
    for stage in stages:
        table.add_row(stage, *[_opt(r.seconds.get(stage), ".2f") for r in rows], _opt(growth(rows, stage), ".2f"))
    table.add_row("sentences", *[str(r.sentences) for r in rows], "")
    table.add_row("peak memory MB", *[f"{r.peak_mb:.0f}" for r in rows], "")
    out.print(table)
    out.print("k = 1 is linear, k = 2 compares every pair; phases are attributed from a profile (inflated by it)")


@bench_app.command("events")
def bench_events_cmd(
    sizes: list[int] = typer.Option([1000, 10000], "-n", "--articles", help="Corpus sizes (repeat)."),
    embedder: str = typer.Option("fake", "--embedder", help="fake (hashing, no model) or minilm (the real model)."),
    words: int = typer.Option(150, "--words", help="Body words per synthetic article (after the lead)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Synthetic articles in ~N/10 events clustered (rules, no model): seconds per stage, peak MB, growth, B-cubed."""
    from agent.bench.events import growth, one

    rows = [one(n, embedder, words) for n in sizes]
    if as_json:
        print(json.dumps([r.as_dict() for r in rows], indent=2))
        return
    stages = list(dict.fromkeys(k for r in rows for k in r.seconds))
    table = Table("articles", "events", "ingest s", *stages, "cluster s", "peak MB", "pairs", "found", "B3 F1",
                  "merged", "split", "+1% s", title=f"bench events (seconds; embedder {embedder}, rules)")
    for r in rows:
        table.add_row(str(r.articles), str(r.events), f"{r.ingest_s:.1f}", *[f"{r.seconds.get(s, 0):.2f}" for s in
                                                                             stages],
                      f"{r.total_s:.2f}", f"{r.peak_mb:.0f}", str(r.candidates), str(r.found), f"{r.f1:.3f}",
                      str(r.merged), str(r.split), f"{r.incremental.get('seconds', 0):.2f}")
    out.print(table)
    if len(rows) > 1:
        out.print("growth exponent (time ∝ n^k; 1 linear, 2 all-pairs): " + ", ".join(
            f"{s} {growth(rows, s)}" for s in stages) + f", total {growth(rows)}")


def _stage_table(rows: list, title: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps([{"model": m} | r.as_dict() for m, r in rows], indent=2))
        return
    table = Table("model", "run", "seconds", "calls", "cache hits", "prompt tok", "gen tok", "prompt eval s",
                  "generation s", "notes", title=title)
    for model, r in rows:
        table.add_row(model, r.label, f"{r.seconds:.1f}", str(r.calls), str(r.cache_hits), str(r.prompt_tokens),
                      str(r.completion_tokens), _opt(r.prompt_eval_s, ".1f"), _opt(r.generation_s, ".1f"),
                      ", ".join(f"{k}={v}" for k, v in r.extra.items()))
    out.print(table)


def _opt(value: float | None, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


@bench_app.command("ingest-scaling")
def bench_ingest_scaling_cmd(
    base: int = typer.Option(50_000, "--chars", help="The smaller input size in characters."),
    factor: int = typer.Option(10, "--factor", help="How many times larger the second input is."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Read and clean hostile shapes at N and FACTOR x N characters: linear code costs about FACTOR x the time."""
    from agent.bench.scaling import as_dicts, run

    rows = run(base, factor)
    if as_json:
        print(json.dumps(as_dicts(rows), indent=2))
        return
    table = Table("input shape", "characters", "seconds", "x time", title=f"bench ingest-scaling ({factor}x input)")
    for r in rows:
        table.add_row(r.shape, f"{r.chars:,}", f"{r.seconds:.3f}", f"{r.ratio:.1f}")
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add the `bench` group to the root app."""
    app.add_typer(bench_app, name="bench")
