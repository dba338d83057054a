"""The app's first answer on a fresh store loads nothing it does not need."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.app.conftest import REPO

#: Modules the first offline answer must not import: the model's path (LangChain, the
#: OpenAI client) and what only the form, a result table or the timeline draws with.
NOT_NEEDED = ("langchain", "langchain_core", "langgraph", "openai", "pandas", "altair")

_FIRST_ANSWER = """
import sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(sys.argv[1], default_timeout=120).run()
at.chat_input[0].set_value("Does part-time work count?")
at.run()
assert not at.exception, at.exception
answer = at.session_state["messages"][-1]
assert answer["role"] == "assistant" and "[1]" in answer["content"], answer
print(" ".join(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_the_first_answer_on_a_fresh_store_imports_no_model_client_nor_pandas(
    tmp_path: Path,
) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("OPENAI_API_KEY", "SKILLCHECK_OPENAI_API_KEY", "OPENAI_BASE_URL")
    }
    env.update(SKILLCHECK_HOME=str(tmp_path / "home"), SKILLCHECK_OFFLINE="true")
    env.pop("CHROMA_HOST", None)
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_ANSWER, str(REPO / "app.py")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = set(done.stdout.split())
    assert "chromadb" in loaded and "skillcheck" in loaded  # it did answer from the store
    assert not loaded & set(NOT_NEEDED), sorted(loaded & set(NOT_NEEDED))
