"""The web, the API and the command line ask one function, reading the dated procedures: editing a procedure file
(``CFC_PROCEDURES_DIR``) changes who may import on the web and on the command line alike."""

from __future__ import annotations

import io
import os
import shutil
import subprocess

import pytest
from conftest import CFC, PASSWORD, Site, make_app
from ruamel.yaml import YAML

from engine.workflow import procedures_directory


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    """A copy of the shipped procedures where only district users import under procedure-2019."""
    folder = tmp_path_factory.mktemp("procedures") / "procedures"
    shutil.copytree(procedures_directory(), folder)
    path = folder / "procedure-2019.yaml"
    yaml = YAML()
    data = yaml.load(path.read_text(encoding="utf-8"))
    data["steps"]["import"]["roles"] = ["district_appraiser", "district_chair"]
    data["steps"]["import"]["level"] = "district"
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    return folder


def upload(app, username: str):
    """Preview an import of one value of commune1's commune (round 2024) as ``username``."""
    site = Site(app, None)
    client = site.login(username, PASSWORD)
    data = b"commune_code,TC05.injured\n23335,2\n"
    return client.post("/import", data={"csrf_token": site.csrf(client, "/import"), "year": "2024",
                                        "file": (io.BytesIO(data), "so-lieu.csv")})


def test_editing_a_procedure_file_changes_who_may_import_on_the_web(instance, edited, monkeypatch):
    shipped = make_app(instance)
    try:
        answer = upload(shipped, "commune1")  # as the command line allows: the preview is shown
        assert answer.status_code == 200 and "nhập chỉ số từ tệp: theo" not in answer.get_data(as_text=True)
    finally:
        shipped.extensions["cfc.engine"].dispose()
    monkeypatch.setenv("CFC_PROCEDURES_DIR", str(edited))
    changed = make_app(instance)
    try:
        answer = upload(changed, "commune1")
        assert answer.status_code == 403
        assert "nhập chỉ số từ tệp: theo procedure-2019 cần vai trò district_appraiser" in answer.get_data(as_text=True)
        assert upload(changed, "district1").status_code == 200
    finally:
        changed.extensions["cfc.engine"].dispose()


def test_editing_a_procedure_file_changes_who_may_import_on_the_command_line(instance, edited, tmp_path):
    template = tmp_path / "mau.csv"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["CFC_INSTANCE_DIR"] = str(instance)
    subprocess.run([str(CFC), "import", "template", "qd06-2019", "-o", str(template), "--unit", "23335",
                    "--round", "2024"], env=env, check=True, capture_output=True)
    args = [str(CFC), "import", str(template), "--round", "2024", "--as", "commune1", "--dry-run"]
    shipped = subprocess.run(args, env=env, capture_output=True, text=True)
    assert "nhập chỉ số từ tệp: theo" not in shipped.stdout + shipped.stderr
    env["CFC_PROCEDURES_DIR"] = str(edited)
    changed = subprocess.run(args, env=env, capture_output=True, text=True)
    assert changed.returncode == 1
    assert "nhập chỉ số từ tệp: theo procedure-2019 cần vai trò district_appraiser" in changed.stdout + changed.stderr
