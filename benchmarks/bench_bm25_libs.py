"""The BM25 libraries we considered, side by side on the scale benchmark's synthetic chunks.

Run from the repository root (the candidates that are not installed are reported as such;
``pip install rank-bm25 tantivy`` to measure them too; ``bm25s`` is a dependency):

    .venv/bin/python benchmarks/bench_bm25_libs.py                 # --sizes 10000,100000
    .venv/bin/python benchmarks/bench_bm25_libs.py --sizes 2000 --queries 50

It prints numbers; its asserts are sanity checks, not thresholds. Per size N, the same
N texts as ``bench_scale.py`` (no embedding is needed), tokenized once with skillcheck's
own tokenizer (stop words, plural and -ing folding), then per library: build seconds,
save seconds, size on disk, open (load) milliseconds, query p50/p95 in ms for the eval
questions cycled (the top 20, with the lexicon's expansion words at weight 0.5 where the
library can weigh terms), and whether its top 20 equal skillcheck's earlier in-house BM25
(``--reference``: the inverted index that ``skillcheck/lexical.py`` replaced, re-created
here for the comparison only).
"""

from __future__ import annotations

import argparse
import math
import os
import pickle
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench_scale import SAMPLE, TextGen, make_chunks, make_sample, parse_sizes  # noqa: E402
from benchstats import percentile  # noqa: E402

POOL = 20
Query = tuple[list[str], list[str]]  # typed tokens, expansion tokens


def _dir_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _top(scores: np.ndarray, n: int) -> list[int]:
    n = min(n, len(scores))
    best = np.argpartition(-scores, n - 1)[:n]
    best = best[np.argsort(-scores[best], kind="stable")]
    return [int(i) for i in best if scores[i] > 0]


