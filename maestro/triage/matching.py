"""Reading the incident text: weighted term hits, the severity its words describe, hosts and URLs."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from itertools import accumulate, groupby

from maestro.model import IncidentContext, Severity
from maestro.runbooks.terms import NeedleSet, Term, normalise, regex_term
from maestro.triage.reading import Polarity, Scopes, scopes


@dataclass(frozen=True)
class TextPart:
    """One piece of the incident text; `weight` multiplies the terms found in it."""

    name: str
    text: str
    weight: float
    scopes: Scopes = field(default_factory=Scopes)
    # what ends one message here: sentences for prose; for quoted errors ("redis:6379. connection refused") the quote
    boundary: re.Pattern[str] = field(default_factory=lambda: _SENTENCE_END)

    @classmethod
    def of(cls, name: str, text: str, weight: float, boundary: re.Pattern[str] | None = None) -> TextPart:
        return cls(name, text, weight, scopes(text), boundary or _SENTENCE_END)

    def mention(self, term: Term) -> tuple[str, Polarity] | None:
        """The first asserted mention of the term, else the first ruled-out one, else a hypothetical one."""
        if not term.may_match(self.text):
            return None
        seen: dict[Polarity, str] = {}
        for found in term.matcher(self.text).finditer(self.text):
            if self.boundary.search(found.group(0)):
                continue  # "manifest unknown. All users...": a term's words belong to one sentence
            polarity = self.scopes.polarity(self.text, found.start(), found.end(), term.negative)
            if polarity is Polarity.ASSERTED:
                return found.group(0), polarity
            seen.setdefault(polarity, found.group(0))
        for polarity in (Polarity.RULED_OUT, Polarity.HYPOTHETICAL):
            if polarity in seen:
                return seen[polarity], polarity
        return None


# an ellipsis ("SET user_id = ... WHERE") does not end a sentence
_SENTENCE_END = re.compile(r"(?<!\.\.)[.!?]\s|\n")
_QUOTE_END = re.compile(r" \| |\n")
_FALSE_VALUE = re.compile(r"\s*[:=]\s*(false|0|no|none|null)\b")
_QUOTED = re.compile(r"\"([^\"]{3,})\"|`([^`]{3,})`|(?<!\w)'([^']{3,})'(?!\w)")


def incident_parts(context: IncidentContext) -> tuple[TextPart, ...]:
    """The context's text fields, normalised; quoted error text and error messages weigh more."""
    described = normalise("\n".join(t for t in (context.description, context.what_broke) if t))
    parts = [TextPart.of("description", described, 1.0)]
    quoted = " | ".join(
        next(g for g in m.groups() if g)
        for m in _QUOTED.finditer(described)
        if not _FALSE_VALUE.match(described, m.end())
        # what a provider's status page says is quoted from it, not an error of ours
        and not _STATUS_PAGE_SAYS.search(described[max(0, m.start() - 40) : m.start() + 1])
        and not _ON_STATUS_PAGE.match(described, m.end())
    )
    if quoted:
        parts.append(TextPart.of("quoted error", quoted, 1.5, _QUOTE_END))
    for name, value, weight in (
        ("error message", context.error_messages, 1.5),
        ("user impact", context.user_impact, 0.75),
        ("recent changes", context.recent_changes, 1.0),
    ):
        if value.strip():
            parts.append(TextPart.of(name, normalise(value), weight))
    return tuple(parts)


@dataclass
class TextScore:
    score: float = 0.0
    hits: list[str] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    against: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)  # the words of the text that matched, as written there
    # what a runbook's min_score is set against: asserted terms at the runbook's own weights, less contradictions
    raw: float = 0.0


# "the database is fine": a mention that rules the thing out
_CLEARED = re.compile(
    r"\W*(\w+\W+){0,3}?(is|are|looks?|seems?|was|were|at)\s+(fine|ok|okay|healthy|normal|good|green)\b"
)
_NONE: frozenset[int] = frozenset()
# what every text `_CLEARED` matches ends with
_CLEARING = re.compile(r"\s(fine|ok|okay|healthy|normal|good|green)\b")


def _mention(term: Term, text: str) -> str | None:
    if not term.may_match(text):
        return None
    for found in term.matcher(text).finditer(text):
        if not _CLEARED.match(text, found.end()):
            return found.group(0)
    return None


# a hypothetical mention ("to avoid data loss") counts this much of an asserted one
HYPOTHETICAL_SHARE = 0.5


def score_terms(terms: Iterable[Term], parts: tuple[TextPart, ...], specificity: Mapping[str, float]) -> TextScore:
    """Each term counts once, at the heaviest part it is asserted in, times how specific it is to its runbook.

    A term only ruled out ("nothing was deployed", "OOMKilled false") counts against; one only mentioned as a
    possibility counts in part.
    """
    result = TextScore()
    for term in terms:
        best: tuple[float, str, str] | None = None
        against: str | None = None
        for part in parts:
            found = part.mention(term)
            if found is None:
                continue
            text, polarity = found
            weight = part.weight * (HYPOTHETICAL_SHARE if polarity is Polarity.HYPOTHETICAL else 1.0)
            if polarity is Polarity.RULED_OUT:
                against = against or text
            elif best is None or weight > best[0]:
                best = (weight, part.name, text)
        weight = term.weight * specificity.get(term.label, 1.0)
        if best is not None:
            part_weight, name, text = best
            result.score += weight * part_weight
            result.raw += term.weight * part_weight
            result.hits.append(f"{name} mentions '{text}'")
            result.found.append(text)
            result.terms.append(term)
        elif against is not None:
            result.score -= weight
            result.against.append(f"the text rules out '{against}'")
    return result


def score_contradictions(terms: Iterable[Term], parts: tuple[TextPart, ...]) -> TextScore:
    """Asserted mentions of what rules a runbook out: their weight counts against it."""
    result = TextScore()
    for term in terms:
        for part in parts:
            found = part.mention(term)
            if found is not None and found[1] is Polarity.ASSERTED:
                result.score -= term.weight
                result.raw -= term.weight
                result.against.append(f"{part.name} mentions '{found[0]}', which points elsewhere")
                break
    return result


@dataclass(frozen=True)
class Excerpts:
    """Lines of evidence (log lines, last errors), normalised; a term found in one is shown by that line's quote."""

    quotes: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()
    text: str = ""

    @classmethod
    def of(cls, quoted: Iterable[tuple[str, str]]) -> Excerpts:
        """From (quote, normalised text) pairs: the quote is what the evidence shows, the text what is matched."""
        pairs = list(quoted)
        lines = tuple(line for _, line in pairs)
        return cls(tuple(quote for quote, _ in pairs), lines, "\n".join(lines))

    def __bool__(self) -> bool:
        return bool(self.quotes)

    def quote(self, term: Term) -> str | None:
        """The quote of the first line that mentions the term (a mention said to be fine does not count)."""
        if not term.may_match(self.text):
            return None
        # a phrase starts with a literal the regex engine scans for fast over all lines at once; a regex is
        # only tried on the lines holding its needle
        if not (term.folds_case or term.anchored) and term.matcher(self.text).search(self.text) is None:
            return None
        return next((q for q, line in zip(self.quotes, self.lines, strict=True) if _mention(term, line)), None)


class ExcerptsOfServices:
    """Every service's excerpts read at once: a term is looked for once across all their lines, not once per
    service and runbook, with the same answer per service as `Excerpts.quote`."""

    def __init__(self, excerpts: Mapping[str, Excerpts]) -> None:
        self._quotes: list[str] = []
        self._lines: list[str] = []
        self._owner: list[str] = []
        for name, each in excerpts.items():
            self._quotes.extend(each.quotes)
            self._lines.extend(each.lines)
            self._owner.extend([name] * len(each.lines))
        self._text = "\n".join(self._lines)
        self._ends = list(accumulate((len(line) + 1 for line in self._lines), initial=-1))[1:]
        self._lookups: dict[tuple[str, bool], TermLines] = {}
        self._holding: dict[str, set[int]] = {}
        self._holding_any: dict[tuple[str, ...], set[int]] = {}
        self._clearing: dict[int, bool] = {}
        self._indexed: AbstractSet[str] = frozenset()  # needles whose lines `_holding` has, held or not

    @property
    def text(self) -> str:
        """Every line, joined by newlines."""
        return self._text

    def index(self, needles: NeedleSet) -> set[str]:
        """Find the lines of many needles in one go, rather than each when first asked; returns the needles the
        lines hold."""
        holding = needles.lines_holding(self._lines)
        self._holding.update(holding)
        self._indexed = needles.needles
        return set(holding)

    def quotes(self, term: Term) -> dict[str, str]:
        """The quote of each service's first line that mentions the term."""
        return self.lookup(term).quotes()

    def lookup(self, term: Term) -> TermLines:
        """Where the term may be: the services whose lines hold the texts it requires, and their lines."""
        key = (term.source, term.folds_case)
        found = self._lookups.get(key)
        if found is None:
            # the lines come in order, and each service's lines one after another
            by_owner = groupby(self._lines_with_needles(term), key=self._owner.__getitem__)
            found = self._lookups[key] = TermLines(self, term, {owner: list(lines) for owner, lines in by_owner})
        return found

    def _first(self, term: Term, lines: Iterable[int]) -> str | None:
        """The quote of the first of these lines that mentions the term."""
        if term.anchored:
            return next((self._quotes[line] for line in lines if _mention(term, self._lines[line])), None)
        # each line is searched in place, bounded to the line, as it would be alone
        pattern, text, ends = term.matcher(self._text), self._text, self._ends
        for line in lines:
            end = ends[line]
            match = pattern.search(text, ends[line - 1] + 1 if line else 0, end)
            if match is not None and self._clears(line):
                while match is not None and _CLEARED.match(text, match.end(), end):
                    match = pattern.search(text, max(match.end(), match.start() + 1), end)
            if match is not None:
                return self._quotes[line]
        return None

    def _clears(self, line: int) -> bool:
        """Whether the line may say of a mention that it is fine: it holds one of the words `_CLEARED` ends on."""
        clears = self._clearing.get(line)
        if clears is None:
            clears = self._clearing[line] = _CLEARING.search(self._lines[line]) is not None
        return clears

    def _lines_with_needles(self, term: Term) -> Iterable[int]:
        """The lines that hold a text of every group of texts the term requires."""
        if not term.needles or (term.folds_case and not self._text.isascii()):
            return range(len(self._lines))
        lines: set[int] | None = None
        for group in term.required:
            holding = self._lines_holding(group[0]) if len(group) == 1 else self._lines_holding_any(group)
            lines = holding if lines is None else lines & holding
            if not lines:
                return ()
        return sorted(lines or ())

    def _lines_holding_any(self, group: tuple[str, ...]) -> set[int]:
        """The lines holding any of the texts; terms share groups ("database", "db", "postgres")."""
        lines = self._holding_any.get(group)
        if lines is None:
            holding, indexed, lines_holding = self._holding, self._indexed, self._lines_holding
            found = [holding.get(n) or (_NONE if n in indexed else lines_holding(n)) for n in group]
            lines = self._holding_any[group] = set().union(*found)
        return lines

    def _lines_holding(self, needle: str) -> set[int]:
        """The lines a text is in; many terms share a text ("error", "refused"), so each is found once."""
        lines = self._holding.get(needle)
        if lines is None and needle in self._indexed:
            return set()
        if lines is None:
            lines = self._holding[needle] = set()
            at = self._text.find(needle)
            while at != -1:
                line = bisect_left(self._ends, at)
                lines.add(line)
                at = self._text.find(needle, self._ends[line] + 1)
        return lines


class TermLines:
    """One term's lines in every service's excerpts: the services whose lines hold the texts it requires (the
    only ones whose lines may mention it), and the quote of each service's first line that does, found once."""

    __slots__ = ("_lines", "_quoted", "_scan", "_term", "owners")

    def __init__(self, scan: ExcerptsOfServices, term: Term, lines: dict[str, list[int]]) -> None:
        self._scan, self._term, self._lines = scan, term, lines
        self.owners: AbstractSet[str] = lines.keys()
        self._quoted: dict[str, str | None] = {}

    def quote(self, owner: str) -> str | None:
        """The quote of the service's first line that mentions the term, looked for in that service's lines."""
        quoted = self._quoted
        if owner in quoted:
            return quoted[owner]
        lines = self._lines.get(owner)
        quote = quoted[owner] = None if lines is None else self._scan._first(self._term, lines)
        return quote

    def quotes(self) -> dict[str, str]:
        """The quote of each service's first line that mentions the term."""
        return {owner: quote for owner in self._lines if (quote := self.quote(owner)) is not None}


def any_term(terms: Iterable[Term], parts: tuple[TextPart, ...]) -> bool:
    """Whether any term is asserted in the text."""
    return any((found := part.mention(term)) and found[1] is Polarity.ASSERTED for term in terms for part in parts)


# --- severity the words describe (the seed's severity table drives these cues) --------------------------

