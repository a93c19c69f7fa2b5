"""An import confirmed on the web is bound to what its preview saw (issue #10, item 2): when the commune saves
a value after the district's preview, the district's confirmation stores nothing and lists who changed what,
then offers the file checked again. The versions stay on the server: the confirmation form carries only a
random token of its user, so a made-up, replayed or borrowed token stores nothing either.

Through the real app and its test client (tests/web/conftest.py); dossier 2 is commune2's draft (Phường Duy
Tân, 23284). The binding itself is tested on SQLite and PostgreSQL in tests/store/test_bulk_import.py.
"""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from dossiers.models import Dossier, Unit, User
from dossiers.users import add_user

NEW_OFFICER = "commune9"
HIDDEN_RE = re.compile(r'<input[^>]*type="hidden"[^>]*>')


def preview(site, user: str, data: bytes, year: str = "2024"):
    """Upload ``data`` (the dry run); the page and the confirmation form's fields (empty: nothing to confirm)."""
    client = site.client(user)
    page = client.post("/import", data={"csrf_token": site.csrf(client, "/import"), "year": year,
                                        "file": (io.BytesIO(data), "so-lieu.csv")}).get_data(as_text=True)
    return page, confirmation_fields(page)


def confirmation_fields(page: str) -> dict:
    form = page.split('action="/import/confirm"', 1)
    if len(form) == 1:
        return {}
    return dict(re.findall(r'name="(token|year|name)"[^>]*value="([^"]*)"', form[1].split("</form>", 1)[0]))


def confirm(site, user: str, fields: dict):
    client = site.client(user)
    return client.post("/import/confirm", data={"csrf_token": site.csrf(client, "/import"), **fields})


@pytest.fixture(scope="module")
def free_commune(site) -> str:
    """A commune of Thành phố Kon Tum with no dossier yet, and its officer ``NEW_OFFICER``."""
    with site.service.transaction() as s:
        taken = {u for (u,) in s.execute(select(User.unit_id))} | {c for (c,) in s.execute(select(Dossier.commune_id))}
        city = s.execute(select(Unit).where(Unit.level == "district", Unit.code == "608")).scalar_one()
        free = next(u for u in s.scalars(select(Unit).where(Unit.parent_id == city.id).order_by(Unit.code))
                    if u.id not in taken)
        add_user(s, NEW_OFFICER, "demo", free.code, ["commune_officer"], f"Cán bộ {free.name}", actor="tests",
                 unit_level="commune")
        return free.code


def test_the_commune_saves_after_the_preview_and_the_confirmation_stores_nothing(site):
    page, fields = preview(site, "district1", b"commune_code,TC13.satisfaction\n23284,77\n")
    assert fields and "Phường Duy Tân" in page
    site.service.set_values("commune2", 2, {"TC13.satisfaction": "95"})  # the commune, after the preview
    before = site.state()

    answer = confirm(site, "district1", fields)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert site.state() == before  # nothing stored
    assert site.dossier(2).values["TC13.satisfaction"]["self"] == "95"
    (listed,) = re.findall(r'<ul class="conflicts"><li>(.*?)</li></ul>', text, re.S)
    assert listed.startswith("Phường Duy Tân (23284): hồ sơ 2 đã thay đổi")
    assert "commune2 lúc " in listed and "Nhập số liệu (TC13.satisfaction)" in listed
    assert any("Không có gì được lưu: 1 hồ sơ đã thay đổi sau khi xem trước" in f for f in site.flashes(text))

    # the page has checked the file again: confirming that preview knowingly imports it
    again = confirmation_fields(text)
    assert again and again["token"] != fields["token"]
    assert confirm(site, "district1", again).status_code == 302
    assert site.dossier(2).values["TC13.satisfaction"]["self"] == "77"
    assert site.history(2)[-1]["action"] == "values.import"


def test_a_dossier_created_after_the_preview_is_a_conflict(site, free_commune):
    page, fields = preview(site, "district1", f"commune_code,TC13.satisfaction\n{free_commune},80\n".encode())
    assert fields and "tạo hồ sơ" in page
    created = site.service.create(NEW_OFFICER, free_commune, 2024).id  # the commune opens its dossier meanwhile
    before = site.state()
    answer = confirm(site, "district1", fields)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 409 and site.state() == before
    assert f"({free_commune}): chưa có hồ sơ khi xem trước; hồ sơ {created}" in text
    assert f"{NEW_OFFICER} lúc " in text and "Tạo hồ sơ" in text


def test_the_confirmation_form_carries_no_version_only_a_token(site):
    page, fields = preview(site, "district1", b"commune_code,TC13.satisfaction\n23284,61\n")
    form = page.split('action="/import/confirm"', 1)[1].split("</form>", 1)[0]
    names = set(re.findall(r'name="([^"]+)"', " ".join(HIDDEN_RE.findall(form))))
    assert names == {"csrf_token", "token", "year", "name"}
    assert re.fullmatch(r"[0-9a-f]{64}", fields["token"])
    confirm(site, "district1", fields)  # leaves no pending preview for the next test


@pytest.mark.parametrize("how", ["made-up", "replayed", "someone else's", "another year"])
def test_a_token_that_is_not_this_users_preview_stores_nothing(site, how):
    _, fields = preview(site, "district1", b"commune_code,TC13.satisfaction\n23284,62\n")
    user = "district1"
    if how == "made-up":
        fields = {**fields, "token": "0" * 64}
    elif how == "replayed":
        assert confirm(site, user, fields).status_code == 302  # the first confirmation imports
        site.service.set_values("commune2", 2, {"TC13.satisfaction": "64"})  # then the same token once more
    elif how == "someone else's":
        user = "chair1"  # same district, same rights: still not their preview
    else:
        fields = {**fields, "year": "2023"}
    before = site.state()
    answer = confirm(site, user, fields)
    assert site.state() == before
    if how == "another year":
        assert answer.status_code == 400
    else:
        assert answer.status_code == 302
        page = site.client(user).get(answer.headers["Location"]).get_data(as_text=True)
        assert "Tệp đã hết hạn, vui lòng tải lên lại." in site.flashes(page)
    if how == "replayed":
        assert site.dossier(2).values["TC13.satisfaction"]["self"] == "64"
