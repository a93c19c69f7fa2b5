"""Schemathesis hooks for test_schemathesis.py (loaded through SCHEMATHESIS_HOOKS): the API's rules a schema
cannot state, so that generated requests are judged by the rules the document does state.

- A write may carry its version twice, in If-Match and in the body's ``expected_version``, only when both say
  the same (else 400): a request with two different versions is not generated.
"""

from __future__ import annotations

import schemathesis


def _version(value):
    text = str(value).strip().strip('"') if value is not None else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


@schemathesis.hook
def filter_case(context, case) -> bool:
    headers = {k.lower(): v for k, v in (case.headers or {}).items()}
    body = case.body if isinstance(case.body, dict) else {}
    in_header = _version(headers.get("if-match"))
    in_body = body.get("expected_version")
    return not (in_header is not None and type(in_body) is int and in_body != in_header)
