"""Make the import test files in this folder, as reps' spreadsheets really come.

    .venv/bin/python tests/data/make_files.py

The files are committed; run this again only to change them (the CSV files come out the
same every time; the workbook differs only in the time stamps inside its zip).

- accounts_gb18030.csv   Chinese headers, GB18030 as Chinese Excel saves CSV, amounts in
                         万/亿 and with separators, a quoted cell with a line break
- accounts_utf8_bom.csv  English headers, UTF-8 with BOM, semicolons, full-width names
- accounts_bad.csv       UTF-8 accounts with bad rows (amount, rating, status, blank name,
                         the same name twice) and two names of one company (Ltd, Limited)
- contacts_tab.csv       tab-separated contacts with Chinese roles and stances
- book.xlsx              an Excel workbook made by openpyxl: sheets 商机 (deals: date cells,
                         serial dates, ¥ amounts, Chinese stage names) and 互动 (interactions)
- history_utf8.csv ...   orders, invoices, tickets and usage for the same accounts
- accounts_ragged.csv    UTF-8 accounts whose rows do not fit the header: an unquoted
                         comma (more cells), a cell missing (fewer), and a quote that
                         never closes, after a quoted cell with a line break
- contacts_no_name_gb18030.csv  GB18030 contacts with Chinese headers and no name column
- orders_formulas.xlsx   orders saved by openpyxl, which computes no formulas: the 金额 of
                         row 7 is a formula with no value (so is a column not imported)
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FIXED = datetime(2026, 11, 1, 9, 0, 0)


def write_csv(name: str, rows: list[Any], encoding: str, delimiter: str = ",") -> None:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    (HERE / name).write_bytes(buf.getvalue().encode(encoding))


ACCOUNTS_ZH = [
    ["客户名称", "行业", "细分行业", "地区", "年营业额", "员工数", "负责人", "状态", "赛道",
     "痛点", "战略匹配度", "盈利潜力", "合作稳定性", "市场影响力"],
    ["云翔集团有限公司", "制造业", "汽车零部件", "上海", "1.2亿", "3,200", "张伟", "客户",
     "价值导向型", "数据孤岛，报表靠手工\n交付周期长", 5, 5, 4, 5],
    ["华信医疗股份有限公司", "医疗健康", "医疗器械", "北京", "120万", "860人", "李娜", "客户",
     "战略灯塔型", "合规审计耗时", 4, 4, 4, 4],
    ["恒泰物流", "物流", "冷链", "深圳", "¥5,000,000", "450", "王芳", "潜在客户", "价格敏感型",
     "", 3, 3, 3, 2],
    ["东方零售集团", "零售", "连锁超市", "杭州", "3,000万", "12000", "张伟", "前客户",
     "价格敏感型", "客户流失率上升", 2, 3, 2, 3],
    ["中科智能科技有限公司", "互联网", "SaaS", "成都", "8000000", "120", "李娜", "客户", "价值导向型",
     "多系统集成困难", 4, 5, 3, 4],
]  # fmt: skip

ACCOUNTS_EN = [
    ["Account Name", "Industry", "Region", "Annual Revenue", "Employees", "Owner", "Status",
     "Track", "Strategic Fit", "Profit Potential", "Stability", "Market Influence"],
    ["Northwind Logistics Inc", "Logistics", "Singapore", "$3,000,000.50", "1,200", "Alex Chen",
     "customer", "value", 4, 4, 5, 4],
    ["Apex Foods Ltd", "Retail", "London", "2.5m", "300", "Maria Garcia", "prospect", "price",
     3, 2, 3, 3],
    ["ＳＵＭＭＩＴ　Ｈｅａｌｔｈ", "Healthcare", "Sydney", "", "75", "Alex Chen", "customer",
     "lighthouse", 5, 4, 4, 5],
    ["=HYPERLINK(\"http://evil.example\",\"x\")", "Retail", "Berlin", "10,000", "5", "Maria Garcia",
     "prospect", "price", 1, 1, 1, 1],
]  # fmt: skip

ACCOUNTS_BAD = [
    ["name", "industry", "annual_revenue", "status", "strategic_fit", "profit_potential",
     "stability", "market_influence"],
    ["Good One Ltd", "Retail", "1,000,000", "customer", 4, 4, 4, 4],
    ["Bad Amount Inc", "Retail", "about a million", "customer", 4, 4, 4, 4],
    ["Bad Rating Corp", "Retail", "500", "customer", 6, 4, 4, 4],
    ["", "Retail", "500", "customer", 3, 3, 3, 3],
    ["Bad Status GmbH", "Retail", "500", "sleeping", 3, 3, 3, 3],
    ["Good One Limited", "Retail", "2,000", "customer", 3, 3, 3, 3],
    ["Good Two Ltd", "Energy", "12万", "prospect", 3, 4, 3, 4],
    ["GOOD ONE  LTD", "Retail", "3,000", "customer", 4, 4, 4, 4],
]  # fmt: skip

CONTACTS = [
    ["客户名称", "姓名", "职位", "角色", "立场", "影响力", "汇报对象", "邮箱"],
    ["云翔集团", "王建华", "总经理", "最终决策者", "支持者", "高", "", "wang@example.com"],
    ["云翔集团有限公司", "陈静", "IT总监", "技术评估者", "拥护者", "中", "王建华", ""],
    ["云翔集团", "刘洋", "财务总监", "finance", "skeptic", "high", "王建华", ""],
    ["华信医疗", "赵敏", "CFO", "财务把关者", "中立", "高", "", ""],
    ["华信医疗股份有限公司", "孙磊", "运营经理", "使用者", "反对者", "低", "赵敏", ""],
]  # fmt: skip

DEALS = [
    ["客户名称", "商机名称", "金额", "阶段", "预计成交日期", "下一步"],
    ["云翔集团有限公司", "数据中台项目", "¥1,200,000", "方案定制与价值呈现", datetime(2026, 12, 15),
     "提交方案评审"],
    ["华信医疗股份有限公司", "年度续约", "120万", "商务谈判与合同签订", 46356, "约见财务总监"],
    ["恒泰物流", "Pilot", "$30,000", 1, "2027年1月20日", "Confirm pilot scope"],
    ["中科智能科技有限公司", "二期扩容", "800,000", "stage 4", "2026/12/3", ""],
]  # fmt: skip

INTERACTIONS = [
    ["客户名称", "日期", "类型", "摘要", "高层", "联系人"],
    ["云翔集团有限公司", datetime(2026, 11, 10), "拜访", "高层拜访：季度业务回顾", "是", "王建华"],
    ["云翔集团有限公司", "2026-11-18", "电话", "跟进报价反馈", "否", "陈静"],
    ["华信医疗股份有限公司", 46320, "会议", "需求研讨会", "", "赵敏"],
]  # fmt: skip

ORDERS = [
    ["客户名称", "订单号", "日期", "金额"],
    ["云翔集团有限公司", "SO-0001", "2026-03-10", "800,000"],
    ["云翔集团有限公司", "SO-0002", "2026-09-02", "1,500,000"],
    ["华信医疗股份有限公司", "SO-0003", "2026/10/15", "60万"],
    ["中科智能科技有限公司", "SO-0004", "2025年12月1日", "¥90,000"],
]  # fmt: skip

INVOICES = [
    ["客户名称", "发票号", "订单号", "开票日期", "到期日", "金额", "付款日期"],
    ["云翔集团有限公司", "INV-0001", "SO-0001", "2026-03-10", "2026-04-09", "800,000", "2026-04-01"],
    ["云翔集团有限公司", "INV-0002", "SO-0002", "2026-09-02", "2026-10-02", "1,500,000", ""],
    ["华信医疗股份有限公司", "INV-0003", "SO-0003", "2026-10-15", "2026-11-14", "60万", ""],
]  # fmt: skip

TICKETS = [
    ["客户名称", "工单", "严重程度", "日期", "关闭日期", "满意度"],
    ["云翔集团有限公司", "登录异常", "高", "2026-11-02", "2026-11-05", 2],
    ["云翔集团有限公司", "Report export slow", "normal", "2026-11-12", "", ""],
    ["华信医疗股份有限公司", "数据同步失败", "紧急", "2026-10-20", "2026-10-22", 4],
]  # fmt: skip

USAGE = [
    ["客户名称", "月份", "活跃用户", "登录次数", "功能采用率"],
    ["云翔集团有限公司", "2026-10", "1,000", "15,000", "72%"],
    ["云翔集团有限公司", "2026年11月", "700", "9,800", "55%"],
    ["华信医疗股份有限公司", "2026/11", "300", "4,000", "0.6"],
]  # fmt: skip


# written as bytes: a CSV writer would quote what makes these rows bad
ACCOUNTS_RAGGED = (
    "客户名称,行业,地区\r\n"
    "云翔集团有限公司,制造业,上海\r\n"
    '华信医疗股份有限公司,医疗健康,"北京\r\n朝阳区"\r\n'
    "Acme, Inc,Manufacturing,Shanghai\r\n"
    "Beta Co,Retail\r\n"
    "恒泰物流,物流,深圳\r\n"
    '"Gamma Co,Retail,Beijing\r\n'
    "Delta Co,Retail,Chengdu\r\n"
    "Epsilon Co,Retail,Xi'an\r\n"
)

CONTACTS_NO_NAME = [
    ["客户名称", "职位", "角色", "立场", "影响力"],
    ["云翔集团有限公司", "总经理", "最终决策者", "支持者", "高"],
    ["华信医疗股份有限公司", "CFO", "财务把关者", "中立", "高"],
]  # fmt: skip

ORDERS_FORMULAS = [
    ["客户名称", "订单号", "日期", "单价", "数量", "金额", "备注"],
    ["云翔集团有限公司", "SO-1001", "2026-10-01", 100, 3, 300, "=A2&B2"],
    ["云翔集团有限公司", "SO-1002", "2026-10-08", 200, 2, 400, ""],
    ["华信医疗股份有限公司", "SO-1003", "2026-10-15", 50, 10, 500, ""],
    ["华信医疗股份有限公司", "SO-1004", "2026-10-22", 80, 5, 400, ""],
    ["中科智能科技有限公司", "SO-1005", "2026-10-29", 10, 10, 100, ""],
    ["中科智能科技有限公司", "SO-1006", "2026-11-05", 70, 3, "=D7*E7", ""],
]  # fmt: skip


def make_formulas_xlsx() -> None:
    """Formulas as a program that does not compute them saves them: no cached values."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "订单"
    for row in ORDERS_FORMULAS:
        ws.append(row)
    wb.properties.created = FIXED
    wb.properties.modified = FIXED
    wb.save(HERE / "orders_formulas.xlsx")