_P0_OUTAGE = (
    r"(?<!\bin the )(?<!\bof the )(?<!\bon the )(?<!\bto the )"  # "a node in the swarm went down": the node did
    r"(?<!flag )(?<!metrics )(?<!logging )(?<!monitoring )(?<!email )(?<!mail )(?<!notification )(?<!'s )"
    # a test environment down is not production down
    r"(?<!staging )(?<!dev )(?<!test )(?<!qa )(?<!sandbox )(?<!demo )(?<!preview )"
    r"\b(?!(nodes?|replicas?|workers?|managers?|hosts?|servers?|vms?|tasks?|containers?|redis|cache|memcached|"
    r"valkey|queue|rabbitmq|kafka|brokers?|cron|scheduler|standby|elasticsearch|search|registry|ci|jenkins|runners?|"
    r"sales|revenue|conversions?|sign-?ups|numbers|visits|bookings|"
    r"staging|dev|development|test|qa|sandbox|preview|demo|provider|vendor|partner|cdn|mail|email|smtp|sms|"
    r"monitoring|grafana|prometheus|kibana|logging|backups?|[\w-]*\d)\b)[\w-]+"
    r"\s+(is|are|went|goes)\s+(completely\s+|totally\s+)?(down|offline)\b(?! to \d)",
    r"\b(completely|totally|fully|hard|entirely)\s+(down|offline)\b",
    r"(?<!\bin the )(?<!\bof the )(?<!\bon the )"
    r"(?<!staging )(?<!dev )(?<!test )(?<!qa )(?<!sandbox )(?<!demo )(?<!preview )(?<!'s )"  # a partner's api is theirs
    r"(?<! at )(?<! during )"  # "autocomplete at checkout broken": a part of checkout
    r"\b(production|prod|site|website|api|app|platform|everything|checkout|frontend|backend|shop|storefront)"
    r"( (\+|and|&) (login|checkout|payments|sign-?in|api|app|site))?\s+(is\s+|are\s+)?"
    r"(just\s+|completely\s+|totally\s+|effectively\s+|basically\s+|practically\s+)?"
    r"(down|offline|unreachable|unavailable|unusable|unresponsive|broken|dead|gone)\b(?! to \d)",
    r"\beverything (times out|timed out|is timing out|timing out|hangs|is hanging|hanging)\b(?! (off|on|from)\b)",
    r"\beverything( on (?!(node|worker|manager|host|server|vm)s?\b)(?![\w-]*\d\b)[\w.*-]+)? (is |was |keeps )?"
    r"(erroring|failing|broken|down|returning (a |an )?(50[0234]|error)|"
    r"(a )?50[0234]s?|bad gateway)\b",
    r"(?<!containers )(?<!workers )(?<!services )(?<!tasks )(?<!nodes )"
    r"\b(can.?t|cannot|can not|unable to|couldn.?t|could not) (reach|access|use|load|open|do) anything\b"
    r"(?! (outside|by name|over|beyond|external|on the|in the))",
    r"\b(can.?t|cannot|can not|unable to|couldn.?t|could not) (browse|shop|search)( or | and |, )(buy|order|pay|"
    r"check ?out|purchase)\b",
    r"\b(logging|signing) in (fails|is failing|failing|doesn.?t work|does not work|is broken)\b",
    r"\b(can.?t|cannot|can not|unable to) stay (signed|logged) in\b",
    r"(?<!at )(?<!in )(?<!on )(?<!during )(?<!from )\b(login|log in|sign\s?in|checkout|payments?)\s+(is\s+|are\s+)?"
    r"(broken|broke|failing|fails|down|not working|stopped working|(doesn't|does not|don't|do not) work)\b",
    r"\bbroke\w*\s+(the\s+)?(login|log in|sign\s?in|checkout|payments?)\b",
    # a zone's or a region's outage is where it started, not what users see
    r"(?<!their )(?<!zone )(?<!az )(?<!region )(?<!regional )(?<!datacenter )(?<!data center )(?<!power )"
    r"(?<!az-\w )(?<!\d[a-f] )"
    r"\b(outage(?!\W+(\w+\W+){0,3}(on )?(their|its|the provider.s|the vendor.s) status page)|"
    r"down for everyone(?! (in|from|on|using|with|behind)\b)|nothing works|completely broken|"
    r"totally broken)\b",
    r"\b(every|all) (\w+ ){0,2}(instances?|backends?|replicas?|servers?|targets?|services|containers|tasks)\W+"
    r"(\w+\W+){0,3}(unhealthy|down|taken out|removed|fail|failed|failing|restarting|crashing|crash-looping)\b",
    # "one server carries all the traffic" is where it goes, not what fails
    r"\b(?<!of )(?<!carrying )(?<!carries )(?<!handling )(?<!handles )(?<!taking )(?<!takes )(?<!serving )(?<!serves )"
    r"(all|every|most)\s+(?!their )((our|the) )?(\w+\s+)?"
    r"(users|customers|clients|requests|calls|pages|traffic|domains|sites|websites)\b"
    r"(?! (still |are still |are )?(work|works|fine|ok|okay|load|up|get through|succeed)\b)",
    # "everyone else can" says the others are fine
    r"\b(everyone|everybody|nobody can|no one can|no-one can|(?<=for )(anyone|anybody))\b"
    r"(?! (else|in|from|on|using|with|behind|who|routed|that|landing|hitting)\b)",
    r"\b(can't|cant|cannot|can not|unable to|couldn't|could not|not able to)\s+"
    r"(log\s?in(?!to)(?! to (the |our )?(db|database|postgres\w*|mysql|server|registry|redis|broker))|login|"
    r"sign\s?in(?!to)|get (back )?in\b(?!to)|get into (the |their |our )?(site|app|accounts?)|"
    r"check\s?out|pay|"
    r"place orders|"
    r"buy|order|purchase|"
    r"add (\w+ ){0,2}to (the |their |a )?(cart|basket)|sign\s?up|create an account|"
    r"(access|reach|connect to|open|load|get onto|get on|get to|use)\s+((the|their|our|your|its)\s+)?"
    r"(site|app|api|service|backend|server|website|product|platform|"
    r"accounts?))",
    r"\b(can't|cant|cannot|can not|unable to) (write|save|store) anything\b",
    r"(?<!on our )(?<!on the )(?<!in our )(?<!of our )(?<!of the )"
    r"\b(site|website|shop|store|storefront|everything|homepage|home page|web ?app|domain)\W+(\w+\W+){0,1}"
    r"(stopped|stops|won.?t|doesn.?t|does not|isn.?t|is not|not) (loading|load|opening|open|working|work)\b"
    r"(?! (on|in|for) (\w+ )?(safari|firefox|chrome|edge|ios|android|iphones?|mobile|some))",
    r"\bno (urls?|pages?|links?|routes?) (loads?|works?|opens?|resolves?)\b",
    # most of it failing is an outage
    r"\b([5-9]\d|100) ?% of (\w+ )?(requests|calls|traffic|users|customers|checkouts|logins|log-?ins|sign-?ins|pages|"
    r"orders|attempts)\b",
    # everyone bounced back to the login page: nobody gets in
    r"\b(everyone|everybody|every user|all users|nobody)\W+(\w+\W+){0,4}(sent|bounced|kicked|redirected|thrown|dumped) "
    r"(straight |right )?back to the (login|sign-?in) (page|screen)\b",
    r"\b(shows?|showing) no (products|items|listings|orders|data|content) at all\b",
    # "the dashboard says we had zero new signups" is what a report shows, not what happened
    r"(?<!had )(?<!shows )(?<!says )(?<!reports )\b(no|zero) (new )?(orders|sales|payments|sign-?ups|bookings) "
    r"(since|for|in the last|coming in)\b",
    r"\bno (new )?(orders?|payments?|sales|checkouts?|bookings?) (has |have )?(completed|gone through|come in|been "
    r"(placed|completed|made))\b",
    r"\b(nobody|no one|no-one) (has |have )?(placed|made|completed) (an? |any )?(orders?|payments?|purchases?|"
    r"bookings?)\b",
    r"\b(nobody|no one|no-one|(no|not a single|none of (our|the)) (customers?|users?)) (can|could) "
    r"((use|access|reach|open) (the |our |their )?(app|site|product|platform|shop|store|website|accounts?)|log ?in|"
    r"get into (the |our |their )?[\w-]+|"
    r"sign ?in|get in|pay|order|check ?out)\b",
    r"\b(nobody|no one|no-one|(no|not a single) (customer|user|one|body|shopper)\w*) (has|have) (been able|managed|"
    r"succeeded) to (finish|"
    r"complete|place|pay|"
    r"check ?out|log ?in|sign ?in|buy|order)\b",
    r"\b(nobody|no one|no customer) (\w+ ){0,2}(has|have|had) (a |any )?(completed|successful|finished) "
    r"(orders?|payments?|checkouts?|purchases?)\b",
    r"\b(can.?t|cannot|can not|unable to) get (past|through|around) (it|the (warning|error|page))\b",
    r"\b(anything|everything|nothing) (that )?(saves?|can be saved|writes?)\W+(\w+\W+){0,1}"
    r"(hangs?|fails?|spins?|errors?|times? out)\b",
    r"\bnothing (saves|gets saved|will save)\b",
    r"\b(anything|everything)\b(\W+\w+){0,6}\W+(spins?|hangs?|hanging|spinning) (forever|until (it|they) times? out)\b",
    r"\b(the )?(site|website|shop|store|app|platform) (freezes|froze|is frozen|hangs|hung|is hanging)\b",
    # a core function that quit: "stopped saving anything", "no longer takes orders"
    r"\b(stopped|stops|no longer) (saving|storing|writing|accepting|taking|tak\w+) (anything|any (\w+ )?(data|orders|"
    r"payments|changes|uploads)|new (orders|payments|sign-?ups)|orders|payments|data|changes|uploads|writes|"
    r"connections)\b",
    r"\b(took|taken|brought|knocked|takes) (down|out) (the )?(login|checkout|payments?|site|website|app|api|homepage|"
    r"home page|shop|store|production|prod)\b",
    r"\b(the app|the api|our app|our api) (can't|cannot|can not|is unable to) (write|save)\b"
    r"(?! to (the )?(cache|redis|logs?))",
    # the app cut off from its database
    r"\b(the app|the api|our app|our api|the site|the backend) (can't|cannot|can not|is unable to|couldn't) "
    r"(connect|talk to|reach)(?! to)(?! \w)",
    r"\b(the app|the api|our app|our api|the site|the backend) (can't|cannot|can not|is unable to|couldn't) "
    r"(connect to|talk to|reach) (the |our )?(db|database|postgres\w*|mysql\w*|mariadb)\b",
    r"\b(orders?|payments?|bookings?|purchases?|changes) (can't|cannot|can not|couldn't|could not) be "
    r"(saved|placed|processed|created|stored|submitted|enqueued|queued|accepted|taken|sent)\b",
    r"\b(the )?(whole|entire) (site|platform|cluster|system|stack|infrastructure|production|app|storefront|shop|"
    r"store)\b(\W+\w+){0,3}\W+"
    r"(down|offline|lost|unreachable|unresponsive|broken|dark|50[0234]ing|erroring|failing|errors|spinning|hanging|"
    r"timing out|crawling and (then )?timing out|"
    r"50[0234]|bad gateway|shows?|displays?|stopped (answering|responding|loading|working))\b",
    r"\b(prod\w* )?(db|database|postgres\w*|mysql|mariadb) (is |went |became |turned )?read[- ]only\b",
    r"\b(orders|accounts|users|customers|payments|invoices)\W+(\w+\W+){0,2}(disappeared|vanished|went missing)\b",
    r"\b(can't|cant|cannot|can not|unable to|couldn't|could not) (log|sign) "
    r"(anyone|anybody|users?|people|customers) in\b",
    r"\b(data loss|lost data|losing data|data integrity|data at risk)\b",
    r"\b(removed|deleted|wiped|erased|overwrote|overwritten|nulled)\b(\W+\w+){0,5}\W+(for|from|on|in|across|of) "
    r"(about |roughly |around |~|over |nearly |almost )?\d[\d,.]*k? "
    r"(orders|rows|records|accounts|customers|users|items|invoices|products|listings)\b",
    r"\b(set|setting|sets|written|writing|wrote|overwrit\w+|overwrote|reset|resetting) (\w+ ){0,2}to "
    r"(null|nil|zero|0|empty|blank)\b(\W+\w+){0,3}\W+(on|for|in|across) (\w+ ){0,3}(rows|records|accounts|orders|"
    r"customers|products|users)\b",
    r"\blosing (every|all|each) (single )?(sale|order|booking|payment|purchase)s?\b",
    r"\b(order placement|placing orders|order creation) (is |are )?(failing|fails|broken|down)\b",
    r"\b(5xx|50[0-4]s?|errors?|error rate|failures?|failing)\W+(at|=|is|are|of|on)?\W*100 ?%",
    r"\b(every|each|all) (requests?|calls?|page loads?|pages?) (to|on|of) (the |our )?(site|app|api|website|shop|store|"
    r"backend|frontend)\W+(\w+\W+){0,2}(times? out|timed out|timing out|fails?|failing|errors?|hangs?)\b",
    r"\b(it.?s|it is|looks like|seems like|that.?s|this is|affects?|affecting) (\w+ )?(every|all) (new |single )?"
    r"(orders?|payments?|checkouts?|purchases?|bookings?) (placed )?(since|for the (last|past)|in the (last|past)|"
    r"today)\b",
    r"\b(site-?wide|platform-?wide)\W+(\w+\W+){0,1}(timeouts?|outage|errors?|50[0234]s?|failures?)\b",
    r"\b(timeouts?|tim\w* out|outage|50[0234]s?|failing|failures?) (\w+ )?(site-?wide|platform-?wide)\b",
    r"\b(is |are |it.?s |everything is |basically |practically |effectively |completely |totally )"
    r"(basically |practically |effectively )?unusable\b",
    r"\ball (\w+ )?(api|apis|api calls|requests|pages|traffic) (\w+ )?(50[0234]|bad gateway|gateway timeout)\b",
    # the system itself doing damage: wrong orders, charges or trades going out
    r"\b(sending|placing|creating|sent|placed|created|issuing|issued|executing|executed) (\w+ ){0,2}(erroneous|wrong|"
    r"bogus|duplicate|unintended) (orders|trades|charges|payments|transactions|refunds|transfers)\b",
    r"\bcorrupt\w*",
    r"\b(delete|update)\w*\W+(\S+\W+){0,6}without (a |the |its |any )?where\b",
    r"\b(dropped|truncated|wiped|deleted)\W+(\w+\W+){0,3}(table|database|db|data|rows|records|collection|bucket)\b",
    r"\b(database|db)\s+(is\s+)?(locked|down)\b",
    r"\b(breach\w*|hacked|compromised|security incident|ransomware|unauthori[sz]ed access|exfiltrat\w*)\b",
    r"\bevery (api |http )?(request|call|endpoint)\b",
    r"\b(hits?|hitting|affects?|affecting) (\w+ )?(every|all) (orders?|payments?|checkouts?|purchases?)\b",
    r"\bevery (?!docker )([\w.*-]+ )?(customer|user|site|website|visitor|page|service|url|login|host ?name|domain|"
    r"(route|path)(?! (using|with|that|which|behind|under|for)\b))\b"
    # "every service at full replicas" says all is well
    r"(?! (is |are )?(at (full|desired|the desired|their desired)|still (up|running|fine|ok)|up\b|running\b|healthy|"
    r"fine\b|ok\b))",
    r"\b(log[\s-]?in|sign[\s-]?in)s?\W+(\w+\W+){0,2}"
    r"(fail\w*\b(?! (log ?ins?|login attempts|attempts|passwords?))|hang\w*|broken|error\w*|rejected|refused)",
    r"\b(nothing|no one|nobody)\W+(\w+\W+){0,3}can (be )?"
    r"(saved?|written|write|stored?|created?|buy|pay|order|log\s?in|sign\s?in|log back in|sign back in)",
    r"(?<![\w-])(data|rows|records|tables?|files)(?![\w-])\W+(\w+\W+){0,2}(is|are|was|were|got|has been|have been) "
    r"(gone|lost|wiped|deleted)\b",
    r"\b(site|app|api|service|platform) is in maintenance\b",
    r"\b(all|every) (cards?|payments?|transactions?|orders?)\b(\W+\w+){0,3}\W+(declined|rejected|fail\w*)|"
    r"(declined|rejected|fail\w*)\W+(\w+\W+){0,3}for (all|every) (cards?|payments?|transactions?|customers?)\b",
    r"\bno (\w+ )?(payments?|orders?|checkouts?|logins?|sign-?ins?|requests?) "
    r"(go(es)? through|works?|succeeds?|completes?)\b",
    r"\bno (new )?(orders?|payments?|accounts?|sign-?ups?|uploads?|posts?|messages?|bookings?|purchases?|users?) "
    r"(can|could) (be )?(created|placed|made|saved|processed|submitted|completed|sent|registered)\b",
    r"\b(can't|cant|cannot|can not|unable to|couldn't|could not) (create|place|submit|save|complete|enqueue|process|"
    r"accept|take|receive) (any |new )*(orders?|accounts?|bookings?|purchases?|payments?)\b",
    # a core business function failing outright ("new orders fail"), unless the words say only some do
    r"(?<!some )(?<!few )(?<!several )(?<!certain )(?<!of the )(?<!of )(?<! at )(?<! during )"
    r"\b(new |all )?(orders|payments|checkouts?|purchases|bookings|transactions|sign-?ups)\s+(are\s+|is\s+)?(all\s+)?"
    r"(fail|failing|failed|broken|erroring|rejected|not going through|don't go through|do not go through|hang|hung|"
    r"are hanging|never complete)\b(?! (kafka|the broker|the queue|rabbit\w*|redis|it|that|there|this)\b)",
    # how far and how bad at once: every save fails, all writes are rejected
    r"\b(most|all|every one) of (our|the) (nodes|servers|hosts|machines|instances)\W+(\w+\W+){0,2}(dropped|went down|"
    r"are down|died|crashed|went offline|are offline)\b",
    r"\b(every|each) (?!cached? |redis |db |database |internal |background )([\w-]+ ){0,2}?"
    r"(save|write|order|payment|request|call|login|log-?in|checkout|purchase|query|endpoint|"
    r"transaction|page load)(?! (to|into|on) (the )?(redis|cache|memcached|valkey)\b) (\w+ ){0,2}"
    r"(fails?|failed|is failing|failing|errors?( out)?|times? out|timed out|timing out|hangs?|"
    r"is rejected|is refused|returns? (an? )?(error|50\d|40[13]))\b",
    # every write, whatever it writes to: "every write to the orders table fails"
    r"\b(every|each|all) (writes?|inserts?|updates?|saves?|commits?) (to|into|on) (?!(the |our )?(cache|redis))"
    r"(the |our )?(\w+ ){0,2}"
    r"(fails?|failed|is failing|are failing|errors?|is rejected|are rejected)\b",
    # the origin behind the CDN is what every visitor reaches
    r"\borigin( server)? (is |was )?(down|unreachable|offline|not reachable|not responding)\b",
    r"\ball (\w+ )?(saves|writes|orders|payments|requests|calls|logins|checkouts|purchases|queries|transactions|"
    r"inserts) (\w+ )?(fail|failed|are failing|error|time out|timed out|are rejected|are refused)\b",
    r"\b(do(es)?n't|do(es)? not|won't|will not|can't|cannot)\s+(\w+\s+){0,2}for (anyone|anybody)\b",
    # a browser refusing the site is what every visitor sees
    r"\b(net::)?(err_cert_\w+|ssl_error_\w+|err_ssl_\w+|err_too_many_redirects)\b",
    # a deploy that replaced the running tasks with nothing
    r"\bnew (tasks?|replicas?|containers?|instances?)\W+(\w+\W+){0,3}(never|don't|do not|won't|fail to|can't|cannot) "
    r"(start|come up|run|get scheduled)\w*\W+(\w+\W+){0,8}old (tasks?|replicas?|containers?|instances?)\W+(\w+\W+){0,3}"
    r"(shut ?down|stopped|gone|removed|killed|terminated)\b",
    r"\bno (replicas?|tasks?|containers?|instances?) (are |is )?(left|running|up)\b",
    r"\bno (healthy )?(servers?|backends?|upstreams?|targets?) (are |is )?(available|left|running|up|healthy)\b",
    r"\bno healthy upstream\b",
    r"\b(db|database|postgres\w*|mysql|mariadb|mongo\w*)\b(\W+\w+){0,3}\W+(at 100 ?% disk|disk (is )?(at )?100 ?%|"
    r"is full|disk is full|ran out of (disk|space)|out of disk)",
    r"\b(out of|no) (disk|disk space|space)\W+(\w+\W+){0,1}(on|in) (the |our )?(db|database|postgres\w*|mysql|mariadb|"
    r"primary)\b",
    r"\bno (available|live|healthy) (servers?|backends?|upstreams?|targets?)\b",
    r"\bwith 0 (servers|backends|replicas|instances|targets)\b",
    r"\b(see|sees|seeing|get|gets|getting|shows?|showing) (a |the |our )?maintenance (page|mode|screen)\b",
    r"(?<![\w-])(api|web|website|site|frontend|app|shop|store|checkout|payments?|gateway|proxy|traefik|nginx|ingress)"
    r"( service)? (is |was |shows |stays )?(now )?(at )?0/[1-9]\d*\b",
    r"\b(database|db|postgres\w*|mysql|mariadb)([ ,'\"()/:-]+\w+){0,8}[ ,'\"()/:-]+"
    r"(writes|inserts|updates|commits|transactions) "
    r"(\w+ )?(fail|failing|are failing|are rejected|are refused|error out)\b",
    r"\b(writes|inserts) (to|into) (the )?(database|db|postgres\w*|mysql|primary)\W+(\w+\W+){0,3}"
    r"(fail|are failing|are rejected)\b",
    r"\b(inserts|commits|transactions) (\w+ )?(fail|failing|are failing|are rejected|error out)\b",
    # the services cannot talk to one another at all: every function that spans two of them is down
    r"(?<!some )(?<!few )(?<!two )\b(services|containers|apps|microservices|tasks)\b(\W+\w+){0,4}\W+"
    r"(can't|cannot|can not|couldn't|could not|no longer|don't|do not|won't) (reach|talk to|connect to|"
    r"communicate with) (each other|one another)\b",
    r"\b(every|all) internal (\w+ )?(calls?|requests?|traffic)\W+(\w+\W+){0,2}"
    r"(fails?|failing|failed|times? out|timing out|errors?)\b",
    # paid or placed orders left unpaid: the money path is broken
    r"\b(orders?|bookings?|purchases?)\W+(\w+\W+){0,4}(stay|stays|stayed|stuck|remain|remains|left)\W+(\w+\W+){0,2}"
    r"(pending|unpaid|awaiting payment)\b",
    r"\b(paid|charged) (orders?|bookings?|purchases?)\W+(\w+\W+){0,2}(are |is )?(not|never) "
    r"(marked|set|updated|confirmed)\b",
)
_P0_ERRORS = (
    # a status code, not "500 ms" or "500 users"
    r"(?<![\d.,$])(?<!of )(?<!/)(?<!max )\b500s?\b"
    r"(?! ?(ms|milliseconds?|s\b|secs?|seconds?|mb|kb|gb|k\b|users|requests|customers|orders|rows|conns?|connections?|"
    r"clients|max))",
    r"\b50[0234]ing\b",
    # errors everywhere, not a quoted log message seen everywhere
    r"(?<!['\"] )\b(errors?|failures?|exceptions|timeouts?|timing out|time outs?)\s+(\w+\s+)?everywhere\b",
    r"\b5xx\b",
    r"internal server error",
    r"\b(site|website|app|shop|store|homepage|home page|pages)\s+(\w+\s+){0,2}(do(es)?n't|do(es)? not|won't|will not|"
    r"no longer) (load|open|respond|come up|come back( up| online)?|start( back up)?|boot)\b",
    # a core page that shows nothing or an error
    r"\b(checkout|payment|payments|login|log-?in|sign-?in|sign-?up|cart|basket|order|booking)\s+(page|screen|form|flow)"
    r"\s+(\w+\s+){0,1}(is |are |shows? |says? |stays? |returns? |gives? |goes )?(\w+ )?"
    r"['\"]?(blank|empty|broken|white|down|an? error|errors?|something went wrong|500)\b",
    r"\b(site|website|homepage|shop|store|app|api|everything)\s+(is\s+|are\s+|keeps\s+)?(all\s+)?"
    r"(has been |have been )?(timing out|not responding|not loading|hanging)\b",
    r"\b(50[0234]s?|bad gateway|service unavailable|gateway time-?out)\b(\W+\w+){0,2}\W+(on|for|from) (the |our )?"
    r"(whole |entire )?(homepage|home page|site|website|shop|store|app|api|everything|all pages|every page)\b",
    # our own domain that no longer resolves is unreachable for everyone
    r"\b(dns|resolv\w*|nxdomain)\b(\W+\w+){0,4}\W+(for|on|of) (our|the) (domain|site|website)\b",
    r"\borigin dns error\b",
    r"\b(our|the) (main |public |company )?(domain|site|website)\W+(\w+\W+){0,2}"
    r"((stopped|isn't|is not|not|doesn't|does not|won't|no longer) resolv(e|es|ing)|stopped working|"
    r"(isn't|is not|no longer|not) working|(doesn't|does not) work)\b",
    # what a browser says when our site cannot be reached at all
    r"\b((this |the )?site can.?t be reached|err_name_not_resolved|dns_probe_finished_nxdomain|"
    r"err_connection_(refused|timed_out|reset))\b",
    r"\b(checkout|payment|pay|buy|order|purchase|login|log-?in|sign-?in|sign-?up|submit)( now)?['\"]? button\b"
    r"(\W+\w+){0,1}\W+"
    r"(does nothing|doesn't work|does not work|is broken|not working|won't work|is dead)",
    # the button of a core page that does nothing
    r"\b(login|log-?in|sign-?in|checkout|payment|cart|basket) (page|screen|form)\W+(\w+\W+){0,6}button\W+(\w+\W+){0,1}"
    r"(does nothing|doesn't (do anything|work)|does not (do anything|work)|is dead|won't work)",
    r"\b(site|website|app|api|shop|store|production|prod)('s| has| have) been (down|offline|unreachable)\b",
    r"\b(everything|all (checks|services|monitors)) (is |are )?(red|failing)\b(?! (on|in) (staging|dev))",
    r"\b(site|domain|website|dns)\b(\W+\w+){0,3}\W+points? to the wrong (server|ip|host|address|place)\b",
    r"\b(checkout|payments?|login|log-?in|sign-?in|cart|basket)\b(\W+\w+){0,3}\W+(throw\w*|return\w*|show\w*|giv\w*) "
    r"(\w+ )?errors?\b",
    r"\bnothing (loads|works|opens|responds|comes up)\b",
    r"\b(site|website|homepage|home page|shop|store|app)\s+(\S+\s+){0,2}(shows?|showing|gives?|says?|displays?) "
    r"(\S+\s+){0,2}['\"]?(database|db) (error|connection error)\b",
    r"\b(clicking|opening|pressing|doing) (anything|everything|any (link|button|page))\W+(\w+\W+){0,2}(gives?|shows?|"
    r"returns?|throws?|leads? to) (an? )?(error|50\d)",
    # visitors get the web server's placeholder instead of the site
    r"\b(welcome to nginx|default (nginx|apache|web ?server|iis) (welcome )?page|apache2 (ubuntu|debian) default page)",
    # a core page that never finishes loading
    r"\b((login|log-?in|sign-?in|checkout|payment|cart|basket|home|main|landing) (page|screen|form)|site|website|"
    r"homepage|shop|store)\s+(\w+\s+){0,1}(loads|spins|hangs|keeps loading|keeps spinning) forever\b",
    r"\b(site|website|homepage|home page|app|shop|store)\b(\W+\w+){0,1}\W+(is |are )?(showing|shows|gives) (a |an )?"
    r"(blank|white|empty|error)\b",
    r"\b(errors?|50[0234]s?)\W+(\w+\W+){0,2}when ((placing|making|submitting)( (an|a|their|the))? "
    r"(orders?|payments?|purchases?|bookings?)|paying|checking out|logging in|signing in)\b",
    # what the site or its visitors get, not what some dependency answers us
    r"\b(site|website|homepage|home page|page|pages|shop|store|app|api|frontend|everything|all requests|every request|"
    r"checks?|"
    r"(?<!docs\.)(?<!blog\.)(?<!help\.)(?<!status\.)(?<!dev\.)(?<!staging\.)[\w-]+\.(com|net|org|io|dev|app|co|shop)|"
    r"everyone|everybody|(?<!some )(?<!few )(?<!several )(?<!of the )"
    r"(?<!of )(visitors|users|customers|clients|people)(?! (with|who|using|on|in|from|of)\b)|"
    r"(every|all) (\w+ )?(routes?|paths?|urls?|endpoints?)"
    r"(?! (using|with|that|which|behind|under|for)\b))\s+"
    r"(\S+\s+){0,3}(returns?|returned|returning|answers?|answered|answering|responds? with|responded with|"
    r"gives?|gave|giving|shows?|showed|showing|serves?|served|throws?|throwing|gets?|got|getting|sees?|seeing|saw|"
    r"says?) "
    r"(\S+\s+){0,2}['\"]?"
    r"(50[0234]s?|bad gateway|service unavailable|gateway time-?out|404 page not found|this page isn.?t working|"
    r"too many redirects|redirected you too many times)\b",
    r"\b(50[0234]s?|bad gateway|service unavailable|gateway time-?out)\b(\W+\w+){0,3}\W+"
    r"when (they|users|customers|we|you) "
    r"(pay|check ?out|log ?in|sign ?in|order|buy)\b",
)
_P1 = (
    r"\bslow\w*",
    r"\bcrawl(s|ing|ed)?\b",
    r"\blagg?y\b",
    r"\btak\w+ (at least |over |more than |about |around |up to )?(forever|ages|\d+(( to |-)\d+)? ?(s|secs?|seconds|"
    r"minutes?|mins?))\b",
    r"\b(went|jumped|climbed|rose|increased|grew) from \d+(\.\d+)? ?(ms|s|seconds?) to \d+(\.\d+)? ?(ms|s|seconds?)\b",
    r"\b\d+(\.\d+)? ?(ms|s) ?(->|=>|\u2192) ?\d+(\.\d+)? ?(ms|s)\b",
    r"\blatency\b(?!\W+(\w+\W+){0,4}(flat|normal|unchanged|fine|steady|ok|baseline)\b)",
    r"\b(p\d\d|latency|response times?)\W+(\w+\W+){0,2}(tripled|doubled|quadrupled|\d+x\b|jumped|spiked|"
    r"up ~?\d+ ?%)",
    r"\b(page|pages|requests?|calls?|queries|endpoints?)\W+(\w+\W+){0,1}~?\d+(-\d+)? ?(s|secs?|seconds)\b",
    r"\bhalf (the |our |its )?capacity\b",
    r"\bp\d\d (is |at |of )?~?\d+(\.\d+)? ?(s|ms|sec|seconds)\b",
    r"\b(degraded|degradation)\b",
    # a fallback in effect: it works, worse
    r"\bfall(s|ing)? back to\b",
    r"\b(stuck|waiting|pending|sitting)\W+(\w+\W+){0,3}for hours\b",
    r"\bcache (failures?|misses)\b",
    r"\b(backlog|delayed|lagging)\b",
    r"\b(nightly|cron|batch|background|scheduled)\s+(\w+\s+)?(jobs?|tasks?|exports?|backups?|imports?)\b",
    r"\berror rate\b(?!\W+(\w+\W+){0,3}(flat|normal|unchanged|fine|steady|ok|baseline)\b)",
    # not yet: it will stop soon
    r"\b(will|would|is going to|are going to) (stop|fail|run out|break|fill up|be full)\b",
    r"\bmust be vacuumed within\b",
    r"\b\w+ page (is |shows |stays |comes up |loads )?(empty|blank|broken)\b",
    r"\b(worker|workers|cron|scheduler|consumers?|reporting|batch|backup|exporter|analytics)( service)? "
    r"(is |was |stays )?"
    r"(now )?(at )?0/[1-9]\d*",
)
# a job that keeps data safe or bills customers failing is more than a nightly chore, felt by users or not
_DATA_BEARING = (
    r"\b(invoice|billing|payment|order|payout)s? sync\w*\b[^.;]{0,40}\bfail\w*",
    r"\b(backups?|billing|invoic\w*(?!-?(pdf|export))|payroll|snapshots?|replication)[^\w.;]+((?!nothing\b)\w+[^\w.;]+){0,2}"
    r"(fail\w*|crash\w*|died|didn't run|did not run|"
    r"never ran|broke\w*|missing|haven't run|hasn't run|have not run|has not run|stopped running|"
    r"(weren't|were not|wasn't|was not|never got) (sent|generated|created|run)|"
    r"stopped (going out|being (sent|generated|created|made)|working)|(aren't|are not|not) (going out|being sent))",
    r"\b(messages|events|records) (are|were|being|get|got) (\w+ )?(rejected|refused)\b",
    r"\b(tracking|analytics|events?|audit log)\b(\W+\w+){0,2}\W+"
    r"(stopped|lost|not (being )?(recorded|saved|stored))",
    r"\b(is|are|was|were|gets?|got) (being )?(lost|dropped|discarded|thrown away)\b",
    r"\b(payouts?|payments?|transfers?|refunds?|withdrawals?|settlements?|deposits?|shipments?|e-?mails?|messages|"
    r"notifications|confirmations|invoices)\W+(\w+\W+){0,4}(are|is|were|was|being|get|got) (\w+ ){0,3}"
    r"(delayed|late|held|on hold|stuck)\b",
    # a part of the system whose calls hang or time out is felt by whoever waits on it
    r"\b(calls|publish\w*|messages|notifications|e-?mails|jobs|workers)\W+(\w+\W+){0,3}(time out|timing out|hang|hangs|"
    r"hanging|are blocked|get blocked)\b",
    r"\b(new )?(shipments|labels|orders|payments|invoices|payouts|refunds) (can.?t|cannot|can not|aren.?t|are not) "
    r"(get |be )?(created|printed|sent|processed|booked|made)\b",
    r"\b(invoices|orders|payments|payouts|refunds|shipments|exports|e-?mails|messages)\W+(\w+\W+){0,1}(are |is )?"
    r"(queue?ing|queued|pil\w+ up|backing up|backed up)\b",
)
# "all services back at desired count": the swarm has already put back what a lost node ran
# "its tasks were rescheduled and run elsewhere": put back, though not yet said to be unfelt
_RESCHEDULED = (
    r"\b(its |the |all |their )?(\d+ )?(tasks|containers|replicas|everything)\W+(\w+\W+){0,2}(were |was |got |"
    r"have been |has been )?(rescheduled|moved|restarted elsewhere)\b(\W+\w+){0,5}\W+(running|elsewhere|"
    r"other (nodes|servers|hosts)|ok|fine|healthy)\b",
)
# what the nodes left carry is near its limit: capacity lost is felt soon
_STRAINED = re.compile(
    r"\b((less|reduced|little|no) headroom|(memory|cpu|ram|disk)\W+(\w+\W+){0,2}(9\d|100) ?%|"
    r"(9\d|100) ?% (memory|cpu|ram|disk))"
)
_RESTORED = (
    r"\b(all|every) (\w+ )?(services?|svcs?|tasks)\W+(\w+\W+){0,2}(at|to|on) (full|desired|their desired|the desired) "
    r"(replicas?|count|capacity|replica count|scale)\b",
)
# what users do not see but the team does: a change that cannot ship is not nothing
_FELT = (r"\b(can.?t|cannot|can not|unable to) (ship|deploy|release|roll out|push)\b",)
# what users or staff get, or do, that fails while the rest works: a part is down, not nothing
_FELT_BY_SOMEONE = (
    r"\b(e-?mails?|notifications?|push notifications?|sms|texts|webhooks?|invoices?|confirmations?|receipts?|"
    r"reminders?|newsletters?|thumbnails?|exports?|imports?|labels?|reports?)\b((?!service|rollout|update|deploy)[^.;]){0,40}"
    r"\b(not (being )?(sent|delivered|going out|arriving|generated|created|printed)|"
    r"(aren.?t|isn.?t|weren.?t|wasn.?t|are not|is not) (being )?(sent|delivered|going out|"
    r"arriving|generated|created|printed|happening)|stopped|missing|never (arrive|arrived|go out|went out)|"
    r"fail(ing|ed|s)?|"
    r"(don.?t|do not|didn.?t|did not) (arrive|go out|get sent)|arrive late|are late|(\w+ )?behind)\b",
    r"\b(not|never|no longer|aren.?t|isn.?t|(nobody|no one|no-one) (is |are |has |have )?) ?(\w+ ){0,2}"
    r"(rec(ei|ie)v\w*|get|got|gets|getting)\b[^.;]{0,30}\b(e-?mails?|"
    r"notifications?|confirmations?|links?|codes?|sms|texts|invoices?|receipts?)\b",
    # "the chat bubble disappeared for customers", "new products not showing up in search"
    r"\b(disappeared|vanished|is gone|are gone|went missing|no longer (shows?|appears?))\b[^.;]{0,40}\b(for|to) "
    r"(customers|users|visitors|shoppers|everyone|people)\b",
    r"\bnot (showing|appearing|turning) up\b",
    # "apart from the lockouts the site is fine": what the words set apart is felt
    r"\b(apart from|except for|other than|aside from)\b[^.;]{1,40}\b(the |our )?(site|app|website|shop|store|"
    r"everything|product)\b",
    r"\b(staff|employees|agents|support|warehouse|merchants|sellers|partners|students|patients|drivers|admins?|editors|"
    r"customers|users|people|accountants|finance|sales)\b(\W+\w+){0,3}?\W+(can.?t|cannot|can not|are unable to|"
    r"is unable to|no longer can)\b",
    r"\b(orders?|payments?|imports?|exports?|jobs|messages|e-?mails|uploads?|syncs?|feeds?|checkouts?|pipelines?|"
    r"payouts?|refunds?|invoices?|reminders?|notifications|ingestion|events|analytics|indexing|processing|shipments|"
    r"deliveries|labels)\b(\W+\w+){0,3}?\W+(stuck|stalled)\b",
    r"\b(going stale|not (being )?(processed|enqueu\w*|recorded|recording|indexed|syncing|updating|generat\w*))\b",
    # a part of the product staff or customers use, broken while the rest works
    r"\b(admin|back-?office|analytics|bi|reporting|reports|dashboards?|enqueue\w*|uploads?|uploading)( \w+)? "
    r"(panel|section|area|page|portal|dashboards?)?\b[^.;]{0,30}?\b(is |are |has been |have been )?"
    r"(broken|down|failing|fails?|failed|empty|dead|hangs?|not loading|won.?t load|not working)\b",
    # people who get an error message, get thrown out, or hit a failure mid-restart
    r"\b(staff|employees|agents|customers|users|people|visitors)\b(\W+\w+){0,3}?\W+"
    r"(get|gets|getting|see|sees|seeing|are shown|hit|hits)\b[^.;]{0,6}"
    r"['\"\u2018\u201c]",
    r"\b(users|customers|people|staff|visitors)\b(\W+\w+){0,2}?\W+(get |gets |are |keep getting )?"
    r"(kicked|logged|bounced|thrown) (back|out)\b",
    r"\b(a chunk|a portion|a share|part) of (the |our )?(\w+ )?(requests|calls|traffic|users|customers|logins)\b",
    r"\b(whoever|anyone who)\b[^.;]{0,30}\b(gets?|sees?) (an? )?(failed|error|500)",
    r"\bcapacity (is )?(down|reduced|lost)\b",
    r"\bupload\w* (\w+ ){0,6}fail\w*",
    r"\b(wait|waiting|waits) (\w+ ){0,2}(hours?|an hour)\b",
    r"\bstopped (syncing|updating|processing|sending|going out|arriving|recording|moving|writing|delivering|"
    r"exporting|importing)\b",
    r"\b(white|blank|empty|grey|gray) (page|square|screen|box)\b",
    # an error shown to whoever uses it
    r"\b(oops|something went wrong|an error (has )?occurred|error page|(gives|shows) (me |us |them )?an error)\b",
    r"\b(returns?|shows?|gives?|answers?|serves?)\b[^.;]{0,30}\b(404|50[0234]|page not found|bad gateway)\b",
    r"\bno (\w+ )?(e-?mails?|notifications?|webhooks?|sms|messages|texts) (are |is )?"
    r"(leaving|going out|being sent|sent|delivered|arriving)\b",
    r"\b(exports?|webhooks?|e-?mails?|jobs|messages|notifications|invoices|orders)\b(\W+\w+){0,2}?\W+(are |is )?"
    r"(piling up|backing up|backed up|queu\w* up)\b",
)
# a scheduled job that failed: minor when the words also say users do not feel it
_JOB_FAILED = (
    r"\b(nightly|cron|batch|scheduled|background|daily|hourly|weekly|monthly|maintenance|export|import|report|sync|etl)\b"
    # a report page or endpoint is a feature, not a job
    r"(\W+\w+){0,3}\W+(jobs?|tasks?|runs?|exports?|imports?|reports?|emails?|backups?|cron|dumps?)\b"
    r"(?! (endpoint|page|screen|api|tab|button))"
    r"([^\w.;]+\w+){0,12}[^\w.;]+"
    r"(fail\w*|crash\w*|errored|died|didn't (run|happen)|did not (run|happen)|never ran|didn't go out|did not go out|"
    r"(hasn.?t|has not|never|didn.?t|did not) (shown up|show up|arrived?|come|came)|is missing|went missing)",
)
# a database that refuses writes is down for whatever writes
_WRITES_FAIL = re.compile(
    r"(?<!some )(?<!few )(?<!several )(?<!of the )(?<!of )(?<!cache )(?<!redis )"
    r"\b((writes|inserts|commits) (are |keep )?|"
    r"(every|each|all|most) (writes?|inserts?|commits?|transactions?|updates?) (to|into|on|against) (the |our )?"
    r"(?!(redis|cache|memcached|valkey)\b)\w+ (is |are |keep )?)(fail\w*|rejected|refused|error\w*)\b"
    r"|\b(every|each|all) (inserts?|updates?|writes?|commits?|saves?|deletes?)"
    r"( and (inserts?|updates?|writes?|deletes?))?\W+(\w+\W+){0,4}(fail\w*|rejected|refused|error\w*)\b"
)
_CACHE_STORE = re.compile(r"\b(redis|cache|memcached|valkey)\b")
_DATABASE = re.compile(r"\b(db|database|postgres\w*|mysql|mariadb|mongo\w*|pg_wal|primary)\b")
# a share of whatever is counted ("a third of page loads", "one in five checkouts"): some fail, not all
_SHARE_OF = (
    r"(?<!more than )(?<!less than )(?<!at least )(?<!fewer than )"
    r"\b(half|a third|a quarter|a fifth|a tenth|a fraction|a subset|one in (two|three|four|five|ten|twenty|fifty|"
    r"a hundred|hundred|a thousand|\d+)) (of )?"
    r"(the |our |all )?(\w+[ -]){0,2}?(\w+s|traffic)\b"
)
# a share under half of something counted ("12% of checkouts fail"), not a resource reading ("cpu is 12%")
_SMALL_PERCENT = (
    r"(?<!disk at )(?<!cpu at )(?<!memory at )(?<!ram at )(?<!disk )(?<!cpu )(?<!load )(?<!cpu is )(?<!cpu was )"
    r"(?<!cpu is only )(?<!cpu only )(?<!cpu at only )(?<!usage is )(?<!usage at )(?<!memory is )(?<!disk is )"
    r"(?<!cpu ~)(?<!cpu is ~)(?<!cpu at ~)(?<!cpu around )(?<!cpu about )(?<!df -h )(?<!df -i )(?<!df )(?<!used )"
    r"(?<!cpu is at )(?<!cpu was at )(?<!usage is at )"
    r"(?<![\d.])([1-9]|[1-4]\d)(\.\d+)? ?%(?! (hotter|more|higher|busier|fuller|bigger|larger|less|lower|cpu|load|"
    r"memory|ram|disk|full|used|free|utili[sz]ation|usage))"
)
# "web-4 (1 of 4)": one of the named many
_ONE_OF_MANY = r"\((1|one) (of|out of) ([2-9]|\d{2,})\)"
_P1_SOMETIMES = (
    _ONE_OF_MANY,
    r"\b(a few|some|occasional|the odd|sporadic|intermittent) (50[0234]s|5xx(s| errors)?|errors|timeouts)\b",
    r"\b(the odd|an odd|the occasional)\b",
    r"\b(intermittent\w*|sporadic\w*|flaky|sometimes|occasional\w*|now and then|from time to time|often|frequently|"
    r"randomly|at times|now and again|each time|every time it happens)\b",
    r"\b(at|during) (peak|busy|rush)( times| hours| load| traffic)?\b|\bunder (heavy |high )?load\b",
    # it comes and goes: "every few hours", "for a minute each time", "a few times a day"
    r"\bevery (few|couple of|\d+) (seconds|minutes|hours|days)\b",
    r"\bfor (a|one|a few|a couple of) (second|seconds|minute|minutes|moment|moments)\b",
    r"\b(a few|several|\d+|two|three) times (a|an|per) (minute|hour|day|week)\b",
    r"\b(some|a few|several)\s+(users|customers|requests|calls|pages|people|visitors|clients|accounts|tenants)\b",
    r"\bpartial\w*\b",
    r"\belevated\b",
    r"\b(\d{1,2}|a few|several|a couple of|two|three|four|five|six|seven|eight|nine|ten) (support )?"
    r"(tickets|complaints|reports|calls)\b",
    r"\b(some|a few|several|certain)\s+(?!challenges\b)(\w+\s+){0,3}(fail\w*|error\w*|time out|timing out|hang\w*|"
    r"are slow)\b",
    r"\b(about |roughly |around |nearly |maybe |almost |over )?(half|a third|a quarter|a fraction|part|a subset) of "
    r"(the |our |all )?(users|customers|requests|traffic|calls|visitors|tenants|accounts)\b",
    _SHARE_OF,
    r"(?<!more than )(?<!less than )(?<!at least )(?<!fewer than )\b(half|a third|a quarter) (of )?(the|our) \w+",
    _SMALL_PERCENT,
    r"\b(error|failure) (ratio|rate)\W+(\w+\W+){0,2}0?\.\d+",
    r"\b([1-9]\d*) (of|out of) ([2-9]|\d{2,}) (\w+ )?(servers|replicas|nodes|backends|instances|tasks|pods|workers)\b",
)
# a measured share of the traffic: some of it fails, not all
_RATIO = (
    r"(?<![\d/])~?1/[2-9] of\b",
    _ONE_OF_MANY,
    r"\b(1|one) (\w+ )?in (\d+|two|three|four|five|six|seven|eight|nine|ten|twenty)\b",
    r"\b(a third|a quarter|a fifth|a tenth|a fraction|a subset|one in (three|four|five|ten|twenty|fifty|a hundred|"
    r"hundred|a thousand|\d\d+)) (of )?"
    r"(the |our |all )?(\w+[ -]){0,2}?(\w+s|traffic)\b",
    _SMALL_PERCENT,
)
# what stays grave at any share: data lost, money taken without the order, or an intruder in
_GRAVE = re.compile(
    r"data|corrupt|lost|deleted|wiped|dropped|truncated|breach|hacked|compromised|ransomware|exfiltrat|"
    r"paid|charged|pending|unconfirmed"
)
# "only the exports page is affected": whatever reach the words also give, it is the reach of that part
_ONLY_AFFECTED = r"\bonly (the |our )?([\w'-]+ ){0,4}(is |are )?(affected|broken|down|impacted)\b"
_SCOPED = (
    r"\b(users|customers|visitors|clients|people|everyone|everybody) (in|from) (\w+ ){0,2}"
    r"(asia|europe|america|africa|australia|india|"
    r"japan|china|brazil|germany|france|the uk|the us|the eu|apac|emea|latam|(one|a|that|some) (region|country))\b",
    # "the admin tool shows 0 of 3": where it was seen, not what fails
    r"\b(admin|internal|back-?office|staff) (panel|page|dashboard|area|ui|tool|site|console|portal)\b"
    r"(?! (shows?|says?|lists?|reports?|displays?)\b)",
    r"\b(partner|vendor|supplier|developer|reseller|affiliate|billing) (portal|dashboard|site|area|api|console)\b",
    # "they can still buy": the core function works, so a part is affected
    r"\b(can|could) still (buy|pay|order|check ?out|log ?in|sign ?in|use the (site|app|shop))\b",
    r"\b(shows?|see|seeing|sees) (new )?(orders|payments|sales|signups) (being )?"
    r"(placed|coming in|going through|made)\b",
    r"\b(marketing|docs|documentation|blog|help|support) (site|website)\b",
    r"\b(?!(checkout|payment|billing|login|sign-?up|home|landing|main|cart|order)\b)\w+ page (is |went |goes )?"
    r"(down|broken|blank|empty|not loading)\b",
    r"\b(customers|users|people|clients) (of|from|with|at) (one|a single|a certain|a specific|some) \w+",
    # "in safari only": one kind of client, even when the words do not say the others work
    r"\b(in|on) (safari|firefox|chrome|edge|ios|android|iphones?|ipads?|mobile|windows|macs?)( \w+)? only\b|"
    r"\bonly (in|on) (safari|firefox|chrome|edge|ios|android|iphones?|ipads?|mobile|windows|macs?)\b|"
    r"\b(safari|firefox|chrome|edge|ios|android|iphones?|ipads?|mobile|windows|macs?)( [\d.]+)? (users?|clients?|apps?|"
    r"customers?|visitors?) only\b",
    r"\b(one|a single|a few|two|some|certain) (\w+ )?(endpoints?|routes?|urls?|paths?|api calls?)( only)?\b",
    r"\bonly (that|this|one|the one) (page|screen|endpoint|feature|form|view|tab)\b",
    _ONLY_AFFECTED,
    r"\b(eu|us|uk|european|asian|american|apac|emea|latam) (users|customers|visitors|traffic|clients)\b",
    r"\b(those|these) (users|customers|people|accounts)\b",
    r"\b(users|customers|requests|traffic|sessions) (pinned|routed|sent|landing|that land) (to|on) [\w-]*\d\b",
    r"\bon [\w.-]+\.(com|app|io|net|org|dev|co)( \w+)? only\b",
    r"\b(people|users|customers|those|anyone|everyone) (who (were|are) )?already (logged|signed) in "
    r"(can|are|still|keep)\b",
    # one path of the site, not the money or login path
    r"(?<![\w/.-])(on|for|at|under) /(?!(checkout|pay\w*|billing|login|log-?in|sign-?in|cart|basket|orders?)\b)[\w-]+",
    r"\b(?!(checkout|payment|billing|login|sign-?up|home|landing|main|cart|order)\b)\w+ page "
    r"(returns?|shows?|gives?|throws?) (a |an )?"
    r"(50\d|error)",
    r"\b(when|while) (saving|opening|clicking|uploading|exporting|editing|printing) "
    r"(?!(our|the|your) (site|shop|store|app|website|home ?page|product)\b)(the |a |an )?\w+",
    r"\b(when|while) submitting (the |a |an )?(?!(orders?|payments?|purchases?|bookings?)\b)\w+",
    # one call path between two named services, not all of them
    r"\b(when|where|as) (the )?[\w-]+ (calls|queries|talks to|connects to) (the )?[\w-]+\b",
    r"\bwith (paypal|apple pay|google pay|klarna|amex|american express|ideal|sepa|bank transfer|gift cards?)\b",
    # one way of logging in, not logging in
    r"\b(log ?in|sign ?in|logging in|signing in) (with|via|through|using) "
    r"(google|facebook|apple|github|microsoft|sso|saml|okta|azure ad|their phone|a magic link)\b",
    r"\b(continue|sign in|log ?in|signing in|logging in) with (google|facebook|apple|github|microsoft|sso|okta)\b",
    r"\b(email|password|username|normal|regular|other|sso|google|apple|facebook|github)( and (email|password|username|"
    r"sso|google|apple))? (log-?ins|sign-?ins|logins) (still )?work",
    # one node's tasks, not the service
    r"\bonly (the )?(tasks|containers|replicas|requests|calls|pods|instances|jobs) (on|from|via|through|scheduled on) "
    r"[\w.-]+",
)
# a kind of client: a scope only when the words say the others work
_CLIENT_SCOPED = (
    r"\b(safari|firefox|chrome|edge|ios|iphone|android|mobile|windows|mac) (users?|clients?|visitors?|customers?)\b",
    r"\bon (iphones?|ipads?|ios|android|safari|firefox|chrome|edge|windows|macs?|mobile)\b",
    r"\bin (safari|firefox|chrome|edge|the (ios|android|mobile) app)\b",
    r"\b(the )?(android|ios|iphone|ipad|mobile|desktop|windows|mac) (apps?|clients?|versions?)\b",
    r"\b(users|customers|visitors|clients|people|everyone|everybody) (with|who have|who use|who uses|using) "
    r"(\w+ ){0,2}\w+",
    r"\b(users|customers|visitors|clients|people|everyone) (in|from) (\w+ ){0,2}\w+",
    r"\b(eu|us|uk|european|asian|american|apac|emea|latam) (users|customers|visitors|traffic|clients)\b",
)
_P2 = (
    # a typo in a config, label or rule is a cause, not a cosmetic flaw
    r"\b(typo\w*(?! in (the |a |an |our |its )?([\w-]+ ){0,2}(config\w*|labels?|rules?|routers?|env\w*|variables?|"
    r"settings?|files?|stack|compose|yaml|hosts?|host ?names?|domains?|dns|names?|urls?|paths?|keys?))|"
    r"spelling|cosmetic|misaligned|tooltip|broken link)\b",
    # planned, not happening: a notice that something will be retired
    r"\b(will be|is going to be|are going to be|(is |are )?scheduled to be) (retired|decommissioned|rebooted|replaced|"
    r"shut down|migrated|deprecated|revoked)\b",
    r"\b(looks?|looking) (weird|odd|off|strange|funny|wonky|ugly)\b",
    r"\bin the wrong (place|position|spot|order)\b",
    r"\b(overlapping|out of place|off-?center|cut off)\b",
    r"\b(colou?rs?|fonts?|(?<!image )(?<!broken )(?<!little )(?<!picture )icons?|layout|alignment|padding|"
    r"css(?![- ]only))\b",
    r"\b(small|tiny|little|minor|quick) (thing|issue|problem|bug|glitch|nit)\b",
    r"\bwarnings? (about|for|on|saying) (a |an |the )?\W?deprecat\w*",
    r"\bui\s+(glitch|bug|issue)\w*",
    r"\bvisual\s+(glitch|bug)\w*",
    r"\b(log noise|noisy logs?|logging issues?|deprecation warnings?)\b",
    r"\b(non-critical|noncritical|minor(?! (upgrade|update|version|release|bump))|cosmetic|low priority)\b",
    r"\bwarnings? in (the )?logs\b",
    r"(?<!other )\b(cluster|elasticsearch|opensearch|index|indices|health|es) (is |are |turned |went |goes )?yellow\b",
    r"\b(staging|dev|development|test|qa|sandbox|preview|demo)( environment| env| cluster| site| server| stack)?\s+"
    r"(is\s+|are\s+|went\s+)?(down|broken|offline|unreachable)\b",
    # observability down is blind, not broken
    r"\b(grafana|kibana|prometheus|monitoring|metrics|alerting)\b(\W+\w+){0,3}\W+(no data|not updating|blank|empty)\b",
    # marketing sends are not the product
    r"\b(newsletters?|marketing e-?mails?|digests?|promo\w* e-?mails?)\W+(\w+\W+){0,2}(didn't|did not|wasn't|was not|"
    r"never|failed to) (go out|send|get sent|be sent|went out)\b",
    r"\b(grafana|kibana|prometheus|sentry|monitoring|dashboards?|the wiki|confluence|jira)\b (is |are |went )?"
    r"(down|offline|broken|unreachable)\b",
    r"\b(the|an|one|our) admin (can't|cannot|can not|is unable to|couldn't)\b",
    r"\b(for|affects|affecting) (the )?(ops|dev|devops|engineering|internal|support|admin|qa|data) team\b",
    # one customer's problem
    r"\b(a|one|a single|only one) (customer|user|client)\b(?!'s)"
    r"(?! (data|records?|table|accounts?|ids?|in|e-?mails?|tickets?|messages?|calls?|complaints?|reports?|files?|"
    r"folders?)\b)"
    r"(?!( \w+)? in (\d+|two|three|four|five|six|seven|eight|nine|ten|twenty|a hundred)\b)",
)
# what a subject said to be fine does not follow ("existing users are fine": the others are not, so a part is
# affected, not nobody)
_FINE_SUBJECT_NOT_AFTER = (
    r"(?<!rest of )(?<!rest of the )(?<!rest of our )"
    r"(?<!existing )(?<!other )(?<!old )(?<!returning )(?<!current )(?<!main )(?<!normal )(?<!regular )(?<!small )"
    r"(?<!logged-in )(?<!logged in )(?<!signed-in )(?<!-)(?<!most )(?<!many )(?<!some )(?<!a few )"
    r"(?<!marketing )(?<!docs )(?<!blog )(?<!status )(?<!help )(?<!landing )"
)
# up to four words between the subject and what it is; "services on the other nodes are fine" is the rest
_FINE_GAP = r"[^\w,;.]+((?!(but|while|whereas|though|although|except|other|else)\b)\w+[^\w,;.]+){0,4}"
_FINE = (
    r"(is |are )?(unaffected|not affected|(aren.?t|isn.?t|weren.?t|wasn.?t) affected|"
    r"keeps? (working|serving|running|answering)|still works?|works? fine|"
    r"works? normally|serves? normally|runs? normally|working normally|running normally|serving normally|ok|okay|fine|"
    r"still (serve|serving|run|running|work|working|up|answer|answering|respond|responding)\b|"
    r"(?<=itself )works?(?=\s*([.,;]|$)))\b"
)
# the product named fine: users do not feel it, unless something else fails ("... ok for now but the cron fails");
# "US customers are fine" names some customers, "our customers are fine" all of them
_WHOLE_FINE = (
    # "their site opens fine" is a partner's, not ours
    _FINE_SUBJECT_NOT_AFTER + r"(?<!their )(?<!'s )\b(production|prod|the app|the site|the website|"
    r"(?:(?<=^)|(?<=[.,;:!?(\n] )|(?<=\bthe )|(?<=\bour )|(?<=\ball )|(?<=\byour )|(?<=\bmy )|(?<=\band ))"
    r"(?:users|customers)|"
    r"apps?|sites?|websites?|services|containers|application|workloads|platform|system|shops?|stores?)"
    + _FINE_GAP
    + _FINE
)
_SOMETHING_ELSE_FAILS = (
    r"[^.;]{0,40}(\bbut\b|,\s*(the )?[\w-]+ (is |are )?(failing|down|broken|erroring|dead|crashing|crash-looping)\b)"
)
# a part of the product is fine ("checkout is unaffected"), or the rest while something else fails ("containers
# still serve traffic, but deploys fail"): what the words name fails for a part, not for nobody
_PART_FINE = (
    _FINE_SUBJECT_NOT_AFTER
    + r"\b(portal|storefront|frontend|checkout|login|sign-?in|browsing|search|(product )?pages|reads|reading)"
    + _FINE_GAP
    + _FINE,
    _WHOLE_FINE + f"(?={_SOMETHING_ELSE_FAILS})",
)
# the words say users do not feel it: at most P2, unless they also say production is down
_NO_IMPACT = (
    _WHOLE_FINE + f"(?!{_SOMETHING_ELSE_FAILS})",
    r"(?<!rest of )(?<!else on )(?<!else in )\b(the app|the site|the website|the shop|production|prod) works\b"
    r"(?=\s*([.,;]|$))",
    r"\b(no|zero) (user|customer|production)[- ]?(facing )?impact\b",
    r"\bno (users?|customers?) (are |were |is |was )?(affected|impacted)\b",
    r"\b(working|works) fine for (customers|users|everyone)\b",
    *_RESTORED,
    r"\b(customers|users|visitors|people) (see|notice|feel|get) nothing\b",
    r"\b(customers|users) are (still )?on the (old|previous) (version|release)\b",
    r"\b(no|zero) visible (user|customer)[- ]?impact\b",
    r"\bno impact\b(?=\s*([.,;]|$|so far|yet))",
    r"\b(no|zero) ((user|customer)[- ]?(facing |visible )?errors?|errors? (for|to) (users|customers))\b",
    r"\b(isn.?t|aren.?t|is not|are not|not) (\w+ )?(yet )?(released|launched|live|public)( (to|for) (customers|users))?"
    r"( yet)?\b",
    r"\b(we )?(plan|planned|are planning|want) to (launch|release|go live)\b",
    # "nobody reported anything missing" rules out a loss, not an impact
    r"\b(nobody|no one|no customers?|no users?) (has |have )?(complained|noticed|reported (it|anything))\b"
    r"(?! (missing|stolen|lost|wrong|gone|taken))",
    r"\bno complaints\b",
    r"\b(customers|users|people|visitors) (don't|do not|didn't|did not|haven't|have not) (notice|see|feel)\w* "
    r"(anything|it|a thing)\b",
    r"\bnothing else (is )?(affected|impacted|broken)\b",
    r"\b(all|every) (the )?(routes?|endpoints?|pages?|requests?|services?) (still )?(answer|work|respond|load|succeed|"
    r"return 200)\w*",
    r"\berror rates?\W+(\w+\W+){0,4}(are |is |stays? |stayed |look )?(flat|normal|unchanged|zero|steady|0(\.0+)? ?%|"
    r"at baseline)",
    r"\b(latency|response times?|p\d\d) (and (error rates?|\w+) )?(is |are |stays? |looks? )?(normal|flat|unchanged|"
    r"steady|at baseline)\b",
    r"\b(fine|ok|okay|unaffected|working) for (readers|users|customers|visitors|everyone|end users)\b",
    r"\bno (user|customer) (reports|complaints|tickets|impact)\b",
    r"\bnothing (is )?(user|customer)[- ]facing\b",
    r"\beverything (still )?works\b(?!\W+(\w+\W+){0,2}(except|but))",
    r"(?<!\w)nothing (seems|is|looks) (to be )?(actually |really )?(broken|wrong|down|affected|impacted)\b",
    r"\b(the )?(actual|real|underlying) (orders|data|numbers|payments|records|sales|figures) (look|are|seem|is) "
    r"(right|fine|correct|ok|okay)\b",
)
_PARTIAL = (
    r"\b(some|a few|several|certain)\s+(users|customers|requests|regions?|pages|tenants|people|visitors|accounts)\b",
    r"\bpartial\w*\b",
    r"\b\d+\s?% of (users|requests|traffic|calls)\b",
    r"\b(one|a single) (region|zone|node|tenant)\b",
    r"\bintermittent\w*",
    r"\b(some|a few|several|certain)\s+(?!challenges\b)(\w+\s+){0,3}(fail\w*|error\w*|time out|timing out|hang\w*|"
    r"are slow)\b",
    r"\b(about |roughly |around |nearly |maybe |almost |over )?(half|a third|a quarter|a fraction|part|a subset) of "
    r"(the |our |all )?(users|customers|requests|traffic|calls|visitors|tenants|accounts)\b",
    _SHARE_OF,
)
# how far a problem reaches ("on every request", "all users"): an outage only when the problem is one
_SPREAD = re.compile(
    r"(every|all|most) ([\w-]+ )?(api |http )?(requests?|calls?|endpoints?|routes?|paths?|urls?|host ?names?|domains?|"
    r"customers?|clients?|users?|sites?|websites?|"
    r"visitors?|"
    r"pages?|services?|traffic|domains)|everyone|everybody|anyone|anybody|nobody can|no one can|no-one can|"
    r"none of (our |the )?(customers|users|people|visitors|clients)"
)
_SPREAD_FAILING = re.compile(
    r"(fail\w*|error\w*)\W+(\w+\W+){0,3}for (all|every) (\w+ )?(customers?|users?|clients?|visitors?)"
)
# the functions a shop cannot do without: failing for everyone, they are an outage whatever else works ("orders
# still go through" names one that works)
_CORE = re.compile(
    r"(?<!track my )(?<!track your )(?<!track an )"
    r"\b(orders?(?! (history|details|status|tracking|numbers?|page|confirmations?|e-?mails?|lists?|search|exports?))|"
    r"ordering|checkout|check out|payments?|pay|paying|(to|the) (cart|basket))\b"
)
# orders or payments said to go through say the whole money path works, checkout included; a checkout page that
# loads says nothing of the payments behind it
_MONEY_PATH = re.compile(r"order|pay")


