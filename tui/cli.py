"""The `maestro-tui` command. Headless subcommands never import Textual."""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from maestro import paths
from maestro.session import SessionError, SessionRequest, guarded, load_config, open_journal
from maestro.text import literal
from maestro.utc import utc_now

if TYPE_CHECKING:
    from maestro.events import EventKind, Payload
    from maestro.model import Evidence
    from maestro.triage.claude import Progress

PROG = "maestro-tui"
SUBCOMMANDS = ("triage", "status", "list", "export", "config", "notify")
COMMAND_WORDS = {
    "version": "--version",
    "help": "--help",
    "ls": "list",
    "incidents": "list",
    "ps": "status",
    "state": "status",
    "report": "export",
    "reports": "export",
    "check": "config check",
    "init": "config init",
    "resume": "--incident ID",
}
"""Words people type as if they were subcommands, and what they meant."""
ONE_LINE_ERRORS = {
    "maestro.journal": "JournalError",
    "maestro.config": "ConfigError",
    "maestro.runbooks.catalog": "RunbookError",
    "maestro.report": "ReportError",
    "maestro.collect.swarm": "CollectorError",
}
"""Errors whose message is already one line for a person; checked only once their module is loaded."""


class UserError(SessionError):
    """Something the person can fix; printed as one line, never as a traceback."""


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, metavar="PATH", help="config file (env MAESTRO_CONFIG)")
    parser.add_argument("--journal", type=Path, metavar="PATH", help="journal file (env MAESTRO_JOURNAL)")
    parser.add_argument(
        "--as", dest="actor", metavar="NAME", help="your name in the timeline (default: config responder, your login)"
    )


