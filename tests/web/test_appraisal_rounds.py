"""An appraisal belongs to one submission (issue #10), seen through the pages.

commune1 fills and submits dossier 1 (the example values: 935 points, eligible); district1 appraises it and
returns it; commune1 lowers two values and submits again. The appraisal page then starts empty, the commune's
new values beside; the chair's verify is refused naming the indicators not appraised for this submission, and
nothing of the old appraisal counts. A dossier returned from "verified" no longer shows its verified score or
panel; the history keeps them. Each test has its own copy of the demo database (``fresh_site``).
"""

from __future__ import annotations

import re

from test_csrf import form_values
from test_form_versions import forms_of, text_of

from engine.template import example_values

PANEL = "Nguyễn Thị Chủ Tịch\nTrần Văn Thành Viên"
LOWERED = {"TC13.satisfaction": 40, "TC07.fully_immunised": 30}


def post_form(site, user: str, page: str, action: str, data: dict):
    """Open ``page`` as ``user`` and post its form for ``action`` with the token and version it carries."""
    client = site.client(user)
    shown = forms_of(client.get(page).get_data(as_text=True), page)[action]
    carried = {k: v for k, v in shown.items() if k in ("csrf_token", "lock_version")}
    assert set(carried) == {"csrf_token", "lock_version"}, shown
    return client.post(action, data={**carried, **data})


def submit(site, values: dict) -> None:
    answer = post_form(site, "commune1", "/commune/dossiers/1", "/commune/dossiers/1",
                       {**form_values(values), "action": "submit"})
    assert answer.status_code == 302 and site.dossier(1).status == "submitted", site.flashes(
        site.client("commune1").get("/commune/dossiers/1").get_data(as_text=True))


def appraise(site, values: dict) -> None:
    answer = post_form(site, "district1", "/district/dossiers/1", "/district/dossiers/1", form_values(values))
    assert answer.status_code == 302, site.flashes(answer.get_data(as_text=True))


def give_back(site, user: str, page: str, reason: str) -> None:
    answer = post_form(site, user, page, "/district/dossiers/1/return", {"reason": reason})
    assert answer.status_code == 302 and site.dossier(1).status == "draft"


def verify(site):
    return post_form(site, "chair1", "/district/dossiers/1", "/district/dossiers/1/verify", {"members": PANEL})


def appraisal_fields(page: str) -> dict[str, str | None]:
    """The appraisal page's value fields (code → what the field shows; a radio: its checked value or None)."""
    out = {}
    for code in example_values():
        name = code.replace(".", "__")
        tags = re.findall(rf'<input[^>]*\bname="{name}"[^>]*>', page)
        checked = [re.search(r'\bvalue="([^"]*)"', t).group(1) for t in tags if re.search(r"\bchecked\b", t)]
        value = re.search(r'\bvalue="([^"]*)"', tags[0]) if len(tags) == 1 else None
        out[code] = checked[0] if checked else (value.group(1) if value else None) or None
    return out


def commune_column(page: str) -> list[str]:
    return [text_of(cell) for cell in re.findall(r'<td class="self">(.*?)</td>', page, re.S)]


