# check_reports.py: reads smtpprobe's reports with real parsers (Python's json
# and csv modules) for tests/integration/reports.sh. Prints one line per
# check, "0<TAB>what" when it holds, "1<TAB>what" when not; the shell turns
# them into TAP. Python 3 standard library only.
#
#   python3 check_reports.py jsonl OUT.jsonl COLUMNS.txt
#   python3 check_reports.py csv OUT.csv COLUMNS.txt
import csv
import json
import sys

# What smtplab's hostile-banner personality sends at connect (NUL stored as
# U+2400 by the prober), joined as the banner column joins lines.
GREETING = b"\n".join([
    b'220-=HYPERLINK("http://example.com/x","click"), "quoted", commas',
    b"220-\x1b]0;owned\x07\x1b[2J\xff\xfe\xc2\x9b caf\xc3\xa9 a\xe2\x90\x80b",
    b"220 +SUM(1,2) @evil -2+3",
])
HOSTILE = ("127.0.70.13", "::1")


def check(cond, what):
    print("%d\t%s" % (0 if cond else 1, what))


def latin1_fallback(b):
    """What a JSON parser gives back: valid UTF-8 as is, other bytes as Latin-1."""
    out, i = [], 0
    while i < len(b):
        for n in (1, 2, 3, 4):
            try:
                out.append(b[i:i + n].decode("utf-8", "strict"))
                i += n
                break
            except UnicodeDecodeError:
                continue
        else:
            out.append(chr(b[i]))
            i += 1
    return "".join(out)


def unescape(cell):
    """Undoes the CSV cell escapes (csv.c): \\n \\r \\t \\\\ \\xNN \\u{XXXX}, to bytes."""
    out, i, b = bytearray(), 0, cell.encode("utf-8")
    while i < len(b):
        if b[i:i + 1] != b"\\":
            out += b[i:i + 1]
            i += 1
        elif b[i + 1:i + 2] == b"x":
            out.append(int(b[i + 2:i + 4], 16))
            i += 4
        elif b[i + 1:i + 2] == b"u":  # \u{XXXX}: a character that reorders or hides text
            out += chr(int(b[i + 3:i + 7], 16)).encode("utf-8")
            i += 8
        else:
            out += {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"\\": b"\\"}[b[i + 1:i + 2]]
            i += 2
    return bytes(out)


def strict_utf8(path):
    raw = open(path, "rb").read()
    try:
        raw.decode("utf-8", "strict")
        check(True, "the file is valid UTF-8")
    except UnicodeDecodeError as e:
        check(False, "the file is valid UTF-8 (%s)" % e)
    check(all(b >= 0x20 and b != 0x7f or b == 0x0a for b in raw),
          "no control byte but the line ends, so nothing reaches a terminal raw")


def jsonl(path, cols):
    strict_utf8(path)
    rows = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for lineno, line in enumerate(f, 1):
            try:
                obj = json.loads(line)
            except ValueError as e:
                check(False, "line %d parses as JSON: %s" % (lineno, e))
                continue
            check(isinstance(obj, dict) and list(obj) == cols,
                  "line %d is an object of every column, in order (%s)" % (lineno, obj.get("ip")))
            rows[obj.get("ip") or obj.get("origin")] = obj
    check(len(rows) == 16, "one object per target: %d" % len(rows))
    seed = rows.get("127.0.70.1", {})
    check(seed.get("verdict") == "accepts-localhost", "the seed's server: accepts-localhost")
    check(seed.get("port") == 2670 and isinstance(seed.get("duration_ms"), int),
          "port and duration_ms are numbers")
    check(seed.get("extensions") == ["PIPELINING", "8BITMIME"], "extensions: an array")
    check(seed.get("relay_tests", [])[:2] == ["third-party:250/553", "localhost:250/250"],
          "relay_tests: an array")
    check(seed.get("flags") == ["localhost-name"], "flags: an array")
    bad = [r for r in rows.values() if r.get("ip") == ""]
    check(len(bad) == 1 and bad[0]["port"] is None and bad[0]["relay_tests"] == [],
          "a bad input line: port null, empty arrays")
    for ip in HOSTILE:
        h = rows.get(ip, {})
        check(h.get("verdict") == "accepts-relay", "hostile banner at %s: accepts-relay" % ip)
        check(h.get("banner") == latin1_fallback(GREETING),
              "hostile banner at %s: parses back to the bytes sent" % ip)
        check(h.get("ehlo_name") == "=1+2", "hostile EHLO name at %s: as sent" % ip)


def csvfile(path, cols):
    strict_utf8(path)
    with open(path, newline="", encoding="utf-8", errors="replace") as f:
        table = list(csv.reader(f, strict=True))
    check(table[0] == cols, "the header is the column table")
    check(all(len(r) == len(cols) for r in table), "every row has every column")
    rows = {dict(zip(cols, r))["ip"] or dict(zip(cols, r))["origin"]: dict(zip(cols, r))
            for r in table[1:]}
    check(len(rows) == 16, "one row per target: %d" % len(rows))
    for ip in HOSTILE:
        h = rows.get(ip, {})
        b = h.get("banner", "")
        check("," in b and '"' in b and "=HYPERLINK(" in b,
              "hostile banner at %s: commas, quotes and =HYPERLINK( read back" % ip)
        check("\n" not in b and "\\n" in b,
              "hostile banner at %s: its newlines are the two characters \\n" % ip)
        check(unescape(b) == GREETING,
              "hostile banner at %s: unescaped, the bytes the server sent" % ip)
        check(h.get("ehlo_name") == "'=1+2",
              "hostile EHLO name at %s: a formula, neutralised with a leading '" % ip)
    # A spreadsheet runs a cell that starts with one of these: none may.
    starts = [c[:1] for r in table[1:] for c in r]
    check(not any(s in ("=", "+", "-", "@", "\t", "\r") for s in starts),
          "no cell starts with = + - @ tab or CR")


def main():
    kind, path, colpath = sys.argv[1:4]
    cols = [line.split()[0] for line in open(colpath) if line.strip()]
    {"jsonl": jsonl, "csv": csvfile}[kind](path, cols)


main()