def _core_function(word: str) -> str:
    return "money" if _MONEY_PATH.match(word) else word.replace(" ", "")


def _core_works(function: str, working: set[str]) -> bool:
    return function in working or (function == "checkout" and "money" in working)


# everyone as the one who meets the failure ("every visitor gets a warning"), not the reach of one function's
# failure ("saves fail for everyone")
_EVERY_PERSON = re.compile(
    r"(?<!for )(?<!to )\b((every|all|each) (\w+ )?(visitors?|customers?|users?|people)\b"
    r"(?! (of|in|on|from|with|who|using))|everyone|everybody)(\W+\w+){0,1}\W+(gets?|sees?|hits?|lands?|is|are)\b"
)
# a job that runs on a schedule, not one a user waits on
_SCHEDULED = re.compile(r"\b(nightly|overnight|cron\w*|scheduled|daily|hourly|weekly|monthly|batch)\b")
# "can someone rerun it", "can be regenerated": what a rerun makes good, billing included
_RERUN = re.compile(r"\b(re-?run\w*|run it again|regenerat\w*|re-?generat\w*|re-?trigger\w*|kick it off again)\b")
# "the nightly export of the invoices to the accounting system": a copy sent somewhere, not the billing
_COPY_JOB = re.compile(r"\b(exports?|reports?|sync|dumps?|backups?)\b[^.;]{0,60}\bto (the |our |an? |their )?\w")
# what bills or pays: a scheduled job of it failing is not minor
_BILLING = re.compile(r"\b(billing|invoic\w*|payroll|payouts?|payments?)\b")
_SCHEDULED_JOB = re.compile(
    _SCHEDULED.pattern + r"(\W+(?!and\b)\w+){0,2}?\W+"
    r"(jobs?|batch|exports?|imports?|reports?|backups?|runs?|tasks?|files?|builds?|sync|etl|cron)\b"
)
_OUTBOUND = re.compile(
    r"\b(every|all|each) (external|outside|outbound|third[- ]party|public) (host ?names?|hosts|domains|apis?|services|"
    r"calls|requests|lookups)\b|"
    r"\b(every|each|all) (\w+ )?(calls?|requests?) ([\w-]+ ){0,4}(to|against) "
    r"(?!((the|our|a|an|their) )?(auth\w*|login|sign-?in|payments?|checkout|database|db|primary|backend)\b)\w"
)
# a function the product can do without for a while: failing for everyone, it is still one part of the product
_SIDE_FUNCTION = re.compile(
    r"\b(buttons?|exports?|downloads?|uploads?|pdfs?|csv|locator|store[- ]finder|widgets?|chat|tab|wish ?lists?|"
    r"drafts?|reminders?|maps?|autocomplete|avatars?|profile pictures?|thumbnails?|previews?|attachments?|"
    r"help cent(er|re)|comments?|reviews?|recommendations?|recs|webhooks?|ingest\w*|"
    r"profile (saves?|edits?|updates?|pages?|settings)|settings pages?)\b"
)
# a function the product can do without, named where a core one happens ("autocomplete at checkout", "address
# lookup on signup and checkout"): the core function itself works
_SIDE_AT_CORE = re.compile(
    _SIDE_FUNCTION.pattern
    + r"\W+(\w+\W+)?(on|at|in|during|for|of)\W+(the\W+|our\W+)?([\w-]+\W*(and|or|&|\+|/)\W*)?"
    + r"(check ?out|orders?|ordering|payments?|sign-?up|signing up|log-?in|sign-?in|cart|basket)\b"
)
# how far around a "for everyone" the words still say what it is that fails for everyone
_AROUND = 100
_SIGN_IN = re.compile(
    r"(?<!\w)(log ?in|login|sign[- ]?in)s?\b(?! (with|via|through|using)\b)(?!\s*(works|is fine|still))"
)
# an outage cue that names the whole product, or what everything hangs on, reaches past the part said fine
_WHOLE_REACH = re.compile(
    r"\b(site|website|app|api|production|prod|platform|everything|nothing|whole|entire|shop|store|storefront|cluster|"
    r"database|db|postgres\w*|mysql|primary|nobody|no one|completely|totally|entirely)\b"
)
# "no card payments go through": what the words say works, said not to
_SAID_NOT = re.compile(r"\b(no|not|never|zero|none of the)( \w+)? $")
_FOR_ALL = re.compile(r"\b(all|every|everyone|everybody|nobody|no one|no-one|100 ?%)")
# a named component: "search-api", "the reporting service"
_NAMED_COMPONENT = re.compile(
    r"\b[a-z0-9]+[-_](api|svc|service|worker|workers|gateway)\b|"
    r"\b(?!(our|the|public|main|whole|entire|every|all|your|my|their)\b)\w+ (service|api|worker)\b"
)
_REQUEST_SPREAD = re.compile(r"\b(requests?|calls?|endpoints?|routes?|paths?|urls?|pages?)\b")
# "every page", "nobody can": a reach past one group of people
_SPREAD_PAST_PEOPLE = re.compile(
    r"\b(nobody|no one|no-one|everyone|everybody|pages?|requests?|calls?|endpoints?|routes?|urls?|sites?|websites?|"
    r"traffic|domains?|services?)\b"
)
# "the whole site shows an error", "nothing works": whoever else the words name, it is everyone's
_WHOLE_CUE = re.compile(r"\b(whole|entire|everything|nothing works)\b(?! (for|in|on|from|at)\b)")
# "nothing can be saved anywhere": the outage reaches every part, whatever part the words also name
_ANYWHERE = re.compile(r"\b(anywhere|everywhere|across the (board|site|app))\b")
_SCOPE_WORD = re.compile(r"\b(mobile|ios|iphone|android|safari|firefox|chrome|windows|mac|admin|internal|staff)\b")
# one group of people or of orders said fine ("US orders ok", "logged-in customers fine", "people using email and
# password get in fine"): whatever fails, fails for the others only
_GROUP_FINE = (
    r"\b(?!(our|the|all|your|my|every|its|their|no|any)\b)[\w-]+ (orders|customers|users|payments|checkouts|visitors|"
    r"shoppers|members|accounts|clients|logins) (are |is )?(still )?(fine|ok|okay|unaffected|normal|working|"
    r"work( fine| normally)?|go(ing)? through|get in( fine)?|log in( fine)?)\b"
    r"|\b(people|users|customers|those|everyone) (with|using|on|who use) (an? |the )?(\w+ ){0,3}"
    r"((is|are) (fine|ok|okay|unaffected)|(can )?(still )?(get|log|sign) in( fine| normally| ok)?)\b"
)
_REST_FINE = re.compile(
    r"\b(web|desktop|other|others|the rest|everything else|everyone else|everybody else|\w+ sessions|"
    r"\w+ (and|\+|&) \w+|android|ios|iphones?|ipads?|mobile|safari|firefox|chrome|edge|windows|mac|linux|"
    r"the website|the app|the storefront|the frontend|the shop|the store)\b( \w+)? "
    r"((is|are|stays?|remains?)( still)? (fine|ok|okay|unaffected|normal|working)\b|(still )?works?\b|keeps? working|"
    r"working (normally|fine))"
    r"|\b(browse|browsing|checkout|search|login|cart|payments|orders|ordering|paying|pages|web|admin) (and|\+|&) "
    r"(browse|browsing|checkout|search|login|cart|payments|orders|ordering|paying|pages|web|admin) (fine|ok|okay|"
    r"unaffected)\b"
    r"|\b(the )?(website|site|shop|store|app) and (the )?(checkout|orders|payments|login|browsing|search|cart|"
    r"website|site|shop|store|app) (all )?(look|looks|seem|seems) (fine|ok|okay|normal)\b"
    r"|\b(checkout|orders|payments|login|browsing|search|cart)"
    r"( and (the )?(checkout|orders|payments|login|browsing|search|cart))?"
    r"\b[^.;]{0,40}\b(look|looks|seem|seems) (fine|ok|okay|normal)\b"
    # "the cart lives in Postgres and is fine", "reads work"
    r"|\band (is|are) (still )?(fine|ok|okay|unaffected|working)\b"
    r"|\b(reads?|reading|browsing|viewing) (still )?works?\b"
    # "viewing works, and so do payments"; "most users get through"
    r"|\bworks?,? and so (do|does) (the )?(\w+ ){0,2}\w+"
    r"|\bmost (users|customers|requests|calls|people|logins) (still )?(get through|are fine|work|succeed)\b"
    # "the storefront has its own pool, unaffected", "the main API uses another role and is fine"
    r"|\b(storefront|frontend|main (app|api|site|shop|store|website))\b[^.;]{0,60}(,|\band\b) (is |are )?(still )?"
    r"(unaffected|fine|ok|okay|works?|working( normally)?)\b"
    r"|\b(web|desktop|android|ios|mobile|iphones?)( (and|\+|&|or) (web|desktop|android|ios|mobile|iphones?))? "
    r"(fine|ok|okay|unaffected)\b"
    r"|\b(others|the others|the rest|everything else|everyone else|everybody else|all else) (still )?"
    r"(fine|ok|okay|unaffected|healthy|normal|good)\b"
    r"|" + _GROUP_FINE + r"|\bstill (lets|allows|let) (\w+ ){0,3}"
    r"(check ?out|orders?|payments?|people|customers|users|them)( \w+){0,2} "
    r"(complete|go through|finish|work|pay|order|buy)\b"
    r"|\b(everything else|all else)( (in|on) (the |our |that |this )?[\w-]+)?,[^.;]{0,60}, (still )?"
    r"(works?|is (fine|ok|okay|working|normal))\b"
    r"|\b\w+ (login|log-?in|sign-?in|checkout|payments?|uploads?) (still )?works\b"
    r"|\b(everything else|all else) (in|on) (the |our )?[\w-]+( [\w-]+)? (still )?"
    r"(works?|is (fine|ok|okay|working|normal))"
    r"|\b(the rest|everything else|rest) of (the |our )?\w+( \w+)?( \([^)]{0,80}\))? "
    r"((is|are|stays?|remains?|seems?|looks?) )?(still )?"
    r"(fine|ok|okay|unaffected|working|normal|works?|loads?|serving)\b"
    r"|\b(other|all other) (pages|features|screens|endpoints|routes|services) ((are|seem|look) )?(still )?"
    r"(fine|ok|okay|work)\b"
    r"|\bother (\d+ )?(\w+ )?(nodes|servers|hosts|replicas|instances|workers|regions|zones|categories|indices|tenants|"
    r"products|sites) ((are|is|look|seem) )?"
    r"(fine|ok|okay|healthy|unaffected)\b"
    # "manual entry works.", "viewing reports works": one thing said to work where a clause ends
    r"|\b(manual \w+|viewing \w+|browsing|searching|search|checkout|paying|ordering|[\w/-]+ (login|log-?in|sign-?in)|"
    r"reports?) (still )?works( fine| normally)?(?=\s*([.,;]|$| as (usual|normal|before)))"
    r"|\b(\w+ )?(pages?|page views|views|orders?|payments?|checkout|browsing|reads?|sales) (still|themselves|itself) "
    r"(render|load|work|go through|come in|succeed|works)\b"
    r"|\b(the (web)?site|the app|the shop|the store|(the )?storefront|(the )?frontend|checkout) (\w+ ){1,5}and "
    r"((still )?works|(is|are) (still )?(fine|ok|okay|unaffected))\b"
    r"|\b(old|existing|previous|other) [\w-]+( [\w-]+)? (still )?(open|load|work|show|download)s?\b"
    r"|\b(small|smaller|other|normal|regular) (\w+ )?(carts?|orders?|requests?|files?|uploads?|payloads?|responses?|"
    r"calls?) (still )?(go through|goes through|work|succeed|load|are fine|fine|ok|pass)\b"
    r"|\ball (look|looks|seem|seems) (normal|fine|ok|okay)\b"
    r"|\b\w+ payments? (still )?work\b|\bstill (taking|accepting|getting) (new )?orders\b"
    r"|(?<!no )(?<!not )(?<!zero )(?<!never )\b(orders?|payments?|checkouts?|sales) "
    r"((keep|keeps|are still|is still|still|continue to|are|is) )?"
    r"(coming in|come in|going through|go through|flowing|taken|placed|processed|accepted)( fine| normally| ok)?\b"
    r"|\bother (\w+ )?(services|svcs|apps|containers|roles)\W+(\w+\W+){0,5}?(are |is )?"
    r"(fine|ok|okay|normally|unaffected|work)\b"
    r"|\bmain (app|site|website|product|shop|store)( (and|\+|&) \w+)?( (at|on) [\w.-]+)? ((is|are) )?"
    r"(fine|ok|okay|up|unaffected|working|works( normally| fine)?|opens? (normally|fine)|loads? (normally|fine))\b"
    # "the main shop domain has its own valid cert": that part of the product is fine
    r"|\b(main|customer-facing|public|other) (\w+ ){0,2}(sites?|domains?|shops?|stores?|apps?|websites?) (has|have) "
    r"(its own |their own |a |their )?valid (certs?|certificates?)\b"
    r"|\b(everyone|everybody|anyone|anybody) else (can|does|is fine|works|seems fine|looks fine|logs? in)\b"
    r"|\b(on|in|from) (the )?(website|web|desktop|ios|android|iphones?|app|browser)\W+(\w+\W+){0,4}"
    r"(log|sign)s? in fine\b|\bno complaints from (\w+ ){0,2}(users|customers)\b"
    r"|\b(people|customers|users|visitors|shoppers|guests|they)( can| are able to)? still (\w+ ){0,6}"
    r"(buy|order|pay|check ?out|finish (the |their )?(checkout|order)|place orders|browse|shop|read|view)\b"
    r"|\bnothing else (uses|needs|depends on) (it|that|this)\b"
    r"|\b(checkout|checking out|login|ordering|payments?|paying) (without|with) (a |an |the )?\w+( \w+)? (still )?"
    r"works\b"
    r"|\b(us|eu|uk|apac|emea|asia|europe|america)( (and|\+|&) (us|eu|uk|apac|emea|asia|europe|america))? (are |is )?"
    r"(fine|ok|okay|normal|unaffected)\b"
    r"|\b(fine|works|working|ok|okay|loads) (in|on|from|with) (chrome|firefox|safari|edge|android|ios|iphones?|desktop|"
    r"mobile|the website|the app|web|other browsers)\b"
)
# degradation, not failure: "slow for everyone" is P1
_DEGRADED = re.compile(
    r"slow\w*|latency|degraded|degradation|lagging|laggy|delayed|backlog|crawl(s|ing|ed)?\b|fall(s|ing)? back to|"
    r"(stuck|waiting|pending|sitting)\W+(\w+\W+){0,3}for hours|"
    r"p\d\d (is |at |of )?~?\d+(\.\d+)? ?(s|ms|sec|seconds)|"
    r"tak\w+ (at least |over |more than |about |around |up to )?(forever|ages|\d+(( to |-)\d+)? ?(s|secs?|seconds|"
    r"minutes?|mins?))|"
    r"(went|jumped|climbed|rose|increased|grew) from \d+(\.\d+)? ?(ms|s|seconds?) to \d+(\.\d+)? ?(ms|s|seconds?)|"
    r"\d+(\.\d+)? ?(ms|s) ?(->|=>|\u2192) ?\d+(\.\d+)? ?(ms|s)"
)
_NEGATED = re.compile(
    r"\b(not|no|never|without|isn't|aren't|wasn't|weren't|(?<!does )(?<!did )(?<!do )(?<!returns )(?<!shows )nothing|"
    r"zero)\s+(\w+\s+)?$"
)


