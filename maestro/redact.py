"""Secret redaction, applied before anything goes to the LLM and before any report is written.

Secret values become `[REDACTED]`; what tells a reader what was there stays: key
names, URL structure, the Authorization scheme word, PEM armour lines and the type
prefix of provider tokens (`ghp_[REDACTED]`). `redact` is idempotent.

Every pattern starts with a literal, so the regex engine skips ahead instead of
trying each position; case-insensitive patterns run on an ASCII-lowercased copy
of the text (same length, same offsets) for the same reason.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from typing import Any, TypeVar, cast

from pydantic import BaseModel

MASK = "[REDACTED]"
T = TypeVar("T")

_Replace = Callable[[str, re.Match[str]], str]

_FOLD = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)

# How the name of a key holding a secret ends (lowercase): DB_PASSWORD, api_key, X-Auth-Token ...
_KEY_ENDINGS = (
    *("password", "passwd", "passphrase", "secret_key_base", "secret", "token", "credentials", "credential"),
    *("signature", "requirepass", "masterauth", "apikey", "accesskey", "secretkey", "privatekey", "signingkey"),
    *("masterkey", "encryptionkey", "accountkey", "_key", ".key", "-key", "_auth", ".auth", "-auth"),
    *("_pass", ".pass", "-pass", "_pwd", ".pwd", "-pwd", "pass"),
)
_KEY_END = "(?:" + "|".join(re.escape(e) for e in _KEY_ENDINGS) + ")"
_QUOTED = r"""\[redacted\]|\\"(?:[^"\\]|\\[^"])*\\"|"(?:[^"\\\n]|\\.)*"|'[^'\n]*'"""

