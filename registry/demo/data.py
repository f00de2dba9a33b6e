"""Reference data for the demo: the Thái Bình unit tree, Vietnamese names and activity titles.

Commune names are the real pre-2025 communes of each district (after the 2019–2024 mergers, so
about 240 rather than the historical 260). Commune codes are illustrative five-digit codes in the
shape of the national ones (Vũ Thư starts at 12865, as in the test fixtures), not official codes.
"""

from __future__ import annotations

PROVINCE = ("34", "Thái Bình")

# (code, name, kind, first commune code, [(kind, name), ...]); "xã" unless written otherwise
_X, _P, _T = "xã", "phường", "thị trấn"
DISTRICTS: list[tuple[str, str, str, int, list[tuple[str, str]]]] = [
    ("336", "Thái Bình", "thành phố", 12436, [
        *[(_P, n) for n in ("Lê Hồng Phong", "Bồ Xuyên", "Tiền Phong", "Trần Lãm", "Kỳ Bá",
                            "Trần Hưng Đạo", "Đề Thám", "Quang Trung", "Hoàng Diệu", "Phú Khánh")],
        *[(_X, n) for n in ("Tân Bình", "Vũ Đông", "Vũ Lạc", "Vũ Chính", "Phú Xuân", "Vũ Phúc",
                            "Đông Mỹ", "Đông Hòa", "Đông Thọ")],
    ]),
    ("338", "Quỳnh Phụ", "huyện", 12493, [
        (_T, "Quỳnh Côi"), (_T, "An Bài"),
        *[(_X, n) for n in ("Quỳnh Hải", "Quỳnh Hội", "Quỳnh Hồng", "Quỳnh Mỹ", "Quỳnh Hưng",
                            "Quỳnh Hoa", "Quỳnh Minh", "Quỳnh Giao", "Quỳnh Thọ", "Châu Sơn",
                            "Quỳnh Khê", "Quỳnh Nguyên", "Trang Bảo Xá", "An Vinh", "Đông Hải",
                            "Quỳnh Hoàng", "Quỳnh Lâm", "Quỳnh Ngọc", "An Cầu", "An Ấp", "An Lễ",
                            "An Quý", "An Đồng", "An Hiệp", "An Thái", "An Khê", "An Ninh",
                            "An Vũ", "An Mỹ", "An Thanh", "Đồng Tiến", "An Dục", "An Tràng")],
    ]),
    ("339", "Hưng Hà", "huyện", 12598, [
        (_T, "Hưng Hà"), (_T, "Hưng Nhân"),
        *[(_X, n) for n in ("Hòa Bình", "Minh Khai", "Thống Nhất", "Kim Trung", "Hồng Lĩnh",
                            "Văn Lang", "Tân Tiến", "Thái Phương", "Đoan Hùng", "Phúc Khánh",
                            "Minh Tân", "Độc Lập", "Hồng An", "Chí Hòa", "Minh Hòa", "Hồng Minh",
                            "Bắc Sơn", "Đông Đô", "Tây Đô", "Chi Lăng", "Quang Trung", "Văn Cẩm",
                            "Duyên Hải", "Tân Hòa", "Canh Tân", "Cộng Hòa", "Hòa Tiến",
                            "Thái Hưng", "Tân Lễ", "Tiến Đức", "Liên Hiệp")],
    ]),
    ("340", "Đông Hưng", "huyện", 12697, [
        (_T, "Đông Hưng"),
        *[(_X, n) for n in ("Nguyên Xá", "Đông La", "Đông Các", "Đông Sơn", "Đông Hợp",
                            "Liên An Đô", "Lô Giang", "Mê Linh", "Phú Lương", "Phong Dương Tiến",
                            "Phú Châu", "Đông Hoàng", "Xuân Quang Động", "Hà Giang", "Đông Kinh",
                            "Đông Vinh", "Đông Cường", "Đông Xá", "Đông Phương", "Đông Á",
                            "Đông Tân", "Đông Quan", "Liên Hoa", "Hồng Giang", "Trọng Quan",
                            "Minh Phú", "Minh Tân", "Hồng Bạch", "Thăng Long", "Hồng Việt",
                            "Đông Dương")],
    ]),
    ("341", "Thái Thụy", "huyện", 12955, [
        (_T, "Diêm Điền"),
        *[(_X, n) for n in ("Thụy Hải", "Thụy Trình", "Thụy Bình", "Thụy Liên", "Thụy Trường",
                            "Thụy Xuân", "An Tân", "Hồng Dũng", "Thụy Quỳnh", "Thụy Văn",
                            "Thụy Việt", "Thụy Sơn", "Dương Phúc", "Thụy Hưng", "Thụy Thanh",
                            "Thụy Phong", "Thụy Duyên", "Thái Phúc", "Dương Hồng Thủy",
                            "Thái Hưng", "Thái Thượng", "Hòa An", "Thái Nguyên", "Mỹ Lộc",
                            "Tân Học", "Thái Đô", "Thái Xuyên", "Thái Thọ", "Thái Thịnh",
                            "Thuần Thành", "Sơn Hà", "Thái Giang", "Thụy Chính", "Thụy Dân",
                            "Thụy Ninh")],
    ]),
    ("342", "Tiền Hải", "huyện", 13063, [
        (_T, "Tiền Hải"),
        *[(_X, n) for n in ("An Ninh", "Tây Ninh", "Tây Lương", "Vũ Lăng", "Phương Công",
                            "Vân Trường", "Bắc Hải", "Tây Giang", "Ái Quốc", "Đông Hoàng",
                            "Đông Cơ", "Đông Lâm", "Đông Minh", "Đông Xuyên", "Đông Quang",
                            "Đông Long", "Đông Trà", "Nam Thịnh", "Nam Tiến", "Nam Chính",
                            "Nam Cường", "Nam Phú", "Nam Hưng", "Nam Trung", "Nam Hồng",
                            "Nam Hà", "Nam Hải")],
    ]),
    ("343", "Kiến Xương", "huyện", 13147, [
        (_T, "Kiến Xương"),
        *[(_X, n) for n in ("Bình Minh", "Quang Trung", "Quang Minh", "Quang Bình", "Thống Nhất",
                            "Lê Lợi", "Hòa Bình", "Vũ Lễ", "Quang Lịch", "Vũ An", "Vũ Ninh",
                            "Vũ Trung", "Vũ Quý", "Minh Tân", "Minh Quang", "Bình Thanh",
                            "Hồng Tiến", "Nam Bình", "Bình Định", "Vũ Công", "Hồng Vũ",
                            "Thanh Tân", "An Bình", "Bình Nguyên", "Hồng Thái", "Quốc Tuấn",
                            "Trà Giang", "Tây Sơn")],
    ]),
    ("344", "Vũ Thư", "huyện", 12865, [
        *[(_X, n) for n in ("Tân Hòa", "Song An", "Minh Quang", "Tam Quang", "Vũ Hội",
                            "Nguyên Xá", "Trung An", "Phúc Thành", "Tân Phong", "Hòa Bình",
                            "Minh Khai", "Dũng Nghĩa", "Song Lãng", "Hiệp Hòa", "Minh Lãng",
                            "Tân Lập", "Tự Tân", "Bách Thuận", "Việt Thuận", "Vũ Vinh", "Vũ Vân",
                            "Vũ Đoài", "Duy Nhất", "Hồng Phong", "Vũ Tiến", "Đồng Thanh",
                            "Hồng Lý", "Việt Hùng", "Xuân Hòa")],
        (_T, "Vũ Thư"),
    ]),
]  # fmt: skip