def _compile(patterns: tuple[str, ...]) -> tuple[Term, ...]:
    """Each cue is compiled the first time a text holds one of its needles (a test compiles them all)."""
    return tuple(regex_term(p, 1.0, lazy=True) for p in patterns)


# the words say it is minor whatever else they say, unless production is down
_MINOR = (
    r"\b(not a big deal|no big deal|not urgent|nothing urgent|low priority|not critical|no rush|it can wait)\b",
    r"\bnot sure (this|it|that) is (a|an|really a) (problem|issue|incident)\b",
    # at risk, not failing: "disk at 88 %, nothing failing yet"
    r"\b(nothing|none of (it|them)|no (\w+ )?(services?|users?|customers?|requests?)) (is |are |has |have )?"
    r"(failing|failed|broken|down|affected|impacted|noticed) yet\b|\bnot (failing|broken|down|full) yet\b",
    r"\bone more (\w+ ){0,2}(failure|loss|lost|going down|goes down|down|outage|crash)\b|\b(lose|losing) one more\b",
    r"\b(the|our|a) (staging|dev|development|test|qa|sandbox|preview|demo) (environment|env|cluster|site|server|stack|"
    r"box|db|database|instance|machine|vm)\b",
    r"\b(recovered|came back|resolved itself|fixed itself) (by itself|on its own|without us)\b|\bresolved itself\b|"
    r"\bback to normal (by itself|on its own)\b",
)
# the failure itself comes and goes (not how often something restarts)
_COMES_AND_GOES = (
    r"\b(intermittent\w*|sporadic\w*|flaky|sometimes|occasional\w*|now and then|from time to time|randomly|at times|"
    r"now and again)\b",
    r"\b(down|offline|unreachable|fails?|failing|errors?)\W+(\w+\W+){0,2}for (a|one|a few|a couple of) "
    r"(second|seconds|minute|minutes|moment|moments)\b",
)
_CUES = {
    "p0": _compile(_P0_OUTAGE),
    "p0_errors": _compile(_P0_ERRORS),
    "p1": _compile(_P1),
    "p1_sometimes": _compile(_P1_SOMETIMES),
    "comes_and_goes": _compile(_COMES_AND_GOES),
    "minor": _compile(_MINOR),
    "p2": _compile(_P2),
    "partial": _compile(_PARTIAL),
    "ratio": _compile(_RATIO),
    "no_impact": _compile(_NO_IMPACT),
    "part_fine": _compile(_PART_FINE),
    "felt": _compile(_FELT),
    "restored": _compile(_RESTORED + _RESCHEDULED),
    "felt_by_someone": _compile(_FELT_BY_SOMEONE),
    "scoped": _compile(_SCOPED),
    "client_scoped": _compile(_CLIENT_SCOPED),
    "data_bearing": _compile(_DATA_BEARING),
    "job_failed": _compile(_JOB_FAILED),
}


