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
SUMMARY = "Anh/chị kiểm tra lại nội dung:\n\n{text}\n\n{details}Bấm «" + BTN_SEND + "» để gửi."
SUBMITTED = (
    "Cảm ơn anh/chị! Phản ánh đã được tiếp nhận.\n"
    "Mã tra cứu: {code}\n"
    "{routing}"
    "Anh/chị gửi «/status {code}» hoặc nhập mã để xem tiến độ."
)
SUBMITTED_FIELD = "Lĩnh vực: {field}.\n"
SUBMITTED_FIELD_TRIAGE = "Lĩnh vực: cán bộ đang phân loại.\n"
SUBMITTED_KIND = "Loại đơn: {kind}.\n"
SUBMITTED_UNIT = "Đơn vị xử lý: {unit}.\n"
SUBMITTED_UNIT_TRIAGE = "Đơn vị tiếp nhận: {unit} (phân loại rồi chuyển đơn vị có thẩm quyền).\n"
SUBMITTED_DATES = (
    "Chậm nhất ngày {processing}, anh/chị sẽ được báo phản ánh được thụ lý giải quyết "
    "hay chuyển nơi khác.\n"
    "Hạn trả lời dự kiến: {answer}.\n"
)
SUBMITTED_CONFIDENTIAL = (
    "Thông tin người tố cáo được giữ bí mật (Luật Tố cáo 2018), chỉ người giải quyết tố cáo "
    "được biết.\n"
)

# -- what residents are told as their item moves (sent by the actions) -------------------
NOTIFY_ROUTED = "Phản ánh {code} đã được chuyển đến {unit} xử lý."
NOTIFY_ACCEPTED = (
    "Phản ánh {code} đã được {unit} thụ lý giải quyết.\nHạn giải quyết: {due}."
)
NOTIFY_EXTENDED = (
    "Phản ánh {code}: thời hạn giải quyết được gia hạn đến {due}.\nLý do: {reason}"
)
NOTIFY_ANSWERED = (
    "Phản ánh {code} đã có trả lời của {unit}:\n\n{text}\n\n"
    "Anh/chị có hài lòng với kết quả giải quyết không?"
)
NOTIFY_REJECTED = (
    "Phản ánh {code} không được thụ lý.\nLý do: {reason}\n"
    "Anh/chị có thể liên hệ: {where}"
)
NOTIFY_FORWARDED = (
    "Phản ánh {code} không thuộc thẩm quyền của {place} nên đã được chuyển đến: {where}. "
    "Cơ quan đó sẽ xem xét, trả lời anh/chị."
)
NOTIFY_REOPENED = (
    "Phản ánh {code} đã được mở lại để xem xét thêm. Anh/chị sẽ được báo khi có kết quả."
)
NOTIFY_CLOSED = "Phản ánh {code} đã kết thúc. Cảm ơn anh/chị đã phản ánh."

BTN_SATISFIED = "Hài lòng"
BTN_UNSATISFIED = "Chưa hài lòng"
RATED_SATISFIED = "Cảm ơn anh/chị đã đánh giá. Phản ánh {code} đã kết thúc."
RATED_UNSATISFIED = (
    "Cảm ơn anh/chị. Phản ánh {code} đã được mở lại; đơn vị xử lý và Văn phòng đã được báo.\n"
    "Anh/chị có thể nhập lý do chưa hài lòng (không bắt buộc), hoặc bấm «" + BTN_SKIP + "»."
)
RATING_REASON_THANKS = "Đã ghi nhận ý kiến của anh/chị và chuyển đến đơn vị xử lý."
RATING_SKIPPED = "Cảm ơn anh/chị. Anh/chị sẽ được báo khi có kết quả xem xét lại."
THANKS_REPLY = (
    "Dạ, cảm ơn anh/chị. Khi cần, anh/chị cứ nhắn nội dung phản ánh, kiến nghị hoặc mã tra "
    "cứu để xem tiến độ."
)
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
STATUS_UNIT = "\nĐơn vị xử lý: {unit}"
STATUS_RESOLUTION_DUE = "\nHạn giải quyết: {due}"
STATUS_ANSWER = "\nTrả lời: {text}"
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

