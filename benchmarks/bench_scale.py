"""Scale benchmark of skillcheck's retrieval: embedding throughput, store build, queries at N.

Run from the repository root:

    .venv/bin/python benchmarks/bench_scale.py                  # --sizes 21,10000,100000
    .venv/bin/python benchmarks/bench_scale.py --sizes 2000 --queries 50

It prints numbers; its few asserts are sanity checks, not performance thresholds.
Everything goes into a temporary directory that is deleted at the end.

(a) embedding throughput: a deterministic sample of 2,000 chunks of realistic text
    (seeded recombination of the corpus's own sentences, with a few words swapped for
    other corpus words) embedded with ``LocalMiniLM.embed_documents``; chunks/s.
(b) per size N: the corpus's own 21 chunks (their real vectors) and N - 21 generated
    ``Chunk`` objects (the sample's texts cycled with a few
    seeded word swaps each, so every chunk is distinct; the sample's vectors cycled
    with small seeded Gaussian noise and re-normalised, so nothing more is embedded),
    written with the project's ``Store.build`` to a fresh persistent Chroma store as
    ``Record(chunk)`` only (no unit records: N vectors); insert records/s and total
    time (the build includes its lexical index, see ``skillcheck/lexical.py``). Then
    opening a retriever (``Retriever(Store(settings), embedder)``: the client, the
    model check and the memory-mapped lexical index; no chunk is read) is timed, and
    ``--queries`` eval questions (cycled) are run in each mode: hybrid, dense-only and
    BM25-only p50/p95 in ms (a dense or hybrid query includes embedding the question,
    cached after its first time; a query fetches its hit chunks by id). One untimed
    warm-up query per size comes first; its time is printed as "first query". The
    lexical index's size on disk and its BM25 part alone (``LexicalIndex.top`` with
    the lexicon's expansion) are printed too.
(c) per size N, the first cited answer: in a fresh process, the model loaded, the
    topics' example vectors loaded and one untimed search made (Chroma's first load of
    the collection), the assistant's first offline answer and its second (each a
    topic's statement citing the pages' lines, so citing finds the chunks holding
    them), in ms. ``--before-repo PATH`` runs the same step with another checkout's
    code on the same store, right after (a before/after of one change).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from skillcheck.corpus import Chunk

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchstats import percentile  # noqa: E402  (benchmarks/ is the script's own folder)

SEED = 149212
SAMPLE = 2000
NOISE_SIGMA = 0.02  # per dimension, on unit vectors of 384 dims (|noise| ~ 0.39 before renorm)
TOP_K = 4
_WORD_SWAPS = (0, 3)  # words swapped per sentence when generating text


class TextGen:
    """Seeded recombination of the corpus's sentences and words."""

    def __init__(self, corpus_dir: Path):
        from skillcheck.corpus import build_chunks, split_sentences

        chunks = build_chunks(corpus_dir)
        sentences: list[str] = []
        for c in chunks:
            for s, e in split_sentences(c.text):
                sent = c.text[s:e].strip()
                if len(sent.split()) >= 3:
                    sentences.append(sent)
        self.sentences = sorted(set(sentences))
        self.words = sorted({w for s in self.sentences for w in s.split() if w.isalpha()})
        self.sections = sorted({c.section for c in chunks})
        self.titles = sorted({(c.source_id, str(c.meta.get("short_title", ""))) for c in chunks})

    def mutate(self, sentence: str, rng: random.Random) -> str:
        words = sentence.split()
        for _ in range(rng.randint(*_WORD_SWAPS)):
            words[rng.randrange(len(words))] = rng.choice(self.words)
        return " ".join(words)

    def passage(self, rng: random.Random) -> str:
        """A paragraph, or an intro line with a short list, of about 150-700 characters."""
        if rng.random() < 0.25:
            intro = self.mutate(rng.choice(self.sentences), rng).rstrip(".") + ":"
            items = [self.mutate(rng.choice(self.sentences), rng) for _ in range(rng.randint(2, 5))]
            text = intro + "\n" + "\n".join(f"• {i}" for i in items)
        else:
            picked = [
                self.mutate(rng.choice(self.sentences), rng) for _ in range(rng.randint(2, 5))
            ]
            text = " ".join(picked)
        return text[:700]


