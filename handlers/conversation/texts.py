"""What residents read. Polite, short, full diacritics."""

from __future__ import annotations

FIELD_NAMES = {
    "dat_dai": "Đất đai",
    "giai_phong_mat_bang": "Bồi thường, hỗ trợ, tái định cư, giải phóng mặt bằng",
    "an_sinh_xa_hoi": "An sinh xã hội",
    "moi_truong": "Môi trường",
    "xay_dung_trat_tu_do_thi": "Xây dựng, trật tự đô thị",
    "giao_thong_ha_tang": "Giao thông, hạ tầng",
    "an_ninh_trat_tu": "An ninh, trật tự",
    "thu_tuc_hanh_chinh": "Thủ tục hành chính, thái độ phục vụ",
    "huong_uoc_quy_uoc": "Hương ước, quy ước",
    "khac": "Khác",
}

STATUS_NAMES = {
    "received": "Đã tiếp nhận",
    "triage": "Đang phân loại",
    "routed": "Đã chuyển đơn vị xử lý",
    "accepted": "Đã thụ lý, đang giải quyết",
    "forwarded": "Đã chuyển cơ quan khác",
    "rejected": "Không thụ lý",
    "answered": "Đã trả lời",
    "closed": "Đã kết thúc",
    "reopened": "Đang xem xét lại",
}

BTN_FEEDBACK = "Gửi phản ánh, kiến nghị"
BTN_LOOKUP = "Tra cứu phản ánh"
BTN_AGREE = "Đồng ý"
BTN_DISAGREE = "Không đồng ý"
BTN_SKIP = "Bỏ qua"
BTN_DONE_PHOTOS = "Xong, tiếp tục"
BTN_SHARE_LOCATION = "Gửi vị trí hiện tại"
BTN_SHARE_PHONE = "Chia sẻ số điện thoại"
BTN_SEND = "Gửi"
BTN_CANCEL = "Hủy"

