"""Claude triage engine: a forced, streamed tool call that refines the rules triage.

The anthropic SDK is imported inside `stream_triage` only, so importing this module stays cheap.
Nothing here raises to the caller: every failure becomes a one-line `ClaudeResult.reason` and the
rules triage stays in charge.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from maestro import redact as redaction
from maestro.model import Evidence, IncidentContext, Triage
from maestro.triage.claude_schema import ClaudeTriage, as_draft, to_triage, tool_schema
from maestro.triage.prompt import TOOL_NAME, system_prompt, user_message

if TYPE_CHECKING:
    import anthropic
    from anthropic.lib.streaming import MessageStream

DEFAULT_MODEL = "claude-sonnet-5-5"
DEFAULT_MAX_TOKENS = 8192
NO_KEY = "ANTHROPIC_API_KEY not set: using the offline rules triage"
CANCELLED = "Claude triage cancelled: rules triage kept"
FIRST_RETRY_S = 0.5
TOOL_DESCRIPTION = "Submit the incident triage: overall severity, root cause, and the prioritized issues."
_ENV_VARS = (("ANTHROPIC_API_KEY", "api_key"), ("ANTHROPIC_MODEL", "model"), ("ANTHROPIC_BASE_URL", "base_url"))
REPAIR_ASK = f"That input does not match the schema. Call {TOOL_NAME} again with corrected input."


class ClaudeSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    api_key: SecretStr | None = None
    model: str = DEFAULT_MODEL
    max_tokens: int = Field(default=DEFAULT_MAX_TOKENS, ge=256)
    timeout_s: float = Field(default=60.0, gt=0)
    base_url: str | None = Field(default=None, description="None lets the SDK read ANTHROPIC_BASE_URL")
    max_retries: int = Field(default=1, ge=0, le=3)
    max_retry_wait_s: float = Field(default=30.0, ge=0, description="Longer retry-after hints end the attempt")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **config: Any) -> ClaudeSettings:
        """Config values, overridden by ANTHROPIC_API_KEY, ANTHROPIC_MODEL and ANTHROPIC_BASE_URL."""
        env = os.environ if env is None else env
        values = {k: v for k, v in config.items() if v is not None}
        for var, name in _ENV_VARS:
            if env.get(var):
                values[name] = env[var]
        return cls(**values)


class Stage(StrEnum):
    REQUESTING = "requesting"
    RECEIVING = "receiving"
    RETRYING = "retrying"
    REPAIRING = "repairing"


class Progress(BaseModel):
    model_config = ConfigDict(frozen=True)

    stage: Stage
    titles: tuple[str, ...] = Field(default=(), description="Titles of the issues streamed so far")
    detail: str = ""

    @property
    def issues(self) -> int:
        return len(self.titles)


class ClaudeResult(BaseModel):
    ok: bool
    triage: Triage | None = None
    reason: str

    @classmethod
    def failed(cls, reason: str) -> ClaudeResult:
        return cls(ok=False, reason=reason)


def build_request(
    context: IncidentContext,
    evidence: Evidence | None,
    draft: Triage,
    *,
    model: str = DEFAULT_MODEL,
    max_tokens: int = DEFAULT_MAX_TOKENS,
) -> dict[str, Any]:
    """The exact Messages API parameters; every piece of incident text is redacted before it is placed."""
    clean_evidence = redaction.redact_obj(evidence) if evidence else None
    text = user_message(redaction.redact_obj(context), clean_evidence, redaction.redact_obj(as_draft(draft)))
    return {
        "model": model,
        "max_tokens": max_tokens,
        "system": redaction.redact(system_prompt()),
        "messages": [{"role": "user", "content": redaction.redact(text)}],
        "tools": [{"name": TOOL_NAME, "description": TOOL_DESCRIPTION, "input_schema": tool_schema()}],
        "tool_choice": {"type": "tool", "name": TOOL_NAME},
    }


def render_prompt(context: IncidentContext, evidence: Evidence | None, draft: Triage) -> str:
    """What `build_request` would send, as text: system prompt, user message and tool schema."""
    params = build_request(context, evidence, draft)
    tool = params["tools"][0]
    return "\n\n".join(
        [
            f"=== system ===\n{params['system']}",
            f"=== user ===\n{params['messages'][0]['content']}",
            f"=== tool {tool['name']} (forced) ===\n{tool['description']}\n"
            f"{json.dumps(tool['input_schema'], indent=2)}",
        ]
    )


def stream_triage(
    settings: ClaudeSettings,
    context: IncidentContext,
    evidence: Evidence | None,
    draft: Triage,
    *,
    on_progress: Callable[[Progress], None],
    cancel: threading.Event,
) -> ClaudeResult:
    """Blocking; run it in a worker thread. `on_progress` is called from that thread."""
    if settings.api_key is None or not settings.api_key.get_secret_value():
        return ClaudeResult.failed(NO_KEY)
    if cancel.is_set():
        return ClaudeResult.failed(CANCELLED)
    try:
        params = build_request(context, evidence, draft, model=settings.model, max_tokens=settings.max_tokens)
        import anthropic

        with anthropic.Anthropic(
            api_key=settings.api_key.get_secret_value(),
            base_url=settings.base_url,
            timeout=settings.timeout_s,
            max_retries=0,
        ) as client:
            conversation = _Conversation(anthropic, client, settings, on_progress, cancel)
            triage = to_triage(conversation.answer(params), draft)
    except _Stopped as stop:
        return ClaudeResult.failed(stop.reason)
    except Exception as exc:
        return ClaudeResult.failed(f"Claude unavailable ({_describe(exc, settings)}): rules triage kept")
    return ClaudeResult(ok=True, triage=triage, reason=f"Claude triage with {len(triage.issues)} issues")


class _Stopped(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class _Reply:
    """One streamed answer: a valid triage, or what was wrong with it and how to replay it."""

    answer: BaseModel | None = None
    error: str = ""
    detail: str = ""
    assistant: list[dict[str, Any]] = field(default_factory=list)
    tool_use_id: str = ""

    def repair_messages(self) -> list[dict[str, Any]]:
        ask: list[dict[str, Any]] = [{"type": "text", "text": REPAIR_ASK}]
        if self.tool_use_id:
            ask.insert(
                0,
                {
                    "type": "tool_result",
                    "tool_use_id": self.tool_use_id,
                    "is_error": True,
                    "content": f"Invalid {TOOL_NAME} input:\n{self.detail or self.error}",
                },
            )
        return [{"role": "assistant", "content": self.assistant}, {"role": "user", "content": ask}]


@dataclass
class _Conversation:
    sdk: Any
    client: anthropic.Anthropic
    settings: ClaudeSettings
    on_progress: Callable[[Progress], None]
    cancel: threading.Event

    def answer(self, params: dict[str, Any]) -> BaseModel:
        reply = self._with_retries(params, Stage.REQUESTING)
        if reply.answer is None:
            repair = {**params, "messages": [*params["messages"], *reply.repair_messages()]}
            reply = self._with_retries(repair, Stage.REPAIRING)
        if reply.answer is None:
            raise _Stopped(f"Claude answered twice with an invalid triage ({reply.error}): rules triage kept")
        return reply.answer

    def _with_retries(self, params: dict[str, Any], stage: Stage) -> _Reply:
        sdk = self.sdk
        attempt = 0
        while True:
            try:
                return self._stream(params, stage)
            except (sdk.RateLimitError, sdk.InternalServerError, sdk.APIConnectionError) as exc:
                if isinstance(exc, sdk.APITimeoutError) or attempt >= self.settings.max_retries:
                    raise
                hint = _retry_after(exc)
                wait = hint if hint is not None else FIRST_RETRY_S * 2**attempt
                if wait > self.settings.max_retry_wait_s:
                    raise
                detail = f"{_describe(exc, self.settings)}: retrying in {wait:g} s"
                self.on_progress(Progress(stage=Stage.RETRYING, detail=detail))
                if self.cancel.wait(wait):
                    raise _Stopped(CANCELLED) from exc
                attempt += 1

    def _stream(self, params: dict[str, Any], stage: Stage) -> _Reply:
        self.on_progress(Progress(stage=stage))
        titles: tuple[str, ...] = ()
        receiving = Stage.RECEIVING if stage is Stage.REQUESTING else stage
        started = False
        with self.client.messages.stream(**params) as stream:
            while True:
                try:
                    event = next(stream, None)
                except ValueError as exc:
                    if not started:
                        raise
                    return _unparsable(stream, exc)
                if self.cancel.is_set():
                    raise _Stopped(CANCELLED)
                if event is None:
                    break
                started = True
                if event.type == "input_json" and (found := _titles(event.snapshot)) != titles:
                    titles = found
                    self.on_progress(Progress(stage=receiving, titles=titles))
            message = stream.get_final_message()
        if message.stop_reason == "max_tokens":
            raise _Stopped(f"Claude's answer was cut off at max_tokens={self.settings.max_tokens}: rules triage kept")
        return _checked(message.content)


def _titles(snapshot: object) -> tuple[str, ...]:
    issues = snapshot.get("issues") if isinstance(snapshot, dict) else None
    if not isinstance(issues, list):
        return ()
    return tuple(i["title"] for i in issues if isinstance(i, dict) and isinstance(i.get("title"), str))


def _replayable(content: list[Any]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    for block in content:
        if block.type == "tool_use":
            blocks.append({"type": "tool_use", "id": block.id, "name": block.name, "input": block.input})
        elif block.type == "text" and block.text:
            blocks.append({"type": "text", "text": block.text})
    return blocks or [{"type": "text", "text": "(no answer)"}]


def _tool_use(content: list[Any]) -> Any:
    return next((b for b in content if b.type == "tool_use" and b.name == TOOL_NAME), None)


def _unparsable(stream: MessageStream[Any], exc: ValueError) -> _Reply:
    content = stream.current_message_snapshot.content
    block = _tool_use(content)
    reason = str(exc.__cause__ or exc).splitlines()[0]
    return _Reply(
        error=f"invalid JSON: {reason}",
        assistant=_replayable(content),
        tool_use_id=block.id if block else "",
    )


def _checked(content: list[Any]) -> _Reply:
    block = _tool_use(content)
    if block is None:
        return _Reply(error=f"no {TOOL_NAME} call", assistant=_replayable(content))
    try:
        answer = ClaudeTriage.model_validate(block.input)
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors()]
        more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        return _Reply(
            error=f"{problems[0]}{more}",
            detail="\n".join(problems),
            assistant=_replayable(content),
            tool_use_id=block.id,
        )
    return _Reply(answer=answer)


def _retry_after(exc: Exception) -> float | None:
    response = getattr(exc, "response", None)
    if response is None:
        return None
    for header, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            return float(response.headers[header]) * scale
        except (KeyError, ValueError):
            continue
    return None


_STATUS_WORDS = {
    400: "bad request",
    401: "invalid API key, check ANTHROPIC_API_KEY",
    403: "permission denied",
    404: "model or endpoint not found",
    413: "request too large",
    429: "rate limited",
    529: "overloaded",
}


def _describe(exc: Exception, settings: ClaudeSettings) -> str:
    import anthropic

    if isinstance(exc, anthropic.APITimeoutError):
        return f"no answer within {settings.timeout_s:g} s"
    if isinstance(exc, anthropic.APIConnectionError):
        return f"cannot connect to {exc.request.url.scheme}://{exc.request.url.netloc.decode()}"
    if isinstance(exc, anthropic.APIStatusError):
        if exc.status_code < 400:
            return f"stream error: {exc.type or 'unknown'}"
        words = _STATUS_WORDS.get(exc.status_code) or ("server error" if exc.status_code >= 500 else exc.type)
        hint = _retry_after(exc) if exc.status_code == 429 else None
        return f"HTTP {exc.status_code} {words}" + (f", retry after {hint:g} s" if hint is not None else "")
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else 'no detail'}"[:160]