def test_a_resubmitted_dossier_is_appraised_anew(fresh_site):
    site = fresh_site
    submit(site, example_values())
    appraise(site, example_values())  # the whole dossier appraised as the commune declared it
    assert site.service.preview_appraisal(site.dossier(1)).total == 935
    give_back(site, "district1", "/district/dossiers/1", "Kiểm tra lại TC07 và TC13")
    lowered = {**example_values(), **LOWERED}
    submit(site, lowered)
    d = site.dossier(1)
    assert d.self_score.total < 935 and d.self_score.recognized is False
    assert all(v["appraised"] is None for v in d.values.values())  # nothing of the old appraisal counts

    page = site.client("district1").get("/district/dossiers/1").get_data(as_text=True)
    assert set(appraisal_fields(page).values()) == {None}, appraisal_fields(page)  # every field starts empty
    assert {"40", "30"} <= set(commune_column(page))  # the commune's new values beside

    before = site.state()
    answer = verify(site)
    text = text_of(answer.get_data(as_text=True))
    assert answer.status_code == 409, text[:400]
    assert "chưa thẩm định đủ các chỉ số" in text
    assert all(code in text for code in ("TC01.officer", "TC07.fully_immunised", "TC13.satisfaction"))
    assert site.state() == before
    d = site.dossier(1)
    assert (d.status, d.verified_score, d.panel_members) == ("submitted", None, None)

    # appraised again for this submission, the chair verifies the values the commune now declares
    appraise(site, lowered)
    assert verify(site).status_code == 302
    d = site.dossier(1)
    assert d.status == "verified" and d.verified_score.total == d.self_score.total < 935


def test_a_return_from_verified_clears_the_verified_score_and_panel(fresh_site):
    site = fresh_site
    submit(site, example_values())
    appraise(site, example_values())
    assert verify(site).status_code == 302
    page = text_of(site.client("province").get("/dossiers/1").get_data(as_text=True))
    assert "Điểm thẩm định" in page and "Trần Văn Thành Viên" in page

    give_back(site, "province", "/dossiers/1", "Hội đồng thẩm định lại TC13")
    d = site.dossier(1)
    assert (d.verified_score, d.panel_members) == (None, None)
    assert all(v["appraised"] is None and v["comment"] is None for v in d.values.values())
    for user in ("province", "district1", "commune1"):
        page = text_of(site.client(user).get("/dossiers/1").get_data(as_text=True))
        assert "Điểm thẩm định" not in page and "Trần Văn Thành Viên" not in page, user
        assert "Hội đồng thẩm định:" not in page
    returned = [e for e in site.history(1) if e["action"] == "transition.return"][-1]
    assert returned["before"]["verified_total"] == 935
    assert returned["before"]["panel_members"] == PANEL.splitlines()
    assert returned["before"]["appraised"]["TC13.satisfaction"] == "86.5"


def test_the_appraisal_page_says_how_many_indicators_are_not_yet_appraised(fresh_site):
    """The score impact previews missing appraised values with the commune's: the page says so."""
    site = fresh_site
    submit(site, example_values())
    pending = "chưa thẩm định cho lần nộp này"
    page = text_of(site.client("district1").get("/district/dossiers/1").get_data(as_text=True))
    assert f"Còn {len(example_values())} chỉ số {pending}" in page
    appraise(site, example_values())
    page = text_of(site.client("district1").get("/district/dossiers/1").get_data(as_text=True))
    assert pending not in page


def test_a_shared_number_is_appraised_once_and_shown_where_it_is_reused(fresh_site):
    """The commune's number of children (TC03, reused by TC04 and TC05) has one field on the appraisal page,
    as on the commune's form: its copies show it (data-copy-of) and take the appraised value when it is saved."""
    from engine.shared import shared_sources

    site = fresh_site
    submit(site, example_values())
    copies = shared_sources(site.service.registry.get(site.dossier(1).criteria_version))
    assert copies == {"TC04.children": "TC03.children", "TC05.children": "TC03.children"}
    page = site.client("district1").get("/district/dossiers/1").get_data(as_text=True)
    assert len(re.findall(r'<input[^>]*\bname="TC03__children"', page)) == 1
    for copy in copies:
        assert not re.search(rf'<input[^>]*\bname="{copy.replace(".", "__")}"', page)  # nothing to type again
    assert page.count('data-copy-of="TC03__children"') == 2
    appraise(site, {**{c: v for c, v in example_values().items() if c not in copies}, "TC03.children": 2500})
    values = site.dossier(1).values
    assert [values[code]["appraised"] for code in ("TC03.children", *copies)] == ["2500"] * 3
    assert values["TC03.children"]["self"] == "2400"  # the commune's number stays beside it
