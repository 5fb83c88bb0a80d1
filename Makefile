# Two commands do all set-up on a fresh machine (see README.md):
#   make brief   install, fetch the embedded model, write a cited brief of the sample corpus
#   make test    install, fetch the embedded model, run the tests
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# llama.cpp's default -march=native build enables AMX paths that crash on some virtual CPUs (seen here:
# segfault on any multi-token batch). So: no native build, but the AVX-512 extensions this CPU reports
# (prompt processing 76 vs 53 tok/s on the 1.5B here); AMX stays off.
CPU_FLAGS := $(shell cat /proc/cpuinfo 2>/dev/null | grep -m1 '^flags')
avx_flag = $(if $(filter $(1),$(CPU_FLAGS)),-D$(2)=ON)
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF $(call avx_flag,avx512f,GGML_AVX512) \
  $(call avx_flag,avx512_vnni,GGML_AVX512_VNNI) $(call avx_flag,avx512vbmi,GGML_AVX512_VBMI) \
  $(call avx_flag,avx512_bf16,GGML_AVX512_BF16) $(call avx_flag,avx_vnni,GGML_AVX_VNNI)
SAMPLE ?= evals/cases/lukashenko-china-2023/articles
OUT ?= out

.PHONY: install model brief test clean llama-flags

llama-flags:
	@echo CMAKE_ARGS=$(LLAMA_CMAKE_ARGS)

$(BIN)/newsagent: pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "newsagent needs Python 3.11+"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip install --quiet --no-cache-dir "llama-cpp-python>=0.3.8,<0.4"
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/newsagent

model: install
	$(BIN)/newsagent models pull qwen2.5-coder-1.5b
	$(BIN)/newsagent models pull all-minilm-l6-v2

brief: model
	mkdir -p $(OUT)
	$(BIN)/newsagent brief $(SAMPLE) -o $(OUT)/brief.md
	cat $(OUT)/brief.md

test: model
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) $(OUT)
