"""Lists the entries of a .po file that are untranslated or fuzzy; exits 1 if any."""

import re
import sys
from pathlib import Path

_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _text(quoted: str) -> str:
    """The value of one quoted .po string: the outer quotes removed, escapes decoded."""
    body = quoted.strip()
    if body.startswith('"') and body.endswith('"') and len(body) >= 2:
        body = body[1:-1]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), body)


def entries(path):
    """Yield (msgid, msgstr, fuzzy) of each entry; plural forms count by their first msgstr.

    An entry with a context yields "context\x04msgid", the key gettext itself looks it up by.
    """
    msgid = msgstr = context = None
    fuzzy = False
    current = None
    for raw in Path(path).read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if msgid:
                yield (f"{context}\x04{msgid}" if context else msgid), msgstr or "", fuzzy
            msgid = msgstr = context = None
            fuzzy = False
            current = None
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            context, current = _text(line[8:]), "ctxt"
        elif line.startswith("msgid "):
            msgid, current = _text(line[6:]), "id"
        elif line.startswith("msgid_plural"):
            current = None
        elif line.startswith("msgstr ") or line.startswith("msgstr[0]"):
            msgstr, current = _text(line.split(" ", 1)[1]), "str"
        elif line.startswith("msgstr["):
            current = None
        elif line.startswith('"'):
            if current == "ctxt":
                context += _text(line)
            elif current == "id":
                msgid += _text(line)
            elif current == "str":
                msgstr += _text(line)


def main(path):
    bad = [(m, f) for m, s, f in entries(path) if not s or f]
    for msgid, fuzzy in bad:
        print(f"{'fuzzy' if fuzzy else 'untranslated'}: {msgid}")
    if bad:
        print(f"{len(bad)} string(s) need a translation in {path}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
