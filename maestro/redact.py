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
from collections.abc import Callable, Sequence
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
    *("_pass", ".pass", "-pass", "_pwd", ".pwd", "-pwd", "pass", "private_key_id", "sessionid", "session_id"),
    *("session-id", "sessid", "session", "csrftoken", "xsrf-token", "_sid", ".sid", "-sid", "cookie"),
)
# A name that says "secret" may carry an environment or version after it: DB_PASSWORD_PROD, API_TOKEN_V2.
_ENV_SUFFIX = (
    r"(?:[_.-](?:prod|production|staging|stage|dev|develop|test|qa|uat|live|old|new|current|next|previous|prev"
    r"|primary|secondary|main|backup|admin|root|ro|rw|b64|base64|v\d+|\d+|[a-z]{2}))?"
)
_KEY_END = "(?:" + "|".join(re.escape(e) for e in _KEY_ENDINGS) + ")" + _ENV_SUFFIX
_QUOTED = r"""\[redacted\]|\\"(?:[^"\\]|\\[^"])*\\"|"(?:[^"\\\n]|\\.)*"|'[^'\n]*'"""

_PEM = re.compile(r"-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY((?: BLOCK)?)-----[\s\S]*?(?:-----END \1PRIVATE KEY\2-----|\Z)")
# The password of a URL runs to the last @ before the host, and may hold `/` and `@` itself.
_URL_CREDENTIALS = re.compile(
    r"://[^\s:/@\"'<>]*:([^\s\"'<>]+?)@(?=[A-Za-z0-9._\[\]-]+(?::\d+)?(?:[/?#\s\"'<>,;)]|$)(?![^\s\"'<>]*@))"
)
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
# Query parameters that carry a credential: ?sig=..., &access_token=..., &code=... (folded).
_QUERY_SECRET = re.compile(
    r"[?&;](?:sig|signature|key|code|token|access_token|refresh_token|id_token|auth_token|api_key|apikey|api-key"
    r"|secret|client_secret|password|passwd|pwd|auth|jwt|private_token|sessionid|session|sid|x-amz-signature"
    r"|x-amz-security-token|x-amz-credential|x-goog-signature|x-goog-credential)=([^&#\s\"'<>]+)"
)
# Password flags whose letter is case-sensitive (mysql -pX, sshpass -p X, docker login -p X, ldapsearch -w X).
_GLUED_P = re.compile(
    r"(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump|mysqlimport|mysqlcheck|mysqlshow|mysqlpump)\b"
    r"[^\n|;&]*?\s-p(" + _QUOTED.replace("\\[redacted\\]", "\\[REDACTED\\]") + r"|[^\s\"'][^\s\"']*)"
)
_SPACED_P = re.compile(
    r"(?:sshpass|login|mongo|mongosh|mongodump|mongorestore|mongoexport|mongoimport)\b[^\n|;&]*?\s-p[ \t=]*"
    r"(\[REDACTED\]|\"[^\"\n]*\"|'[^'\n]*'|[^\s\"'-][^\s\"']*)"
)
_LDAP_W = re.compile(r"ldap[a-z]*\b[^\n|;&]*?\s-w[ \t]+(\[REDACTED\]|\"[^\"\n]*\"|'[^'\n]*'|\S+)")
_SMB_USER = re.compile(r"\s(?:-U|--user)[ \t=]+[^\s%]+%(\S+)")
_OPENSSL_PASS = re.compile(r"-pass(?:in|out)?[ \t]+pass:(\S+)")
_REDIS_AUTH = re.compile(r"AUTH(?<![A-Za-z0-9_]AUTH)[ \t]+([^\s\"']+)(?:[ \t]+([^\s\"']+))?")
_REDIS_CLI_AUTH_CMD = re.compile(r"redis-cli\b[^\n|;&]*?\sauth[ \t]+([^\s\"']+)(?:[ \t]+([^\s\"']+))?")
# Prose: "the password is hunter2", "token was abc123" (folded); ordinary words after it are kept.
_PROSE = re.compile(
    r"(?:password|passphrase|passcode|passwd|pwd|pin|secret|token|api key|apikey)[ \t]+(?:is|was|will be|=|:)"
    r"[ \t]*:?[ \t]+[\"'`]?([^\s\"'`,;)]+)"
)
# netrc (`machine h login u password p`) and Dockerfile `ENV DB_PASSWORD value` / `ARG API_TOKEN value` (folded).
_NETRC = re.compile(r"login[ \t]+\S+[ \t]+password[ \t]+([^\s\"']+)")
_DOCKERFILE_ENV = re.compile(r"(?:env|arg)[ \t]+[a-z0-9_]*" + _KEY_END + r"[ \t]+([^\s=\"'][^\s\"']*)")
_API_KEY_SPACED = re.compile(r"api[-_ ]?key[ \t]+([a-z0-9_.\-]{16,})")
_DOCKER_AUTH = re.compile(r"[\"'](?:auth|identitytoken|registrytoken)[\"'][ \t]*:[ \t]*(" + _QUOTED + ")")
_URL_ENCODED = re.compile(
    _KEY_END + r"(?:%22)?(?:%3d|%3a)(?:%20|\+)*(?:%22)?([^\s&\"'<>%]+(?:%(?!26|22)[0-9a-f]{2}[^\s&\"'<>%]*)*)"
)
# `password:` at the end of a line with its value alone on the next line (a log prefix allowed before it).
_VALUE_NEXT_LINE = re.compile(
    _KEY_END + r"[\"']?[ \t]*:[ \t]*\n(?:[^\n|]*\|[ \t]?|\d{4}-\d\d-\d\dt[\d:.]+z?[ \t]+)?[ \t]*"
    r"([^\s\"':=-][^\s\"':=]*)[ \t]*(?=\n|$)"
)
_KEY_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")
_ENDS_WITH_KEY = re.compile(_KEY_END + r"[\"']?[ \t]*:[ \t]*$")
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
    *(r"pypi-([A-Za-z0-9_-]{40,})", r"hv[sbr]\.([A-Za-z0-9_-]{24,})", r"s\.(?<![A-Za-z0-9_.]s\.)([A-Za-z0-9]{24})\b"),
    *(r"GOCSPX-([A-Za-z0-9_-]{20,})", r":(?<=[0-9]:)(AA[A-Za-z0-9_-]{33})(?![A-Za-z0-9_-])"),
    r"discord(?:app)?\.com/api/webhooks/[0-9]+/([A-Za-z0-9_-]{30,})",
    r"office\.com/webhook(?:b2)?/([A-Za-z0-9@/_.-]{20,})",
    *(r"SK(?<![A-Za-z0-9]SK)([0-9a-fA-F]{32})(?![0-9a-fA-F])", r"AC(?<![A-Za-z0-9]AC)([0-9a-fA-F]{32})(?![0-9a-fA-F])"),
    *(r"xox[bpeoasr]\.xox[a-z]-([A-Za-z0-9-]{10,})", r"xoxe-([A-Za-z0-9-]{10,})", r"key-([0-9a-f]{32})\b"),
    *(r"shp(?:at|ss|ca|pa)_([0-9a-fA-F]{32})", r"gl(?:sa|c|dt|rt|ptt|ft|imt|agent)[_-]([A-Za-z0-9_=-]{20,})"),
    *(r"do[opr]_v1_([a-f0-9]{64})", r"ATATT3([A-Za-z0-9_=-]{20,})", r"lin_(?:api|oauth)_([A-Za-z0-9]{32,})"),
    *(r"AGE-SECRET-KEY-1([A-Z0-9]{40,})", r"sq0(?:atp|csp)-([A-Za-z0-9_-]{20,})", r"dapi([0-9a-f]{32})"),
    *(r"pul-([a-f0-9]{40})", r"PMAK-([A-Za-z0-9-]{30,})", r"sntr[ysu]s?_([A-Za-z0-9_=+/-]{30,})"),
    *(r"ntn_([A-Za-z0-9]{30,})", r"secret_([A-Za-z0-9]{43})\b", r"dp\.(?:pt|st|sa|ct)\.([A-Za-z0-9]{30,})"),
    r"\.atlasv1\.([A-Za-z0-9_=-]{40,})",
)
_PROVIDER_TOKENS = re.compile("|".join(_TOKEN_PREFIXES))
# Runs of base64 characters: one of exactly 40, mixed case, after "aws" on its line is a secret key.
_BASE64_RUN = re.compile(r"[A-Za-z0-9/+]{40,}")
# A bare 32- or 40-hex key after a provider's name on its line (Datadog, Twilio, SendGrid ...): folded.
_HEX_KEY = re.compile(r"(?<![0-9a-z])[0-9a-f]{32}(?:[0-9a-f]{8})?(?![0-9a-z])")
_PROVIDERS = re.compile(
    r"datadog|\bdd[_-]|twilio|sendgrid|mailgun|new ?relic|newrelic|pagerduty|sentry|mixpanel|segment|algolia"
    r"|heroku|rollbar|bugsnag|honeycomb|opsgenie|statuspage|cloudflare|pusher|postmark|mandrill|sparkpost|logdna"
    r"|loggly|papertrail|circleci|launchdarkly|amplitude|intercom|zendesk|hubspot|okta|auth0|linode|vultr|fastly"
    r"|netlify|vercel|supabase|firebase|mapbox|airtable|asana|trello|bitly|flickr|instagram|spotify|imgur"
)
_ORDINARY = (
    "wrong incorrect invalid expired required missing empty blank correct valid set not being now ok "
    "fine changed reset rotated too the a an still also case same different stored hashed encrypted "
    "saved needed needs in on at of for to from used weak strong short long unknown null none configured "
    "present absent available unavailable sent shown visible hidden redacted locked disabled enabled it "
    "this that correctly no yes good bad right known generated provided given refreshed revoked accepted "
    "rejected denied failed failing error ok. wrong. bucket limit refresh rotation only my your our "
    "their its his her"
)
_STOP_WORDS = frozenset(_ORDINARY.split())
_SENSITIVE_KEY = re.compile(r"[a-z0-9_.-]*" + _KEY_END)
_VARIABLE = re.compile(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?")
_NOT_SECRET = frozenset({"true", "false", "null", "none", "nil", "yes", "no", "~"})
_FOLDED_PASSES = (
    *(_AUTH_HEADER, _BEARER, _CURL_USER, _REDIS_CLI_AUTH, _SPACED_SECRET, _SQL_PASSWORD),
    *(_VALUE_NEXT_LINE, _CLI_FLAG, _KV_EQUALS, _KV_COLON, _QUERY_SECRET, _DOCKER_AUTH, _URL_ENCODED),
    *(_NETRC, _DOCKERFILE_ENV),
)
_CASED_PASSES = (_GLUED_P, _SPACED_P, _LDAP_W, _SMB_USER, _OPENSSL_PASS)


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
    text = _PEM.sub(_pem, text)
    text = _sub(_URL_CREDENTIALS, text, _mask(1))
    text = _sub(_BASE64_RUN, text, _aws_secret)
    for pattern in _FOLDED_PASSES:
        text = _sub(pattern, text, _mask(1), fold=True)
    for pattern in _CASED_PASSES:
        text = _sub(pattern, text, _mask(1))
    text = _sub(_REDIS_AUTH, text, _mask_words)
    text = _sub(_REDIS_CLI_AUTH_CMD, text, _mask_words, fold=True)
    text = _sub(_PROSE, text, _mask_word, fold=True)
    text = _sub(_API_KEY_SPACED, text, _mask_random, fold=True)
    text = _sub(_HEX_KEY, text, _provider_hex, fold=True)
    text = _JWT.sub(MASK, text)
    return _sub(_PROVIDER_TOKENS, text, _mask_last)


def _pem(m: re.Match[str]) -> str:
    kind, block = m.group(1), m.group(2) or ""
    return f"-----BEGIN {kind}PRIVATE KEY{block}-----{MASK}-----END {kind}PRIVATE KEY{block}-----"


def _mask_word(text: str, m: re.Match[str]) -> str:
    """Masks group 1 unless it is an ordinary word ("the password is wrong")."""
    word = text[m.start(1) : m.end(1)]
    if word.lower().rstrip(".!:,;") in _STOP_WORDS:
        return text[m.start() : m.end()]
    return _mask(1)(text, m)


def _mask_words(text: str, m: re.Match[str]) -> str:
    """Masks every group present (Redis `AUTH [user] password`) unless the first is an ordinary word."""
    if text[m.start(1) : m.end(1)].lower().rstrip(".!:,;") in _STOP_WORDS:
        return text[m.start() : m.end()]
    out, pos = [], m.start()
    for g in range(1, (m.lastindex or 0) + 1):
        if m.start(g) < 0 or not _is_secret(text[m.start(g) : m.end(g)]):
            continue
        out += [text[pos : m.start(g)], MASK]
        pos = m.end(g)
    return "".join(out) + text[pos : m.end()]


def _mask_random(text: str, m: re.Match[str]) -> str:
    """Masks group 1 only when it looks generated: it holds a digit."""
    if not any(c.isdigit() for c in text[m.start(1) : m.end(1)]):
        return text[m.start() : m.end()]
    return _mask(1)(text, m)


def _provider_hex(text: str, m: re.Match[str]) -> str:
    before = text[max(0, m.start() - 80) : m.start()].rpartition("\n")[2]
    return MASK if _PROVIDERS.search(before.translate(_FOLD)) else m.group()


def redact_lines(lines: Sequence[str]) -> list[str]:
    """Lines of one excerpt (a service's log), redacted one by one and across line breaks.

    A private key printed one line per log line and a `password:` whose value is on the next line are
    masked though no single line shows them whole; the number of lines stays the same.
    """
    out: list[str] = []
    in_key = False
    value_next = False
    for line in lines:
        if in_key:
            in_key = "-----END " not in line
            out.append(redact(line) if not in_key else _keep_prefix(line) + MASK)
            continue
        if value_next and (token := _lone_token(line)) is not None and _is_secret(token):
            out.append(_keep_prefix(line) + MASK)
            value_next = False
            continue
        in_key = _KEY_BEGIN.search(line) is not None and "-----END " not in line[_KEY_BEGIN.search(line).end() :]
        value_next = _ENDS_WITH_KEY.search(line.translate(_FOLD)) is not None
        out.append(redact(line))
    return out


def _keep_prefix(line: str) -> str:
    """The log prefix of a line (`web.1.x@node | `) that stays when its content is masked."""
    head, bar, _ = line.rpartition("| ")
    return head + bar if bar else ""


def _lone_token(line: str) -> str | None:
    words = line.rpartition("| ")[2].split()
    return words[0] if len(words) == 1 else None


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
        MASK in bare or bare.lower() in _NOT_SECRET or _VARIABLE.fullmatch(bare) or set(bare) <= {"*"}
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