# -- staff ------------------------------------------------------------------------------
# Staff messages never carry a denunciation's sender identity: views add it for the
# inspectorate only.
STAFF_BTN_OPEN = "Xem chi tiết"
STAFF_NEW_ITEM = (
    "Phản ánh mới {code} ({kind}, lĩnh vực: {field}) chuyển đến {unit}.\n"
    "Hạn xử lý đơn: {due}. Gõ /item {code} để xem."
)
STAFF_NEW_TRIAGE = "Phản ánh {code} chờ phân loại: {reason}\nGõ /triage để xem hàng chờ."
STAFF_UNSATISFIED = (
    "Phản ánh {code} ({unit}): người gửi CHƯA HÀI LÒNG với trả lời; phản ánh đã được mở lại."
)
STAFF_UNSATISFIED_REASON = "Phản ánh {code}: lý do chưa hài lòng của người gửi: {reason}"
STAFF_LINK_BAD = "Mã liên kết không đúng, đã được dùng hoặc đã hết hạn. Anh/chị xin mã mới."
STAFF_LINK_TAKEN = "Tài khoản chat này đã liên kết với một cán bộ khác."
STAFF_LINK_ASK = "Anh/chị gửi kèm mã liên kết, ví dụ: /link ABCD-EFGH-JKLM."
STAFF_LINKED = (
    "Đã liên kết tài khoản với cán bộ {name} ({role}{unit}).\n" + "{help}"
)
STAFF_HELP = (
    "Lệnh cho cán bộ:\n"
    "/pending – phản ánh đang chờ xử lý, hạn gần nhất trước\n"
    "/overdue – phản ánh quá hạn\n"
    "{triage}"
    "/item MÃ – chi tiết, lịch sử và thao tác (ví dụ /item ABCD-2345)\n"
    "/drafts – dự thảo hương ước, quy ước đang lấy ý kiến; /draft SỐ – tổng hợp ý kiến\n"
    "/huy – hủy thao tác đang dở"
)
STAFF_HELP_TRIAGE = "/triage – hàng chờ phân loại\n"
STAFF_ONLY = (
    "Xin lỗi, chức năng này chỉ dành cho cán bộ đã liên kết tài khoản. "
    "Anh/chị muốn gửi phản ánh, gõ /start."
)
STAFF_NO_TRIAGE = "Hàng chờ phân loại chỉ dành cho Văn phòng và bộ phận Thanh tra."
STAFF_PENDING_TITLE = "Phản ánh đang chờ xử lý ({count}):"
STAFF_OVERDUE_TITLE = "Phản ánh quá hạn ({count}):"
STAFF_TRIAGE_TITLE = "Hàng chờ phân loại ({count}):"
STAFF_LIST_EMPTY = "Không có phản ánh nào."
STAFF_LIST_MORE = "… và {count} phản ánh khác."
STAFF_MARK_OVERDUE = "QUÁ HẠN"
STAFF_MARK_DUE_SOON = "sắp đến hạn"
STAFF_ITEM_ASK = "Anh/chị gửi kèm mã phản ánh, ví dụ: /item ABCD-2345."
STAFF_ITEM_NOT_FOUND = "Không tìm thấy phản ánh {code} trong phạm vi của anh/chị."
STAFF_SENDER_SEALED = "được bảo mật"
STAFF_ITEM = (
    "Phản ánh {code}\n"
    "Loại: {kind}{confidential}\n"
    "Lĩnh vực: {field}\n"
    "Đơn vị: {unit}\n"
    "Trạng thái: {status}\n"
    "Tiếp nhận: {received}\n"
    "{dates}"
    "Người gửi: {sender}\n"
    "{place}"
    "Nội dung: {text}\n"
    "{extra}"
    "\nLịch sử:\n{history}"
)
STAFF_NO_ACTIONS = "\n(Anh/chị chỉ được xem phản ánh này.)"
STAFF_ASK = {
    "answer.text": "Anh/chị nhập nội dung trả lời gửi người phản ánh (gõ /huy để hủy).",
    "reject.reason": "Anh/chị nhập lý do không thụ lý (gõ /huy để hủy).",
    "reject.where": "Người phản ánh cần liên hệ ở đâu? (cơ quan, địa chỉ, số điện thoại)",
    "extend.reason": "Anh/chị nhập lý do gia hạn (theo văn bản gia hạn; gõ /huy để hủy).",
    "forward.to": "Chuyển đến cơ quan nào? (tên cơ quan có thẩm quyền)",
    "reroute.reason": "Anh/chị nhập lý do chuyển (được lưu vào lịch sử).",
    "route.reason": "Ghi chú phân loại (hoặc bấm «Bỏ qua»).",
    "reopen.reason": "Anh/chị nhập lý do mở lại.",
}
STAFF_PICK_UNIT = "Chọn đơn vị nhận phản ánh {code}:"
STAFF_PICK_KIND = "Chọn loại đơn cho phản ánh {code}:"
STAFF_BTN_TO_TRIAGE = "Trả về phân loại"
STAFF_DONE = {
    "route": "Đã chuyển {code} đến {unit}.",
    "reroute": "Đã chuyển {code} đến {unit}.",
    "set_kind": "Đã đổi loại {code} thành «{kind}». Đơn vị: {unit}.",
    "accept": "Đã thụ lý {code}. Hạn giải quyết: {due}. Người gửi đã được báo.",
    "extend": "Đã gia hạn {code} đến {due}. Người gửi đã được báo.",
    "answer": "Đã gửi trả lời {code} đến người phản ánh.",
    "close": "Đã đóng {code}.",
    "reject": "Đã từ chối {code}; người gửi đã được báo lý do và nơi liên hệ.",
    "forward": "Đã chuyển {code} đến cơ quan khác; người gửi đã được báo.",
    "reopen": "Đã mở lại {code}.",
}
STAFF_REFUSED = "Không thực hiện được: {reason}"
STAFF_CANCELLED = "Đã hủy thao tác."
STAFF_PRESS_OR_TYPE = "Anh/chị nhập nội dung, hoặc gõ /huy để hủy."

