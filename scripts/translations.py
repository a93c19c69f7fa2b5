"""Update the English translation of the web pages (Vietnamese is the source language).

    .venv/bin/python scripts/translations.py

Extracts the messages (pybabel), fills English from EN below, writes webforms/translations/en/LC_MESSAGES/
messages.po and compiles messages.mo. A message missing from EN stays Vietnamese and is listed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "webforms"
OUT = WEB / "translations" / "en" / "LC_MESSAGES"

EN = {
    "Trang này dành cho vai trò: %(roles)s": "This page is for the roles: %(roles)s",
    "Sai tên đăng nhập hoặc mật khẩu.": "Wrong user name or password.",
    "Lỗi": "Error",
    "Tệp tải lên quá lớn.": "The uploaded file is too large.",
    "Hai phiên bản giống hệt nhau.": "The two versions are identical.",
    "So sánh %(a)s với %(b)s": "Compare %(a)s with %(b)s",
    "Bộ tiêu chí": "Criteria",
    "Mã": "Id",
    "Trạng thái": "Status",
    "Hiệu lực": "In force",
    "Giá trị chưa xác minh": "Unverified values",
    "So sánh": "Compare",
    "với": "with",
    "hiệu lực": "in force",
    "Giá trị": "Value",
    "Công bố là chính thức": "Publish as official",
    "Chỉ thực hiện được khi mọi giá trị đã được xác minh.": "Only possible once every value is verified.",
    "Lịch sử thay đổi": "Change history",
    "Phiên làm việc đã hết hạn, vui lòng thử lại.": "The session expired, please try again.",
    "Đã tạo hồ sơ năm %(year)s.": "Dossier for %(year)s created.",
    "Chưa lưu: có giá trị không hợp lệ, xem các ô được đánh dấu.":
        "Not saved: some values are invalid, see the marked fields.",
    "Đã lưu nháp nhưng chưa nộp được: ": "Draft saved but not submitted: ",
    "Đã nộp hồ sơ.": "Dossier submitted.",
    "Đã lưu nháp.": "Draft saved.",
    "Chưa tải lên: ": "Not uploaded: ",
    "Đã tải lên minh chứng.": "Evidence uploaded.",
    "Điểm tự đánh giá (tính lại sau mỗi lần lưu)": "Self-assessment score (recomputed after each save)",
    "tối đa": "max",
    "điểm": "points",
    "Lưu nháp": "Save draft",
    "Lưu và nộp hồ sơ": "Save and submit",
    "Tải lên minh chứng": "Upload evidence",
    "Tải lên": "Upload",
    "Tự đánh giá xã, phường phù hợp với trẻ em": "Child-friendly commune self-assessment",
    "Chưa có hồ sơ năm %(y)s.": "No dossier for %(y)s yet.",
    "Tạo hồ sơ năm %(y)s": "Create the %(y)s dossier",
    "Năm": "Year",
    "Điểm": "Points",
    "Nhập, sửa": "Fill in",
    "Xem": "View",
    "Đã lưu kết quả thẩm định.": "Appraisal saved.",
    "Đã trả hồ sơ về xã.": "Dossier returned to the commune.",
    "Đã xác nhận kết quả thẩm định.": "Appraisal verified.",
    "Ảnh hưởng của kết quả thẩm định": "Effect of the appraisal",
    "Tự đánh giá": "Self-assessment",
    "Thẩm định": "Appraisal",
    "ngưỡng": "threshold",
    "ĐỦ ĐIỀU KIỆN": "ELIGIBLE",
    "CHƯA ĐỦ ĐIỀU KIỆN": "NOT ELIGIBLE",
    "Chưa tính được: còn chỉ số thiếu giá trị.": "Cannot be computed yet: some indicators have no value.",
    "Chỉ số": "Indicator",
    "Xã kê khai": "Commune's value",
    "Giá trị thẩm định": "Appraised value",
    "Nhận xét": "Comment",
    "Lưu kết quả thẩm định": "Save the appraisal",
    "Trả lại cho xã": "Return to the commune",
    "Lý do": "Reason",
    "Trả lại": "Return",
    "Xác nhận kết quả thẩm định (Chủ tịch hội đồng)": "Verify the appraisal (panel chair)",
    "Xác nhận": "Verify",
    "Hồ sơ chờ thẩm định": "Dossiers awaiting appraisal",
    "Xã, phường": "Commune",
    "Điểm tự đánh giá": "Self-assessment score",
    "Không có hồ sơ chờ thẩm định.": "No dossier awaits appraisal.",
    "Đã thẩm định, chờ tỉnh công nhận": "Verified, awaiting the province",
    "Chọn ít nhất một hồ sơ và điền đủ thông tin quyết định.":
        "Select at least one dossier and fill in the decision.",
    "Đã xử lý %(n)s hồ sơ: %(ids)s": "%(n)s dossiers processed: %(ids)s",
    "Đã thu hồi công nhận.": "Recognition revoked.",
    "Tổng hợp năm %(y)s": "Overview %(y)s",
    "Hồ sơ theo trạng thái": "Dossiers by status",
    "Đơn vị": "Unit",
    "Số xã": "Communes",
    "Chưa có hồ sơ.": "No dossier yet.",
    "Tỷ lệ xã được công nhận so với mục tiêu quốc gia": "Share of recognised communes against the national targets",
    "Mục tiêu: 65%% số xã vào năm 2025, 75%% vào năm 2030.": "Targets: 65%% of communes by 2025, 75%% by 2030.",
    "Phân bố điểm (%(n)s hồ sơ)": "Score distribution (%(n)s dossiers)",
    "Hồ sơ chờ công nhận": "Dossiers awaiting recognition",
    "Điểm thẩm định": "Appraised score",
    "Đạt": "Met",
    "Không có hồ sơ chờ công nhận.": "No dossier awaits recognition.",
    "Quyết định cho các hồ sơ đã chọn": "Decision for the selected dossiers",
    "Thực hiện": "Apply",
    "phiên bản": "version",
    "Loại": "Category",
    "Minh chứng": "Evidence",
    "Chưa có minh chứng.": "No evidence yet.",
    "Lịch sử hồ sơ": "Dossier history",
    "Thời gian": "Time",
    "Người thực hiện": "By",
    "Thao tác": "Action",
    "Nội dung": "Detail",
    "Chưa tính được điểm: cần nhập đủ tất cả chỉ số.": "No score yet: every indicator needs a value.",
    "ĐỦ ĐIỀU KIỆN CÔNG NHẬN": "ELIGIBLE FOR RECOGNITION",
    "CHƯA ĐỦ ĐIỀU KIỆN CÔNG NHẬN": "NOT YET ELIGIBLE FOR RECOGNITION",
    "tạm thời": "provisional",
    "Có thể cải thiện (%(n)s)": "Possible improvements (%(n)s)",
    "Tiêu chí": "Criterion",
    "Tối đa": "Max",
    "Giải thích": "Explanation",
    "Xã, phường phù hợp với trẻ em": "Child-friendly communes",
    "Công nhận": "Recognition",
    "Tổng hợp": "Overview",
    "Hồ sơ": "Dossiers",
    "Đăng xuất": "Sign out",
    "Về trang chính": "Back to the start page",
    "Đăng nhập": "Sign in",
    "Tên đăng nhập": "User name",
    "Mật khẩu": "Password",
    "Hồ sơ trên địa bàn": "Dossiers in your area",
    "Lọc": "Filter",
    "Không có hồ sơ.": "No dossier.",
    "Sửa bản tự đánh giá": "Edit the self-assessment",
    "Quyết định công nhận số": "Recognition decision no.",
    "ngày": "of",
    "Hội đồng thẩm định": "Appraisal panel",
    "Thu hồi công nhận": "Revoke recognition",
    "Thu hồi": "Revoke",
    "Trả lại hồ sơ": "Return the dossier",
    "Kiểm tra giấy công nhận": "Check a certificate",
    "CÒN HIỆU LỰC": "VALID",
    "ĐÃ BỊ THU HỒI": "REVOKED",
    "lý do": "reason",
    "ĐÃ ĐƯỢC THAY BẰNG GIẤY SỐ": "SUPERSEDED BY CERTIFICATE",
    "BẢN MẪU: cấp theo bộ tiêu chí tạm thời, chưa được đối chiếu với văn bản chính thức.":
        "SAMPLE: issued under provisional criteria, not yet verified against the official text.",
    "Huyện, thị xã, thành phố": "District",
    "Tỉnh, thành phố": "Province",
    "Năm đánh giá": "Assessment year",
    "Tổng điểm": "Total points",
    "Quyết định công nhận": "Recognition decision",
    "Cơ quan ban hành": "Issued by",
    "Số hiệu": "Serial number",
    "Ngày cấp": "Issued on",
    "Trang này do hệ thống quản lý hồ sơ công nhận hiển thị trực tiếp từ cơ sở dữ liệu; một bản PDF bị sửa không thể thay đổi nội dung ở đây.":
        "This page is shown straight from the recognition database; an edited PDF cannot change what it says.",
    "Giấy công nhận (PDF)": "Certificate (PDF)",
    "Quyết định công nhận (PDF)": "Recognition decision (PDF)",
    "Biên bản thẩm định (PDF)": "Appraisal minutes (PDF)",
    "Tệp đã hết hạn, vui lòng tải lên lại.": "The upload expired, please upload it again.",
    "Nhập số liệu từ bảng tính": "Import indicator values from a spreadsheet",
    "Một dòng cho mỗi xã (cột commune_code), một cột cho mỗi chỉ số. Tải": "One row per commune (column commune_code), one column per indicator. Download the",
    "tệp mẫu XLSX": "XLSX template",
    "Mọi ô được kiểm tra trước; chỉ cần một ô sai là không có gì được lưu.": "Every cell is checked first; one bad cell and nothing is stored.",
    "Kiểm tra tệp": "Check the file",
    "%(n)s ô sai: sửa tệp rồi tải lên lại. Không có gì được lưu.": "%(n)s bad cells: fix the file and upload it again. Nothing was stored.",
    "Dòng": "Row",
    "Cột": "Column",
    "Kết quả": "Result",
    "Xác nhận nhập %(n)s hồ sơ": "Confirm the import of %(n)s dossiers",
    "Không có gì thay đổi.": "Nothing changes.",
    "Báo cáo của tỉnh (PDF)": "Province report (PDF)",
    "Kết quả (XLSX)": "Results (XLSX)",
    "Kết quả (CSV)": "Results (CSV)",
    "Nhật ký (CSV)": "Audit trail (CSV)",
    "Nhập bảng tính": "Spreadsheet import",
    "Bước": "Step",
    "số thứ tự trong nhật ký": "audit entry no.",
    "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ (CSRF). Vui lòng tải lại trang và thử lại.":
        "The session expired or the form is not valid (CSRF). Please reload the page and try again.",
    "Bộ tiêu chí %(v)s là TẠM THỜI: một số điểm số, ngưỡng chưa được đối chiếu với văn bản chính thức. Kết quả chỉ để tham khảo.":
        "Criteria version %(v)s is PROVISIONAL: some points and thresholds are not yet verified against the "
        "official text. Results are for reference only.",
    "%(n)s giá trị chưa được đối chiếu với văn bản chính thức. Xác minh bằng lệnh:":
        "%(n)s values are not yet verified against the official text. Verify them with:",
    "Biểu mẫu không ghi phiên bản hồ sơ mà bạn đã xem nên không có gì được lưu. Hãy tải lại trang, xem lại hồ sơ "
    "rồi thử lại.": "The form did not carry the version of the dossier you saw, so nothing was saved. Reload the "
    "page, check the dossier and try again.",
    "Biểu mẫu xác nhận không khớp với tệp đã kiểm tra.": "The confirmation form does not match the checked file.",
    "Không có gì được lưu: %(n)s hồ sơ đã thay đổi sau khi xem trước. Tệp đã được kiểm tra lại với số liệu hiện "
    "nay: xem lại rồi xác nhận nếu vẫn muốn nhập.": "Nothing was saved: %(n)s dossiers changed after the preview. "
    "The file has been checked again against the current data: review it, then confirm if you still want to "
    "import it.",
    "Còn %(n)s chỉ số chưa thẩm định cho lần nộp này: điểm trên tạm lấy giá trị xã kê khai cho các chỉ số đó; chỉ "
    "xác nhận được khi đã thẩm định đủ.": "%(n)s indicators are not yet appraised for this submission: the score "
    "above uses the commune's values for them; verification needs every indicator appraised.",
    "Để trống họ tên hoặc chức vụ người ký thì lấy theo cấu hình cơ quan ban hành quyết định; khi chưa cấu hình, "
    "phải ghi họ tên người ký.": "Leave the signer's name or title empty to use the issuing body's configuration; "
    "when none is configured, the signer's name is required.",
    "Quyết định thu hồi công nhận (PDF)": "Revocation decision (PDF)",
    "người ký": "signed by",
    "Quyết định thu hồi số": "Revocation decision no.",
    "Quyết định thu hồi công nhận": "Revocation decision",
    "Đăng nhập sai quá nhiều lần với tên này. Vui lòng thử lại sau %(wait)s.":
        "Too many failed sign-ins for this name. Please try again in %(wait)s.",
    "Nhập sai mật khẩu quá nhiều lần. Vui lòng thử lại sau %(wait)s.": "Too many wrong passwords. Please try again in %(wait)s.",
    "Quá nhiều yêu cầu từ địa chỉ này. Vui lòng thử lại sau %(wait)s.":
        "Too many requests from this address. Please try again in %(wait)s.",
    "%(minutes)s phút": "%(minutes)s minutes",
    "%(seconds)s giây": "%(seconds)s seconds",
    "Đổi mật khẩu": "Change password",
    "Mật khẩu hiện tại": "Current password",
    "Mật khẩu mới (ít nhất 10 ký tự)": "New password (at least 10 characters)",
    "Nhập lại mật khẩu mới": "New password again",
    "Mật khẩu hiện tại không đúng.": "The current password is wrong.",
    "Sau khi đổi, mọi phiên đăng nhập và khoá API của bạn kết thúc; bạn đăng nhập lại bằng mật khẩu mới.":
        "Afterwards every session and API token of yours ends; you sign in again with the new password.",
    "Đã đổi mật khẩu. Mọi phiên đăng nhập và khoá API của bạn đã kết thúc: hãy đăng nhập lại bằng mật khẩu mới.":
        "Password changed. Every session and API token of yours has ended: sign in again with the new password.",
    "Lý do thu hồi (nội bộ, lưu trong nhật ký)": "Reason for the revocation (internal, kept in the audit trail)",
    "Lý do công bố (trang tra cứu giấy công nhận hiển thị)": "Public reason (shown on the certificate verification page)",
    "theo Quyết định số": "by Decision no.",
    "Trang này chỉ nhận biểu mẫu, không nhận JSON.": "This page takes a form, not JSON.",
    "Chưa in được giấy công nhận": "The certificate cannot be printed yet",
    "Xoá minh chứng": "Delete the evidence file",
    "Xoá": "Delete",
    "Chưa xoá: biểu mẫu không hợp lệ, hãy tải lại trang.": "Not deleted: the form is not valid, reload the page.",
    "Đã xoá minh chứng.": "Evidence file deleted.",
}


def main() -> int:
    pot = OUT.parent.parent / "messages.pot"
    OUT.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(WEB / "babel.cfg"),
                    "-o", str(pot), "--no-location", "--omit-header", str(WEB)], check=True, capture_output=True)
    with open(pot, "rb") as fh:
        catalog = read_po(fh, locale="en")
    missing = []
    for message in catalog:
        if message.id:
            message.string = EN.get(message.id, "")
            if not message.string:
                missing.append(message.id)
    with open(OUT / "messages.po", "wb") as fh:
        write_po(fh, catalog, omit_header=True, no_location=True)
    with open(OUT / "messages.mo", "wb") as fh:
        write_mo(fh, catalog)
    pot.unlink()
    for m in missing:
        print(f"untranslated: {m}")
    print(f"{len(catalog) - 1 - len(missing)} translated, {len(missing)} untranslated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
