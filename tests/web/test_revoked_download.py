"""A revoked dossier's certificate is refused (409) in one plain sentence naming the revocation decision, its
number and date, in the reader's language: on the page (Vietnamese by default, ``?lang=en``) and on the API
(``Accept-Language``); and so is its reissue (``cfc certificates reissue``, ``--lang``). Nothing else about the refusal changes: who may not download gets 403 as before."""

from __future__ import annotations

import html
import os
import re
import subprocess

import pytest
from conftest import BASE_URL, CFC
from sqlalchemy import select

from dossiers.models import Certificate

REVOKED = 11  # revoked by `cfc demo load` (dossiers/demo.py: decision 500 + id)
NUMBER = "511/QĐ-UBND"


def message(page: str) -> str:
    """The error page's message (the paragraph under the status)."""
    found = re.search(r"<h1>\d+</h1>\s*<p>(.*?)</p>", page, re.S)
    assert found, page
    return " ".join(html.unescape(found.group(1)).split())


def expected(site, lang: str) -> str:
    d = site.dossier(REVOKED)
    assert (d.status, d.revocation_number) == ("revoked", NUMBER)
    day = "/".join(reversed(d.revocation_date.split("-")))  # ISO in the view, dd/mm/yyyy when read
    if lang == "vi":
        return (f"Giấy công nhận của hồ sơ {REVOKED} ({d.commune_name}) không còn hiệu lực: công nhận đã bị thu hồi "
                f"theo Quyết định số {NUMBER} ngày {day}.")
    return (f"The certificate of dossier {REVOKED} ({d.commune_name}) is no longer valid: its recognition was "
            f"revoked by Decision No. {NUMBER} of {day}.")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_certificate_of_a_revoked_dossier_is_refused_naming_the_revocation(site, lang):
    client = site.login("province")  # a client of its own: the language stays in its session
    client.get(f"/province/?lang={lang}")
    answer = client.get(f"/dossiers/{REVOKED}/certificate.pdf")
    assert answer.status_code == 409
    said = message(answer.get_data(as_text=True))
    assert said == expected(site, lang)
    assert "bị từ chối" not in said and "tải giấy công nhận" not in said and "refused" not in said


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_api_refuses_it_with_the_same_sentence(site, api, lang):
    answer = api.get(f"/api/v1/dossiers/{REVOKED}/certificate.pdf", "province", headers={"Accept-Language": lang})
    assert answer.status_code == 409
    assert answer.json["error"] == expected(site, lang)


def test_who_may_not_download_is_still_refused_for_that(site):
    """The revocation is told only to who may download the certificate; others hear their own refusal."""
    assert site.client("district1").get(f"/dossiers/{REVOKED}/certificate.pdf").status_code == 403
    assert site.client("commune2").get(f"/dossiers/{REVOKED}/certificate.pdf").status_code in (403, 404)


def test_a_recognised_dossier_still_downloads_its_certificate(site):
    answer = site.client("province").get("/dossiers/9/certificate.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_reissuing_a_revoked_certificate_is_refused_with_the_same_sentence(site, instance, lang):
    """``cfc certificates reissue`` on the serial of a revoked dossier: exit 1, the one sentence, nothing issued."""
    with site.service.transaction() as s:
        serial = s.scalars(select(Certificate.serial).where(Certificate.dossier_id == REVOKED)).one()
    before = site.state()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(CFC_INSTANCE_DIR=str(instance), CFC_BASE_URL=BASE_URL)
    done = subprocess.run([str(CFC), "--lang", lang, "certificates", "reissue", serial, "--reason", "Giấy bị mất",
                           "--as", "province"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert expected(site, lang) in " ".join(done.stderr.split())
    assert "bị từ chối" not in done.stderr and "refused" not in done.stderr
    assert site.state() == before


@pytest.mark.parametrize(("lang", "state"), [("vi", "hồ sơ đang ở trạng thái «"), ("en", "the dossier is «")])
def test_a_document_asked_for_in_the_wrong_state_names_the_action_once(site, api, lang, state):
    """A decision asked for on a draft: "<action> bị từ chối: hồ sơ đang ở trạng thái «Nháp»; …", the action
    named once (it was said twice: "… bị từ chối: <action>: hồ sơ đang …")."""
    answer = api.get("/api/v1/dossiers/2/decision.pdf", "province", headers={"Accept-Language": lang})
    assert answer.status_code == 409, answer.get_data(as_text=True)[:300]
    error = answer.json["error"]
    head, _, rest = error.partition(": ")
    assert rest.startswith(state), error
    assert head.removesuffix(" bị từ chối").removesuffix(" refused") not in rest, error  # the action's name does not come back after the colon
