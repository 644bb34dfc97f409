"""HTTP clients: curl, wget and the load testers ab and hey."""

from __future__ import annotations

import re

from maestro.safety.context import DES, HARMLESS_TARGETS, MUT, OK, Context, Finding, Handler, word_set
from maestro.safety.options import names, options, value

_CURL_VALUED = (
    *("-X", "--request", "-d", "--data", "--data-raw", "--data-binary", "--data-urlencode", "--data-ascii"),
    *("--json", "-F", "--form", "--form-string", "-T", "--upload-file", "-o", "--output", "-H", "--header"),
    *("-u", "--user", "-A", "--user-agent", "-e", "--referer", "-b", "--cookie", "-c", "--cookie-jar"),
    *("-m", "--max-time", "--connect-timeout", "-w", "--write-out", "-x", "--proxy", "--resolve"),
    *("--cacert", "--cert", "--key", "-K", "--config", "-E", "-r", "--range", "--retry", "-Y", "-y", "-z"),
    *("--limit-rate", "-C", "--continue-at", "--url", "-U", "--proxy-user", "--retry-delay", "--retry-max-time"),
    *("-D", "--dump-header", "--trace", "--trace-ascii", "--stderr", "--libcurl", "--etag-save", "--hsts"),
    *("--alt-svc", "--output-dir"),
)
_CURL_DATA = word_set("-d --data --data-raw --data-binary --data-urlencode --data-ascii --json -F --form --form-string")
_WGET_VALUED = (
    *("-O", "--output-document", "--post-data", "--post-file", "--method", "--body-data", "-o", "-P"),
    *("--header", "-U", "--user-agent", "-T", "--timeout", "-t", "--tries"),
)
_AB_VALUED = (
    *("-n", "-c", "-t", "-s", "-b", "-T", "-p", "-u", "-v", "-x", "-y", "-z", "-C", "-H", "-A", "-P"),
    *("-X", "-e", "-g", "-m", "-B", "-E", "-f"),
)
_HEY_VALUED = ("-n", "-c", "-q", "-z", "-o", "-m", "-H", "-t", "-A", "-d", "-D", "-a", "-x", "-T")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_ENGINE_API = re.compile(r"docker\.sock|:237[56]\b")
_CURL_WRITES = word_set(
    "-o --output -D --dump-header -c --cookie-jar --trace --trace-ascii --stderr --libcurl --etag-save --hsts "
    "--alt-svc --output-dir"
)


def _curl(ctx: Context) -> list[Finding]:
    opts, _ = options(ctx.args, _CURL_VALUED)
    given = names(opts)
    method = (value(opts, "-X", "--request") or "").upper()
    out: list[Finding] = []
    engine_api = "--unix-socket" in given or any(_ENGINE_API.search(a) for a in ctx.args)
    if method and method not in _SAFE_METHODS:
        out.append((MUT, f"curl sends a {method} request"))
        if engine_api:
            out.append((DES, f"curl {method} to the Docker Engine API changes the engine behind every check"))
    elif given & {"-T", "--upload-file"}:
        out.append((MUT, "curl uploads a file (PUT)"))
    elif given & _CURL_DATA and not given & {"-G", "--get"}:
        out.append((MUT, "curl sends data (a POST request)"))
    for name, target in opts:
        if name in _CURL_WRITES and target not in HARMLESS_TARGETS:
            out.append((MUT, f"curl writes the file {target}"))
    if given & {"-O", "--remote-name", "--remote-name-all"}:
        out.append((MUT, "curl saves the download to a file"))
    if given & {"-K", "--config"}:
        out.append((MUT, "curl reads options from a file that is not shown"))
    return out or [OK]


def _wget(ctx: Context) -> list[Finding]:
    opts, _ = options(ctx.args, _WGET_VALUED)
    given = names(opts)
    method = (value(opts, "--method") or "GET").upper()
    if given & {"--post-data", "--post-file", "--body-data"} or method not in _SAFE_METHODS:
        return [(MUT, "wget sends data to the server")]
    if "--spider" in given or value(opts, "-O", "--output-document") in HARMLESS_TARGETS:
        return [OK]
    return [(MUT, "wget saves the download to a file")]


def _load_tester(valued: tuple[str, ...], body: frozenset[str], reason: str) -> Handler:
    """Read-only for GET requests without a body; the method is given with -m."""

    def handler(ctx: Context) -> list[Finding]:
        opts, _ = options(ctx.args, valued)
        method = (value(opts, "-m") or "GET").upper()
        if names(opts) & body or method not in _SAFE_METHODS:
            return [(MUT, reason)]
        return [OK]

    return handler


HANDLERS: dict[str, Handler] = {
    "curl": _curl,
    "wget": _wget,
    "ab": _load_tester(_AB_VALUED, frozenset({"-p", "-u"}), "ab sends POST or PUT requests, many times"),
    "hey": _load_tester(_HEY_VALUED, frozenset({"-d", "-D"}), "hey sends requests with a body, many times"),
}