@dataclass(frozen=True)
class Described:
    """The severity the incident's own words give, and whether they say only part of it is affected."""

    severity: Severity | None
    partial: bool
    cues: tuple[str, ...]
    from_cause: bool = False  # no impact words: the severity is the default of the likeliest cause
    unfelt: bool = False  # the words say users do not feel it: one level below the likeliest cause's default
    scoped: bool = False  # the words confine it to one region, page or kind of client: partial at worst
    spread_only: bool = False  # P0 only for how far it reaches ("for every customer"), not for how bad it is
    side_functions: bool = False  # the functions the words name all leave the product usable (uploads, images)
    felt: bool = False  # users do not feel it, but the team does ("the fix cannot ship"): degraded at least
    restored: bool = False  # the swarm already put every service back at its desired count


# "the maps company's status page says 'major outage'": what a provider says of itself, not our impact
_STATUS_PAGE_SAYS = re.compile(
    r"(?<!our )(?<!our own )status page\W+(\w+\W+){0,2}(says?|said|saying|reads?|reading|shows?|showed|lists?|listed|"
    r"reports?|reported|posted|is|has)\W+(\w+\W+){0,2}$"
)


# "a 'major outage' banner on their status page": what a provider's own page shows
_ON_STATUS_PAGE = re.compile(r"\W*(\w+\W+){0,3}(on|in) (their|its|the provider.s|the vendor.s|[\w-]+.s) status page\b")