VILLAGE_NAMES = (
    "Đông", "Đoài", "Nam", "Bắc", "Trung", "An Lộc", "Phú Mỹ", "Đồng Tâm", "Tân Lập", "Hòa Bình",
    "Lạc Đạo", "Vạn Xuân", "Kim Châu", "Phúc Lộc", "Đại Đồng", "Thống Nhất", "Thượng", "Hạ",
    "Cộng Hòa", "Bình Minh", "Thanh Trì", "Văn Lãng", "Hưng Đạo", "Quyết Tiến",
)  # fmt: skip

# Family names with rough shares in the Red River delta (Nguyễn first, Vũ/Phạm above average).
FAMILY_NAMES = (
    ("Nguyễn", 31), ("Trần", 10), ("Phạm", 9), ("Lê", 8), ("Vũ", 7), ("Bùi", 5), ("Đỗ", 4),
    ("Hoàng", 4), ("Đặng", 3), ("Ngô", 2), ("Đào", 2), ("Phan", 1.5), ("Đinh", 1.5),
    ("Dương", 1), ("Trịnh", 1), ("Đoàn", 1), ("Lương", 1), ("Mai", 1), ("Cao", 0.8), ("Tô", 0.8),
    ("Hà", 0.8), ("Tạ", 0.6), ("Lại", 0.4), ("Quách", 0.3),
)  # fmt: skip

