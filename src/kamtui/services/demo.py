"""The demo book: deterministic, realistic, every tier, track, stage and health colour.

Same seed and same ``today``, same book. Rows go in with ``executemany`` in one
transaction, so 100,000 accounts with their history take well under two minutes.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from kamtui.domain.stages import STAGES
from kamtui.services.book import Book
from kamtui.store import bulk
from kamtui.store.repo import REFRESH_COLS, search_text

Progress = Callable[[str], None]

CN_CITIES = [
    "北京",
    "上海",
    "深圳",
    "广州",
    "杭州",
    "成都",
    "武汉",
    "南京",
    "苏州",
    "西安",
    "重庆",
    "天津",
    "青岛",
    "厦门",
    "长沙",
    "合肥",
    "郑州",
    "宁波",
    "无锡",
    "佛山",
]
CN_WORDS = [
    "云翔",
    "华信",
    "恒泰",
    "东方",
    "中科",
    "新锐",
    "金桥",
    "天合",
    "博远",
    "瑞丰",
    "鼎盛",
    "启明",
    "海川",
    "长风",
    "明德",
    "星河",
    "远航",
    "汇通",
    "嘉禾",
    "盛世",
    "安泰",
    "卓越",
    "宏图",
    "锦程",
    "正元",
    "智联",
    "万达",
    "百川",
    "聚能",
    "昊天",
]
CN_SUFFIX = ["集团", "有限公司", "股份有限公司", "科技有限公司"]
EN_WORDS = [
    "Northwind",
    "Apex",
    "Bluewater",
    "Summit",
    "Evergreen",
    "Ironbridge",
    "Silverline",
    "Redwood",
    "Brightpath",
    "Harbor",
    "Pinecrest",
    "Lakeside",
    "Granite",
    "Skyward",
    "Meridian",
    "Oakridge",
    "Crescent",
    "Falcon",
    "Keystone",
    "Vantage",
    "Cobalt",
    "Horizon",
    "Pioneer",
    "Sterling",
]
EN_SUFFIX = ["Inc", "Ltd", "GmbH", "Group", "Holdings", "Corp"]
EN_CITIES = [
    "Singapore",
    "Hong Kong",
    "Sydney",
    "London",
    "Berlin",
    "Chicago",
    "Toronto",
    "Dubai",
    "Tokyo",
    "Seoul",
]
INDUSTRIES = [
    (
        "制造业",
        "Manufacturing",
        ["汽车零部件", "电子元器件", "工业设备"],
        ["Auto parts", "Electronics", "Machinery"],
    ),
    (
        "医疗健康",
        "Healthcare",
        ["医院", "医疗器械", "医药流通"],
        ["Hospitals", "Medical devices", "Pharma distribution"],
    ),
    (
        "金融",
        "Financial services",
        ["城商行", "保险", "证券"],
        ["Regional banks", "Insurance", "Brokerage"],
    ),
    (
        "零售",
        "Retail",
        ["连锁超市", "电商", "品牌专卖"],
        ["Supermarkets", "E-commerce", "Brand stores"],
    ),
    ("物流", "Logistics", ["快递", "仓储", "冷链"], ["Parcel", "Warehousing", "Cold chain"]),
    ("能源", "Energy", ["电力", "新能源", "油气"], ["Utilities", "Renewables", "Oil and gas"]),
    ("教育", "Education", ["高校", "职业教育", "K12"], ["Universities", "Vocational", "K12"]),
    ("互联网", "Internet", ["SaaS", "内容平台", "游戏"], ["SaaS", "Content platforms", "Games"]),
]
OWNERS = ["张伟", "李娜", "王芳", "Alex Chen", "Maria Garcia", "刘洋"]
CN_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
CN_GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "磊",
    "强",
    "洋",
    "艳",
    "军",
    "杰",
    "婷",
    "涛",
    "明",
    "超",
    "霞",
    "建华",
    "志强",
    "秀英",
    "海燕",
    "晓东",
    "丽娟",
    "国平",
    "文博",
]
EN_FIRST = [
    "James",
    "Emma",
    "Liam",
    "Olivia",
    "Noah",
    "Ava",
    "Lucas",
    "Mia",
    "Ethan",
    "Sophia",
    "Daniel",
    "Grace",
    "Ryan",
    "Chloe",
]
EN_LAST = [
    "Smith",
    "Brown",
    "Wilson",
    "Taylor",
    "Lee",
    "Walker",
    "Hall",
    "Young",
    "King",
    "Wright",
    "Green",
    "Baker",
]
TITLES = {
    "user": ["运营经理", "Operations manager", "业务主管"],
    "evaluator": ["IT总监", "CTO", "架构师", "IT manager"],
    "influencer": ["行业顾问", "Head of strategy", "技术专家"],
    "finance": ["财务总监", "CFO", "采购经理", "Procurement lead"],
    "economic_buyer": ["总经理", "CEO", "副总裁", "COO"],
}
PAINS = [
    "数据孤岛，报表靠手工",
    "交付周期长",
    "Legacy ERP cannot scale",
    "渠道管理混乱",
    "Compliance audits take weeks",
    "客户流失率上升",
    "IT budget under pressure",
    "多系统集成困难",
    "",
]
SUMMARIES = {
    "call": ["跟进报价反馈", "Follow-up on proposal", "确认需求细节", "Checked renewal timing"],
    "email": ["发送方案建议书", "Sent ROI analysis", "发送会议纪要", "Shared case study"],
    "meeting": ["需求研讨会", "Solution workshop", "季度业务回顾", "Quarterly business review"],
    "visit": ["拜访总部", "On-site visit", "高层拜访", "Executive visit"],
}
LOST_REASONS = [
    "预算冻结",
    "Chose a competitor on price",
    "项目取消",
    "Decision postponed to next year",
]
BLOCKER_ACTIONS = ["安排高层对话化解顾虑", "Arrange reference call with a peer CIO", ""]
PIN_REASONS = [
    "集团战略客户，总部指定",
    "Reference account for the region",
    "客户正在重组，暂降级观察",
]

TIER_PROFILE = {  # share, quality centre, contacts, interactions
    "S": (0.05, 4.85, (4, 7), (10, 16)),
    "A": (0.15, 4.25, (3, 5), (6, 10)),
    "B": (0.40, 3.45, (2, 3), (3, 6)),
    "C": (0.35, 2.3, (1, 2), (1, 3)),
    "unscored": (0.05, 3.0, (1, 2), (1, 2)),
}
CRITERIA = ["strategic_fit", "profit_potential", "stability", "market_influence"]


def _months_back(day: date, n: int) -> date:
    y, m = day.year, day.month - n
    while m <= 0:
        m += 12
        y -= 1
    return date(y, m, 1)


class _Gen:
    def __init__(self, seed: int, today: date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.rows: dict[str, list[tuple[Any, ...]]] = {k: [] for k in WRITES}
        self.names: set[str] = set()
        self.contact_id = self.deal_id = self.order_id = self.invoice_id = 0
        self.touch: dict[int, tuple[date | None, date | None]] = {}

    def day(self, back_max: int, back_min: int = 0) -> date:
        return self.today - timedelta(days=self.rng.randint(back_min, back_max))

    def company(self) -> tuple[str, bool]:
        r = self.rng
        chinese = r.random() < 0.62
        for attempt in range(50):
            if chinese:
                name = (
                    r.choice(CN_CITIES)
                    + r.choice(CN_WORDS)
                    + r.choice(INDUSTRY_WORDS)
                    + r.choice(CN_SUFFIX)
                )
            else:
                name = f"{r.choice(EN_WORDS)} {r.choice(EN_INDUSTRY)} {r.choice(EN_SUFFIX)}"
            if attempt > 10:
                name = f"{name} {attempt}"
            if name not in self.names:
                self.names.add(name)
                return name, chinese
        raise RuntimeError("could not make a unique company name")

    def person(self, chinese: bool) -> str:
        r = self.rng
        if chinese:
            return r.choice(CN_SURNAMES) + r.choice(CN_GIVEN)
        return f"{r.choice(EN_FIRST)} {r.choice(EN_LAST)}"

    def account(self, aid: int) -> None:
        r, today = self.rng, self.today
        tier = r.choices(list(TIER_PROFILE), [p[0] for p in TIER_PROFILE.values()])[0]
        share, centre, n_contacts, n_touch = TIER_PROFILE[tier]
        name, chinese = self.company()
        ind = r.choice(INDUSTRIES)
        k = r.randrange(3)
        status = r.choices(["customer", "prospect", "former"], [0.6, 0.32, 0.08])[0]
        track = (
            "lighthouse"
            if tier == "S" and r.random() < 0.5
            else r.choices(["value", "price", "lighthouse"], [0.5, 0.42, 0.08])[0]
        )
        troubled = status == "customer" and r.random() < (0.16 if tier in ("S", "A") else 0.08)
        created = self.day(900, 200)
        revenue = round(10 ** r.uniform(6.5, 10.5 if tier in ("S", "A") else 9), -4)
        pinned, pin_reason = (None, "")
        if r.random() < 0.015:
            pinned, pin_reason = r.choice("SABC"), r.choice(PIN_REASONS)
        self.rows["accounts"].append(
            (
                aid,
                name,
                (industry := ind[0] if chinese else ind[1]),
                ind[2][k] if chinese else ind[3][k],
                (region := r.choice(CN_CITIES) if chinese else r.choice(EN_CITIES)),
                revenue,
                int(10 ** r.uniform(1.7, 4.8)),
                r.randint(1, 60),
                r.randint(1, 5),
                r.randint(1, 5),
                (owner := r.choice(OWNERS)),
                status,
                track,
                r.choice(PAINS),
                pinned,
                pin_reason,
                None if status == "prospect" else r.random() < 0.6,
                None if status == "prospect" else r.random() < 0.3,
                created.isoformat(),
                search_text(name, industry, region, owner),
            )
        )
        unrated = set(r.sample(CRITERIA, r.randint(1, 2))) if tier == "unscored" else set()
        for c in CRITERIA:
            if c not in unrated:
                self.rows["ratings"].append((aid, c, max(1, min(5, round(r.gauss(centre, 0.45))))))

        # decision map
        contacts: list[tuple[int, str, str]] = []
        roles = ["economic_buyer", "evaluator", "finance", "user", "influencer"]
        count = r.randint(*n_contacts)
        for i in range(count):
            self.contact_id += 1
            role = (
                roles[i] if i < len(roles) and (i > 0 or r.random() < 0.88) else r.choice(roles[1:])
            )
            stance = r.choices(
                ["champion", "supporter", "neutral", "skeptic", "blocker"],
                [0.15, 0.3, 0.35, 0.12, 0.08],
            )[0]
            left = None
            if troubled and i == 0 and r.random() < 0.45:
                left = self.day(80, 5)
            elif r.random() < 0.03:
                left = self.day(400, 5)
            boss = contacts[0][0] if contacts and i > 0 else None
            self.rows["contacts"].append(
                (
                    self.contact_id,
                    aid,
                    self.person(chinese),
                    r.choice(TITLES[role]),
                    role,
                    stance,
                    r.choices(["high", "medium", "low"], [0.35, 0.45, 0.2])[0],
                    boss,
                    left.isoformat() if left else None,
                    r.choice(BLOCKER_ACTIONS) if stance == "blocker" else "",
                    f"contact{self.contact_id}@example.com",
                    "",
                )
            )
            contacts.append((self.contact_id, role, stance))

        # interactions
        last = last_exec = None
        spread = 240 if tier in ("S", "A") else 200
        if status == "former":
            spread = 400
        for _ in range(r.randint(*n_touch) if status != "prospect" or r.random() < 0.8 else 0):
            kind = r.choices(["call", "email", "meeting", "visit"], [0.35, 0.35, 0.2, 0.1])[0]
            on = self.day(spread, 1 if status != "former" else 180)
            executive = kind in ("meeting", "visit") and tier in ("S", "A") and r.random() < 0.45
            who = r.choice(contacts)[0] if contacts else None
            self.rows["interactions"].append(
                (aid, who, kind, on.isoformat(), executive, r.choice(SUMMARIES[kind]))
            )
            last = max(last, on) if last else on
            if executive:
                last_exec = max(last_exec, on) if last_exec else on
        self.touch[aid] = (last, last_exec)

        if status != "prospect":
            self.commerce(aid, tier, troubled, status)
        self.deals(aid, tier, status, created)
        if r.random() < 0.5 and status != "former":
            due = today + timedelta(days=r.randint(-10, 20))
            done = (
                (today - timedelta(days=1)).isoformat()
                if due < today and r.random() < 0.5
                else None
            )
            title = r.choice(
                [
                    "准备季度业务回顾",
                    "Send renewal quote",
                    "整理客户组织架构图",
                    "Book executive dinner",
                ]
            )
            self.rows["tasks"].append(
                (aid, None, title, due.isoformat(), done, r.choice(["manual", "cadence"]))
            )

    def commerce(self, aid: int, tier: str, troubled: bool, status: str) -> None:
        r, today = self.rng, self.today
        scale = {"S": 800_000, "A": 300_000, "B": 80_000, "C": 20_000, "unscored": 30_000}[tier]
        n_orders = r.randint(1, 8) if status == "customer" else r.randint(1, 3)
        newest = 0 if status == "customer" else 380
        for _ in range(n_orders):
            self.order_id += 1
            self.invoice_id += 1
            on = self.day(newest + 540, newest + 3)
            amount = round(scale * r.uniform(0.2, 1.8), 2)
            self.rows["orders"].append(
                (self.order_id, aid, f"SO-{self.order_id:06d}", on.isoformat(), amount)
            )
            due = on + timedelta(days=30)
            late = troubled and r.random() < 0.5
            paid = (
                None
                if (due >= today or late or r.random() < 0.03)
                else min(today, due + timedelta(days=r.randint(-20, 15)))
            )
            self.rows["invoices"].append(
                (
                    self.invoice_id,
                    aid,
                    self.order_id,
                    f"INV-{self.invoice_id:06d}",
                    on.isoformat(),
                    due.isoformat(),
                    amount,
                    paid.isoformat() if paid else None,
                )
            )
            if paid:
                self.rows["payments"].append((self.invoice_id, paid.isoformat(), amount))
        if status != "customer":
            return
        surge = troubled and r.random() < 0.6
        for _ in range(r.randint(0, 3) + (r.randint(3, 6) if surge else 0)):
            opened = self.day(25 if surge else 170)
            closed = opened + timedelta(days=r.randint(1, 20))
            closed_s = closed.isoformat() if closed <= today else None
            sat = (
                (r.choice([1, 2, 3]) if troubled else r.choice([3, 4, 4, 5, 5]))
                if closed_s
                else None
            )
            self.rows["tickets"].append(
                (
                    aid,
                    r.choice(
                        ["登录异常", "Report export slow", "数据同步失败", "Invoice question"]
                    ),
                    r.choices(["low", "normal", "high", "critical"], [0.3, 0.45, 0.2, 0.05])[0],
                    opened.isoformat(),
                    closed_s,
                    sat,
                )
            )
        users = r.randint(20, 2000) if tier in ("S", "A") else r.randint(5, 300)
        adoption = r.randint(35, 90)
        for back in range(5, -1, -1):
            month = _months_back(today, back)
            if back == 0 and troubled:
                users = int(users * r.uniform(0.55, 0.78))
            else:
                users = max(1, int(users * r.uniform(0.95, 1.08)))
            adoption = max(
                5, min(100, adoption + r.randint(-4, 5) - (15 if troubled and back == 0 else 0))
            )
            self.rows["usage"].append(
                (aid, month.isoformat(), users, users * r.randint(8, 25), adoption)
            )

    def deals(self, aid: int, tier: str, status: str, created: date) -> None:
        r, today = self.rng, self.today
        if status == "former" or r.random() > (0.9 if tier in ("S", "A") else 0.5):
            return
        for _ in range(2 if tier == "S" and r.random() < 0.4 else 1):
            self.deal_id += 1
            did = self.deal_id
            stage = r.choices([1, 2, 3, 4, 5], [0.3, 0.25, 0.2, 0.12, 0.13])[0]
            if status == "prospect":
                stage = min(stage, 3)
            start = max(created, today - timedelta(days=r.randint(stage * 20, stage * 60)))
            on = start
            history: list[tuple[Any, ...]] = [(did, None, 1, on.isoformat(), False, False, "")]
            won: tuple[str, bool] | None = None  # a deal past stage 3 is won (SPEC §5)
            for s in range(1, stage):
                on = min(today, on + timedelta(days=r.randint(7, 40)))
                forced = r.random() < 0.05
                if s == 3:
                    won = (on.isoformat(), forced)
                history.append(
                    (
                        did,
                        s,
                        s + 1,
                        on.isoformat(),
                        forced,
                        False,
                        "客户要求加快进度" if forced else "",
                    )
                )
                for d in STAGES[s - 1].deliverables:
                    if not forced or r.random() < 0.5:
                        self.rows["deliverables"].append((did, d.key, on.isoformat()))
            for d in STAGES[stage - 1].deliverables:
                if r.random() < 0.45:
                    self.rows["deliverables"].append((did, d.key, on.isoformat()))
            lost = r.random() < 0.06
            if lost:
                history.append(
                    (did, stage, stage, on.isoformat(), False, True, r.choice(LOST_REASONS))
                )
            self.rows["stage_changes"].extend(history)
            amount = round(
                {"S": 2e6, "A": 8e5, "B": 2e5, "C": 5e4, "unscored": 1e5}[tier] * r.uniform(0.3, 2),
                -3,
            )
            step = r.choice(
                [
                    "安排技术交流会",
                    "Send revised quote",
                    "约见财务总监",
                    "Confirm pilot scope",
                    "提交方案评审",
                    "",
                ]
            )
            self.rows["deals"].append(
                (
                    did,
                    aid,
                    r.choice(["年度续约", "二期扩容", "Platform rollout", "数据中台项目", "Pilot"]),
                    amount,
                    (today + timedelta(days=r.randint(10, 150))).isoformat(),
                    step,
                    stage,
                    "lost" if lost else "open",
                    history[-1][6] if lost else "",
                    created.isoformat(),
                    on.isoformat(),
                    won[0] if won else None,
                    amount if won else None,
                    won[1] if won else False,
                )
            )


INDUSTRY_WORDS = ["科技", "制造", "医疗", "物流", "能源", "零售", "数据", "智能", "电子", "实业"]
EN_INDUSTRY = [
    "Logistics",
    "Foods",
    "Systems",
    "Energy",
    "Health",
    "Retail",
    "Analytics",
    "Industries",
    "Motors",
    "Capital",
]

# what the demo writes of each table (store.bulk: the values of its columns in the order
# store.tables gives them), without what it leaves to SQLite: ids it numbers, the derived
# values (``book.refresh`` computes them), the last touches (``bulk.set_touches``)
WRITES = {
    "accounts": bulk.insert_of(
        "accounts", leave=("deleted_at", *REFRESH_COLS, "last_touch", "last_exec_touch")
    ),
    "ratings": bulk.insert_of("ratings"),
    "contacts": bulk.insert_of("contacts"),
    "interactions": bulk.insert_of("interactions", leave=("id",)),
    "orders": bulk.insert_of("orders"),
    "invoices": bulk.insert_of("invoices"),
    "payments": bulk.insert_of("payments", leave=("id",)),
    "tickets": bulk.insert_of("tickets", leave=("id",)),
    "usage": bulk.insert_of("usage_snapshots"),
    "deals": bulk.insert_of("deals"),
    "stage_changes": bulk.insert_of("deal_stage_changes", leave=("id",)),
    "deliverables": bulk.insert_of("deal_deliverables"),
    "tasks": bulk.insert_of("tasks", leave=("id",)),
}


def make_demo(
    path: str | Path,
    *,
    accounts: int = 200,
    seed: int = 1,
    today: date,
    progress: Progress | None = None,
) -> Book:
    """Create a new demo book at ``path`` (refusing to overwrite), whole or not at all (see
    ``Book.making``), and return it open."""
    if accounts < 1:
        from kamtui.domain.errors import InputError

        raise InputError("A demo book needs at least one account.")
    with Book.making(path) as book:
        gen = _Gen(seed, today)
        say = progress or (lambda _m: None)
        with book.store.writing(bulk=True) as conn:
            batch = 20_000
            for start in range(0, accounts, batch):
                for aid in range(start + 1, min(accounts, start + batch) + 1):
                    gen.account(aid)
                for table, into in WRITES.items():
                    bulk.insert(conn, into, gen.rows[table])
                    gen.rows[table].clear()
                say(f"{min(accounts, start + batch)} of {accounts} accounts written")
            bulk.set_touches(
                conn, [bulk.Touches(aid, lt, le) for aid, (lt, le) in gen.touch.items()]
            )
        say("computing tiers and health")
        book.refresh(today)
        with book.store.writing() as conn:
            bulk.analyze(conn)
    return Book.open(path)