_SAYS_FINE = frozenset(["no_impact", "restored", "part_fine"])


def _cue_hits(kind: str, parts: tuple[TextPart, ...]) -> list[str]:
    """The first asserted mention of each cue: one ruled out or only hypothetical says nothing of the impact."""
    hits = []
    words = "\n".join(part.text for part in parts)
    for term in _CUES[kind]:
        if not term.may_match(words):
            continue
        found = next(
            (
                m.group(0)
                for part in parts
                if term.may_match(part.text)
                for m in term.matcher(part.text).finditer(part.text)
                if not _NEGATED.search(part.text[max(0, m.start() - 24) : m.start()])
                and not _STATUS_PAGE_SAYS.search(part.text[max(0, m.start() - 40) : m.start()])
                # what says all is well is not cleared by the next thing said well ("full replicas, dashboards green")
                and part.scopes.polarity(part.text, m.start(), m.end(), term.negative or kind in _SAYS_FINE)
                is Polarity.ASSERTED
            ),
            None,
        )
        if found is not None:
            hits.append(found)
    return hits


def _database_writes_failing(parts: tuple[TextPart, ...]) -> list[str]:
    """Writes reported failing in words that also name a database."""
    for part in parts:
        found = _WRITES_FAIL.search(part.text)
        if found is None or not _DATABASE.search(part.text):
            continue
        # "redis at maxmemory; writes failing": the cache refuses them, not the database
        start = max(part.text.rfind(". ", 0, found.start()), part.text.rfind("\n", 0, found.start())) + 1
        if not _CACHE_STORE.search(part.text, start, found.end()):
            return [found.group(0)]
    return []