# -- reminders, escalations, urgent items, digests, group chats (issue 5) ------------------
CLOCK_NAMES = {"processing": "hạn xử lý đơn", "resolution": "hạn giải quyết"}
URGENT_MARK = "KHẨN"
REMIND_DUE_SOON = (
    "Nhắc hạn: phản ánh {code} ({kind}, lĩnh vực: {field}) sắp đến {clock} {due} "
    "({left}).\nĐơn vị: {unit}. Gõ /item {code} để xử lý."
)
LEFT_DAYS = "còn {days} ngày làm việc"
LEFT_TODAY = "hôm nay là ngày cuối"
REMIND_OVERDUE = (
    "QUÁ HẠN: phản ánh {code} ({kind}, lĩnh vực: {field}) đã quá {clock} {due} "
    "({late} ngày làm việc).\nĐơn vị: {unit}. Trạng thái: {status}.\n"
    "Đã báo {followers} theo dõi, đôn đốc. Gõ /item {code} để xử lý."
)
ESCALATE_OVERDUE = (
    "Báo cáo quá hạn: phản ánh {code} ({kind}, lĩnh vực: {field}) của {unit} đã quá "
    "{clock} {due} ({late} ngày làm việc).\nTrạng thái: {status}. Người gửi đã được báo "
    "việc chậm trễ. Gõ /item {code} để xem, đôn đốc."
)
NOTIFY_LATE = (
    "Phản ánh {code} của anh/chị đã quá {clock} ({due}) mà chưa có kết quả. Chúng tôi xin "
    "lỗi anh/chị vì sự chậm trễ.\nViệc giải quyết hiện do {followers} trực tiếp theo dõi, "
    "đôn đốc {unit}. Anh/chị sẽ được báo ngay khi có kết quả."
)
# No excerpt of the resident's text: group chats get this too, and their members' roles
# are not checked (staff read the content in /item, in private).
URGENT_ITEM = (
    "KHẨN: phản ánh {code} ({kind}, lĩnh vực: {field}) cần xử lý ngay.\n"
    "Đơn vị: {unit}. {clock}: {due}.\nGõ /item {code} để xem và xử lý."
)
STAFF_BTN_URGENT = "Đánh dấu khẩn"
STAFF_MARKED_URGENT = "Đã đánh dấu {code} là KHẨN; Văn phòng và đơn vị đã được báo."
STAFF_ALREADY_URGENT = "Phản ánh đã được đánh dấu khẩn."
DIGEST_TITLE = "Bản tin sáng {day} – {scope}"
DIGEST_SCOPE_OFFICE = "toàn {place}"
DIGEST_SUMMARY = "Đang chờ xử lý: {total} phản ánh ({overdue} quá hạn, {soon} sắp đến hạn)."
DIGEST_BY_UNIT = "Theo đơn vị:"
DIGEST_UNIT_LINE = "• {unit}: {total} ({overdue} quá hạn, {soon} sắp đến hạn)"
DIGEST_OVERDUE = "QUÁ HẠN ({count}):"
DIGEST_DUE_SOON = "SẮP ĐẾN HẠN ({count}):"
DIGEST_OTHER = "ĐANG CHỜ KHÁC ({count}):"
DIGEST_MORE = "  … và {count} phản ánh khác."
DIGEST_EMPTY = "Không có phản ánh nào đang chờ xử lý."
DIGEST_FOOTER = "Gõ /pending để xem danh sách, /item MÃ để xử lý."
GROUP_LINK_ASK = "Gửi kèm mã liên kết nhóm, ví dụ: /link ABCD-EFGH-JKLM."
GROUP_LINK_BAD = "Mã liên kết nhóm không đúng, đã được dùng hoặc đã hết hạn. Xin mã mới."
GROUP_LINKED = (
    "Đã liên kết nhóm này với {unit}. Phản ánh mới, nhắc hạn và báo quá hạn của đơn vị sẽ "
    "được thông báo tại đây. Cán bộ xử lý phản ánh trong tin nhắn riêng với bot."
)
GROUP_LINKED_HELP = (
    "Nhóm này nhận thông báo của {unit}. Để xem và xử lý phản ánh, anh/chị nhắn riêng cho "
    "bot (/pending, /item MÃ)."
)