def _docker(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--docker-host", metavar="URL", help="docker engine to read (default: DOCKER_HOST)")


def _sources(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-docker", action="store_true", help="do not read the docker engine")
    parser.add_argument("--no-claude", action="store_true", help="do not ask Claude, even with ANTHROPIC_API_KEY set")
    parser.add_argument("--offline", action="store_true", help="neither docker nor Claude: --no-docker --no-claude")


def build_parser() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    main = argparse.ArgumentParser(
        prog=PROG,
        description="Full-screen incident commander: live swarm state, P0/P1/P2 triage, recovery, escalation.",
        epilog=f"Subcommands: {', '.join(SUBCOMMANDS)} (see `{PROG} SUBCOMMAND --help`).",
    )
    main.add_argument("description", nargs="?", help="what is broken; opens a new incident")
    main.add_argument("--version", action=_Version, nargs=0, help="print the version and exit")
    main.add_argument("--demo", action="store_true", help="open a recorded incident (no docker needed)")
    main.add_argument("--incident", metavar="ID", help="resume this incident (an id prefix is enough)")
    main.add_argument(
        "--when", metavar="TIME", help="when it began: 14:05, '20 minutes ago' or 2026-11-26T14:05Z (kept as UTC)"
    )
    _sources(main)
    _common(main)
    _docker(main)

    sub_root = argparse.ArgumentParser(prog=PROG)
    sub = sub_root.add_subparsers(dest="command", required=True)

    triage = sub.add_parser("triage", help="print a triage without opening the screen")
    triage.add_argument("description", help="what is broken")
    triage.add_argument("--error", default="", metavar="TEXT", help="error messages seen")
    triage.add_argument("--changes", default="", metavar="TEXT", help="recent deploys or config changes")
    triage.add_argument("--impact", default="", metavar="TEXT", help="who is affected")
    triage.add_argument("--format", choices=("md", "json"), default="md")
    _sources(triage)
    triage.add_argument("--show-prompt", action="store_true", help="print what would be sent to Claude, and stop")
    _common(triage)
    _docker(triage)

    status = sub.add_parser("status", help="one-shot snapshot of the swarm with its signals")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    _common(status)
    _docker(status)

    listing = sub.add_parser("list", help="list incidents in the journal")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    _common(listing)

    export = sub.add_parser("export", help="write every report of an incident")
    export.add_argument("incident", nargs="?", help="incident id or prefix (default: the latest)")
    export.add_argument("--out", type=Path, metavar="DIR", help="folder to write into (default: reports dir)")
    _common(export)

    config = sub.add_parser("config", help="write or check the config file")
    config_sub = config.add_subparsers(dest="action", required=True)
    init = config_sub.add_parser("init", help="write a commented example config")
    init.add_argument("--force", action="store_true", help="replace an existing file")
    _common(init)
    check = config_sub.add_parser("check", help="validate the config file")
    _common(check)

    notify = sub.add_parser("notify", help="notification channels ([[notify]] in the config)")
    notify_sub = notify.add_subparsers(dest="action", required=True)
    notify_test = notify_sub.add_parser("test", help="send a test message to every configured channel")
    notify_test.add_argument("--channel", action="append", metavar="NAME", help="only this channel (repeatable)")
    _common(notify_test)
    return main, sub_root


class _Version(argparse.Action):
    """--version, looked up only when asked for."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print(f"{PROG} {version()}")
        parser.exit()


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed(PROG)
    except PackageNotFoundError:
        return "(not installed)"


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    main_parser, sub_parser = build_parser()
    is_sub = bool(args_list) and args_list[0] in SUBCOMMANDS
    args = (sub_parser if is_sub else main_parser).parse_args(args_list)
    try:
        code = COMMANDS[args.command](args) if is_sub else run_screen(args)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # The reader went away (`| head`): say nothing more, and let the interpreter's final flush find /dev/null.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        line = one_line_error(exc)
        if line is None:
            raise
        print(f"{PROG}: {line}", file=sys.stderr)
        return 2


def one_line_error(exc: Exception) -> str | None:
    """The message of an error a person can act on; None for a bug, which keeps its traceback."""
    if isinstance(exc, SessionError):
        return str(exc)
    for module, name in ONE_LINE_ERRORS.items():
        loaded = sys.modules.get(module)
        if loaded is not None and isinstance(exc, getattr(loaded, name)):
            return " ".join(str(exc).split())
    return None


def command_typo(description: str | None) -> str | None:
    """Why a one-word description looks like a mistyped subcommand ("did you mean status?"), else None."""
    word = (description or "").strip()
    if not word or len(word.split()) > 1:
        return None
    lowered = word.casefold()
    meant = COMMAND_WORDS.get(lowered)
    if meant is None:
        close = difflib.get_close_matches(lowered, [*SUBCOMMANDS, *COMMAND_WORDS], n=1, cutoff=0.75)
        meant = COMMAND_WORDS.get(close[0], close[0]) if close else None
    if meant is None:
        return None
    return f"{word!r} is not a subcommand; did you mean `{PROG} {meant}`? (a new incident: {PROG} 'what is broken')"


def swarm_evidence(docker_host: str | None, now: datetime) -> Evidence:
    """One poll of the swarm; an engine that is not there becomes evidence that says so."""
    from maestro.collect import swarm

    return swarm.snapshot(docker_host, now=now)


# --- subcommands ------------------------------------------------------------------


def cmd_triage(args: argparse.Namespace) -> int:
    """Rules triage, refined by Claude when a key is set; any Claude failure leaves the rules triage, exit 0."""
    from maestro.model import IncidentContext
    from maestro.runbooks.catalog import RunbookError
    from maestro.triage import pipeline

    if not args.description.strip():
        raise UserError("the description is empty; say what is broken, e.g. maestro-tui triage 'API returns 500s'")
    config = load_config(args.config)
    context = IncidentContext(
        description=args.description.strip(),
        error_messages=args.error,
        recent_changes=args.changes,
        user_impact=args.impact,
    )
    now = utc_now()
    use_docker, use_claude = not (args.no_docker or args.offline), not (args.no_claude or args.offline)
    evidence = swarm_evidence(args.docker_host or config.docker_host, now) if use_docker else None
    if args.show_prompt:
        from maestro.triage import claude

        draft = guarded((RunbookError,), lambda: pipeline.rules_triage(context, evidence, config, now))
        print(literal(claude.render_prompt(context, evidence, draft)))
        return 0
    progress = _progress_line if sys.stderr.isatty() else None
    outcome = guarded(
        (RunbookError,),
        lambda: pipeline.triage(context, evidence, config, now, use_claude=use_claude, on_progress=progress),
    )
    if progress is not None and outcome.claude_note:
        print("\r\033[K", end="", file=sys.stderr, flush=True)
    if outcome.claude_failed:
        print(f"{PROG}: {literal(outcome.claude_note, one_line=True)}", file=sys.stderr)
    if outcome.triage.notice:
        print(f"{PROG}: {literal(outcome.triage.notice, one_line=True)}", file=sys.stderr)
    if args.format == "json":
        print(outcome.triage.model_dump_json(indent=2))
        return 0
    from maestro import report

    print(literal(report.render_triage(context, outcome.triage, config, now=now)))
    return 0


def _progress_line(progress: Progress) -> None:
    """Claude's progress on one rewritten stderr line (only when stderr is a terminal)."""
    found = f", {progress.issues} issue{'s' * (progress.issues != 1)} so far" if progress.issues else ""
    line = f"Claude triage: {progress.stage.value}{found}"
    print(f"\r\033[K{literal(line, one_line=True)}", end="", file=sys.stderr, flush=True)


def cmd_status(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    evidence = swarm_evidence(args.docker_host or config.docker_host, utc_now())
    if args.json:
        print(evidence.model_dump_json(indent=2))
    else:
        print(format_status(evidence))
    return 1 if evidence.errors else 0


def format_status(evidence: Evidence) -> str:
    """A plain table for scripts and terminals; engine text never reaches the terminal raw."""
    return literal(_status_lines(evidence))


def _status_lines(evidence: Evidence) -> str:
    lines = [f"{evidence.engine or 'docker engine'} at {evidence.collected_at:%Y-%m-%d %H:%M:%S} UTC"]
    lines += [f"error: {e}" for e in evidence.errors]
    if evidence.services:
        width = max(len(s.name) for s in evidence.services)
        lines.append(f"{'SERVICE':<{width}}  REPLICAS  UPDATE               LAST ERROR")
        for s in sorted(evidence.services, key=lambda s: (s.running >= s.desired, s.name)):
            replicas = f"{s.running}/{s.desired}"
            lines.append(f"{s.name:<{width}}  {replicas:<8}  {s.update_state or '-':<19}  {s.last_error or '-'}")
    if evidence.signals:
        lines.append("SIGNALS")
        lines += [f"  {s.kind:<24} {s.subject or '-'}: {s.detail}" for s in evidence.signals]
    return "\n".join(lines)


def cmd_list(args: argparse.Namespace) -> int:
    journal = open_journal(args.journal, name=args.actor)
    summaries = journal.incidents()
    if args.json:
        print(json.dumps([s.model_dump(mode="json") for s in summaries], indent=2))
        return 0
    if not summaries:
        print("no incidents yet; start one with: maestro-tui 'what is broken'")
        return 0
    for s in summaries:
        severity, description = s.severity or "--", literal(s.description, one_line=True)
        print(f"{s.id}  {severity}  {s.status:<9}  {s.opened_at:%Y-%m-%d %H:%M} UTC  {description}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from maestro import report
    from maestro.journal import JournalError, JournalReadOnly

    config = load_config(args.config)
    journal = open_journal(args.journal, name=args.actor or config.responder)
    if args.incident:
        incident_id = guarded((JournalError,), lambda: journal.resolve_id(args.incident))
    else:
        latest = journal.incidents()
        if not latest:
            raise UserError("the journal has no incidents to export; open one with: maestro-tui 'what is broken'")
        incident_id = latest[0].id
    incident = journal.incident(incident_id)
    out = args.out or paths.reports_dir(None) / incident_id
    now = utc_now()
    unrecorded: list[str] = []

    def record(kind: EventKind, payload: Payload) -> None:
        try:
            journal.append(incident_id, kind, payload)
        except JournalReadOnly as exc:
            unrecorded.append(str(exc))

    files = guarded(
        (report.ReportError,), lambda: report.export_and_record(incident, config, out, now=now, record=record)
    )
    print(f"wrote {len(files)} reports to {out}")
    for f in files:
        print(f"  {f}")
    for reason in unrecorded:
        print(f"{PROG}: the export is not in the timeline: {reason}", file=sys.stderr)
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    from maestro import config
    from maestro.config import ConfigError

    path = paths.config_path(args.config)
    if args.action == "init":
        guarded((ConfigError,), lambda: config.write_example(path, force=args.force))
        print(f"wrote {path}")
        return 0
    loaded = guarded((ConfigError,), lambda: config.load(path, required=True))
    if loaded.runbook_dir is not None:
        from maestro.runbooks.catalog import load_catalog

        catalog = load_catalog(loaded.runbook_dir, skip_broken=True)
        if catalog.problems:
            for problem in catalog.problems[1:]:
                print(f"{PROG}: runbook: {problem}", file=sys.stderr)
            raise UserError(f"runbook: {catalog.problems[0]}")
        print(f"{loaded.runbook_dir}: {len(catalog)} runbooks ok")
    print(f"{path}: ok")
    return 0


def cmd_notify(args: argparse.Namespace) -> int:
    """One line per channel; exit 0 only when every channel took the test message."""
    from maestro.journal import default_actor
    from maestro.notify.payloads import Notice, NoticeKind
    from maestro.notify.send import notify

    config = load_config(args.config)
    channels = [c for c in config.notify if not args.channel or c.name in args.channel]
    missing = sorted(set(args.channel or ()) - {c.name for c in channels})
    if missing:
        raise UserError(f"no [[notify]] channel named {', '.join(missing)} in the config")
    if not channels:
        raise UserError("the config has no [[notify]] channels; `maestro-tui config init` writes commented examples")
    now = utc_now()
    text = f"Test message from maestro-tui at {now:%Y-%m-%d %H:%M} UTC: this channel is reachable."
    notice = Notice(kind=NoticeKind.TEST, incident_id="maestro-tui-test", text=text, who=default_actor(), when=now)
    deliveries = notify(notice, channels)
    for delivery in deliveries:
        print(literal(delivery.line(), one_line=True))
    return 0 if all(d.ok for d in deliveries) else 1


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "triage": cmd_triage,
    "status": cmd_status,
    "list": cmd_list,
    "export": cmd_export,
    "config": cmd_config,
    "notify": cmd_notify,
}

# --- the screen -----------------------------------------------------------------


def _check_when(text: str | None) -> None:
    if not text:
        return
    from maestro.start_time import began_at

    if began_at(text, utc_now()) is None:
        raise UserError(f"cannot tell when {text!r} is; give a time like 14:05, '20 minutes ago' or 2026-11-26T14:05Z")


def run_screen(args: argparse.Namespace) -> int:
    """The panes are drawn first: config, journal and incident are opened by the app right after that."""
    if args.description is not None and not args.description.strip():
        raise UserError("the description is empty; say what is broken, e.g. maestro-tui 'API returns 500s'")
    if typo := command_typo(args.description):
        raise UserError(typo)
    _check_when(args.when)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UserError(
            "the screen needs a terminal (stdin and stdout are not one); in scripts use"
            f" `{PROG} triage`, `status`, `list` or `export`"
        )
    from maestro.incident_ahead import IncidentAhead

    request = session_request(args)
    ahead = IncidentAhead.start(request)
    try:
        from tui.app import MaestroApp

        app = MaestroApp(request=replace(request, ahead=ahead))
        app.run()
    finally:
        if ahead is not None:
            ahead.stop()
    if app.open_error:
        raise UserError(app.open_error)
    return app.return_code or 0


def session_request(args: argparse.Namespace) -> SessionRequest:
    return SessionRequest(
        config_path=args.config,
        journal_path=args.journal,
        description=args.description,
        when=args.when,
        incident=args.incident,
        demo=args.demo,
        docker_host=args.docker_host,
        use_docker=not (args.no_docker or args.offline),
        use_claude=not (args.no_claude or args.offline),
        actor=args.actor,
    )


if __name__ == "__main__":
    raise SystemExit(main())