def make_sample(gen: TextGen) -> list[tuple[str, str, str]]:
    """``SAMPLE`` deterministic (source_id, section, text) triples."""
    rng = random.Random(SEED)
    out = []
    for _ in range(SAMPLE):
        source_id, _title = rng.choice(gen.titles)
        out.append((source_id, rng.choice(gen.sections), gen.passage(rng)))
    return out


def make_chunks(gen: TextGen, sample: list[tuple[str, str, str]], n: int) -> list[Chunk]:
    """``n`` distinct chunks: the sample cycled, each with a couple of seeded word swaps."""
    from skillcheck.corpus import Chunk

    titles = dict(gen.titles)
    rng = random.Random(SEED + n)
    chunks = []
    offsets: dict[str, int] = {}
    for i in range(n):
        source_id, section, text = sample[i % SAMPLE]
        if i >= SAMPLE:  # the first pass is the sample itself, verbatim
            words = text.split(" ")
            for _ in range(2):
                j = rng.randrange(len(words))
                if words[j].isalpha():
                    words[j] = rng.choice(gen.words)
            text = " ".join(words)
        start = offsets.get(source_id, 0)
        offsets[source_id] = start + len(text) + 2
        chunks.append(
            Chunk(
                id=f"{source_id}:{i:016x}",
                source_id=source_id,
                section=section,
                start=start,
                end=start + len(text),
                text=text,
                meta={
                    "title": f"{titles[source_id]} (generated)",
                    "short_title": titles[source_id],
                    "publisher": "benchmark",
                    "latest_release": True,
                },
            )
        )
    return chunks


