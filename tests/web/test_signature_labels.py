"""The dossier page says beside each document link whether the document is digitally signed ("đã ký số" /
"chưa ký số"), as its download does (``X-Document-Signature``), and knows it without making a PDF: on the signed
demo every issued document is signed; a document whose recorded signed file is gone says so and its download is
refused (never an unsigned substitute); a demo without keys says "chưa ký số"."""

from __future__ import annotations

import re

import pytest
from conftest import Site, make_app, signed_demo

LINK_RE = re.compile(r'href="/dossiers/(\d+)/(certificate|decision|revocation|minutes)\.pdf">[^<]*</a>'
                     r'(?: <span class="signature (signed|unsigned|missing|altered)">([^<]*)</span>)?')


@pytest.fixture(scope="module")
def signed_site(demo_database, tmp_path_factory):
    """The demo's instance folder as `cfc demo load` left it: database, demo keys and signed documents."""
    with signed_demo(demo_database, tmp_path_factory.mktemp("signed-labels")) as folder:
        application = make_app(folder, RATELIMIT_ENABLED=False)
        yield Site(application, folder)
        application.extensions["cfc.engine"].dispose()


def labels(site, user: str, dossier_id: int) -> dict[str, tuple[str | None, str | None]]:
    page = site.client(user).get(f"/dossiers/{dossier_id}")
    assert page.status_code == 200
    return {kind: (state, text) for _id, kind, state, text in LINK_RE.findall(page.get_data(as_text=True))}


def documents(site) -> list[int]:
    from sqlalchemy import select

    from dossiers.models import Dossier

    with site.service.transaction() as s:
        return [d.id for d in s.scalars(select(Dossier).where(Dossier.status.in_(("verified", "recognized",
                                                                                    "revoked"))))]


def test_every_link_says_what_its_download_is(signed_site, monkeypatch):
    import webforms.documents

    shown = {}
    with monkeypatch.context() as mp:  # a page view makes no PDF: rendering would fail the page
        mp.setattr(webforms.documents, "signable_pdf", lambda *a: pytest.fail("a page view rendered a PDF"))
        for dossier_id in documents(signed_site):
            shown[dossier_id] = labels(signed_site, "province", dossier_id)
    assert {kind for found in shown.values() for kind in found} >= {"certificate", "decision", "minutes",
                                                                    "revocation"}
    client = signed_site.client("province")
    for dossier_id, found in shown.items():
        for kind, (state, text) in found.items():
            download = client.get(f"/dossiers/{dossier_id}/{kind}.pdf")
            assert state == download.headers["X-Document-Signature"], (dossier_id, kind)
            assert text == {"signed": "đã ký số", "unsigned": "chưa ký số"}[state]
    assert all(state == "signed" for found in shown.values() for state, _ in found.values())  # the demo signs


def test_a_document_whose_signed_file_is_gone_says_so_in_english_too(signed_site):
    dossier_id = next(i for i in documents(signed_site) if "decision" in labels(signed_site, "province", i))
    decision = signed_site.client("province").get(f"/dossiers/{dossier_id}/decision.pdf").data
    stored = next(p for p in (signed_site.folder / "signed").glob("*.pdf") if p.read_bytes() == decision)
    stored.unlink()
    try:
        assert labels(signed_site, "province", dossier_id)["decision"] == ("missing", "tệp đã ký số bị thiếu")
        answer = signed_site.client("province").get(f"/dossiers/{dossier_id}/decision.pdf")
        assert answer.status_code == 409 and "X-Document-Signature" not in answer.headers
        assert "không còn trong thư mục lưu trữ" in answer.get_data(as_text=True)
        signed_site.client("province").get(f"/dossiers/{dossier_id}?lang=en")  # the language is kept in the session
        assert labels(signed_site, "province", dossier_id)["decision"] == ("missing", "signed file missing")
        assert labels(signed_site, "province", dossier_id)["certificate"] == ("signed", "digitally signed")
        english = signed_site.client("province").get(f"/dossiers/{dossier_id}/decision.pdf")
        assert english.status_code == 409 and "restore the file from a backup" in english.get_data(as_text=True)
        signed_site.client("province").get(f"/dossiers/{dossier_id}?lang=vi")
    finally:
        stored.write_bytes(decision)
    assert labels(signed_site, "province", dossier_id)["decision"] == ("signed", "đã ký số")


def test_without_keys_documents_say_unsigned(site):
    found = labels(site, "province", 7)
    assert found and all(state == ("unsigned", "chưa ký số") for state in found.values())


def test_the_commune_sees_its_certificate_labelled(signed_site):
    from sqlalchemy import select

    from dossiers.models import Dossier, User

    with signed_site.service.transaction() as s:
        recognised = {d.commune_id: d.id for d in s.scalars(select(Dossier).where(Dossier.status == "recognized"))}
        user = next(u.username for u in s.scalars(select(User)) if u.unit_id in recognised)
        dossier_id = recognised[next(u.unit_id for u in s.scalars(select(User)) if u.username == user)]
    found = labels(signed_site, user, dossier_id)
    assert found.get("certificate") == ("signed", "đã ký số")
