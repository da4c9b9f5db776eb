"""What residents and staff read about draft community rules. Polite, short, full
diacritics."""

from __future__ import annotations

BTN_MENU = "Góp ý dự thảo hương ước, quy ước"
BTN_AGREE = "Đồng ý"
BTN_DISAGREE = "Không đồng ý"
BTN_COMMENT = "Góp ý"
BTN_COMMENT_DRAFT = "Góp ý chung cho dự thảo"
BTN_READ = "Đọc từng điều"
BTN_TOC = "Mục lục"
BTN_PREV = "◀ Điều {number}"
BTN_NEXT = "Điều {number} ▶"
BTN_BACK = "Về menu chính"
BTN_CANCEL = "Hủy"
BTN_CONSENT_YES = "Đồng ý"
BTN_CONSENT_NO = "Không đồng ý"
BTN_OTHER_GROUP = "Nơi khác"

LIST_TITLE = "Các dự thảo đang lấy ý kiến nhân dân. Anh/chị chọn một dự thảo để đọc và góp ý:"
LIST_EMPTY = "Hiện chưa có dự thảo hương ước, quy ước nào đang lấy ý kiến."
LIST_ENTRY = "{number}. {title} ({place}) – {window}"
WINDOW_OPEN = "lấy ý kiến đến hết ngày {closes}"
WINDOW_CLOSED = "đã hết hạn góp ý ngày {closes}"
OVERVIEW = (
    "{title}\n"
    "Phạm vi: {place}. Phiên bản {version}.\n"
    "{window_line}\n"
    "Dự thảo có {articles} điều{chapters}.\n\n"
    "Anh/chị đọc từng điều và chọn «Đồng ý», «Không đồng ý» hoặc «Góp ý» (nhập ý kiến), "
    "hoặc góp ý chung cho cả dự thảo."
)
OVERVIEW_OPEN = "Thời gian lấy ý kiến: {opens} – {closes} (đến hết ngày {closes})."
OVERVIEW_CLOSED = "Đã hết thời gian góp ý ngày {closes}; anh/chị vẫn có thể đọc dự thảo."
TOC_TITLE = "Mục lục «{title}». Anh/chị chọn chương để đọc:"
ARTICLE_CHAPTER = "{chapter}\n\n"
ARTICLE_YOUR_VOTE = "Ý kiến của anh/chị về điều này: {vote}."
ARTICLE_CLOSED = "Đã hết thời gian góp ý ngày {closes}: chỉ xem."
ARTICLE_PROMPT = "Anh/chị có đồng ý với Điều {number} không?"
ARTICLE_NEWER = (
    "Dự thảo vừa được sửa đổi (phiên bản {version}). Ý kiến trước đây của anh/chị vẫn được "
    "giữ ở phiên bản cũ. Mời anh/chị đọc lại:"
)
ARTICLE_GONE = "Dự thảo vừa được sửa đổi (phiên bản {version}) và không còn Điều {number}."
NOT_FOUND = "Không tìm thấy dự thảo này."

CLOSED = (
    "Dự thảo «{title}» đã hết thời gian lấy ý kiến ngày {closes}, nên không nhận thêm góp ý. "
    "Anh/chị vẫn có thể đọc dự thảo."
)
NOT_YET = "Dự thảo «{title}» bắt đầu lấy ý kiến từ ngày {opens}."
CONSENT = (
    "Trước khi ghi nhận ý kiến, xin anh/chị đồng ý cho xử lý dữ liệu cá nhân "
    "(Nghị định 356/2025/NĐ-CP):\n"
    "• Thu thập: tên hiển thị, thôn/tổ dân phố nơi anh/chị sinh sống, ý kiến và nội dung "
    "góp ý, phản ánh anh/chị gửi.\n"
    "• Mục đích: tổng hợp ý kiến gửi Tổ soạn thảo, trả lời anh/chị; tiếp nhận, xử lý phản "
    "ánh, kiến nghị.\n"
    "• Người được xem: cán bộ {place} được giao.\n"
    "Anh/chị có quyền xem, sửa, xóa dữ liệu hoặc rút lại sự đồng ý bất cứ lúc nào."
)
CONSENT_REFUSED = (
    "Cảm ơn anh/chị. Ý kiến chưa được ghi nhận và không thông tin cá nhân nào được lưu. "
    "Anh/chị vẫn có thể đọc dự thảo, hoặc góp ý trực tiếp tại {contact}."
)
ASK_GROUP = (
    "Anh/chị sinh sống ở thôn, tổ dân phố nào? Thông tin này giúp Tổ soạn thảo tổng hợp ý "
    "kiến theo từng khu dân cư."
)
PRESS_BUTTON = "Anh/chị vui lòng chọn một mục bên dưới (hoặc gõ số thứ tự), gõ /huy để thoát."
READING_HINT = (
    "Để góp ý, anh/chị bấm «Góp ý» dưới điều cần góp ý, hoặc «Về menu chính» để gửi phản ánh."
)
VOTED = "Đã ghi nhận: anh/chị {vote} Điều {number}."
VOTED_CHANGED = "Đã ghi nhận ý kiến mới: anh/chị {vote} Điều {number} (thay cho ý kiến trước)."
VOTE_WORDS = {True: "đồng ý với", False: "không đồng ý với"}
VOTE_LABELS = {True: "Đồng ý", False: "Không đồng ý"}
ASK_COMMENT_ARTICLE = "Anh/chị nhập ý kiến góp ý cho Điều {number} ({title}):"
ASK_COMMENT_DRAFT = "Anh/chị nhập ý kiến góp ý chung cho dự thảo «{title}»:"
COMMENT_TOO_LONG = "Góp ý dài {length} ký tự, vượt quá {limit} ký tự. Anh/chị rút gọn giúp."
COMMENTED = (
    "Cảm ơn anh/chị! Góp ý số {id} về {target} đã được ghi nhận và sẽ được chuyển Tổ soạn "
    "thảo tổng hợp. Anh/chị sẽ nhận được trả lời tại đây nếu có."
)
TARGET_ARTICLE = "Điều {number}"
TARGET_DRAFT = "dự thảo nói chung"
EXITED = "Anh/chị có thể gửi phản ánh, kiến nghị hoặc gõ /start để xem menu."