def _where_said(parts: tuple[TextPart, ...], cues: Iterable[str]) -> Iterator[tuple[TextPart, re.Match[str]]]:
    """Each place of the parts where one of the cues stands."""
    for cue in cues:
        for part in parts:
            for found in re.finditer(re.escape(cue), part.text):
                yield part, found


def _names_side_function(parts: tuple[TextPart, ...], cue: str) -> bool:
    """Whether an outage cue's subject is a function the product can do without ("chat is down"), or one named at a
    core function ("autocomplete on checkout stopped working")."""
    if _SIDE_FUNCTION.match(cue) and not _CORE.search(cue) and not _WHOLE_REACH.search(cue):
        return True
    for part, found in _where_said(parts, [cue]):
        start = max(0, found.start() - 60)
        window = part.text[start : found.end()]
        if any(m.end() > found.start() - start for m in _SIDE_AT_CORE.finditer(window)):
            return True
    return False


def _of_one_component(parts: tuple[TextPart, ...], cue: str) -> bool:
    """Whether the sentence names one component just before how far it reaches ("search-api boots but every request
    errors"): every request of that component, not of the product."""
    for part, found in _where_said(parts, [cue]):
        before = part.text[max(0, found.start() - 60) : found.start()]
        before = before[max(before.rfind(". "), before.rfind("; ")) + 1 :]
        if _NAMED_COMPONENT.search(before):
            return True
    return False