GREETING = (
    "Xin chào anh/chị! Đây là Hộp thư phản ánh của {place}.\n"
    "Anh/chị có thể gửi phản ánh, kiến nghị tới chính quyền và tra cứu kết quả xử lý "
    "bằng mã số. Anh/chị chọn một mục bên dưới, hoặc nhập ngay nội dung cần phản ánh."
)
ASK_TEXT = "Anh/chị vui lòng nhập nội dung phản ánh, kiến nghị (sự việc, thời gian, địa điểm)."
ASK_CODE = "Anh/chị vui lòng nhập mã phản ánh, ví dụ: ABCD-2345."
CONSENT = (
    "Trước khi gửi, xin anh/chị đồng ý cho xử lý dữ liệu cá nhân "
    "(Nghị định 356/2025/NĐ-CP):\n"
    "• Thu thập: tên hiển thị, nội dung phản ánh, ảnh, vị trí, "
    "số điện thoại nếu anh/chị cung cấp.\n"
    "• Mục đích: tiếp nhận, chuyển đơn vị có thẩm quyền xử lý và trả lời anh/chị.\n"
    "• Người được xem: cán bộ {place} được giao xử lý.\n"
    "Anh/chị có quyền xem, sửa, xóa dữ liệu hoặc rút lại sự đồng ý bất cứ lúc nào."
)
CONSENT_REFUSED = (
    "Cảm ơn anh/chị. Nội dung vừa nhập đã được xóa, không lưu thông tin cá nhân nào.\n"
    "Anh/chị có thể phản ánh trực tiếp tại {contact}."
)
ASK_PHOTOS = (
    "Anh/chị có thể gửi ảnh hiện trường (tối đa {max_photos} ảnh). "
    "Gửi xong bấm «" + BTN_DONE_PHOTOS + "», hoặc bấm «" + BTN_SKIP + "»."
)
PHOTO_RECEIVED = "Đã nhận {count} ảnh. Anh/chị gửi thêm hoặc bấm «" + BTN_DONE_PHOTOS + "»."
PHOTO_LIMIT = "Anh/chị đã gửi đủ {max_photos} ảnh. Mời bấm «" + BTN_DONE_PHOTOS + "»."
ASK_LOCATION = (
    "Sự việc xảy ra ở đâu? Anh/chị gửi vị trí hoặc nhập địa chỉ (thôn, tổ dân phố, đường), "
    "hoặc bấm «" + BTN_SKIP + "»."
)
ASK_PHONE = (
    "Số điện thoại để cán bộ liên hệ khi cần (không bắt buộc). Anh/chị nhập số, bấm "
    "«" + BTN_SHARE_PHONE + "» hoặc «" + BTN_SKIP + "»."
)
BAD_PHONE = "Số điện thoại chưa đúng (ví dụ: 0912345678). Anh/chị nhập lại hoặc bấm «Bỏ qua»."
SUMMARY = "Anh/chị kiểm tra lại nội dung:\n\n{text}\n\n{details}\nBấm «" + BTN_SEND + "» để gửi."
SUBMITTED = (
    "Cảm ơn anh/chị! Phản ánh đã được tiếp nhận.\n"
    "Mã tra cứu: {code}\n"
    "{routing}"
    "Anh/chị gửi «/status {code}» hoặc nhập mã để xem tiến độ."
)
SUBMITTED_NEXT = (
    "Cán bộ sẽ phân loại và chuyển đơn vị có thẩm quyền; anh/chị sẽ được báo khi có kết quả.\n"
)
SUBMITTED_FIELD = "Lĩnh vực: {field}.\n"
CANCELLED = "Đã hủy. Nội dung chưa gửi đã được xóa. Anh/chị gõ /start để bắt đầu lại."
NOTHING_TO_CANCEL = "Hiện không có thao tác nào đang dở. Anh/chị gõ /start để xem các mục."
HELP = (
    "Các lệnh:\n"
    "/start – bắt đầu, xem các mục\n"
    "/status MÃ – tra cứu phản ánh (ví dụ /status ABCD-2345)\n"
    "/huy – hủy thao tác đang dở\n"
    "/help – xem hướng dẫn này\n"
    "Anh/chị cũng có thể nhập thẳng nội dung cần phản ánh."
)
STATUS_NOT_FOUND = "Không tìm thấy phản ánh có mã {code}. Anh/chị kiểm tra lại mã."
STATUS_PUBLIC = "Phản ánh {code}\nTrạng thái: {status}\nNgày tiếp nhận: {received}{more}"
STATUS_OWNER_EXTRA = "\nNội dung: {text}"
STATUS_FIELD = "\nLĩnh vực: {field}"
STATUS_DUE = "\nHạn xử lý đơn: {due}"
UNKNOWN_COMMAND = "Lệnh chưa được hỗ trợ. " + HELP
PRESS_BUTTON = "Anh/chị vui lòng chọn một nút bên dưới hoặc gõ /huy để hủy."
TEXT_TOO_LONG = (
    "Nội dung dài quá ({length} ký tự). Anh/chị rút gọn dưới {limit} ký tự, "
    "hoặc chia thành nhiều phản ánh."
)
UNSUPPORTED = {
    "sticker": "Xin lỗi, hệ thống chưa nhận nhãn dán. Anh/chị vui lòng nhập nội dung bằng chữ.",
    "voice": (
        "Xin lỗi, hệ thống chưa nhận tin nhắn thoại. Anh/chị vui lòng nhập nội dung bằng chữ "
        "hoặc gửi ảnh."
    ),
    "video": "Xin lỗi, hệ thống chưa nhận video. Anh/chị vui lòng gửi ảnh hoặc nhập nội dung.",
    "file": "Xin lỗi, hệ thống chưa nhận tệp đính kèm. Anh/chị vui lòng gửi ảnh hoặc nội dung.",
    "too_large": "Ảnh quá lớn (tối đa {max_mb} MB). Anh/chị vui lòng gửi ảnh nhỏ hơn.",
    "other": "Xin lỗi, hệ thống chỉ nhận chữ, ảnh, vị trí và số điện thoại.",
}
PHOTO_NOT_NOW = "Anh/chị vui lòng nhập nội dung phản ánh trước, sau đó gửi ảnh."
NO_GROUPS = "Hộp thư phản ánh chỉ nhận tin nhắn riêng. Anh/chị vui lòng nhắn trực tiếp cho bot."
ADDED_TEXT = "Đã bổ sung vào nội dung. Anh/chị gửi ảnh hoặc bấm «" + BTN_DONE_PHOTOS + "»."