class InHouse:
    """The old ``retrieval.BM25`` (postings as numpy arrays, weights precomputed)."""

    name = "in-house (before)"

    def build(self, docs: list[list[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.n = len(docs)
        avgdl = sum(len(t) for t in docs) / max(self.n, 1)
        postings: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        for i, toks in enumerate(docs):
            norm = k1 * (1 - b + b * len(toks) / max(avgdl, 1e-9))
            for term, tf in Counter(toks).items():
                ids, weights = postings[term]
                ids.append(i)
                weights.append(tf * (k1 + 1) / (tf + norm))
        self.index = {}
        for term, (ids, weights) in postings.items():
            idf = math.log(1 + (self.n - len(ids) + 0.5) / (len(ids) + 0.5))
            self.index[term] = (
                np.asarray(ids, dtype=np.int64),
                np.asarray(weights, dtype=np.float32) * np.float32(idf),
            )

    def save(self, path: Path) -> None:  # it had none: pickled here to measure a load
        with path.open("wb") as f:
            pickle.dump((self.n, self.index), f)

    def load(self, path: Path) -> None:
        with path.open("rb") as f:
            self.n, self.index = pickle.load(f)

    def query(self, q: Query) -> list[int]:
        scores = np.zeros(self.n, dtype=np.float32)
        for terms, w in ((q[0], 1.0), (q[1], 0.5)):
            for t in terms:
                hit = self.index.get(t)
                if hit is not None:
                    scores[hit[0]] += np.float32(w) * hit[1]
        return _top(scores, POOL)


class Bm25s:
    """bm25s: a CSC matrix of precomputed scores, saved as .npy files, opened memory-mapped."""

    name = "bm25s"

    def build(self, docs: list[list[str]]) -> None:
        import bm25s

        self.r = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
        self.r.index(docs, show_progress=False)

    def save(self, path: Path) -> None:
        self.r.save(str(path), show_progress=False)

    def load(self, path: Path) -> None:
        import bm25s

        self.r = bm25s.BM25.load(str(path), mmap=True)

    def query(self, q: Query) -> list[int]:
        typed = self.r.get_tokens_ids(q[0])
        extra = self.r.get_tokens_ids(q[1])
        scores = self.r.get_scores_from_ids(typed)
        if extra:
            scores += np.float32(0.5) * self.r.get_scores_from_ids(extra)
        return _top(scores, POOL)


class RankBm25:
    """rank_bm25: scores every document per query term in Python; no persistence (pickle)."""

    name = "rank_bm25"

    def build(self, docs: list[list[str]]) -> None:
        from rank_bm25 import BM25Okapi

        self.r = BM25Okapi(docs, k1=1.2, b=0.75)

    def save(self, path: Path) -> None:
        with path.open("wb") as f:
            pickle.dump(self.r, f)

    def load(self, path: Path) -> None:
        with path.open("rb") as f:
            self.r = pickle.load(f)

    def query(self, q: Query) -> list[int]:
        scores = np.asarray(self.r.get_scores(q[0]), dtype=np.float32)
        if q[1]:
            scores += 0.5 * np.asarray(self.r.get_scores(q[1]), dtype=np.float32)
        return _top(scores, POOL)


class Tantivy:
    """tantivy (Rust, Lucene-like): a segment directory, memory-mapped; boosts weigh terms."""

    name = "tantivy"

    def build(self, docs: list[list[str]]) -> None:
        self.docs = docs

    def save(self, path: Path) -> None:
        import tantivy

        sb = tantivy.SchemaBuilder()
        sb.add_text_field("body", stored=False, tokenizer_name="whitespace", index_option="freq")
        sb.add_unsigned_field("doc", stored=True, indexed=False, fast=True)
        self.schema = sb.build()
        path.mkdir()
        index = tantivy.Index(self.schema, path=str(path))
        writer = index.writer(heap_size=50_000_000, num_threads=1)
        for i, toks in enumerate(self.docs):
            doc = tantivy.Document()
            doc.add_text("body", " ".join(toks))
            doc.add_unsigned("doc", i)
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()

    def load(self, path: Path) -> None:
        import tantivy

        self.index = tantivy.Index.open(str(path))
        self.index.reload()
        self.searcher = self.index.searcher()

    def query(self, q: Query) -> list[int]:
        import tantivy

        clauses = []
        for terms, w in ((q[0], 1.0), (q[1], 0.5)):
            for t in terms:
                tq = tantivy.Query.term_query(self.index.schema, "body", t)
                clauses.append((tantivy.Occur.Should, tantivy.Query.boost_query(tq, w)))
        if not clauses:
            return []
        res = self.searcher.search(tantivy.Query.boolean_query(clauses), POOL)
        return [int(self.searcher.doc(addr)["doc"][0]) for _s, addr in res.hits]


def _available(cls: type) -> bool:
    mod = {"bm25s": "bm25s", "rank_bm25": "rank_bm25", "tantivy": "tantivy"}.get(cls.name)
    if mod is None:
        return True
    try:
        __import__(mod)
    except ImportError:
        return False
    return True


def _timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args(argv)
    sizes = parse_sizes(parser, args.sizes, args.queries)

    from skillcheck.config import Settings
    from skillcheck.evaluation import DEFAULT_QUESTIONS, load_questions
    from skillcheck.lexical import Lexicon, tokenize

    tmp = Path(tempfile.mkdtemp(prefix="skillcheck-bench-bm25-"))
    try:
        gen = TextGen(Settings(home=tmp / "home").corpus_dir)
        sample = make_sample(gen)
        lexicon = Lexicon()
        questions = [q.question for q in load_questions(DEFAULT_QUESTIONS)]
        queries: list[Query] = []
        for i in range(args.queries):
            text = questions[i % len(questions)]
            typed = sorted(set(tokenize(text)))
            queries.append((typed, sorted(set(tokenize(lexicon.expand(text))) - set(typed))))
        print(f"python {sys.version.split()[0]}, cpus {os.cpu_count()}, sample {SAMPLE}")
        rows = []
        for n in sizes:
            docs = [tokenize(c.embed_text) for c in make_chunks(gen, sample, n)]
            print(f"\nN = {n:,} ({sum(map(len, docs)) / n:.0f} tokens per chunk)")
            reference = InHouse()
            reference.build(docs)
            expected = [reference.query(q) for q in queries]
            for cls in (InHouse, Bm25s, Tantivy, RankBm25):
                if not _available(cls):
                    print(f"  {cls.name:>18}: not installed")
                    continue
                lib = cls()
                path = tmp / f"{cls.name.split()[0]}-{n}"
                build_s = _timed(lambda lib=lib, docs=docs: lib.build(docs))
                save_s = _timed(lambda lib=lib, path=path: lib.save(path))
                size_mb = _dir_size(path) / 1e6
                lib = cls()
                open_ms = 1000 * _timed(lambda lib=lib, path=path: lib.load(path))
                times, same = [], 0
                for q, want in zip(queries, expected, strict=True):
                    t0 = time.perf_counter()
                    got = lib.query(q)
                    times.append(1000 * (time.perf_counter() - t0))
                    same += got[:4] == want[:4]
                row = (
                    n,
                    cls.name,
                    build_s,
                    save_s,
                    size_mb,
                    open_ms,
                    percentile(times, 50),
                    percentile(times, 95),
                    same / len(queries),
                )
                rows.append(row)
                print(
                    f"  {cls.name:>18}: build {build_s:.1f} s, save {save_s:.1f} s, "
                    f"{size_mb:.1f} MB, open {open_ms:.0f} ms, query p50 {row[6]:.2f} / "
                    f"p95 {row[7]:.2f} ms, top 4 as before {row[8]:.2f}",
                    flush=True,
                )
                del lib
                shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink()
        print(
            "\n| N | library | build s | save s | on disk MB | open ms | query p50/p95 ms "
            "| top 4 as before |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for n, name, b, s, mb, o, p50, p95, same in rows:
            print(
                f"| {n:,} | {name} | {b:.1f} | {s:.1f} | {mb:.1f} | {o:.0f} | "
                f"{p50:.2f} / {p95:.2f} | {same:.2f} |"
            )
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