def without_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """The text less the (ordered) spans, each replaced by a space."""
    kept: list[str] = []
    start = 0
    for begin, end in spans:
        kept.append(text[start:begin])
        start = max(start, end)
    kept.append(text[start:])
    return " ".join(kept)


def described_severity(parts: tuple[TextPart, ...]) -> Described:
    """P0 for outage, data or security words; 500s alone are P0 unless 'intermittent'; then P1, then P2."""
    p0 = _cue_hits("p0", parts)
    p0 += _database_writes_failing(parts)
    # "live chat is down", "autocomplete at checkout broken": a function the product can do without
    side = [cue for cue in p0 if _names_side_function(parts, cue)]
    p0 = [cue for cue in p0 if cue not in side]
    errors = _cue_hits("p0_errors", parts)
    sometimes = _cue_hits("p1_sometimes", parts)
    p1 = _cue_hits("p1", parts) + sometimes + side
    p2 = _cue_hits("p2", parts)
    partial = bool(_cue_hits("partial", parts))
    unfelt = _cue_hits("no_impact", parts)
    part_fine = _cue_hits("part_fine", parts)
    spread = [cue for cue in p0 if _SPREAD.fullmatch(cue) or _SPREAD_FAILING.fullmatch(cue)]
    spread_only = bool(p0) and not errors and len(spread) == len(p0)
    if p2 and spread_only:
        return Described(Severity.P2, partial, tuple(p2))
    degraded = [cue for cue in p1 if _DEGRADED.fullmatch(cue)]
    if degraded and spread_only:
        return Described(Severity.P1, partial, tuple(degraded + p0))
    # "for all users" says the scope is everyone after all; so does "every mobile user", unless the rest is fine
    fine_spans = [
        (part.text, [m.span() for m in _REST_FINE.finditer(part.text) if not _SAID_NOT.search(part.text, 0, m.start())])
        for part in parts
    ]
    rest_fine = any(spans for _, spans in fine_spans) or bool(part_fine)
    anywhere = any(_ANYWHERE.search(part.text) for part in parts)
    # a core function the words say still works ("they can still finish checkout") is not failing
    said_fine = [text[a:b] for text, spans in fine_spans for a, b in spans] + part_fine
    working = {_core_function(found.group(0)) for fine in said_fine for found in _CORE.finditer(fine)}
    core_failing = any(
        not _core_works(_core_function(found.group(0)), working)
        for text, spans in fine_spans
        for found in _CORE.finditer(without_spans(text, spans))
    )
    # "new guests can't add to cart; logged-in customers are fine": a core function failing for one group
    core_failing = core_failing and not any(re.search(_GROUP_FINE, part.text) for part in parts)
    # "login fails for all users; existing sessions still work": nobody new gets in, an outage whatever else works
    for_all = _FOR_ALL.search(" ".join(p0 + errors)) is not None
    core_failing = core_failing or (for_all and any(_SIGN_IN.search(cue) for cue in p0 + errors))
    whole_product = any(_EVERY_PERSON.search(part.text) for part in parts)
    # "every call to the rates provider fails": the reach of one dependency, not of the product
    outbound = any(_OUTBOUND.search(part.text) for part in parts)
    # what the words say around each "for everyone" (a quote's own full stop does not end it)
    around_spread = [
        part.text[max(0, found.start() - _AROUND) : found.end() + _AROUND // 2]
        for part, found in _where_said(parts, p0 if spread_only else [])
    ]
    side_reach = any(_SIDE_FUNCTION.search(sentence) for sentence in around_spread)
    # "every customer who tries to sign in gets an error": signing in is core, whatever else works
    core_failing = core_failing or any(_SIGN_IN.search(sentence) for sentence in around_spread)
    if (
        spread_only
        and (rest_fine or unfelt or outbound or side_reach)
        and not anywhere
        and not core_failing
        and not whole_product
    ):
        # "saves fail for everyone; product pages still render": every user, but only part of the product
        return Described(Severity.P1, True, tuple(p0), spread_only=True)
    # "the mobile apps fail every request; web users are unaffected": every request of that one kind of client
    client = _cue_hits("client_scoped", parts) if rest_fine else []
    said_scoped = _cue_hits("scoped", parts)
    only_part = any(re.search(_ONLY_AFFECTED, part.text) for part in parts) or any(
        re.search(r"\bonly\b", cue) for cue in said_scoped
    )
    everyone = (
        not client
        and not only_part
        and (
            any(_SPREAD.search(cue) and not (_SCOPE_WORD.search(cue) and rest_fine) for cue in p0)
            or (bool(p0) and anywhere)
            or any(
                _WHOLE_CUE.search(part.text, found.start(), found.end() + 12) for part, found in _where_said(parts, p0)
            )
        )
    )
    scoped = [] if everyone else said_scoped + client
    if p0 and scoped:
        # an outage of one region or one kind of client is a partial one
        return Described(Severity.P1, True, tuple(scoped + p0))
    # "the error rate went to 9 % across every endpoint": a share of every request fails
    share_of_requests = bool(spread) and len(spread) == len(p0) and all(_REQUEST_SPREAD.search(cue) for cue in spread)
    ratio = _cue_hits("ratio", parts) if p0 and (not everyone or share_of_requests) else []
    if ratio and not any(_GRAVE.search(cue) for cue in p0):
        # "one in ten checkouts fail": a share of a function failing is a partial outage
        return Described(Severity.P1, True, tuple(ratio + p0))
    comes_and_goes = _cue_hits("comes_and_goes", parts) if p0 else []
    if comes_and_goes and not any(_GRAVE.search(cue) for cue in p0):
        # "the whole site goes down for a few seconds every few minutes": an outage that comes and goes is partial
        return Described(Severity.P1, True, tuple(comes_and_goes + p0))
    if errors and len(spread) == len(p0) and rest_fine and not core_failing:
        # "add-to-cart returns 500 while browsing still works": errors in one part of the product
        return Described(Severity.P1, True, tuple(errors))
    reach = [
        cue
        for cue in p0 + errors
        if _WHOLE_REACH.search(cue)
        or _GRAVE.search(cue)
        or (cue in spread and _SPREAD_PAST_PEOPLE.search(cue) and not _of_one_component(parts, cue))
    ]
    if (p0 or errors) and rest_fine and not reach and not core_failing and not whole_product and not anywhere:
        # "chat is down for all customers; everything else works": one part of the product is down
        return Described(Severity.P1, True, tuple(p0 + errors))
    if p0 or (errors and not sometimes and not scoped and not unfelt and not part_fine):
        return Described(Severity.P0, partial, tuple(p0 + errors), spread_only=spread_only)
    minor = _cue_hits("minor", parts)
    if minor and not errors:
        # "not a big deal", "the dev server", "it recovered by itself": the words themselves say it is minor
        return Described(Severity.P2, partial, tuple(minor))
    data_bearing = _cue_hits("data_bearing", parts)
    scheduled = any(_SCHEDULED.search(part.text) for part in parts)
    job_failed = _cue_hits("job_failed", parts)
    # a copy of the invoices (an export, a report) late is not the billing itself
    billing = any(_BILLING.search(cue) for cue in data_bearing) and not any(_COPY_JOB.search(cue) for cue in job_failed)
    if (
        (unfelt or rest_fine)
        and not degraded
        and scheduled
        and (not billing or any(_RERUN.search(p.text) for p in parts))
        and job_failed
    ):
        # "the nightly backup failed; production is fine": minor while it can be rerun; billing is not
        return Described(Severity.P2, partial, tuple(unfelt + part_fine))
    if data_bearing:
        return Described(Severity.P1, partial, tuple(data_bearing))
    if scoped and not unfelt and not p1 and not p2:
        return Described(None, True, tuple(scoped), scoped=True)
    # "customers with a discount code get an error; the website is fine": a group feels it
    if unfelt and not degraded and _cue_hits("client_scoped", parts):
        return Described(None, True, tuple(unfelt), scoped=True)
    if unfelt and not degraded and not _cue_hits("comes_and_goes", parts):
        # a scheduled job's output late ("the nightly export didn't arrive") is minor while it can be rerun
        job = any(_SCHEDULED_JOB.search(part.text) for part in parts)
        felt = bool(_cue_hits("felt", parts)) or (not job and bool(_cue_hits("felt_by_someone", parts)))
        restored = bool(_cue_hits("restored", parts)) and not any(_STRAINED.search(part.text) for part in parts)
        return Described(None, partial, tuple(unfelt), unfelt=True, felt=felt, restored=restored)
    if rest_fine and not p1 and not p2 and not core_failing:
        # "checkout is unaffected; merchants get no notifications": what fails fails for a part, not for nobody
        return Described(None, True, tuple(said_fine), scoped=True)
    if p1 or errors:
        return Described(Severity.P1, partial, tuple(p1 + errors))
    if p2:
        return Described(Severity.P2, partial, tuple(p2))
    return Described(None, partial, ())


# --- names in the text ---------------------------------------------------------------------------------

_URL = re.compile(r"https?://[^\s\"'<>`)]+")
_HOST = re.compile(
    r"(?<![\w.@/-])((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+"
    r"(?:com|net|org|io|dev|app|co|cloud|ai|eu|de|fr|uk|nl|ch|us|ca|au|in|me|tech|xyz|local|internal|lan))(?![\w.-])"
)


def first_url(parts: tuple[TextPart, ...]) -> str:
    for part in parts:
        found = _URL.search(part.text)
        if found:
            return found.group(0).rstrip(".,;:!?")
    return ""


def first_host(parts: tuple[TextPart, ...]) -> str:
    url = first_url(parts)
    if url:
        return url.split("://", 1)[1].split("/", 1)[0].split(":", 1)[0]
    for part in parts:
        found = _HOST.search(part.text)
        if found:
            return found.group(1)
    return ""


_CHANGE = re.compile(
    r"\b(deploy\w*|redeploy\w*|releas\w*|rolled out|rollout|upgrad\w*|migrat\w*|config change\w*|changed|"
    r"updated|pushed|merged|hotfix\w*|rotat(ed|ion)|push|went out|switched|patched|enabled|disabled|"
    r"(config|rule|flag|setting)s? (edit|change|update|push)\w*)\b"
)
_SENTENCE = re.compile(r"[^.!?\n]+")


def change_sentences(text: str) -> list[str]:
    """Sentences of the (original-case) text that report a change: a deploy, or a change not worded as one (a
    rule push, an upgrade, a rotation, a config edit). A change the sentence rules out ("nothing was deployed")
    is none."""
    found = []
    for sentence in _SENTENCE.findall(text):
        lowered = normalise(sentence)
        ruled = scopes(lowered)
        if any(ruled.polarity(lowered, m.start(), m.end()) is Polarity.ASSERTED for m in _CHANGE.finditer(lowered)):
            found.append(sentence.strip())
    return found


def names_in_text(names: Iterable[str], aliases: dict[str, list[str]], parts: tuple[TextPart, ...]) -> list[str]:
    """`names` mentioned in the text by any of their aliases, in order of first mention."""
    alias_of = {alias: name for name in names for alias in aliases.get(name, [name]) if alias}
    if not alias_of:
        return []
    pattern = re.compile(
        r"(?<![\w.-])(" + "|".join(re.escape(a) for a in sorted(alias_of, key=len, reverse=True)) + r")(?![\w-])"
    )
    first: dict[str, tuple[int, int]] = {}
    for index, part in enumerate(parts):
        for found in pattern.finditer(part.text):
            name = alias_of[found.group(1)]
            first.setdefault(name, (index, found.start()))
    return sorted(first, key=lambda n: first[n])
