"""The patent query language: a query string becomes a small tree the backends translate.

    锂离子电池                      bare terms search TX (title, abstract, claims) as substrings
    TI=电池 AND PA=华为             field codes (docs/search.md lists them)
    TI~=电池                        word matching instead of substring matching
    "锂离子 电池" OR 燃料电池 -氢    phrases, OR, NOT (also AND & | - 与 或 非), parentheses
    AD=[2015-01-01 TO 2018-06-30]   date ranges; AD=2015, AD>=2020-01-01
    IPC=H01M TYPE=发明 LS=有效 COUNTY=太谷区

Precedence: NOT binds tighter than AND, AND tighter than OR; juxtaposed terms are ANDed.
A malformed query raises QuerySyntaxError with the 0-based position of the fault.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhichan.ipdata.numbers import NumberError, parse_application_number, parse_publication_number
from zhichan.ipdata.search.text import char_tokens

MAX_LENGTH = 2000
MAX_DEPTH = 32
MAX_TERMS = 64

TEXT_FIELDS = ("TX", "TI", "AB", "CL", "PA", "IN", "ADDR", "AG")
DATE_FIELDS = ("AD", "PD")
KEYWORD_FIELDS = ("AN", "PN", "TYPE", "LS", "COUNTY")
PREFIX_FIELDS = ("IPC",)
FIELD_CODES = TEXT_FIELDS + DATE_FIELDS + KEYWORD_FIELDS + PREFIX_FIELDS
# TX is the union of these; a bare term searches TX.
TX_PARTS = ("TI", "AB", "CL")

PATENT_TYPES = {
    "invention": "invention",
    "utility": "utility",
    "design": "design",
    "发明": "invention",
    "发明专利": "invention",
    "实用新型": "utility",
    "实用新型专利": "utility",
    "外观设计": "design",
    "外观设计专利": "design",
    "外观": "design",
}
LEGAL_STATUSES = {
    "pending": "pending",
    "valid": "valid",
    "invalid": "invalid",
    "unknown": "unknown",
    "审中": "pending",
    "有效": "valid",
    "失效": "invalid",
    "无效": "invalid",
    "未知": "unknown",
}

_IPC = re.compile(r"^([A-H])(\d{2}([A-Z]( ?\d{1,4}(/\d{1,6})?)?)?)?$")
_PUBLICATION_STEM = re.compile(r"^(?:CN)?(\d{7}|\d{9})$")
# Dates people write: 2015, 2015-03, 2015-03-01, 2015.3.1, 2015/3/1, 20150301, 201503.
_DATE = re.compile(r"^(\d{4})(?:[-./](\d{1,2})(?:[-./](\d{1,2}))?)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")
_NUMBERISH = re.compile(r"^(?:CN|ZL)?[\d.X]{8,}[A-Z]?\d?$", re.IGNORECASE)


class QuerySyntaxError(ValueError):
    """A malformed query: `message` says what, `position` (0-based) where."""

    def __init__(self, message, position: int):
        self.message = message
        self.position = position
        super().__init__(str(self))

    def __str__(self):
        return gettext("%(message)s at %(position)d") % {"message": self.message, "position": self.position}

    def pointer(self, source: str) -> str:
        """The query and, on the line below, a caret under the fault (for a monospaced display).

        Chinese characters are two columns wide, so the caret is placed by display width.
        """
        width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in source[: self.position])
        return f"{source}\n{' ' * width}^"


# --- the tree -----------------------------------------------------------------------------------


class Node:
    def walk(self):
        yield self


@dataclass(frozen=True)
class MatchAll(Node):
    pass


@dataclass(frozen=True)
class Text(Node):
    """A term on a text field: substring (default) or word matching."""

    field: str  # one of TEXT_FIELDS
    text: str
    word: bool = False
    pos: int = 0


@dataclass(frozen=True)
class Keyword(Node):
    """An exact value: AN, PN, TYPE, LS, COUNTY; and the facet filters year and ipc_class."""

    field: str
    value: str
    pos: int = 0


@dataclass(frozen=True)
class Prefix(Node):
    field: str  # IPC
    value: str  # normalised, e.g. "A01B 1/00"
    pos: int = 0


@dataclass(frozen=True)
class DateRange(Node):
    field: str  # AD or PD
    start: dt.date | None  # inclusive; None: open
    end: dt.date | None  # inclusive; None: open
    pos: int = 0


@dataclass(frozen=True)
class And(Node):
    children: tuple[Node, ...]

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Or(Node):
    children: tuple[Node, ...]

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Not(Node):
    child: Node

    def walk(self):
        yield self
        yield from self.child.walk()


@dataclass(frozen=True)
class Query:
    """A parsed query: the tree and the string it came from."""

    root: Node
    source: str = ""

    def positive_texts(self):
        """Text terms not under a NOT: what to highlight."""
        return list(_positive_texts(self.root, negated=False))


def _positive_texts(node, negated):
    if isinstance(node, Text):
        if not negated:
            yield node
    elif isinstance(node, (And, Or)):
        for child in node.children:
            yield from _positive_texts(child, negated)
    elif isinstance(node, Not):
        yield from _positive_texts(node.child, not negated)


def and_(*nodes: Node) -> Node:
    """AND of nodes, flattening nested ANDs and dropping MatchAll."""
    flat = []
    for node in nodes:
        if isinstance(node, MatchAll):
            continue
        flat.extend(node.children if isinstance(node, And) else [node])
    if not flat:
        return MatchAll()
    return flat[0] if len(flat) == 1 else And(tuple(flat))


def or_(*nodes: Node) -> Node:
    flat = []
    for node in nodes:
        if isinstance(node, MatchAll):
            return MatchAll()
        flat.extend(node.children if isinstance(node, Or) else [node])
    return flat[0] if len(flat) == 1 else Or(tuple(flat))


# --- the lexer ----------------------------------------------------------------------------------

LPAREN, RPAREN, AND, OR, NOT, WORD, PHRASE, FIELD, RANGE, EOF = (
    "(",
    ")",
    "AND",
    "OR",
    "NOT",
    "WORD",
    "PHRASE",
    "FIELD",
    "RANGE",
    "EOF",
)
OPEN_PARENS = "(（"
CLOSE_PARENS = ")）"
QUOTES = {'"': '"', "“": "”", "”": "”", "「": "」"}
SPACES = " \t\r\n\u3000"
OPERATOR_WORDS = {"AND": AND, "OR": OR, "NOT": NOT, "与": AND, "或": OR, "非": NOT, "&&": AND, "||": OR}
_FIELD = re.compile(r"([A-Za-z]+)[ \t\u3000]*(~=|>=|<=|=|>|<|＝|～=)")
_WORD_END = set(SPACES) | set(OPEN_PARENS) | set(CLOSE_PARENS) | set(QUOTES) | {"&", "|"}


@dataclass
class Token:
    kind: str
    pos: int
    text: str = ""
    op: str = ""  # for FIELD: the operator and where it is
    op_pos: int = 0


def tokenize(source: str) -> list[Token]:
    tokens = []
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch in SPACES:
            i += 1
            continue
        if ch in OPEN_PARENS:
            tokens.append(Token(LPAREN, i))
            i += 1
            continue
        if ch in CLOSE_PARENS:
            tokens.append(Token(RPAREN, i))
            i += 1
            continue
        if ch in "&|":
            j = i + 1 if source[i : i + 2] in ("&&", "||") else i
            tokens.append(Token(AND if ch == "&" else OR, i, source[i : j + 1]))
            i = j + 1
            continue
        if ch in QUOTES:
            close = QUOTES[ch]
            end = _find_close_quote(source, i + 1, close)
            if end < 0:
                raise QuerySyntaxError(_("unclosed quote"), i)
            tokens.append(Token(PHRASE, i, source[i + 1 : end]))
            i = end + 1
            continue
        if ch == "[" or ch == "{":
            ends = [e for e in (source.find("]", i + 1), source.find("}", i + 1)) if e >= 0]
            end = min(ends) if ends else -1
            if end < 0:
                raise QuerySyntaxError(_("unclosed date range"), i)
            tokens.append(Token(RANGE, i, source[i : end + 1]))
            i = end + 1
            continue
        if ch == "-":
            # "-term" where a term starts is NOT; inside a word (2015-01-01) "-" is a letter.
            tokens.append(Token(NOT, i, "-"))
            i += 1
            continue
        match = _FIELD.match(source, i)
        if match:
            op = {"＝": "=", "～=": "~="}.get(match.group(2), match.group(2))
            tokens.append(Token(FIELD, i, match.group(1).upper(), op, match.start(2)))
            i = match.end()
            continue
        j = i
        while j < n and source[j] not in _WORD_END:
            j += 1
        word = source[i:j]
        kind = OPERATOR_WORDS.get(word)
        tokens.append(Token(kind, i, word) if kind else Token(WORD, i, word))
        i = j
    tokens.append(Token(EOF, n))
    return tokens


def _find_close_quote(source, start, close):
    end = source.find(close, start)
    if close == "”":
        # People type either curly quote or a straight one to close.
        alt = source.find('"', start)
        end = min(x for x in (end, alt) if x >= 0) if max(end, alt) >= 0 else -1
    return end


# --- the parser ---------------------------------------------------------------------------------


class Parser:
    def __init__(self, source: str, counties: Callable[[str], str | None] | None = None):
        self.source = source
        self.tokens = tokenize(source)
        self.i = 0
        self.depth = 0
        self.terms = 0
        self.counties = counties

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def next(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        if self.tok.kind == EOF:
            return MatchAll()
        node = self.or_expr(None)
        if self.tok.kind == RPAREN:
            raise QuerySyntaxError(_("unmatched closing parenthesis"), self.tok.pos)
        if self.tok.kind != EOF:  # pragma: no cover - every token starts a term or an operator
            raise QuerySyntaxError(_("unexpected %(text)s") % {"text": self.tok.text}, self.tok.pos)
        return node

    def or_expr(self, ctx) -> Node:
        nodes = [self.and_expr(ctx)]
        while self.tok.kind == OR:
            op = self.next()
            self.expect_term_after(op)
            nodes.append(self.and_expr(ctx))
        return or_(*nodes) if len(nodes) > 1 else nodes[0]

    def and_expr(self, ctx) -> Node:
        nodes = [self.unary(ctx)]
        while self.tok.kind not in (OR, RPAREN, EOF):
            if self.tok.kind == AND:
                op = self.next()
                self.expect_term_after(op)
            nodes.append(self.unary(ctx))
        if len(nodes) == 1:
            return nodes[0]
        return And(tuple(self._flatten_and(nodes)))

    @staticmethod
    def _flatten_and(nodes):
        for node in nodes:
            yield from node.children if isinstance(node, And) else [node]

    def expect_term_after(self, op: Token):
        if self.tok.kind in (AND, OR, RPAREN, EOF):
            raise QuerySyntaxError(_("missing term after %(op)s") % {"op": op.text or op.kind}, op.pos)

    def unary(self, ctx) -> Node:
        if self.tok.kind == NOT:
            op = self.next()
            self.expect_term_after(op)
            return Not(self.unary(ctx))
        return self.primary(ctx)

    def primary(self, ctx) -> Node:
        tok = self.tok
        if tok.kind in (AND, OR):
            raise QuerySyntaxError(_("missing term before %(op)s") % {"op": tok.text or tok.kind}, tok.pos)
        if tok.kind == RPAREN:
            raise QuerySyntaxError(_("unmatched closing parenthesis"), tok.pos)
        if tok.kind == EOF:  # pragma: no cover - operators check for a following term first
            raise QuerySyntaxError(_("missing term"), tok.pos)
        if tok.kind == LPAREN:
            return self.group(ctx)
        if tok.kind == FIELD:
            self.next()
            return self.field_value(tok)
        self.next()
        if tok.kind == RANGE and (ctx is None or ctx[0] not in DATE_FIELDS):
            raise QuerySyntaxError(_("a date range needs AD or PD before it"), tok.pos)
        return self.value(ctx, tok)

    def group(self, ctx) -> Node:
        open_tok = self.next()
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QuerySyntaxError(_("parentheses nested too deeply"), open_tok.pos)
        if self.tok.kind == RPAREN:
            raise QuerySyntaxError(_("empty parentheses"), open_tok.pos)
        if self.tok.kind == EOF:
            raise QuerySyntaxError(_("unclosed parenthesis"), open_tok.pos)
        node = self.or_expr(ctx)
        if self.tok.kind != RPAREN:
            raise QuerySyntaxError(_("unclosed parenthesis"), open_tok.pos)
        self.next()
        self.depth -= 1
        return node

    def field_value(self, field_tok: Token) -> Node:
        code, op = field_tok.text, field_tok.op
        if code not in FIELD_CODES:
            raise QuerySyntaxError(_("unknown field code %(code)s") % {"code": code}, field_tok.pos)
        op_pos = field_tok.op_pos
        if op == "~=" and code not in TEXT_FIELDS:
            raise QuerySyntaxError(_("~= (word matching) applies to text fields only"), op_pos)
        if op in (">", "<", ">=", "<=") and code not in DATE_FIELDS:
            raise QuerySyntaxError(_("%(op)s applies to the date fields AD and PD only") % {"op": op}, op_pos)
        value_pos = op_pos + len(op)
        ctx = (code, op)
        tok = self.tok
        if tok.kind in (EOF, RPAREN, AND, OR) or (tok.kind == FIELD):
            raise QuerySyntaxError(_("missing value for %(code)s") % {"code": code}, value_pos)
        if tok.kind == LPAREN:
            if op not in ("=", "~="):
                raise QuerySyntaxError(_("%(op)s takes one date, not a group") % {"op": op}, tok.pos)
            return self.group(ctx)
        if tok.kind == NOT:
            raise QuerySyntaxError(_("missing value for %(code)s") % {"code": code}, value_pos)
        self.next()
        if tok.kind == RANGE and code not in DATE_FIELDS:
            raise QuerySyntaxError(_("a date range needs AD or PD before it"), tok.pos)
        if tok.kind == RANGE and op != "=":
            raise QuerySyntaxError(_("a date range takes =, not %(op)s") % {"op": op}, tok.pos)
        return self.value(ctx, tok)

    def value(self, ctx, tok: Token) -> Node:
        """One WORD, PHRASE or RANGE in the context of a field (None: bare term)."""
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise QuerySyntaxError(_("too many terms (at most %(n)d)") % {"n": MAX_TERMS}, tok.pos)
        pos = tok.pos + (1 if tok.kind == PHRASE else 0)
        text = tok.text
        if ctx is None:
            return self.bare(tok)
        code, op = ctx
        if code in TEXT_FIELDS:
            return Text(code, _searchable(text, tok.pos), word=(op == "~="), pos=pos)
        if code in DATE_FIELDS:
            return self.date_value(code, op, tok)
        value = text.strip()
        if not value:
            raise QuerySyntaxError(_("missing value for %(code)s") % {"code": code}, tok.pos)
        if code == "IPC":
            return Prefix("IPC", parse_ipc(value, pos), pos=pos)
        if code == "AN":
            try:
                return Keyword("AN", parse_application_number(value), pos=pos)
            except NumberError as exc:
                raise QuerySyntaxError(
                    _("bad application number %(value)s (%(reason)s)") % {"value": value, "reason": exc}, pos
                ) from exc
        if code == "PN":
            return Keyword("PN", parse_pn(value, pos), pos=pos)
        if code == "TYPE":
            key = PATENT_TYPES.get(value.lower())
            if key is None:
                raise QuerySyntaxError(_("unknown patent type %(value)s") % {"value": value}, pos)
            return Keyword("TYPE", key, pos=pos)
        if code == "LS":
            key = LEGAL_STATUSES.get(value.lower())
            if key is None:
                raise QuerySyntaxError(_("unknown legal status %(value)s") % {"value": value}, pos)
            return Keyword("LS", key, pos=pos)
        # COUNTY: a code or a name; resolved to the code when the caller knows the counties.
        if self.counties is not None:
            resolved = self.counties(value)
            if resolved is None:
                raise QuerySyntaxError(_("unknown county %(value)s") % {"value": value}, pos)
            value = resolved
        return Keyword("COUNTY", value, pos=pos)

    def bare(self, tok: Token) -> Node:
        if tok.kind == WORD and _NUMBERISH.match(tok.text):
            # A patent number typed into the one box: find it by number as well as by text.
            for code, parse in (("AN", parse_application_number), ("PN", parse_publication_number)):
                try:
                    return Or(
                        (Keyword(code, parse(tok.text), pos=tok.pos), Text("TX", tok.text, pos=tok.pos))
                    )
                except NumberError:
                    continue
        return Text("TX", _searchable(tok.text, tok.pos), pos=tok.pos + (1 if tok.kind == PHRASE else 0))

    def date_value(self, code, op, tok: Token) -> Node:
        if tok.kind == RANGE:
            return DateRange(code, *parse_range(tok.text, tok.pos), pos=tok.pos)
        pos = tok.pos + (1 if tok.kind == PHRASE else 0)
        start, end = parse_period(tok.text.strip(), pos)
        one_day = dt.timedelta(days=1)
        if op == "=":
            return DateRange(code, start, end, pos=pos)
        if op == ">=":
            return DateRange(code, start, None, pos=pos)
        if op == ">":
            return DateRange(code, end + one_day, None, pos=pos)
        if op == "<=":
            return DateRange(code, None, end, pos=pos)
        return DateRange(code, None, start - one_day, pos=pos)  # "<"


def _searchable(text: str, pos: int) -> str:
    if not char_tokens(text):
        if not text.strip():
            raise QuerySyntaxError(_("empty phrase"), pos)
        raise QuerySyntaxError(_("nothing to search for in %(text)s") % {"text": text}, pos)
    return text


def parse_period(text: str, pos: int) -> tuple[dt.date, dt.date]:
    """A year, month or day as its first and last day."""
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    try:
        if not match:
            raise ValueError(text)
        year, month, day = (int(g) if g else None for g in match.groups())
        if month is None:
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return dt.date(year, month, 1), dt.date(year, month, last)
        day_date = dt.date(year, month, day)
        return day_date, day_date
    except (ValueError, calendar.IllegalMonthError) as exc:
        raise QuerySyntaxError(_("bad date %(value)s") % {"value": text}, pos) from exc


_RANGE = re.compile(r"^([\[{])\s*(\S+)\s+TO\s+(\S+)\s*([\]}])$", re.IGNORECASE)


def parse_range(text: str, pos: int) -> tuple[dt.date | None, dt.date | None]:
    match = _RANGE.match(text)
    if not match:
        raise QuerySyntaxError(_("bad date range, write [2015-01-01 TO 2018-06-30]"), pos)
    low_text, high_text = match.group(2), match.group(3)
    low_pos = pos + text.index(low_text, 1)
    high_pos = pos + text.rindex(high_text)
    start = end = None
    if low_text != "*":
        start = parse_period(low_text, low_pos)[0 if match.group(1) == "[" else 1]
        if match.group(1) == "{":
            start += dt.timedelta(days=1)
    if high_text != "*":
        end = parse_period(high_text, high_pos)[1 if match.group(4) == "]" else 0]
        if match.group(4) == "}":
            end -= dt.timedelta(days=1)
    if start and end and start > end:
        raise QuerySyntaxError(_("the date range ends before it starts"), pos)
    return start, end


def parse_ipc(value: str, pos: int) -> str:
    """ "a01b 1/00" -> "A01B 1/00"; a section, class, subclass, group or subgroup prefix."""
    compact = re.sub(r"\s+", " ", value.strip().upper())
    compact = re.sub(r"^([A-H]\d{2}[A-Z])(\d)", r"\1 \2", compact)
    if not _IPC.match(compact):
        raise QuerySyntaxError(_("bad IPC code %(value)s") % {"value": value}, pos)
    return compact


def parse_pn(value: str, pos: int) -> str:
    """A publication number with its kind code (CN104805195A), or without it (CN104805195)."""
    try:
        return parse_publication_number(value)
    except NumberError as exc:
        compact = re.sub(r"[\s-]", "", value).upper()
        match = _PUBLICATION_STEM.match(compact)
        if match:
            return "CN" + match.group(1)
        raise QuerySyntaxError(
            _("bad publication number %(value)s (%(reason)s)") % {"value": value, "reason": exc}, pos
        ) from exc


def parse(source: str, *, counties: Callable[[str], str | None] | None = None) -> Query:
    """The query tree of `source`, or QuerySyntaxError.

    `counties` maps what the user wrote after COUNTY= (a name or code) to the county code, or
    None when there is no such county; without it the value is kept as written.
    """
    source = source or ""
    if len(source) > MAX_LENGTH:
        raise QuerySyntaxError(
            _("the query is too long (at most %(n)d characters)") % {"n": MAX_LENGTH}, MAX_LENGTH
        )
    return Query(Parser(source, counties=counties).parse(), source)