# Middle names by sex, for people born before 1985 ("old") and since ("young").
MALE_MIDDLE = {
    "old": (("Văn", 60), ("Đức", 8), ("Hữu", 6), ("Xuân", 5), ("Đình", 5), ("Quang", 4),
            ("Công", 4), ("Ngọc", 3), ("Bá", 2), ("Khắc", 2), ("Minh", 1)),
    "young": (("Văn", 28), ("Đức", 10), ("Minh", 12), ("Quang", 6), ("Duy", 6), ("Tiến", 5),
              ("Hoàng", 5), ("Thành", 4), ("Gia", 4), ("Mạnh", 4), ("Việt", 4), ("Quốc", 4),
              ("Hữu", 3), ("Trọng", 3), ("Xuân", 3), ("Anh", 2)),
}  # fmt: skip
FEMALE_MIDDLE = {
    "old": (("Thị", 85), ("Thu", 3), ("Thanh", 3), ("Ngọc", 3), ("Kim", 2), ("Hồng", 2),
            ("Bích", 2), ("Thị Thu", 2), ("Thị Bích", 1)),
    "young": (("Thị", 40), ("Thu", 8), ("Ngọc", 8), ("Thanh", 6), ("Phương", 5), ("Thùy", 5),
              ("Minh", 5), ("Khánh", 4), ("Bảo", 4), ("Hải", 3), ("Diệu", 3), ("Mai", 3),
              ("Thị Thu", 3), ("Thị Bích", 2), ("Thị Hồng", 2), ("Thị Thanh", 2)),
}  # fmt: skip
MALE_GIVEN = {
    "old": ("Hùng", "Dũng", "Thắng", "Lợi", "Tiến", "Hải", "Sơn", "Bình", "Thành", "Cường",
            "Hòa", "Minh", "Long", "Phong", "Quang", "Toàn", "Chiến", "Đức", "Hưng", "Tuấn",
            "Nam", "Trung", "Vinh", "Nghĩa", "Hiển", "Thịnh", "Tâm", "Khải", "Lâm", "Hợp",
            "Lực", "Thuận", "Quý", "Phúc", "Hoan", "Khoa"),
    "young": ("Anh", "Huy", "Hoàng", "Khánh", "Long", "Minh", "Nam", "Phúc", "Quân", "Tùng",
              "Duy", "Đạt", "Hiếu", "Kiên", "Khôi", "Bảo", "Nhật", "Phong", "Thái", "Trung",
              "Tuấn", "Vũ", "Hải", "Đức", "Dũng", "Sơn", "Lâm", "Khang", "Hưng", "Thành", "Việt",
              "Đăng", "An", "Quang"),
}  # fmt: skip
FEMALE_GIVEN = {
    "old": ("Hằng", "Hạnh", "Lan", "Hoa", "Hồng", "Huệ", "Hương", "Liên", "Loan", "Mai", "Nga",
            "Nhung", "Oanh", "Phượng", "Thơm", "Thu", "Thủy", "Tuyết", "Vân", "Yến", "Dung",
            "Hiền", "Lý", "Nhàn", "Hậu", "Thắm", "Xuân", "Cúc", "Đào", "Lụa", "Tâm", "Thoa", "Hà",
            "Bình", "Lựu", "Huyền"),
    "young": ("Anh", "Ánh", "Chi", "Giang", "Hà", "Hằng", "Hạnh", "Hiền", "Huyền", "Linh", "Ly",
              "My", "Ngân", "Ngọc", "Nhi", "Phương", "Quỳnh", "Thảo", "Trang", "Trâm", "Uyên",
              "Vy", "Yến", "Hương", "Lan", "Mai", "Thư", "Hoa", "Dung", "Diệp", "Tâm", "Lan Anh",
              "Hà My", "Bích"),
}  # fmt: skip