def make_vectors(sample_vecs: np.ndarray, n: int) -> np.ndarray:
    """``n`` unit vectors: the sample's cycled, plus seeded noise, re-normalised."""
    rng = np.random.default_rng(SEED + n)
    reps = -(-n // len(sample_vecs))
    vecs = np.tile(sample_vecs, (reps, 1))[:n].astype(np.float32)
    vecs += rng.normal(0.0, NOISE_SIGMA, size=vecs.shape).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    return vecs


_COLD_OPEN = """
import sys, time
from pathlib import Path
from skillcheck.config import Settings
from skillcheck.embeddings import LocalMiniLM
from skillcheck.retrieval import Retriever
from skillcheck.store import Store
embedder = LocalMiniLM()
t0 = time.perf_counter()
Retriever(Store(Settings(home=Path(sys.argv[1]))), embedder)
print((time.perf_counter() - t0) * 1000)
"""


def _cold_open_ms(home: Path) -> float:
    """Opening the retriever in a new process (imports and the model load not counted)."""
    import subprocess

    out = subprocess.run(
        [sys.executable, "-c", _COLD_OPEN, str(home)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return float(out.stdout.strip().splitlines()[-1])


_CITED = """
import json, re, sys, time
sys.path.insert(0, sys.argv[2])  # the checkout whose code answers
from pathlib import Path
from skillcheck.assistant import Assistant
from skillcheck.config import Settings
from skillcheck.embeddings import LocalMiniLM
from skillcheck.retrieval import Retriever
from skillcheck.store import Store
from skillcheck.topics import load_topics, match_topics
settings = Settings(home=Path(sys.argv[1]), openai_api_key=None)
embedder = LocalMiniLM()
match_topics("warm up", embedder, load_topics(), settings.cache_dir)
retriever = Retriever(Store(settings), embedder)
retriever.search("What does this occupation involve?", 4)
assistant = Assistant(settings, retriever, offline=True)
out = []
for question in ("Does part-time work count?", "What qualification do I need?"):
    t0 = time.perf_counter()
    done = list(assistant.stream(question, []))[-1]
    out.append([(time.perf_counter() - t0) * 1000, len(re.findall(r"\\[\\d+\\]", done.answer))])
print(json.dumps(out))
"""


def _cited_ms(home: Path, repo: Path = REPO) -> tuple[float, float]:
    """The first and second cited offline answer in a new process, ms (see (c))."""
    import json
    import subprocess

    out = subprocess.run(
        [sys.executable, "-c", _CITED, str(home), str(repo)],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    )
    (first, first_marks), (second, second_marks) = json.loads(out.stdout.strip().splitlines()[-1])
    assert first_marks and second_marks, "an answer cited nothing"
    return first, second


def parse_sizes(parser: argparse.ArgumentParser, text: str, queries: int) -> list[int]:
    """The store sizes of ``--sizes`` (the parser exits with one line if they are bad)."""
    try:
        sizes = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        parser.error("--sizes: comma-separated integers, e.g. 10000,100000")
    if not sizes or min(sizes) < 1 or queries < 1:
        parser.error("--sizes and --queries must be positive")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="21,10000,100000", help="comma-separated store sizes")
    parser.add_argument("--queries", type=int, default=200, help="queries per mode and size")
    parser.add_argument(
        "--before-repo",
        type=Path,
        default=None,
        help="another checkout whose code also gives the first cited answer, on the same stores",
    )
    args = parser.parse_args(argv)
    sizes = parse_sizes(parser, args.sizes, args.queries)
    before = args.before_repo
    if before is not None and not (before / "skillcheck" / "__init__.py").is_file():
        parser.error(f"--before-repo: {before} is not a skillcheck checkout")

    tmp = Path(tempfile.mkdtemp(prefix="skillcheck-bench-scale-"))
    os.environ["SKILLCHECK_HOME"] = str(tmp / "home")  # nothing of the user's is touched
    os.environ["SKILLCHECK_EMBEDDINGS"] = "local"
    os.environ.pop("CHROMA_HOST", None)
    os.environ.pop("SKILLCHECK_CHROMA_HOST", None)
    try:
        return _run(sizes, args.queries, tmp, before)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _run(sizes: list[int], n_queries: int, tmp: Path, before: Path | None = None) -> int:
    from skillcheck.config import Settings
    from skillcheck.corpus import build_chunks
    from skillcheck.embeddings import LocalMiniLM
    from skillcheck.evaluation import DEFAULT_QUESTIONS, load_questions
    from skillcheck.retrieval import Retriever
    from skillcheck.store import Record, Store

    base = Settings(home=tmp / "home")
    gen = TextGen(base.corpus_dir)
    questions = [q.question for q in load_questions(DEFAULT_QUESTIONS)]
    queries = [questions[i % len(questions)] for i in range(n_queries)]
    print(f"python {sys.version.split()[0]}, cpus {os.cpu_count()}, seed {SEED}")
    print(f"text pool: {len(gen.sentences)} corpus sentences, {len(gen.words)} words")

    # (a) embedding throughput -------------------------------------------------------------
    t0 = time.perf_counter()
    embedder = LocalMiniLM()
    print(f"\n(a) model load: {time.perf_counter() - t0:.2f} s")
    sample = make_sample(gen)
    sample_chunks = make_chunks(gen, sample, SAMPLE)
    texts = [c.embed_text for c in sample_chunks]
    mean_chars = sum(len(t) for t in texts) / len(texts)
    t0 = time.perf_counter()
    sample_vecs = embedder.embed_documents(texts)
    embed_s = time.perf_counter() - t0
    embed_rate = SAMPLE / embed_s
    print(
        f"    embedded {SAMPLE} chunks (mean {mean_chars:.0f} chars of embed_text) "
        f"in {embed_s:.1f} s: {embed_rate:.0f} chunks/s"
    )

    corpus = build_chunks(base.corpus_dir)  # the real chunks: the answers cite them
    corpus_vecs = embedder.embed_documents([c.embed_text for c in corpus])
    rows = []
    cited_rows = []
    for n in sizes:
        print(f"\n(b) N = {n:,}")
        home = tmp / f"n{n}"
        settings = Settings(home=home)
        t0 = time.perf_counter()
        real = corpus[:n]
        chunks = real + make_chunks(gen, sample, n - len(real))
        made = make_vectors(sample_vecs, n - len(real))
        vectors = np.concatenate([corpus_vecs[: len(real)], made])
        records = [Record(c) for c in chunks]
        print(
            f"    generated {n - len(real):,} chunks + vectors ({len(real)} of the corpus's "
            f"own beside them) in {time.perf_counter() - t0:.1f} s"
        )

        store = Store(settings)
        written = [0]
        last_report = [time.perf_counter()]
        t_build = time.perf_counter()

        def progress(
            k: int,
            n: int = n,
            written: list[int] = written,
            last: list[float] = last_report,
            t_build: float = t_build,
        ) -> None:
            written[0] += k
            now = time.perf_counter()
            if now - last[0] >= 30 or written[0] == n:
                last[0] = now
                print(f"      ... {written[0]:,} records in {now - t_build:.0f} s", flush=True)

        store.build(records, vectors, embedder.model_id, f"{n:016x}", progress=progress)
        build_s = time.perf_counter() - t_build
        insert_rate = n / build_s
        print(f"    Store.build: {build_s:.1f} s total, {insert_rate:.0f} records/s")
        del records, vectors

        opens = []
        for _ in range(3):
            t0 = time.perf_counter()
            retriever = Retriever(Store(settings), embedder)
            opens.append(time.perf_counter() - t0)
        init_s = sorted(opens)[1]
        assert len(retriever.lexical) == n, len(retriever.lexical)
        lexical_dir = settings.store_path / "lexical" / str(retriever.store.active_name())
        index_mb = sum(p.stat().st_size for p in lexical_dir.iterdir()) / 1e6
        print(
            f"    retriever open (client + model check + lexical index; no chunk read), "
            f"median of 3: {init_s * 1000:.0f} ms; lexical index on disk {index_mb:.1f} MB"
        )
        cold_ms = _cold_open_ms(home)
        print(
            f"    retriever open in a fresh process (Chroma's client start and its first load "
            f"of the collection included): {cold_ms:.0f} ms"
        )
        expansions = [retriever.lexicon.expand(q) for q in queries]
        lex_times = []
        for q, e in zip(queries, expansions, strict=True):
            t0 = time.perf_counter()
            retriever.lexical.top(q, 20, e)
            lex_times.append((time.perf_counter() - t0) * 1000)
        lex_stats = (percentile(lex_times, 50), percentile(lex_times, 95))
        print(f"    BM25 part alone (top 20): p50 {lex_stats[0]:.2f} ms, p95 {lex_stats[1]:.2f} ms")

        t0 = time.perf_counter()
        retriever.search(queries[0], TOP_K, "hybrid")
        first_ms = (time.perf_counter() - t0) * 1000
        print(f"    first query (untimed warm-up, hybrid): {first_ms:.0f} ms")
        stats = {}
        for mode in ("hybrid", "dense", "bm25"):
            times = []
            for q in queries:
                t0 = time.perf_counter()
                hits = retriever.search(q, TOP_K, mode)
                times.append((time.perf_counter() - t0) * 1000)
                assert hits or mode == "bm25", (mode, q)
            stats[mode] = (percentile(times, 50), percentile(times, 95))
            print(
                f"    {mode:>6} x{len(queries)}: p50 {stats[mode][0]:.1f} ms, "
                f"p95 {stats[mode][1]:.1f} ms"
            )
        rows.append((n, build_s, insert_rate, init_s, cold_ms, index_mb, lex_stats, stats))
        cited = {"this code": _cited_ms(home)}
        if before is not None:
            cited["--before-repo"] = _cited_ms(home, before)
        for who, (first, second) in cited.items():
            print(
                f"(c) first cited answer ({who}), fresh process: {first:.0f} ms; "
                f"second: {second:.0f} ms"
            )
            cited_rows.append((n, who, first, second))
        del retriever, store, chunks
        shutil.rmtree(home, ignore_errors=True)

    print(
        f"\nembedding: {embed_rate:.0f} chunks/s ({SAMPLE} chunks, LocalMiniLM int8, "
        f"{os.cpu_count()} cpus)\n"
    )
    print(
        "| N | build s | insert rec/s | open ms (warm / fresh process) | lexical index MB "
        "| BM25 part p50/p95 ms | hybrid p50/p95 ms | dense p50/p95 ms | bm25 p50/p95 ms |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for n, build_s, rate, init_s, cold, mb, lex, st in rows:
        cells = " | ".join(f"{st[m][0]:.1f} / {st[m][1]:.1f}" for m in ("hybrid", "dense", "bm25"))
        print(
            f"| {n:,} | {build_s:.1f} | {rate:.0f} | {init_s * 1000:.0f} / {cold:.0f} | {mb:.1f} "
            f"| {lex[0]:.2f} / {lex[1]:.2f} | {cells} |"
        )
    print("\n| N | code | first cited answer ms | second ms |\n|---|---|---|---|")
    for n, who, first, second in cited_rows:
        print(f"| {n:,} | {who} | {first:.0f} | {second:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
