"""The impact's failed conditions, made again as messages for the reader's language only when they are exactly
the text scoring wrote (``dossiers.impact_text``); anything else is kept as written."""

from __future__ import annotations

from dossiers.impact_text import readable_failed
from dossiers.language import reader
from engine.loader import Registry


def test_failed_conditions_are_translated_only_when_remade_exactly():
    version = Registry.load().get("qd06-2019")
    met_at = next(c.met_at for c in version.criteria if c.code == "TC02")
    threshold = max(c.threshold for c in version.categories)
    stored = [f"TC02 chưa đạt: 25 điểm, cần ít nhất {met_at}",
              f"TC02 chưa đạt: 25 điểm, cần ít nhất {met_at + 1}",  # another version's met_at: kept as written
              "TC05 bị 0 điểm",
              f"tổng điểm 760 chưa đạt ngưỡng {threshold} (còn thiếu {threshold - 760} điểm)",
              "một điều kiện khác"]
    made = readable_failed(stored, 760, {"TC02": 25, "TC05": 0}, version)
    assert made == stored  # the Vietnamese (the page, the spreadsheet, the JSON) does not change
    assert [reader("en")(m) for m in made] == [
        f"TC02 not met: 25 points, needs at least {met_at}", stored[1], "TC05 scores 0 points",
        f"total 760 is below the threshold {threshold} ({threshold - 760} points short)", stored[4]]
