"""What makes a served page invalid HTML, as a list of sentences (empty: valid): the HTML parser's errors
(html5lib, the WHATWG parsing algorithm), duplicate ids, and labels whose ``for`` points at nothing that a label
can label. Used by the web tests (Flask's test client) and the browser tests (the real server)."""

from __future__ import annotations

from collections import Counter

import html5lib

LABELABLE = {"button", "input", "meter", "output", "progress", "select", "textarea"}


def problems(page: str) -> list[str]:
    parser = html5lib.HTMLParser(namespaceHTMLElements=False)
    tree = parser.parse(page)
    found = [f"line {line}, column {column}: {code} {data or ''}".rstrip()
             for (line, column), code, data in parser.errors]
    elements = list(tree.iter())
    ids = Counter(e.get("id") for e in elements if e.get("id") is not None)
    found += [f'id="{i}" is used {n} times' for i, n in ids.items() if n > 1]
    found += [f'id="{i}" is empty or has a space' for i in ids if not i or any(c.isspace() for c in i)]
    by_id = {e.get("id"): e for e in elements if e.get("id")}
    for label in tree.iter("label"):
        target = label.get("for")
        if target is None:
            continue
        element = by_id.get(target)
        if element is None:
            found.append(f'<label for="{target}"> points at no element')
        elif element.tag not in LABELABLE or (element.tag == "input" and element.get("type") == "hidden"):
            found.append(f'<label for="{target}"> points at a <{element.tag}>, which a label cannot label')
    return found
