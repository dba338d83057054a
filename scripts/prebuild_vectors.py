"""Make skillcheck/data/prebuilt-vectors.npy: the offline model's vectors of the corpus's
records and of the topics' example questions, shipped so a fresh clone embeds nothing.

Run it after changing a page of ``corpus/``, the chunker, ``skillcheck/data/topics.yaml``
or the embedding model (``tests/core/test_prebuilt.py`` fails until you do; the app
still works meanwhile, embedding what changed at run time):

    .venv/bin/python scripts/prebuild_vectors.py [--check]

``--check`` writes nothing and exits 1 when a text has no shipped vector. Each group of
texts is embedded in one call, as the run time embeds it, so the shipped vectors are
the ones the run time would compute.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from skillcheck import prebuilt  # noqa: E402
from skillcheck.embeddings import LOCAL_VECTORS_DIGEST, LocalMiniLM  # noqa: E402
from skillcheck.paths import CORPUS_DIR  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="only say whether it is current")
    args = parser.parse_args(argv)
    groups = prebuilt.wanted(CORPUS_DIR)
    texts = [t for group in groups for t in group]
    if args.check:

        class Digest:  # the lookup needs only the digest: no model is loaded
            vectors_digest = LOCAL_VECTORS_DIGEST

            def embed_documents(self, texts: list[str]) -> prebuilt.Vectors:
                raise AssertionError("--check embeds nothing")

        _, found = prebuilt.shipped(Digest(), texts)
        missing = found.count(False)
        print(f"{len(texts) - missing} of {len(texts)} texts have a shipped vector")
        return 1 if missing else 0
    embedder = LocalMiniLM()
    made = [(group, embedder.embed_documents(group)) for group in groups]
    rows = prebuilt.write(prebuilt.PREBUILT_PATH, LOCAL_VECTORS_DIGEST, made)
    size = prebuilt.PREBUILT_PATH.stat().st_size / 1e3
    print(
        f"wrote {rows} vectors ({len(groups[0])} corpus records, {len(groups[1])} topic "
        f"examples) to {prebuilt.PREBUILT_PATH.relative_to(ROOT)}, {size:.0f} kB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
