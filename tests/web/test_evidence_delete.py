"""A wrong evidence upload can be taken off a draft: the procedure's ``delete_evidence`` step (the commune
officer, draft dossiers), with the version the page showed, audited with what the file was."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def uploaded(site) -> int:
    view = site.service.add_evidence("commune1", 1, "TC07", "nham-tep.pdf", site.pdf)
    return view.evidence[-1]["id"]


def delete(site, user: str, dossier: int, evidence: int, version: str | None = "shown"):
    client = site.client(user)
    data = {"csrf_token": site.csrf(client, "/login")}
    if version == "shown":
        data["lock_version"] = str(site.dossier(dossier).lock_version)
    elif version is not None:
        data["lock_version"] = version
    return client.post(f"/commune/dossiers/{dossier}/evidence/{evidence}/delete", data=data)


def test_the_edit_page_offers_deletion_to_the_commune_only(site, uploaded):
    page = site.client("commune1").get("/commune/dossiers/1").get_data(as_text=True)
    assert f"/commune/dossiers/1/evidence/{uploaded}/delete" in page
    shown = site.client("district1").get("/dossiers/1").get_data(as_text=True)
    assert "nham-tep.pdf" in shown and "/delete" not in shown


@pytest.mark.parametrize("user, version, status", [
    ("commune2", "shown", 403),  # another commune
    ("district1", "shown", 403),  # the procedure gives the step to the commune officer
    ("commune1", None, 400),  # the form must carry the version it showed
    ("commune1", "1", 409),  # a stale version
])
def test_a_deletion_that_may_not_happen_keeps_the_file(site, uploaded, user, version, status):
    before = [e["id"] for e in site.dossier(1).evidence]
    assert delete(site, user, 1, uploaded, version).status_code == status
    assert [e["id"] for e in site.dossier(1).evidence] == before


def test_the_commune_deletes_a_wrong_upload_audited(site, uploaded):
    answer = delete(site, "commune1", 1, uploaded)
    assert answer.status_code == 302
    assert uploaded not in [e["id"] for e in site.dossier(1).evidence]
    entry = site.history(1)[-1]
    assert (entry["action"], entry["actor"]) == ("evidence.delete", "commune1")
    assert entry["before"]["filename"] == "nham-tep.pdf" and len(entry["before"]["sha256"]) == 64
    assert delete(site, "commune1", 1, uploaded).status_code == 404  # gone
