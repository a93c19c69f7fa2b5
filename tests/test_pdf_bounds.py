"""Reading an untrusted PDF is bounded (``dossiers.issuance.pdf_bounds``): a file declaring too many objects is
refused before pyHanko reads it, and a stream that decompresses to hundreds of megabytes is refused after at most
the decoding limits; both say why in words, on ``cfc certificates check`` as on the verification page. Our own
documents stay well within the bounds."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from click.testing import CliRunner

from certificates.signature import trial_pdf
from cfc.certificates import certificates as certificates_cli
from dossiers.issuance import pdf_bounds
from dossiers.issuance.signing_check import check_signatures
from tests.hostile_pdfs import many_objects, object_stream_bomb

BOUNDED_SECONDS = 10  # generous on a shared machine; unbounded, the object stream bomb takes about 50 s


@pytest.mark.parametrize(("make", "words"), [
    (object_stream_bomb, "giải nén ra quá lớn"),
    (lambda: many_objects(pdf_bounds.MAX_OBJECTS + 1), "quá nhiều đối tượng (20.001, tối đa 20.000)"),
])
def test_a_hostile_file_is_refused_quickly_saying_why(make, words):
    data = make()
    assert len(data) < 2 * 1024 * 1024  # a small upload
    started = time.monotonic()
    with pytest.raises(pdf_bounds.TooComplex) as refused:
        check_signatures(data, None)
    assert time.monotonic() - started < BOUNDED_SECONDS
    assert words in str(refused.value)


def test_our_documents_and_a_file_within_the_bounds_are_read():
    assert check_signatures(trial_pdf("UBND Thành phố Kon Tum", dt.date(2024, 12, 20))[0], None) == []
    pdf_bounds.check_bounds(many_objects(1_000))  # many objects, but not too many
    assert check_signatures(object_stream_bomb(padding=1024 * 1024), None) == []  # decompresses to 1 MB: fine


def test_the_command_says_why_it_does_not_check_a_file(tmp_path):
    path = tmp_path / "bomb.pdf"
    path.write_bytes(object_stream_bomb())
    result = CliRunner().invoke(certificates_cli, ["check", str(path)], env={"CFC_INSTANCE_DIR": str(tmp_path)})
    assert result.exit_code == 1
    assert "giải nén ra quá lớn" in result.output and "Traceback" not in result.output
