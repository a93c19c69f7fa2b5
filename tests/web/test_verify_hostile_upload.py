"""The verification page's upload is bounded: a small PDF that decompresses to hundreds of megabytes, or that
declares a hundred thousand objects, is refused with a clear message (400), quickly, never a 500; nothing is
stored; the message is in the reader's language."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from dossiers.models import Certificate
from tests.hostile_pdfs import many_objects, object_stream_bomb


@pytest.fixture(scope="module")
def serial(site) -> str:
    with site.service.transaction() as s:
        return s.scalars(select(Certificate.serial).order_by(Certificate.id)).first()


def upload(site, serial: str, data: bytes, lang: str = "vi"):
    """Post ``data`` as the form does; encoded here: the test client would spool a large file to a temporary
    file it never closes."""
    client = site.anonymous()
    token = site.csrf(client, f"/verify/{serial}?lang={lang}")
    body = (f'--B\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n--B\r\n'
            'Content-Disposition: form-data; name="file"; filename="x.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n").encode() + data + b"\r\n--B--\r\n"
    return client.post(f"/verify/{serial}", data=body, content_type="multipart/form-data; boundary=B")


@pytest.mark.parametrize(("make", "vi", "en"), [
    (object_stream_bomb, "giải nén ra quá lớn", "decompress"),
    (lambda: many_objects(100_000), "quá nhiều đối tượng (100.000, tối đa 20.000)", "too many objects"),
])
def test_a_hostile_upload_is_refused_with_a_clear_message(site, serial, make, vi, en):
    data = make()
    before = site.state()
    started = time.monotonic()
    answer = upload(site, serial, data)
    assert time.monotonic() - started < 10  # the bomb alone would take about 50 s to read unbounded
    text = re.sub(r"\s+", " ", answer.get_data(as_text=True))
    assert answer.status_code == 400 and vi in text, re.findall(r"flash error\">([^<]*)", text)
    assert site.state() == before
    english = re.sub(r"\s+", " ", upload(site, serial, data, "en").get_data(as_text=True))
    assert en in english
