"""The embedded model: llama-cpp-python in process, as a LangChain chat model with grammar-constrained JSON."""

from __future__ import annotations

import atexit
import fcntl
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableLambda

from agent.errors import ModelUnavailable, UsageError
from agent.prompts import SPECIAL_TOKEN

_LOADED: dict[tuple[str, int], Any] = {}
_LOAD_LOCK = threading.Lock()
_CALL_LOCK = threading.Lock()  # one Llama instance is not thread-safe: calls are serialised


@contextmanager
def machine_turn(model_path: str) -> Iterator[None]:
    """This process's turn at the CPU: local generations from several processes queue instead of thrashing."""
    # llama.cpp threads spin while waiting; two processes with threads = cores each run many times slower.
    with _CALL_LOCK, open(Path(model_path).parent / ".inference.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
ROLES = {"system": "system", "human": "user", "ai": "assistant"}


def load_llama(path: str, n_ctx: int) -> Any:
    """Load a GGUF model once per process (threads = cores; llama.cpp defaults to half)."""
    key = (path, n_ctx)
    with _LOAD_LOCK:
        if key not in _LOADED:
            try:
                from llama_cpp import Llama
            except ImportError as exc:  # pragma: no cover - the dependency is required
                raise ModelUnavailable(f"llama-cpp-python is not installed: {exc}") from exc
            threads = os.cpu_count() or 1
            try:
                _LOADED[key] = Llama(model_path=path, n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads,
                                     n_batch=512, seed=0, verbose=False)
            except (ValueError, RuntimeError) as exc:
                raise ModelUnavailable(f"{path}: llama.cpp could not load the model ({exc})") from exc
        return _LOADED[key]


@atexit.register
def _close_all() -> None:
    """Free models before interpreter teardown (llama.cpp's __del__ fails once modules are gone)."""
    for batcher in _BATCHERS.values():
        batcher.decoder.close()
    _BATCHERS.clear()
    for llama in _LOADED.values():
        try:
            llama.close()
        except Exception:  # pragma: no cover - best effort at exit
            pass
    _LOADED.clear()


def loaded_count() -> int:
    """How many model instances this process holds (for tests of load-once)."""
    return len(_LOADED)


def scrub_control_tokens(text: str) -> str:
    """Break chat-template control strings in message text so they stay text, never tokens."""
    return SPECIAL_TOKEN.sub(lambda m: m.group(0).replace("<|", "<¦").replace("|>", "¦>"), text)


SPACE_RULE = 'space ::= " "?'


def compact_json() -> bool:
    """Whether local answers are written as compact JSON (NEWSAGENT_COMPACT_JSON=1; off by default)."""
    return os.environ.get("NEWSAGENT_COMPACT_JSON", "0") == "1"


@lru_cache(maxsize=64)
def schema_gbnf(schema_json: str, compact: bool = False) -> str:
    """A JSON schema as llama.cpp grammar text, refusing schemas the converter cannot handle.

    COMPACT drops the optional spaces between JSON tokens (an extraction answer: 22 tokens instead of 26)."""
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    try:
        gbnf = json_schema_to_gbnf(schema_json)
    except Exception as exc:
        raise UsageError(f"schema cannot be compiled to a grammar: {exc}") from exc
    return gbnf.replace(SPACE_RULE, 'space ::= ""') if compact else gbnf


@lru_cache(maxsize=64)
def schema_grammar(schema_json: str, compact: bool = False) -> Any:
    """A JSON schema as a compiled llama.cpp grammar."""
    from llama_cpp.llama_grammar import LlamaGrammar

    return LlamaGrammar.from_string(schema_gbnf(schema_json, compact), verbose=False)


_BATCHERS: dict[tuple[str, int, int], Any] = {}


def batcher_for(chat: "LocalChatModel") -> Any:
    """The process's batcher for this model and width (its own context beside the model's)."""
    from agent.llm.batch import BatchDecoder, Batcher

    key = (chat.model_path, chat.n_ctx, chat.slots)
    llama = chat.llama()  # loads under _LOAD_LOCK itself: taking it here first would deadlock
    with _LOAD_LOCK:
        if key not in _BATCHERS:
            decoder = BatchDecoder(llama, chat.slots, chat.n_ctx * 2, os.cpu_count() or 1)
            _BATCHERS[key] = Batcher(decoder, lambda: machine_turn(chat.model_path))
        return _BATCHERS[key]


class LocalChatModel(BaseChatModel):
    """A llama.cpp model as a chat model: usage reported, JSON schemas enforced by grammar."""

    model_path: str
    model_name: str
    n_ctx: int = 8192
    max_tokens: int = 1024
    temperature: float = 0.0
    slots: int = 1  # > 1: calls from several threads are decoded together (agent/llm/batch.py)

    @property
    def parallel_slots(self) -> int:
        """How many calls this model decodes at once."""
        return self.slots

    @property
    def _llm_type(self) -> str:
        return "newsagent-llama-cpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "n_ctx": self.n_ctx}

    def llama(self) -> Any:
        """The loaded llama.cpp model."""
        return load_llama(self.model_path, self.n_ctx)

    def format_prompt(self, messages: list[BaseMessage]) -> tuple[str, bool]:
        """The chat-template text for these messages, and whether it already holds BOS."""
        from llama_cpp import llama_chat_format

        llama = self.llama()
        dicts = [{"role": ROLES.get(m.type, "user"), "content": scrub_control_tokens(str(m.content))}
                 for m in messages]
        template = llama.metadata.get("tokenizer.chat_template")
        if not template:
            result = llama_chat_format.format_chatml(dicts)
        else:
            vocab = llama._model
            eos = vocab.token_get_text(llama.token_eos()) if llama.token_eos() != -1 else ""
            bos = vocab.token_get_text(llama.token_bos()) if llama.token_bos() != -1 else ""
            result = llama_chat_format.Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos)(
                messages=dicts)
        return result.prompt, bool(result.added_special)

    def prompt_tokens(self, messages: list[BaseMessage]) -> list[int]:
        """Token ids of the formatted prompt (special tokens only where the template put them)."""
        prompt, added_special = self.format_prompt(messages)
        return self.llama().tokenize(prompt.encode("utf-8"), add_bos=not added_special, special=True)

    def _completion_args(self, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict) -> dict:
        tokens = self.prompt_tokens(messages)
        max_tokens = int(kwargs.get("max_tokens") or self.max_tokens)
        if len(tokens) + max_tokens > self.n_ctx:
            raise UsageError(f"prompt of {len(tokens)} tokens + max_tokens {max_tokens} exceeds the local "
                             f"context of {self.n_ctx} tokens (set NEWSAGENT_N_CTX or use smaller chunks)")
        response_format = kwargs.get("response_format") or {}
        schema = response_format.get("schema") if response_format.get("type") == "json_object" else None
        if response_format and response_format.get("type") != "json_object":
            raise UsageError("the local model takes response_format={'type': 'json_object', 'schema': …} only")
        # Unsorted: the grammar makes the model write fields in the schema's order (who before did).
        grammar = schema_grammar(json.dumps(schema), compact_json()) if schema else None
        return dict(prompt=tokens, max_tokens=max_tokens, grammar=grammar,
                    temperature=float(kwargs.get("temperature", self.temperature)),
                    stop=(stop or []) + ["<|im_end|>", "<|endoftext|>"], repeat_penalty=1.0, seed=0,
                    top_k=40, top_p=0.95, min_p=0.05)

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        args = self._completion_args(messages, stop, kwargs)
        if self.slots > 1 and not stop and args["temperature"] == 0.0:
            out = self._batched(args, kwargs)
        else:
            with machine_turn(self.model_path):
                out = self.llama().create_completion(**args)
        choice, usage = out["choices"][0], out.get("usage") or {}
        message = AIMessage(
            content=choice["text"],
            usage_metadata={"input_tokens": usage.get("prompt_tokens", 0),
                            "output_tokens": usage.get("completion_tokens", 0),
                            "total_tokens": usage.get("total_tokens", 0)},
            response_metadata={"finish_reason": choice.get("finish_reason"), "model_name": self.model_name},
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _batched(self, args: dict, kwargs: dict) -> dict:
        """One greedy completion decoded together with other threads' (same shape as create_completion's)."""
        from agent.llm.batch import Job

        response_format = kwargs.get("response_format") or {}
        schema = response_format.get("schema")
        done = batcher_for(self).submit(Job(args["prompt"], args["max_tokens"],
                                            schema_gbnf(json.dumps(schema), compact_json()) if schema else None))
        return {"choices": [{"text": done.text, "finish_reason": done.finish_reason}],
                "usage": {"prompt_tokens": done.prompt_tokens, "completion_tokens": done.completion_tokens,
                          "total_tokens": done.prompt_tokens + done.completion_tokens}}

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        args = self._completion_args(messages, stop, kwargs)
        n_prompt, n_out = len(args["prompt"]), 0
        with machine_turn(self.model_path):
            for part in self.llama().create_completion(stream=True, **args):
                choice = part["choices"][0]
                n_out += 1 if choice["text"] else 0
                finish = choice.get("finish_reason")
                meta = {"finish_reason": finish, "model_name": self.model_name} if finish else {}
                usage = ({"input_tokens": n_prompt, "output_tokens": n_out, "total_tokens": n_prompt + n_out}
                         if finish else None)
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=choice["text"], response_metadata=meta,
                                                                   usage_metadata=usage))
                if run_manager:
                    run_manager.on_llm_new_token(choice["text"], chunk=chunk)
                yield chunk

    def with_structured_output(self, schema: Any, *, include_raw: bool = False, **kwargs: Any) -> Runnable:
        """Grammar-constrained structured output: returns a validated instance of SCHEMA."""
        from agent.llm.parse import parse_structured

        bound = self.bind(response_format={"type": "json_object", "schema": schema.model_json_schema()})

        def _parse(message: AIMessage) -> Any:
            parsed = parse_structured(str(message.content), schema, message.response_metadata)
            return {"raw": message, "parsed": parsed, "parsing_error": None} if include_raw else parsed

        return bound | RunnableLambda(_parse)