def make_xlsx() -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "商机"
    for row in DEALS:
        ws.append(row)
    ws.cell(row=3, column=5).number_format = "yyyy-mm-dd"  # a serial shown as a date
    ws2 = wb.create_sheet("互动")
    for row in INTERACTIONS:
        ws2.append(row)
    wb.properties.created = FIXED
    wb.properties.modified = FIXED
    wb.save(HERE / "book.xlsx")


def main() -> None:
    write_csv("accounts_gb18030.csv", ACCOUNTS_ZH, "gb18030")
    write_csv("accounts_utf8_bom.csv", ACCOUNTS_EN, "utf-8-sig", ";")
    write_csv("accounts_bad.csv", ACCOUNTS_BAD, "utf-8")
    write_csv("contacts_tab.csv", CONTACTS, "utf-8", "\t")
    write_csv("orders.csv", ORDERS, "gb18030")
    write_csv("invoices.csv", INVOICES, "utf-8-sig")
    write_csv("tickets.csv", TICKETS, "utf-8")
    write_csv("usage.csv", USAGE, "utf-8")
    (HERE / "accounts_ragged.csv").write_bytes(ACCOUNTS_RAGGED.encode("utf-8"))
    write_csv("contacts_no_name_gb18030.csv", CONTACTS_NO_NAME, "gb18030")
    make_xlsx()
    make_formulas_xlsx()


if __name__ == "__main__":
    main()