# Organisations of a commune: (name pattern, kind, staff range). {c} is the commune's display name.
ORGANISATIONS = (
    ("Ủy ban nhân dân {c}", "agency", (15, 25)),
    ("Trường Tiểu học {n}", "school", (20, 35)),
    ("Trường Mầm non {n}", "school", (15, 30)),
    ("Trường THCS {n}", "school", (18, 32)),
    ("Trạm Y tế {c}", "agency", (6, 10)),
    ("Hợp tác xã Dịch vụ nông nghiệp {n}", "enterprise", (8, 15)),
    ("Công ty TNHH May {n}", "enterprise", (20, 40)),
)  # fmt: skip

# Activity catalogue: category code → (title, provider, hours range, date rule). Placeholders:
# {c} commune display name, {d} district display name, {y} year, {v} village display name.
# Date rules: "any" (any day of the year), "oct" (Lifelong Learning Week, 1–7 October),
# "apr21" (Vietnam Book Day), "sep" (start of a school year, 5 September).
ANY, OCT, APR21, SEP = "any", "oct", "apr21", "sep"
CATALOGUE: dict[str, tuple[tuple[str, str, tuple[float, float], str], ...]] = {
    "tthtcd": (
        ("Chuyên đề kỹ thuật thâm canh lúa chất lượng cao", "TTHTCĐ {c}", (2, 6), ANY),
        ("Chuyên đề phòng trừ sâu bệnh hại lúa vụ xuân", "TTHTCĐ {c}", (2, 4), ANY),
        ("Tập huấn chăn nuôi gà an toàn sinh học", "TTHTCĐ {c}", (3, 8), ANY),
        ("Chuyên đề chăm sóc sức khỏe người cao tuổi", "TTHTCĐ {c}", (2, 4), ANY),
        ("Tuyên truyền pháp luật về đất đai", "TTHTCĐ {c}", (2, 3), ANY),
        ("Chuyên đề phòng, chống bạo lực gia đình", "TTHTCĐ {c}", (2, 3), ANY),
        ("Hướng dẫn sử dụng điện thoại thông minh", "TTHTCĐ {c}", (3, 8), ANY),
        ("Chuyên đề dinh dưỡng cho trẻ em dưới 5 tuổi", "TTHTCĐ {c}", (2, 4), ANY),
        ("Tập huấn trồng rau an toàn theo VietGAP", "TTHTCĐ {c}", (4, 12), ANY),
        ("Hướng dẫn cài đặt và sử dụng VNeID", "TTHTCĐ {c}", (2, 3), ANY),
    ),
    "vocational": (
        ("Sơ cấp nghề May công nghiệp", "Trung tâm GDNN-GDTX {d}", (120, 300), ANY),
        ("Sơ cấp nghề Điện dân dụng", "Trung tâm GDNN-GDTX {d}", (120, 240), ANY),
        ("Sơ cấp nghề Kỹ thuật chăn nuôi thú y", "Trường Cao đẳng Thái Bình", (90, 200), ANY),
        ("Sơ cấp nghề Sửa chữa máy nông nghiệp", "Trường Cao đẳng Thái Bình", (120, 240), ANY),
        ("Sơ cấp nghề Nấu ăn", "Trung tâm GDNN-GDTX {d}", (80, 160), ANY),
        ("Đào tạo nghề Trồng và chế biến nấm", "Trung tâm GDNN-GDTX {d}", (60, 120), ANY),
    ),
    "formal": (
        ("Đại học hệ vừa làm vừa học ngành Kế toán", "Trường Đại học Thái Bình", (200, 450), SEP),
        ("Bổ túc văn hóa THPT", "Trung tâm GDNN-GDTX {d}", (300, 600), SEP),
        ("Trung cấp Lý luận chính trị - hành chính", "Trường Chính trị tỉnh Thái Bình",
         (250, 400), ANY),
        ("Cao đẳng Điều dưỡng hệ vừa làm vừa học", "Trường Đại học Y Dược Thái Bình",
         (200, 450), SEP),
    ),
    "online": (
        ("Kỹ năng số cơ bản (Bình dân học vụ số)", "Nền tảng Bình dân học vụ số", (4, 12), ANY),
        ("Sử dụng dịch vụ công trực tuyến", "Cổng Dịch vụ công quốc gia", (2, 4), ANY),
        ("An toàn thông tin cho người dùng cá nhân", "Nền tảng Bình dân học vụ số", (2, 6), ANY),
        ("Tiếng Anh giao tiếp cơ bản", "Ứng dụng học tiếng Anh trực tuyến", (10, 40), ANY),
        ("Bán hàng trên sàn thương mại điện tử", "Sở Công Thương Thái Bình", (4, 10), ANY),
        ("Ứng dụng trí tuệ nhân tạo trong công việc", "Nền tảng Bình dân học vụ số", (3, 8), ANY),
    ),
    "self_study": (
        ("Đọc sách tại thư viện xã", "Thư viện {c}", (6, 40), ANY),
        ("Tự học tiếng Anh qua ứng dụng", "", (10, 60), ANY),
        ("Đọc báo Thái Bình và tài liệu khuyến nông", "Tủ sách cộng đồng {v}", (5, 30), ANY),
        ("Tự học tin học văn phòng", "", (10, 40), ANY),
        ("Đọc sách pháp luật tại tủ sách cộng đồng", "Tủ sách cộng đồng {v}", (4, 20), ANY),
    ),
    "campaign": (
        ("Tuần lễ hưởng ứng học tập suốt đời năm {y}", "UBND {c}", (2, 8), OCT),
        ("Tuần lễ hưởng ứng học tập suốt đời năm {y}", "Hội Khuyến học {c}", (2, 6), OCT),
        ("Ngày Sách và Văn hóa đọc Việt Nam năm {y}", "Thư viện {c}", (2, 4), APR21),
        ("Hội thi tìm hiểu pháp luật năm {y}", "UBND {c}", (2, 4), ANY),
        ("Ngày hội Khuyến học {c} năm {y}", "Hội Khuyến học {c}", (2, 4), ANY),
    ),
    "other": (
        ("Sinh hoạt Câu lạc bộ thơ ca", "Hội Người cao tuổi {c}", (2, 6), ANY),
        ("Hội thảo đầu bờ giới thiệu giống lúa mới", "Hội Nông dân {c}", (2, 4), ANY),
        ("Tập huấn phòng cháy, chữa cháy", "Công an {c}", (2, 4), ANY),
        ("Tập huấn sơ cấp cứu ban đầu", "Hội Chữ thập đỏ {c}", (3, 6), ANY),
        ("Sinh hoạt chuyên đề Hội Liên hiệp Phụ nữ", "Hội LHPN {c}", (2, 3), ANY),
        ("Câu lạc bộ dưỡng sinh", "Hội Người cao tuổi {c}", (10, 40), ANY),
    ),
}  # fmt: skip

UNIVERSITIES = (
    "Trường Đại học Thái Bình", "Trường Đại học Y Dược Thái Bình",
    "Trường Đại học Bách khoa Hà Nội", "Học viện Nông nghiệp Việt Nam",
    "Trường Đại học Kinh tế Quốc dân", "Trường Đại học Sư phạm Hà Nội",
)  # fmt: skip