# -- what the actions tell residents ---------------------------------------------------------
NOTIFY_ANSWERED = (
    "Trả lời góp ý số {id} của anh/chị về {target} dự thảo «{title}»:\n\n{text}"
)
NOTIFY_TO_ITEM = (
    "Góp ý số {id} của anh/chị đã được chuyển thành phản ánh để đơn vị có thẩm quyền xem xét, "
    "trả lời.\nMã tra cứu: {code}\nAnh/chị gửi «/status {code}» để xem tiến độ."
)
NOTIFY_REVISED = (
    "Dự thảo «{title}» đã được sửa đổi (phiên bản {version}). Ý kiến anh/chị đã gửi được giữ "
    "ở phiên bản trước; mời anh/chị đọc bản mới và góp ý đến hết ngày {closes}."
)
ITEM_TEXT = "Góp ý dự thảo «{title}» ({place}), {target}:\n{text}"

# -- staff --------------------------------------------------------------------------------------
STAFF_NO_ACCESS = (
    "Góp ý dự thảo hương ước, quy ước chỉ dành cho Văn phòng, {unit} và cán bộ giám sát."
)
STAFF_LIST_TITLE = "Dự thảo hương ước, quy ước ({count}):"
STAFF_LIST_EMPTY = "Chưa có dự thảo nào. Nhập dự thảo bằng lệnh: python -m bot drafts import"
STAFF_LIST_ENTRY = (
    "#{id} {title} ({place}), phiên bản {version}\n"
    "   {state}: {opens} – {closes}; {participants} người tham gia, {votes} ý kiến "
    "đồng ý/không đồng ý, {comments} góp ý ({unanswered} chưa trả lời)"
)
STATE_LABELS = {"not_yet": "Chưa mở", "open": "Đang lấy ý kiến", "closed": "Đã kết thúc"}
STAFF_DRAFT_HEAD = (
    "Dự thảo #{id}: {title} ({place}), phiên bản {version}\n"
    "{state}: {opens} – {closes}. {participants} người tham gia.\n"
    "Theo điều (đồng ý / không đồng ý / góp ý):"
)
STAFF_ARTICLE_LINE = "Điều {number}. {title}: {agree} / {disagree} / {comments}"
STAFF_DRAFT_LINE = "Góp ý chung: {comments}"
STAFF_LATEST = "Góp ý mới nhất:"
STAFF_NO_COMMENTS = "Chưa có góp ý."
STAFF_COMMENT_LINE = "• Số {id} · {target} · {group} · {at}: {text}{state}"
STAFF_COMMENT_ANSWERED = " (đã trả lời)"
STAFF_COMMENT_ITEM = " (đã chuyển phản ánh {code})"
STAFF_DRAFT_ASK = "Anh/chị gõ /draft và số dự thảo, ví dụ: /draft 1. Gõ /drafts để xem danh sách."
STAFF_DRAFT_NOT_FOUND = "Không có dự thảo số {id}."
STAFF_COMMENT = (
    "Góp ý số {id} – dự thảo #{draft} «{title}», phiên bản {version}\n"
    "Về: {target}\nNgười góp ý: {who}, {group}\nThời gian: {at}\n\n{text}"
)
STAFF_COMMENT_ANSWER = "\n\nĐã trả lời ({at}): {text}"
STAFF_COMMENT_ITEM_LINE = "\n\nĐã chuyển thành phản ánh {code}."
STAFF_COMMENT_NOT_FOUND = "Không có góp ý số {id}."
STAFF_BTN_ANSWER = "Trả lời"
STAFF_BTN_TO_ITEM = "Chuyển thành phản ánh"
STAFF_BTN_DRAFT = "Về dự thảo #{id}"
STAFF_BTN_COMMENT = "Góp ý số {id}"
STAFF_ASK_ANSWER = "Anh/chị nhập nội dung trả lời góp ý số {id} (người góp ý sẽ nhận được):"
STAFF_ANSWERED = "Đã gửi trả lời góp ý số {id} tới người góp ý."
STAFF_TO_ITEM = "Đã chuyển góp ý số {id} thành phản ánh {code} ({status}, {unit})."
STAFF_CANCELLED = "Đã hủy."
STAFF_TYPE_ANSWER = "Anh/chị nhập nội dung trả lời, hoặc bấm «Hủy»."
STAFF_READ_ONLY = "Vai trò giám sát chỉ được xem góp ý, không trả lời hay chuyển phản ánh."