_PEM = re.compile(r"-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|\Z)")
_URL_CREDENTIALS = re.compile(r"://[^\s:/@\"'<>]*:([^\s/@\"'<>]+)@")
_AUTH_HEADER = re.compile(
    r"authorization[\"']?\s*[:=]\s*[\"']?"
    r"(?:(?:bearer|basic|token|digest|negotiate|apikey|bot|ntlm|aws4-hmac-sha256)\s+)?(\[redacted\]|[^\s\"',;]+)"
)
_BEARER = re.compile(r"bearer\s+([a-z0-9._~+/=-]{16,})")
_CURL_USER = re.compile(r"curl\b[^\n|;&]*?\s(?:-u|--user|-U|--proxy-user)(?:\s+|=)[\"']?[^\s:\"']+:([^\s\"']+)")
_REDIS_CLI_AUTH = re.compile(r"redis-cli\b[^\n|;&]*?\s-a\s+(" + _QUOTED + r"|\S+)")
_SPACED_SECRET = re.compile(r"(?:requirepass|masterauth)[ \t]+(" + _QUOTED + r"|[^\s\"']+)")
_SQL_PASSWORD = re.compile(r"(?:identified\s+by|password)\s+('[^'\n]*')")
_CLI_FLAG = re.compile(  # --password x, --token=x, and "--requirepass", "x" in JSON argument lists
    r"--[a-z0-9-]*?" + _KEY_END + r"(?:=|[ \t]+|[\"'],[ \t]*[\"'])(" + _QUOTED + r"|[^\s\"'-][^\s\"']*)"
)
# `KEY= cmd` gives KEY an empty value in a shell, so space after = counts only in `key = value`.
_KV_EQUALS = re.compile(_KEY_END + r"\\?[\"']?(?:[ \t]+=[ \t]*|=)(" + _QUOTED + r"|[^\s\"'`&;|\\]+)")
_KV_COLON = re.compile(
    _KEY_END + r"\\?[\"']?[ \t]*:[ \t]*"
    r"(" + _QUOTED + r"""|[^\s"'`,;}\]\\/](?:[^\n"'`,;}\]\\]*[^\s"'`,;}\]\\])?)"""
)
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")
_TOKEN_PREFIXES = (
    *(r"sk-ant-([A-Za-z0-9_-]{8,})", r"sk-proj-([A-Za-z0-9_-]{20,})"),
    *(r"sk-svcacct-([A-Za-z0-9_-]{20,})", r"sk-admin-([A-Za-z0-9_-]{20,})"),
    r"sk-(?<![A-Za-z0-9_]sk-)([A-Za-z0-9_-]{20,})",
    *(r"sk_live_([A-Za-z0-9]{8,})", r"sk_test_([A-Za-z0-9]{8,})", r"rk_live_([A-Za-z0-9]{8,})"),
    *(r"rk_test_([A-Za-z0-9]{8,})", r"whsec_([A-Za-z0-9]{16,})", r"AIza([0-9A-Za-z_-]{35})"),
    *(r"gh[pousr]_([A-Za-z0-9]{20,})", r"github_pat_([A-Za-z0-9_]{20,})", r"glpat-([A-Za-z0-9_-]{20,})"),
    *(r"xox[abposr]-([A-Za-z0-9-]{10,})", r"xapp-([A-Za-z0-9-]{10,})", r"npm_([A-Za-z0-9]{36})"),
    *(r"hooks\.slack\.com/(?:services|workflows|triggers)/([A-Za-z0-9_/-]+)", r"hf_([A-Za-z0-9]{30,})"),
    *(r"dckr_pat_([A-Za-z0-9_-]{20,})", r"SG\.([A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,})"),
    *(rf"{p}([A-Z0-9]{{16}})\b" for p in ("AKIA", "ASIA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "ABIA")),
)
_PROVIDER_TOKENS = re.compile("|".join(_TOKEN_PREFIXES))
# Runs of base64 characters: one of exactly 40, mixed case, after "aws" on its line is a secret key.
_BASE64_RUN = re.compile(r"[A-Za-z0-9/+]{40,}")
_SENSITIVE_KEY = re.compile(r"[a-z0-9_.-]*" + _KEY_END)
_VARIABLE = re.compile(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?")
_NOT_SECRET = frozenset({"true", "false", "null", "none", "nil", "yes", "no", "~"})
_FOLDED_PASSES = (
    *(_AUTH_HEADER, _BEARER, _CURL_USER, _REDIS_CLI_AUTH, _SPACED_SECRET, _SQL_PASSWORD),
    *(_CLI_FLAG, _KV_EQUALS, _KV_COLON),
)


def redact(text: str) -> str:
    """`text` with every secret value it recognises replaced by [REDACTED].

    Masking one secret can expose the edge of another glued to it, so the passes
    repeat until nothing changes (a bounded number of times): redact(redact(x)) == redact(x).
    """
    for _ in range(4):
        done = _redact_once(text)
        if done == text:
            break
        text = done
    return text


def _redact_once(text: str) -> str:
    text = _PEM.sub(r"-----BEGIN \1PRIVATE KEY-----" + MASK + r"-----END \1PRIVATE KEY-----", text)
    text = _sub(_URL_CREDENTIALS, text, _mask(1))
    text = _sub(_BASE64_RUN, text, _aws_secret)
    for pattern in _FOLDED_PASSES:
        text = _sub(pattern, text, _mask(1), fold=True)
    text = _JWT.sub(MASK, text)
    return _sub(_PROVIDER_TOKENS, text, _mask_last)


def redact_obj(value: T) -> T:
    """A copy of `value` with every string redacted, keeping its shape and types.

    Dicts, lists, tuples, sets and pydantic models are walked; a string or number
    stored under a secret-looking key (`password`, `api_key` ...) is masked whole.
    """
    return cast("T", _walk(value, {}))


def _sub(pattern: re.Pattern[str], text: str, replace: _Replace, *, fold: bool = False) -> str:
    """re.sub, matching on the ASCII-lowercased text when `fold`, rewriting the original."""
    out: list[str] = []
    pos = 0
    for m in pattern.finditer(text.translate(_FOLD) if fold else text):
        out.append(text[pos : m.start()])
        out.append(replace(text, m))
        pos = m.end()
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


def _mask(group: int) -> _Replace:
    """Masks one group (keeping its quotes) unless it holds no secret."""

    def replace(text: str, m: re.Match[str]) -> str:
        start, end = m.span(group)
        value = text[start:end]
        if not _is_secret(value):
            return text[m.start() : m.end()]
        quote = value[:2] if value.startswith('\\"') else value[:1] if value[:1] in "\"'" else ""
        return text[m.start() : start] + quote + MASK + quote + text[end : m.end()]

    return replace


def _mask_last(text: str, m: re.Match[str]) -> str:
    return text[m.start() : m.start(m.lastindex or 0)] + MASK


def _aws_secret(text: str, m: re.Match[str]) -> str:
    run = m.group()
    before = text[max(0, m.start() - 80) : m.start()].rpartition("\n")[2]
    if (
        len(run) == 40
        and "aws" in before.translate(_FOLD)
        and any(c.isupper() for c in run)
        and any(c.islower() for c in run)
        and any(c.isdigit() or c in "/+" for c in run)
    ):
        return MASK
    return run


def _is_secret(value: str) -> bool:
    bare = value.strip().strip("\"'\\")
    return bool(bare) and not (
        bare == MASK or bare.lower() in _NOT_SECRET or _VARIABLE.fullmatch(bare) or set(bare) <= {"*"}
    )


def _walk(value: Any, memo: dict[str, str]) -> Any:
    """`memo` holds this call's redactions: a journal repeats itself (actors, kinds, the same command)."""
    if isinstance(value, str):
        out = memo.get(value)
        if out is None:
            out = memo[value] = redact(value)
        return value if out == value else out
    if isinstance(value, BaseModel):
        updates = {}
        for name in type(value).model_fields:
            old = getattr(value, name)
            new = _under_key(name, old, memo, numbers=False)
            if new is not old:
                updates[name] = new
        return value.model_copy(update=updates) if updates else value
    if isinstance(value, dict):
        return {k: _under_key(k, v, memo, numbers=True) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, memo) for v in value]
    if isinstance(value, tuple):
        return tuple(_walk(v, memo) for v in value)
    if isinstance(value, set | frozenset):
        return type(value)(_walk(v, memo) for v in value)
    return value


def _under_key(key: object, value: Any, memo: dict[str, str], *, numbers: bool) -> Any:
    if isinstance(key, str) and _SENSITIVE_KEY.fullmatch(key.translate(_FOLD)):
        if isinstance(value, str) and _is_secret(value):
            return MASK
        if numbers and isinstance(value, int | float) and not isinstance(value, bool):
            return MASK
    return _walk(value, memo)
