"""The UI's message catalog: every string a user reads, in English and 简体中文.

Use as ``from kamtui.ui import strings as S`` then ``S.COL_TIER``. The language is chosen
with ``set_language`` (the CLI does it first); a key missing in Chinese falls back to
English.

A count is said with its noun's two forms: ``"{n:deal|deals}"`` reads "1 deal", "3 deals"
(``kamtui.domain.counts``; a catalog string's ``format`` knows the form). Chinese has one
form: ``"{n} 个商机"``. No string says "deal(s)".
"""

from __future__ import annotations

import locale
import os
import re
import string
import sys
from functools import lru_cache
from typing import TYPE_CHECKING

from kamtui.domain.counts import counted

if TYPE_CHECKING:
    from textual.binding import Binding

    from kamtui.domain.decision_map import Role
    from kamtui.domain.tracks import Track
    from kamtui.services.export import PlanWords

EN: dict[str, str] = {
    "APP_TITLE": "kamtui",
    "COL_TIER": "Tier",
    "COL_NAME": "Account",
    "COL_TRACK": "Track",
    "COL_SCORE": "Score",
    "COL_HEALTH": "Health",
    "COL_STAGE": "Top deal",
    "COL_LAST_TOUCH": "Last touch",
    "COL_NEXT_ACTION": "Next action",
    "COL_OWNER": "Owner",
    "KEY_UP": "Up",
    "KEY_DOWN": "Down",
    "KEY_PAGE_UP": "Page up",
    "KEY_PAGE_DOWN": "Page down",
    "KEY_FIRST": "First",
    "KEY_LAST": "Last",
    "KEY_OPEN": "Open",
    "KEY_QUIT": "Quit",
    "KEY_HELP": "Help",
    "KEY_RELOAD": "Reload",
    "KEY_NEW": "New account",
    "KEY_PIPELINE": "Pipeline",
    "KEY_LEFT": "Left",
    "KEY_RIGHT": "Right",
    "KEY_TIER": "Tier",
    "PIPELINE_TITLE": "Pipeline · owner: {owner} · tier: {tier}",
    "COLUMN_TOTALS": "{n:deal|deals} · {total}\nweighted {weighted}",
    "CARD_DAYS": "{days:day|days}",
    "CARD_MISSING": "⚠ {n} missing",
    "KEY_SETTINGS": "Settings",
    "SETTINGS_TITLE": "Settings · scoring model: {model}",
    "SETTINGS_WEIGHTS": "Criterion weights (%, must sum to 100)",
    "SETTINGS_THRESHOLDS": "Tier thresholds (lowest score of each tier; below B is C)",
    "SETTINGS_THRESHOLD": "{tier} from",
    "SETTINGS_CADENCES": "Cadences: any touch every … days, executive touch every … days",
    "SETTINGS_CADENCE": "Tier {tier}",
    "SETTINGS_NO_EXEC": "no executive cadence",
    "SETTINGS_HEALTH": "Health weights (%, must sum to 100)",
    "SETTINGS_RECOMPUTING": "Saving and recomputing every tier and health…",
    "SETTINGS_RECOMPUTING_DONE": "Saving and recomputing every tier and health: {done} of {total:account|accounts}",
    "SETTINGS_SAVED": "Settings saved; tiers and health recomputed.",
    "KEY_HEALTH_SCREEN": "Health alerts",
    "HEALTH_TITLE": "Health · {n:flagged account|flagged accounts} (red {red}, yellow {yellow}, green {green}) · owner: {owner}",
    "KEY_EDIT": "Edit",
    "FORM_NEW": "New account",
    "FORM_EDIT": "Edit {name}",
    "FORM_RATINGS": "Ratings (1–5)",
    "UNRATED": "unrated",
    "SAVED": "Saved {name}",
    "FIELD_NAME": "Name",
    "FIELD_INDUSTRY": "Industry",
    "FIELD_SEGMENT": "Sub-segment",
    "FIELD_REGION": "Region / HQ",
    "FIELD_OWNER": "Owner",
    "FIELD_PAIN_POINTS": "Pain points",
    "FIELD_ANNUAL_REVENUE": "Annual revenue",
    "FIELD_EMPLOYEES": "Employees",
    "FIELD_BRANCHES": "Branches",
    "FIELD_TECH_MATURITY": "Technology maturity (1–5)",
    "FIELD_FINANCIAL_HEALTH": "Financial health (1–5)",
    "FIELD_STATUS": "Status",
    "FIELD_TRACK": "Track",
    "FIELD_RENEWAL_INTENT": "Renewal / upsell intent",
    "FIELD_REFERENCE_WILLING": "Willing to be a reference",
    "KEY_PLAN": "Weekly plan",
    "KEY_TICK": "Done",
    "KEY_PREV_WEEK": "Previous week",
    "KEY_NEXT_WEEK": "Next week",
    "KEY_EXPORT": "Export",
    "PLAN_TITLE": "Weekly plan {week} ({start} – {end}) · owner: {owner} · {n:item|items}, {done} done",
    "PLAN_LOADING": "Working out the plan…",
    "PLAN_HINT": "A touch ticked done logs a call today; Enter on a batch lists its accounts.",
    "PLAN_TASK_DONE": "Task done for {account}",
    "PLAN_TOUCH_LOGGED": "Touch logged for {account}",
    "PLAN_EXPORT_TITLE": "Export the plan to (.md Markdown, .ics calendar, .csv, .json)",
    "PLAN_EXPORTED": "{n:item|items} written to {path}",
    "PLAN_KIND_HEALTH": "health",
    "PLAN_KIND_EXEC_TOUCH": "executive touch",
    "PLAN_KIND_TOUCH": "touch",
    "PLAN_KIND_TASK": "task",
    "PLAN_KIND_DELIVERABLES": "deliverables",
    "PLAN_KIND_STALE_DEAL": "stale deal",
    "PALETTE_OPEN_ACCOUNT": "Open this account",
    "PALETTE_HELP": "Keys",
    "PALETTE_HELP_HELP": "Show every key of this screen",
    "KEY_FILTER": "Filter",
    "KEY_SORT": "Sort",
    "KEY_REVERSE": "Reverse",
    "KEY_TIERS": "Tier S/A/B/C/–",
    "KEY_ALL_TIERS": "All tiers",
    "KEY_BACK": "Back",
    "KEY_TRACK": "Track",
    "KEY_HEALTH": "Health",
    "KEY_OWNER": "Owner",
    "KEY_ATTENTION": "Attention",
    "FILTER_TRACK": "track: {track}",
    "FILTER_HEALTH": "health: {health}",
    "FILTER_OWNER": "owner: {owner}",
    "FILTER_ANY": "any",
    "FILTER_ATTENTION": "needs attention (red or yellow)",
    "SUMMARY_PIPELINE": "deals by stage",
    "SUMMARY_TOP20": "top 20% = {share} of revenue",
    "SUMMARY_DEPENDENCY": "{name} holds {share}",
    "FILTER_PLACEHOLDER": "/ filters name, industry, region, owner · Chinese: just type · Esc leaves",
    "SUMMARY": "{shown} of {total:account|accounts}",
    "SUMMARY_TIERS": "S {S} · A {A} · B {B} · C {C} · unscored {unscored}",
    "FILTER_TIERS": "tiers: {tiers}",
    "SORTED_BY": "sorted by {column}{direction}",
    "DESCENDING": ", descending",
    "REFRESHING": "Recomputing tiers and health for {today}: {done} of {total}",
    "REFRESHED": "Tiers and health are up to date for {today}",
    "READ_ONLY": "read-only",
    "EMPTY_BOOK": "No accounts match. Clear the filter (Esc) or the tiers (0).",
    "ERROR": "Something went wrong: {error}",
    "WORK_FAILED": "{what} failed ({kind}); {where}",
    "WORK_FAILED_LOG": "the details are in {log}.",
    "WORK_FAILED_NO_LOG": "the details are in the log.",
    "PLAN_FAILED": "The plan could not be worked out (see the message).",
    "SETTINGS_FAILED": "Not saved: recomputing tiers and health failed (see the message).",
    "REFRESH_FAILED": "Tiers and health are still those of {day}: bringing them up to date failed.",
    "WORK_DEFAULT": "Background work",
    "WORK_TEAM_OPEN": "Opening the team view",
    "WORK_BOOK_QUERY": "Loading the Book",
    "WORK_BOOK_PAGES": "Loading more accounts",
    "WORK_BOOK_SUMMARY": "Counting the book",
    "WORK_BOOK_WARM_UP": "Preparing the next screens",
    "WORK_BOOK_REFRESH": "Bringing tiers and health up to date",
    "WORK_BOOK_EDIT": "Saving the account",
    "WORK_BOOK_TRASH": "Moving the account to the trash",
    "WORK_ACCOUNT": "Loading the account",
    "WORK_ACCOUNT_WRITE": "Saving",
    "WORK_FORM_SAVE": "Saving the form",
    "WORK_FORM_RELOAD": "Reloading the newer values",
    "WORK_SETTINGS": "Saving the settings",
    "WORK_PLAN": "Working out the plan",
    "WORK_PLAN_WRITE": "Saving the plan",
    "WORK_TRASH": "Loading the trash",
    "WORK_TRASH_WRITE": "Restoring from the trash",
    "WORK_IMPORT_CHECK": "Checking the file",
    "WORK_IMPORT_WRITE": "Importing",
    "WORK_DEAL_MOVE": "Moving the deal",
    "WORK_HEALTH": "Loading the health alerts",
    "WORK_PIPELINE": "Loading the pipeline",
    "ACCOUNT_TITLE": "{name}",
    "SECTION_PROFILE": "Profile",
    "SECTION_SCORE": "Score and tier",
    "SECTION_HEALTH": "Health",
    "SECTION_COVERAGE": "Decision map",
    "SECTION_DEALS": "Deals",
    "SECTION_DELIVERABLES": "Deliverables of stage",
    "SECTION_TIMELINE": "Timeline",
    "SECTION_TASKS": "Open tasks",
    "PINNED": "pinned by hand: {tier} — {reason} (computed: {computed})",
    "UNSCORED": "unscored — missing {missing}",
    "NO_FLAGS": "no flags",
    "NO_WARNINGS": "no coverage warnings",
    "NONE": "none",
    "LEFT_ON": "left {date}",
    "DEAL_MISSING": "missing: {missing}",
    "DEAL_COMPLETE": "stage deliverables complete",
    "TRACK_PLAY": "{label} — {play}",
    "KEY_CANCEL": "Cancel",
    "OK": "OK",
    "CANCEL": "Cancel",
    "SAVE": "Save",
    "REASON_PLACEHOLDER": "Write the reason",
    "REASON_REQUIRED": "A reason is required.",
    "FORCE": "Force with reason",
    "FORCE_REASON_TITLE": "Why move on with stage {stage} incomplete?",
    "GATE_TICK_ALL": "Tick every missing deliverable, or force with a reason.",
    "TICK_AND_ADVANCE": "Tick and advance",
    "LOG_TITLE": "Log an interaction",
    "LOG_EXECUTIVE": "Executive-level touch",
    "BAD_DATE": "{value!r} is not a date like 2026-11-23.",
    "FUTURE_DATE": "An interaction cannot be logged in the future.",
    "KEY_ADVANCE": "Advance",
    "KEY_MOVE_BACK": "Back a stage",
    "KEY_LOST": "Close lost",
    "KEY_LOG": "Log touch",
    "DEAL_MOVED": "{deal}: now in stage {stage} {label}",
    "DEAL_LOST": "{deal}: closed lost",
    "INTERACTION_LOGGED": "Logged {kind} on {on}",
    "NO_OPEN_DEAL": "This account has no open deal.",
    "DEAL_OPTION": "{steps}  {name}  ·  {amount}  ·  stage {stage} {label}  ·  {days:day|days}",
}

ZH: dict[str, str] = {
    "COL_TIER": "级别",
    "COL_NAME": "客户",
    "COL_TRACK": "赛道",
    "COL_SCORE": "评分",
    "COL_HEALTH": "健康度",
    "COL_STAGE": "最高商机阶段",
    "COL_LAST_TOUCH": "最近触达",
    "COL_NEXT_ACTION": "下一步",
    "COL_OWNER": "负责人",
    "KEY_OPEN": "打开",
    "KEY_QUIT": "退出",
    "KEY_HELP": "帮助",
    "KEY_RELOAD": "刷新",
    "KEY_NEW": "新建客户",
    "KEY_PIPELINE": "销售漏斗",
    "KEY_TIER": "级别",
    "PIPELINE_TITLE": "销售漏斗 · 负责人：{owner} · 级别：{tier}",
    "COLUMN_TOTALS": "{n} 个商机 · {total}\n加权 {weighted}",
    "CARD_DAYS": "{days} 天",
    "CARD_MISSING": "⚠ 缺 {n} 项",
    "KEY_SETTINGS": "设置",
    "SETTINGS_WEIGHTS": "评分权重（%，合计须为100）",
    "SETTINGS_THRESHOLDS": "分级阈值（各级别的最低分；低于B为C）",
    "SETTINGS_CADENCES": "触达频率：普通触达每…天，高层触达每…天",
    "SETTINGS_HEALTH": "健康度权重（%，合计须为100）",
    "SETTINGS_SAVED": "设置已保存，级别与健康度已重算。",
    "KEY_HEALTH_SCREEN": "健康度预警",
    "HEALTH_TITLE": "健康度预警 · {n} 个客户有预警（红 {red}，黄 {yellow}，绿 {green}）· 负责人：{owner}",
    "KEY_EDIT": "编辑",
    "FORM_NEW": "新建客户",
    "FORM_EDIT": "编辑 {name}",
    "FORM_RATINGS": "评分（1–5）",
    "UNRATED": "未评",
    "FIELD_NAME": "客户名称",
    "FIELD_INDUSTRY": "行业",
    "FIELD_SEGMENT": "细分行业",
    "FIELD_REGION": "地区/总部",
    "FIELD_OWNER": "负责人",
    "FIELD_PAIN_POINTS": "痛点",
    "FIELD_ANNUAL_REVENUE": "年营业额",
    "FIELD_EMPLOYEES": "员工数",
    "FIELD_BRANCHES": "分支机构数",
    "FIELD_TECH_MATURITY": "技术成熟度（1–5）",
    "FIELD_FINANCIAL_HEALTH": "财务健康度（1–5）",
    "FIELD_STATUS": "状态",
    "FIELD_TRACK": "赛道",
    "FIELD_RENEWAL_INTENT": "续约/增购意向",
    "FIELD_REFERENCE_WILLING": "愿意做标杆案例",
    "KEY_PLAN": "周计划",
    "KEY_TICK": "完成",
    "KEY_PREV_WEEK": "上一周",
    "KEY_NEXT_WEEK": "下一周",
    "KEY_EXPORT": "导出",
    "PLAN_TITLE": "周计划 {week}（{start} – {end}）· 负责人：{owner} · {n} 项，已完成 {done} 项",
    "PLAN_LOADING": "正在生成周计划…",
    "PLAN_KIND_HEALTH": "健康度跟进",
    "PLAN_KIND_EXEC_TOUCH": "高层触达",
    "PLAN_KIND_TOUCH": "触达",
    "PLAN_KIND_TASK": "待办",
    "PLAN_KIND_DELIVERABLES": "输出物",
    "PLAN_KIND_STALE_DEAL": "商机停滞",
    "PALETTE_OPEN_ACCOUNT": "打开该客户",
    "PALETTE_HELP": "快捷键",
    "PALETTE_HELP_HELP": "显示本界面的全部快捷键",
    "KEY_FILTER": "筛选",
    "KEY_SORT": "排序",
    "KEY_REVERSE": "倒序",
    "KEY_TIERS": "级别 S/A/B/C/未评",
    "KEY_ALL_TIERS": "全部级别",
    "KEY_BACK": "返回",
    "KEY_TRACK": "赛道",
    "KEY_HEALTH": "健康度",
    "KEY_OWNER": "负责人",
    "KEY_ATTENTION": "需关注",
    "FILTER_TRACK": "赛道：{track}",
    "FILTER_HEALTH": "健康度：{health}",
    "FILTER_OWNER": "负责人：{owner}",
    "FILTER_ANY": "全部",
    "FILTER_ATTENTION": "需关注（红/黄）",
    "SUMMARY_PIPELINE": "各阶段商机",
    "SUMMARY_TOP20": "前20%客户贡献近12个月收入的 {share}",
    "SUMMARY_DEPENDENCY": "{name} 占 {share}（客户依赖风险）",
    "FILTER_PLACEHOLDER": "按 / 筛选客户名称、行业、地区或负责人（中文可直接输入），Esc 离开",
    "SUMMARY": "显示 {shown} / 共 {total} 个客户",
    "SUMMARY_TIERS": "S {S} · A {A} · B {B} · C {C} · 未评级 {unscored}",
    "FILTER_TIERS": "级别：{tiers}",
    "SORTED_BY": "按{column}排序{direction}",
    "DESCENDING": "（倒序）",
    "REFRESHING": "正在按 {today} 重算级别与健康度：{done} / {total}",
    "REFRESHED": "级别与健康度已按 {today} 更新",
    "READ_ONLY": "只读",
    "EMPTY_BOOK": "没有匹配的客户。按 Esc 清除筛选，或按 0 显示全部级别。",
    "SECTION_PROFILE": "客户档案",
    "SECTION_SCORE": "评分与分级",
    "SECTION_HEALTH": "健康度",
    "SECTION_COVERAGE": "决策地图",
    "SECTION_DEALS": "商机",
    "SECTION_DELIVERABLES": "阶段输出物",
    "SECTION_TIMELINE": "时间线",
    "SECTION_TASKS": "待办",
}

EN.update(
    {"KIND_CALL": "call", "KIND_EMAIL": "email", "KIND_MEETING": "meeting", "KIND_VISIT": "visit"}
)
ZH.update({"KIND_CALL": "电话", "KIND_EMAIL": "邮件", "KIND_MEETING": "会议", "KIND_VISIT": "拜访"})

# the team view
EN.update(
    {
        "TEAM_TITLE": "kamtui · team view of {n:file|files}: {files}  [read-only]",
        "TEAM_READ_ONLY": "The team view is read-only: nothing was changed. Open a rep's own file to change it.",
        "TEAM_OWNER": "{owner}: {accounts:account|accounts} · red {red} · yellow {yellow} · {deals:open deal|open deals} {amount}  ({files})",
        "TEAM_NO_OWNER": "(no owner)",
        "TEAM_SHARED": "⇄ {n:account is|accounts are} in more than one file (same customer name)",
        "TEAM_STALE": "⚠ {file}: tiers and health stored for {day}; the rows show them as stored, the counts, Health and Plan are computed for {today}.",
        "TEAM_NEVER": "no day",
        "TEAM_FROM": "From {file} · owner {owner}",
        "TEAM_ALSO_IN": "⇄ also in {file} as {name} · owner {owner}",
        "PALETTE_TEAM": "Open team files",
        "PALETTE_TEAM_HELP": "Open several reps' books as one read-only team view",
        "TEAM_DIALOG_TITLE": "Open team files (read-only): one path per line, or several on one line separated by spaces",
        "TEAM_DIALOG_NONE": "Name at least one book file.",
        "TEAM_DIALOG_MISSING": "No file at {path}.",
        "TEAM_OPENING": "Opening {n:file|files}…",
        "TEAM_OPENED": "Team view of {n:file|files}, read-only.",
    }
)
ZH.update(
    {
        "TEAM_TITLE": "kamtui · 团队视图，共 {n} 个文件：{files}  [只读]",
        "TEAM_READ_ONLY": "团队视图是只读的，未做任何修改。要修改客户，请单独打开该销售的文件。",
        "TEAM_OWNER": "{owner}：{accounts} 个客户 · 红 {red} · 黄 {yellow} · 进行中商机 {deals} 个 {amount}（{files}）",
        "TEAM_NO_OWNER": "（无负责人）",
        "TEAM_SHARED": "⇄ {n} 个客户出现在多个文件中（客户名称相同）",
        "TEAM_STALE": "⚠ {file}：级别和健康度为 {day} 的存储值；列表显示存储值，统计、健康度和周计划按 {today} 计算。",
        "TEAM_NEVER": "未计算",
        "TEAM_FROM": "来自 {file} · 负责人 {owner}",
        "TEAM_ALSO_IN": "⇄ 也在 {file} 中，名为 {name} · 负责人 {owner}",
        "PALETTE_TEAM": "打开团队文件",
        "PALETTE_TEAM_HELP": "将多个销售的客户文件合并为一个只读的团队视图",
        "TEAM_DIALOG_TITLE": "打开团队文件（只读）：每行一个路径，或在一行中用空格分隔多个路径",
        "TEAM_DIALOG_NONE": "请至少填写一个客户文件。",
        "TEAM_DIALOG_MISSING": "{path} 不存在。",
        "TEAM_OPENING": "正在打开 {n} 个文件…",
        "TEAM_OPENED": "团队视图，共 {n} 个文件，只读。",
    }
)

# change history, the trash and stale saves
EN.update(
    {
        "KEY_DELETE": "Delete",
        "KEY_TRASH": "Trash",
        "KEY_RESTORE": "Restore",
        "KEY_PURGE": "Purge",
        "YES": "Yes",
        "CONFIRM_DELETE": "Move {name} to the trash? It leaves every list, plan and total until it is restored (T opens the trash).",
        "MOVE_TO_TRASH": "Move to trash",
        "TRASHED": "{name} moved to the trash (T shows the trash)",
        "TRASH_TITLE": "Trash · {n:deleted account|deleted accounts}",
        "TRASH_EMPTY": "The trash is empty.",
        "TRASH_HINT": "r restores the account as it was; P deletes it for good; Esc goes back.",
        "COL_DELETED": "Deleted",
        "COL_DELETED_BY": "By",
        "RESTORED": "{name} restored",
        "CONFIRM_PURGE": "Delete {name} for good, with its contacts, deals, interactions, orders, invoices, tickets, usage, tasks and history? This cannot be undone.",
        "PURGE": "Delete for good",
        "PURGED": "{name} deleted for good",
        "SECTION_HISTORY": "History",
        "HISTORY_NONE": "no changes recorded",
        "HISTORY_MORE": "… {n:older change|older changes}: h shows them all",
        "HISTORY_TITLE": "History of {name} (newest first)",
        "KEY_HISTORY": "History",
        "HISTORY_CREATED": "created",
        "HISTORY_TRASHED": "moved to the trash",
        "HISTORY_RESTORED": "restored from the trash",
        "STALE_TITLE": "Changed elsewhere since you opened this form (newest values):",
        "STALE_YOURS": "yours: {value}",
        "RELOAD": "Reload (discard mine)",
        "REAPPLY": "Re-apply mine",
        "RELOADED": "Reloaded: the form shows the newest values.",
        "FIELD_PINNED_TIER": "Pinned tier",
        "FIELD_PIN_REASON": "Pin reason",
        "FIELD_LAST_TOUCH": "Last touch",
        "FIELD_LAST_EXEC_TOUCH": "Last executive touch",
    }
)
ZH.update(
    {
        "KEY_DELETE": "删除",
        "KEY_TRASH": "回收站",
        "KEY_RESTORE": "恢复",
        "KEY_PURGE": "彻底删除",
        "YES": "是",
        "CONFIRM_DELETE": "将 {name} 移入回收站？恢复之前，它不会出现在任何列表、计划和统计中（按 T 打开回收站）。",
        "MOVE_TO_TRASH": "移入回收站",
        "TRASHED": "{name} 已移入回收站（按 T 查看）",
        "TRASH_TITLE": "回收站 · {n} 个已删除客户",
        "TRASH_EMPTY": "回收站是空的。",
        "TRASH_HINT": "r 原样恢复客户；P 彻底删除；Esc 返回。",
        "COL_DELETED": "删除时间",
        "COL_DELETED_BY": "删除人",
        "RESTORED": "{name} 已恢复",
        "CONFIRM_PURGE": "彻底删除 {name} 及其联系人、商机、互动、订单、发票、工单、使用数据、待办和变更记录？此操作无法撤销。",
        "PURGE": "彻底删除",
        "PURGED": "{name} 已彻底删除",
        "SECTION_HISTORY": "变更记录",
        "HISTORY_NONE": "暂无变更记录",
        "HISTORY_MORE": "… 另有 {n} 条较早的变更：按 h 查看全部",
        "HISTORY_TITLE": "{name} 的变更记录（最新在前）",
        "KEY_HISTORY": "变更记录",
        "HISTORY_CREATED": "创建",
        "HISTORY_TRASHED": "移入回收站",
        "HISTORY_RESTORED": "从回收站恢复",
        "STALE_TITLE": "打开此表单后，已有人修改（最新值）：",
        "STALE_YOURS": "你的值：{value}",
        "RELOAD": "重新载入（放弃我的修改）",
        "REAPPLY": "用我的值覆盖",
        "RELOADED": "已重新载入，表单显示最新值。",
        "FIELD_PINNED_TIER": "人工调级",
        "FIELD_PIN_REASON": "调级理由",
        "FIELD_LAST_TOUCH": "最近触达",
        "FIELD_LAST_EXEC_TOUCH": "最近高层触达",
    }
)

# ---- the account screen's tabs, the decision map and tasks ------------------------------------
EN.update(
    {
        "TAB_PROFILE": "Profile & score",
        "TAB_MAP": "Decision map",
        "TAB_DEALS": "Deals",
        "TAB_TIMELINE": "Timeline",
        "TAB_HEALTH": "Health",
        "TAB_TASKS": "Tasks",
        "TAB_HISTORY": "History",
        "KEY_TABS": "Tabs",
        "KEY_ADD_CONTACT": "Add contact",
        "KEY_EDIT_CONTACT": "Edit contact",
        "KEY_MOVE_ROLE": "Move role",
        "KEY_MARK_LEFT": "Left / back",
        "KEY_REPORTS_TO": "Reports to",
        "KEY_ORG_CHART": "Org chart / roles",
        "KEY_ADD_TASK": "Add task",
        "KEY_PIN": "Pin tier",
        "SCORE_LINE": "score {score}  →  computed tier {tier}",
        "RFM_LINE": "RFM  R {r} · F {f} · M {m}",
        "ROLE_CARES": "cares about {cares}; bring {bring}",
        "INFLUENCE_LINE": "{influence} influence",
        "CONTACT_LAST": "last contact {date}",
        "CONTACT_NEVER": "never contacted",
        "CONTACT_ACTION": "plan: {action}",
        "CONTACT_REPORTS": "reports to {name}",
        "MAP_EMPTY": "No contacts yet: press a to add the first.",
        "MAP_ROLES_VIEW": "By buying role · o shows the org chart",
        "MAP_ORG_VIEW": "Org chart by reports-to · o groups by role",
        "CONTACT_NEW": "New contact at {account}",
        "CONTACT_EDIT": "Edit contact {name}",
        "CONTACT_SAVED": "Saved contact {name}",
        "CONTACT_MOVED": "{name} is now {role}",
        "CONTACT_LEFT": "{name} marked as left on {date}",
        "CONTACT_BACK": "{name} marked as still there",
        "CONTACT_REPORTS_SET": "{name} reports to {boss}",
        "CONTACT_REPORTS_NONE": "{name} reports to nobody mapped",
        "NO_CONTACT": "Choose a contact first (the cursor is on a role).",
        "PICK_ROLE": "Move {name} to which role?",
        "PICK_BOSS": "Who does {name} report to?",
        "NOBODY": "nobody mapped",
        "FIELD_TITLE": "Title / position",
        "FIELD_ROLE": "Buying role",
        "FIELD_STANCE": "Stance",
        "FIELD_INFLUENCE": "Influence",
        "FIELD_REPORTS_TO": "Reports to",
        "FIELD_LEFT_ON": "Left on (YYYY-MM-DD; empty: still there)",
        "FIELD_PLANNED_ACTION": "Planned action",
        "FIELD_EMAIL": "Email",
        "FIELD_PHONE": "Phone",
        "STANCE_CHAMPION": "champion",
        "STANCE_SUPPORTER": "supporter",
        "STANCE_NEUTRAL": "neutral",
        "STANCE_SKEPTIC": "skeptic",
        "STANCE_BLOCKER": "blocker",
        "INFLUENCE_HIGH": "high",
        "INFLUENCE_MEDIUM": "medium",
        "INFLUENCE_LOW": "low",
        "TASK_NEW": "New task at {account}",
        "TASK_TITLE": "What is to be done",
        "TASK_DUE": "Due (YYYY-MM-DD)",
        "TASK_TITLE_REQUIRED": "Say what is to be done.",
        "TASK_ADDED": "Task added, due {due}",
        "TASK_DONE": "Task done: {title}",
        "TASKS_EMPTY": "No open tasks: press a to add one.",
        "TASK_OVERDUE": "overdue",
        "NO_TASK": "No open task to tick.",
        "PIN_PICK": "Pin {name} at which tier? (computed: {computed})",
        "PIN_REASON": "Why {tier} rather than the computed tier?",
        "UNPIN": "Unpin: use the computed tier",
        "PINNED_NOTE": "{name} pinned at {tier}",
        "UNPINNED_NOTE": "{name} unpinned: tier {tier} as computed",
        "DEAL_LOST_AT": "lost at stage {stage}",
        "DEAL_LINE": "{amount} · stage {stage} {label} · {days:day|days} in stage",
        "DEAL_NEXT": "next: {step}",
        "STAGE_HISTORY": "Stage history",
        "STAGE_CHANGE_CREATED": "{on}  created in stage {to}",
        "STAGE_CHANGE": "{on}  stage {frm} → {to}",
        "STAGE_CHANGE_LOST": "{on}  closed lost at stage {frm}",
        "STAGE_FORCED": "forced",
        "MEASURES": "Measures behind the score",
        "PALETTE_DEAL": "deal · stage {stage} · {amount}",
        "PALETTE_OPEN_DEAL": "Open the account on its Deals tab",
        "PLAN_FILE_TITLE": "Weekly plan {week}",
        "PLAN_FILE_SPAN": "{monday} to {sunday} · {n:item|items}, {done} done",
        "PLAN_FILE_TIER": "Tier {tier}",
    }
)
ZH.update(
    {
        "TAB_PROFILE": "档案与评分",
        "TAB_MAP": "决策地图",
        "TAB_DEALS": "商机",
        "TAB_TIMELINE": "时间线",
        "TAB_HEALTH": "健康度",
        "TAB_TASKS": "待办",
        "TAB_HISTORY": "变更记录",
        "KEY_TABS": "切换标签",
        "KEY_ADD_CONTACT": "添加联系人",
        "KEY_EDIT_CONTACT": "编辑联系人",
        "KEY_MOVE_ROLE": "调整角色",
        "KEY_MARK_LEFT": "离职/回归",
        "KEY_REPORTS_TO": "汇报对象",
        "KEY_ORG_CHART": "组织架构/按角色",
        "KEY_ADD_TASK": "添加待办",
        "KEY_PIN": "人工调级",
        "SCORE_LINE": "得分 {score}  →  计算分级 {tier}",
        "RFM_LINE": "RFM  R {r} · F {f} · M {m}",
        "ROLE_CARES": "关注：{cares}；提供：{bring}",
        "INFLUENCE_LINE": "影响力{influence}",
        "CONTACT_LAST": "最近联系 {date}",
        "CONTACT_NEVER": "从未联系",
        "CONTACT_ACTION": "计划：{action}",
        "CONTACT_REPORTS": "汇报给 {name}",
        "MAP_EMPTY": "还没有联系人：按 a 添加第一位。",
        "MAP_ROLES_VIEW": "按采购角色 · 按 o 查看组织架构",
        "MAP_ORG_VIEW": "按汇报关系的组织架构 · 按 o 按角色分组",
        "CONTACT_NEW": "为 {account} 添加联系人",
        "CONTACT_EDIT": "编辑联系人 {name}",
        "CONTACT_SAVED": "已保存联系人 {name}",
        "CONTACT_MOVED": "{name} 现在是{role}",
        "CONTACT_LEFT": "{name} 已标记为于 {date} 离职",
        "CONTACT_BACK": "{name} 已标记为在职",
        "CONTACT_REPORTS_SET": "{name} 汇报给 {boss}",
        "CONTACT_REPORTS_NONE": "{name} 没有已录入的汇报对象",
        "NO_CONTACT": "请先选择一位联系人（光标在角色上）。",
        "PICK_ROLE": "把 {name} 调整为哪个角色？",
        "PICK_BOSS": "{name} 汇报给谁？",
        "NOBODY": "无（未录入）",
        "FIELD_TITLE": "职位",
        "FIELD_ROLE": "采购角色",
        "FIELD_STANCE": "态度",
        "FIELD_INFLUENCE": "影响力",
        "FIELD_REPORTS_TO": "汇报对象",
        "FIELD_LEFT_ON": "离职日期（YYYY-MM-DD；留空表示在职）",
        "FIELD_PLANNED_ACTION": "计划行动",
        "FIELD_EMAIL": "邮箱",
        "FIELD_PHONE": "电话",
        "STANCE_CHAMPION": "内线",
        "STANCE_SUPPORTER": "支持者",
        "STANCE_NEUTRAL": "中立",
        "STANCE_SKEPTIC": "怀疑者",
        "STANCE_BLOCKER": "反对者",
        "INFLUENCE_HIGH": "高",
        "INFLUENCE_MEDIUM": "中",
        "INFLUENCE_LOW": "低",
        "TASK_NEW": "为 {account} 添加待办",
        "TASK_TITLE": "要做什么",
        "TASK_DUE": "截止日期（YYYY-MM-DD）",
        "TASK_TITLE_REQUIRED": "请写明要做什么。",
        "TASK_ADDED": "已添加待办，截止 {due}",
        "TASK_DONE": "待办已完成：{title}",
        "TASKS_EMPTY": "没有未完成的待办：按 a 添加。",
        "TASK_OVERDUE": "已逾期",
        "NO_TASK": "没有可勾选的待办。",
        "PIN_PICK": "把 {name} 调整到哪个等级？（计算结果：{computed}）",
        "PIN_REASON": "为什么是 {tier} 而不是计算出的等级？",
        "UNPIN": "取消人工调级：使用计算出的等级",
        "PINNED_NOTE": "{name} 已人工调级为 {tier}",
        "UNPINNED_NOTE": "{name} 已取消人工调级：按计算为 {tier}",
        "DEAL_LOST_AT": "在第 {stage} 阶段丢单",
        "DEAL_LINE": "{amount} · 第 {stage} 阶段 {label} · 已停留 {days} 天",
        "DEAL_NEXT": "下一步：{step}",
        "STAGE_HISTORY": "阶段记录",
        "STAGE_CHANGE_CREATED": "{on}  创建于第 {to} 阶段",
        "STAGE_CHANGE": "{on}  第 {frm} → {to} 阶段",
        "STAGE_CHANGE_LOST": "{on}  在第 {frm} 阶段丢单",
        "STAGE_FORCED": "强制推进",
        "MEASURES": "得分依据",
        "PALETTE_DEAL": "商机 · 第 {stage} 阶段 · {amount}",
        "PALETTE_OPEN_DEAL": "打开客户的商机页",
        "PLAN_FILE_TITLE": "周计划 {week}",
        "PLAN_FILE_SPAN": "{monday} 至 {sunday} · 共 {n} 项，已完成 {done} 项",
        "PLAN_FILE_TIER": "{tier} 级",
    }
)

# ---- the rest of the Chinese UI, and the words of the book's own values ---------------------
EN.update(
    {
        "STATUS_PROSPECT": "prospect",
        "STATUS_CUSTOMER": "customer",
        "STATUS_FORMER": "former",
        "COLOR_GREEN": "green",
        "COLOR_YELLOW": "yellow",
        "COLOR_RED": "red",
        "MEASURE_USAGE": "usage",
        "MEASURE_ADOPTION": "adoption",
        "MEASURE_TICKETS": "tickets",
        "MEASURE_FEEDBACK": "feedback",
        "MEASURE_EXEC_CONTACT": "exec contact",
        "MEASURE_PAYMENT": "payment",
        "MEASURE_KEY_CONTACT": "key contact",
        "MEASURE_ADVOCACY": "advocacy",
        "TIMELINE_ORDER": "order",
        "TIMELINE_INVOICE": "invoice",
        "TIMELINE_PAYMENT": "payment",
        "TIMELINE_TICKET": "ticket",
        "TIMELINE_USAGE": "usage",
        "UNSCORED_TIER": "unscored",
    }
)
ZH.update(
    {
        "KEY_UP": "上移",
        "KEY_DOWN": "下移",
        "KEY_PAGE_UP": "上一页",
        "KEY_PAGE_DOWN": "下一页",
        "KEY_FIRST": "首行",
        "KEY_LAST": "末行",
        "KEY_LEFT": "左移",
        "KEY_RIGHT": "右移",
        "SETTINGS_TITLE": "设置 · 评分模型：{model}",
        "SETTINGS_THRESHOLD": "{tier} 级起点",
        "SETTINGS_CADENCE": "{tier} 级",
        "SETTINGS_NO_EXEC": "无高层拜访节奏",
        "SETTINGS_RECOMPUTING": "正在保存并重新计算所有分级和健康度…",
        "SETTINGS_RECOMPUTING_DONE": "正在保存并重新计算所有分级和健康度：{done} / {total} 个客户",
        "SAVED": "已保存 {name}",
        "PLAN_HINT": "标记触达完成即记录今天的一次电话；在批量邮件上按回车列出其客户。",
        "PLAN_TASK_DONE": "{account} 的待办已完成",
        "PLAN_TOUCH_LOGGED": "已记录对 {account} 的触达",
        "PLAN_EXPORT_TITLE": "导出计划到（.md Markdown、.ics 日历、.csv、.json）",
        "PLAN_EXPORTED": "已写入 {n} 项到 {path}",
        "ERROR": "出错了：{error}",
        "WORK_FAILED": "{what}失败（{kind}）；{where}",
        "WORK_FAILED_LOG": "详情见 {log}。",
        "WORK_FAILED_NO_LOG": "详情见日志。",
        "PLAN_FAILED": "周计划未能生成（见提示）。",
        "SETTINGS_FAILED": "未保存：重新计算分级与健康度失败（见提示）。",
        "REFRESH_FAILED": "分级与健康度仍是 {day} 的：更新失败。",
        "WORK_DEFAULT": "后台任务",
        "WORK_TEAM_OPEN": "打开团队视图",
        "WORK_BOOK_QUERY": "加载客户簿",
        "WORK_BOOK_PAGES": "加载更多客户",
        "WORK_BOOK_SUMMARY": "统计客户簿",
        "WORK_BOOK_WARM_UP": "准备其他页面",
        "WORK_BOOK_REFRESH": "更新分级与健康度",
        "WORK_BOOK_EDIT": "保存客户",
        "WORK_BOOK_TRASH": "将客户移入回收站",
        "WORK_ACCOUNT": "加载客户",
        "WORK_ACCOUNT_WRITE": "保存",
        "WORK_FORM_SAVE": "保存表单",
        "WORK_FORM_RELOAD": "重新载入较新的内容",
        "WORK_SETTINGS": "保存设置",
        "WORK_PLAN": "生成周计划",
        "WORK_PLAN_WRITE": "保存周计划",
        "WORK_TRASH": "加载回收站",
        "WORK_TRASH_WRITE": "从回收站恢复",
        "WORK_IMPORT_CHECK": "检查文件",
        "WORK_IMPORT_WRITE": "导入",
        "WORK_DEAL_MOVE": "移动商机",
        "WORK_HEALTH": "加载健康预警",
        "WORK_PIPELINE": "加载销售管道",
        "PINNED": "人工调级：{tier} — {reason}（计算结果：{computed}）",
        "UNSCORED": "未评分 — 缺少 {missing}",
        "NO_FLAGS": "无预警",
        "NO_WARNINGS": "无覆盖预警",
        "NONE": "无",
        "LEFT_ON": "{date} 离职",
        "DEAL_MISSING": "缺少：{missing}",
        "DEAL_COMPLETE": "本阶段输出物已齐",
        "KEY_CANCEL": "取消",
        "OK": "确定",
        "CANCEL": "取消",
        "SAVE": "保存",
        "REASON_PLACEHOLDER": "写下理由",
        "REASON_REQUIRED": "必须填写理由。",
        "FORCE": "填写理由强制推进",
        "FORCE_REASON_TITLE": "为什么在第 {stage} 阶段未完成时推进？",
        "GATE_TICK_ALL": "请勾选所有缺少的输出物，或填写理由强制推进。",
        "TICK_AND_ADVANCE": "勾选并推进",
        "LOG_TITLE": "记录一次互动",
        "LOG_EXECUTIVE": "高层互动",
        "BAD_DATE": "{value!r} 不是 2026-11-23 这样的日期。",
        "FUTURE_DATE": "不能记录未来的互动。",
        "KEY_ADVANCE": "推进",
        "KEY_MOVE_BACK": "退回一阶段",
        "KEY_LOST": "丢单",
        "KEY_LOG": "记录触达",
        "DEAL_MOVED": "{deal}：现在处于第 {stage} 阶段 {label}",
        "DEAL_LOST": "{deal}：已丢单",
        "INTERACTION_LOGGED": "已记录 {on} 的{kind}",
        "NO_OPEN_DEAL": "该客户没有进行中的商机。",
        "DEAL_OPTION": "{steps}  {name}  ·  {amount}  ·  第 {stage} 阶段 {label}  ·  {days} 天",
        "STATUS_PROSPECT": "潜在客户",
        "STATUS_CUSTOMER": "客户",
        "STATUS_FORMER": "已流失",
        "COLOR_GREEN": "绿",
        "COLOR_YELLOW": "黄",
        "COLOR_RED": "红",
        "MEASURE_USAGE": "使用量",
        "MEASURE_ADOPTION": "功能采用",
        "MEASURE_TICKETS": "工单",
        "MEASURE_FEEDBACK": "反馈",
        "MEASURE_EXEC_CONTACT": "高层联系",
        "MEASURE_PAYMENT": "付款",
        "MEASURE_KEY_CONTACT": "关键联系人",
        "MEASURE_ADVOCACY": "推荐意愿",
        "TIMELINE_ORDER": "订单",
        "TIMELINE_INVOICE": "发票",
        "TIMELINE_PAYMENT": "回款",
        "TIMELINE_TICKET": "工单",
        "TIMELINE_USAGE": "使用",
        "UNSCORED_TIER": "未评分",
    }
)

# ---- the domain's own sentences in Chinese --------------------------------------------------
# Flag reasons, health measures, coverage warnings, plan reasons and next actions are
# written by the domain in English from these patterns (tests keep the two in step: a
# sentence no pattern matches is shown in English). In the Chinese UI ``say`` matches a
# sentence against its pattern and writes it again from the Chinese one. Placeholders:
# numbers (n, days, pct, …), dates (date, due, last) and words (metric, role, touch,
# color, tier) match only what the domain puts there; anything else matches any text.
SENTENCES_ZH: dict[str, str] = {
    # health measures
    "{pct}% of features adopted": "功能采用率 {pct}%",
    "{n:ticket|tickets} in 30 days, 90-day average {avg}": "30 天 {n} 张工单，90 天月均 {avg}",
    "{n:negative rating|negative ratings} in {days:day|days}": "{days} 天内 {n} 个差评",
    "no executive touch recorded": "没有高层触达记录",
    "last executive touch {days:day|days} ago": "最近一次高层触达在 {days} 天前",
    "no invoice overdue": "没有逾期发票",
    "{n:invoice|invoices} overdue, worst {days:day|days}": "{n} 张发票逾期，最长 {days} 天",
    "{n:key contact|key contacts} left in {days:day|days}": "{days} 天内 {n} 位关键联系人离职",
    "{metric} down {pct}% vs {month}": "{metric}较{month}下降 {pct}%",
    "{metric} {pct}% vs {month}": "{metric}较{month} {pct}%",
    "renewal intent, reference": "有续约意向、愿意做案例",
    "renewal intent": "有续约意向",
    "reference": "愿意做案例",
    "no renewal intent or reference yet": "尚无续约意向或案例意愿",
    # health flags
    "feature adoption {pct}% (below {low}%)": "功能采用率 {pct}%（低于 {low}%）",
    "{n:ticket|tickets} in the last 30 days vs a 90-day average of {avg}": "近 30 天 {n} 张工单，90 天月均 {avg}",
    "{n:ticket|tickets} rated {rating} or lower in {days:day|days} (latest {latest}/5)": "{days} 天内 {n} 张工单评分不高于 {rating}（最近一次 {latest}/5）",
    "no executive touch for {days:day|days} (cadence {cadence:day|days})": "已 {days} 天没有高层触达（节奏为 {cadence} 天）",
    "invoice {number} overdue {days:day|days}": "发票 {number} 已逾期 {days} 天",
    "{role} {name} left on {date}": "{role} {name} 已于 {date} 离职",
    "usage down and a key contact left: red whatever the score": "使用量下降且关键联系人离职：无论得分都为红色",
    "{tier} account with no order in 12 months": "{tier} 级客户 12 个月没有下单",
    "{tier} account with no order for {days:day|days}": "{tier} 级客户已 {days} 天没有下单",
    "{tier} account buying like a top account (RFM {rfm})": "{tier} 级客户的购买表现像头部客户（RFM {rfm}）",
    # decision-map coverage
    "no economic buyer mapped": "尚未找到最终决策者",
    "single-threaded: {n:active contact|active contacts}, {roles:role|roles} covered on a tier {tier} account": "单线联系：{tier} 级客户只有 {n} 位在职联系人，覆盖 {roles} 个角色",
    "blocker {name} has no planned action": "反对者 {name} 没有应对计划",
    # the weekly plan
    "health {color}: {reason}": "健康度{color}：{reason}",
    "health {color}": "健康度{color}",
    "{touch}: none recorded yet (every {every:day|days})": "{touch}：尚无记录（每 {every} 天）",
    "{touch} overdue {days:day|days}: last {last}, every {every:day|days}": "{touch}已逾期 {days} 天：上次 {last}，每 {every} 天",
    "{touch} due {due}: last {last}, every {every:day|days}": "{touch}应在 {due} 前完成：上次 {last}，每 {every} 天",
    "task: {title} (overdue {days:day|days})": "待办：{title}（已逾期 {days} 天）",
    "task: {title}": "待办：{title}",
    "deal {name}: stage {stage} missing {missing}": "商机 {name}：第 {stage} 阶段缺少 {missing}",
    "deal {name}: {days:day|days} in stage {stage}": "商机 {name}：已在第 {stage} 阶段停留 {days} 天",
    # refusals a form or a key can meet
    "An account needs a name.": "客户需要名称。",
    "Annual revenue cannot be negative.": "年营业额不能为负数。",
    "A deal needs a name.": "商机需要名称。",
    "A deal's amount cannot be negative.": "商机金额不能为负数。",
    "A contact needs a name.": "联系人需要姓名。",
    "A contact cannot have left in the future.": "离职日期不能在未来。",
    "A contact cannot report to themselves.": "联系人不能汇报给自己。",
    "{boss} already reports, directly or through others, to {name}.": "{boss} 已经直接或间接汇报给 {name}。",
    "A task needs a title.": "待办需要写明要做什么。",
    "A task cannot be due more than a year ago.": "待办的截止日期不能早于一年前。",
    "A task's title is at most 500 characters.": "待办内容最多 500 个字符。",
    # settings that cannot be saved
    "The weight of {criterion} must be a number, not {value}.": "{criterion} 的权重必须是数字，而不是 {value}。",
    "The weight of {criterion} must be a number (it is {weight}).": "{criterion} 的权重必须是数字（现在是 {weight}）。",
    "The weight of {criterion} must be above 0% (it is {weight}%).": "{criterion} 的权重必须大于 0%（现在是 {weight}%）。",
    "Weights must sum to 100%; these sum to {total}% ({parts}).": "权重之和必须为 100%；现在是 {total}%（{parts}）。",
    "The {tier} threshold must be a number, not {value}.": "{tier} 级门槛必须是数字，而不是 {value}。",
    "The {tier} threshold must lie between 1.00 and 5.00 (it is {value}).": "{tier} 级门槛必须在 1.00 到 5.00 之间（现在是 {value}）。",
    "Thresholds must fall from S to B (S {s} > A {a} > B {b} does not hold).": "门槛必须从 S 到 B 依次降低（S {s} > A {a} > B {b} 不成立）。",
    "A scoring model needs at least one criterion.": "评分模型至少需要一个维度。",
    "Tier {tier}: the touch cadence must be a whole number, not {value}.": "{tier} 级：触达节奏必须是整数天，而不是 {value}。",
    "Tier {tier}: the executive cadence must be a whole number, not {value}.": "{tier} 级：高层触达节奏必须是整数天，而不是 {value}。",
    "Tier {tier}: a touch cadence must be at least 1 day.": "{tier} 级：触达节奏至少为 1 天。",
    "Tier {tier}: an executive cadence must be at least 1 day or none.": "{tier} 级：高层触达节奏至少为 1 天，或留空表示不要求。",
    "The health weight of {measure} must be a whole number, not {value}.": "健康度权重“{measure}”必须是整数，而不是 {value}。",
    "Health weights cannot be negative.": "健康度权重不能为负数。",
    "Health weights must sum to 100%; these sum to {total}%.": "健康度权重之和必须为 100%；现在是 {total}%。",
    "Stage 1 is the first stage; the deal cannot move back.": "第 1 阶段已是第一阶段，商机不能再退回。",
    "Stage 5 is the last stage; the deal cannot advance.": "第 5 阶段已是最后阶段，商机不能再推进。",
    "{what} was changed elsewhere since you opened it: {changes}. "
    "Reload to see the new values, or re-apply yours over them.": "{what} 在你打开后已被修改：{changes}。请重新载入查看最新值，或用你的值覆盖。",
    # numbers typed or imported (domain/parsing.py, domain/limits.py): imports and forms
    "{value} is not an amount (write it like 1,200,000 or 120万).": "{value} 不是金额（请写成 1,200,000 或 120万）。",
    "{value} is not a whole {quantity}.": "{value} 不是整数（{quantity}）。",
    "{value} is too large for {quantity} (at most {limit}).": "{value} 超出{quantity}的上限（最多 {limit}）。",
    "Annual revenue is too large (at most {limit}).": "年营业额超出上限（最多 {limit}）。",
    "Employees is too large (at most {limit}).": "员工数超出上限（最多 {limit}）。",
    "Branches is too large (at most {limit}).": "分支机构数超出上限（最多 {limit}）。",
    "A deal's amount is too large (at most {limit}).": "商机金额超出上限（最多 {limit}）。",
    "Tier {tier}: a touch cadence is at most {n:day|days}.": "{tier} 级：触达节奏最多 {n} 天。",
    "Tier {tier}: an executive cadence is at most {n:day|days}.": "{tier} 级：高层触达节奏最多 {n} 天。",
    # imports (services/reading.py, services/importer.py): files refused, rows that do not fit
    "No file at {path}.": "找不到文件 {path}。",
    "{file} is empty: it has no header row.": "{file} 是空的：没有表头行。",
    "{file} has a header row but no rows below it: nothing to import.": "{file} 只有表头，没有数据行：没有可导入的内容。",
    "{file} is {size}; kamtui imports files of up to {limit} MB: split it into smaller files and import them one after another.": "{file} 大小为 {size}；kamtui 只导入不超过 {limit} MB 的文件：请拆分成较小的文件后依次导入。",
    "{file} has more than {n:row|rows}, more than kamtui imports from one file: split it into smaller files and import them one after another.": "{file} 超过 {n} 行，超出 kamtui 单个文件的导入上限：请拆分成较小的文件后依次导入。",
    "{file} cannot be read as {encoding} (bad bytes on line {n}); save it as UTF-8 CSV, or try --encoding {other}.": "{file} 无法按 {encoding} 读取（第 {n} 行有无法识别的字节）；请另存为 UTF-8 CSV，或换用编码 {other}。",
    "{file} is damaged: it cannot be read to the end ({why}).": "{file} 已损坏，无法读完（{why}）。",
    "{file} has no sheet {sheet}; its sheets are {sheets}.": "{file} 没有工作表 {sheet}；其工作表为：{sheets}。",
    "{file} has no column for {field} (headed {names}); its columns are: {columns}. Add one, or map one of them to {key} (--map COLUMN={key2}).": "{file} 没有 {field} 列（表头可为 {names}）；文件中的列：{columns}。请添加该列，或在左侧把其中一列对应到 {key}（命令行：--map 列名={key2}）。",
    "{file} has no column naming the account (headed 'account' or '客户名称'); its columns are: {columns}. Add one, or map one of them to account (--map COLUMN=account).": "{file} 没有客户列（表头可为 'account' 或 '客户名称'）；文件中的列：{columns}。请添加该列，或在左侧把其中一列对应到 account（命令行：--map 列名=account）。",
    "{file} has two columns headed {header} (columns {a} and {b}), both for {field}: rename or remove one of them.": "{file} 有两列表头都是 {header}（第 {a} 列和第 {b} 列），都对应 {field}：请重命名或删除其中一列。",
    "Columns {a} and {b} of {file} both hold {field}: keep one, or map the other to another field (--map COLUMN=FIELD; COLUMN= leaves it out).": "{file} 的 {a} 列和 {b} 列都对应 {field}：请只保留一列，或把另一列对应到其他字段（命令行：--map 列名=字段；列名= 表示不导入）。",
    '{cells} cells where the header has {width}: the values would land in the wrong columns (a value with a {sep} in it must be in quotes: "Acme, Inc")': '本行有 {cells} 个单元格，表头只有 {width} 个：数据会错位（含{sep}的值须加引号："Acme, Inc"）',
    "{cells} cells where the header has {width}: a cell is missing, so the values would land in the wrong columns": "本行只有 {cells} 个单元格，表头有 {width} 个：缺少单元格，数据会错位",
    'a quote (") opens a cell on this line that never closes: lines {start}–{end}, the rest of the file, were read as one cell; close the quote or remove it': '本行的引号（"）没有闭合：第 {start}–{end} 行（文件其余部分）被读成了一个单元格；请补上或删除这个引号',
    'a cell from this line runs past {limit} characters (line {end}): a quote (") that never closes? The rest of the file was not read': '从本行开始的单元格超过 {limit} 个字符（到第 {end} 行）：是否有未闭合的引号（"）？文件其余部分未读取',
    'a quoted cell goes on after its closing quote; inside quotes, write a quote as two ("")': '加引号的单元格在结束引号之后还有内容；引号内的引号要写成两个（""）',
    "a formula with no computed value ({formula}): open the file in Excel or LibreOffice, save it, and import it again": "公式没有计算结果（{formula}）：请用 Excel 或 LibreOffice 打开并保存文件，再重新导入",
    "the file has no stage column: new deals start in stage 1, deals already in the book keep theirs": "文件没有阶段列：新商机从第 1 阶段开始，已有商机保持原阶段",
    "column {letter} has no header: its values were not imported (give it a header to import them)": "第 {letter} 列没有表头：其中的值未导入（加上表头即可导入）",
    # the account's timeline: what the book says of invoices, tickets and usage
    "{number}  {amount}  due {due}  unpaid": "{number}  {amount}  {due} 到期  未付",
    "{number}  {amount}  due {due}": "{number}  {amount}  {due} 到期",
    "{severity}  {subject}  open  satisfaction {rating}": "{severity}  {subject}  处理中  满意度 {rating}",
    "{severity}  {subject}  open": "{severity}  {subject}  处理中",
    "{severity}  {subject}  closed {date}  satisfaction {rating}": "{severity}  {subject}  {date} 关闭  满意度 {rating}",
    "{severity}  {subject}  closed {date}": "{severity}  {subject}  {date} 关闭",
    "{n:active user|active users}, {logins:login|logins}, {pct}% adoption": "活跃用户 {n}，登录 {logins} 次，功能采用率 {pct}%",
    # next actions on the Book
    "first touch": "首次触达",
    "touch overdue since {date}": "触达已于 {date} 逾期",
    "touch by {date}": "{date} 前触达",
    "{title} (by {date})": "{title}（{date} 前）",
}
# Textual's own keys (Tab, the scroll keys, an input's editing keys…), listed by ``?``: their
# descriptions in Chinese (``say_keys_again``)
TEXTUAL_KEYS_ZH: dict[str, str] = {
    "Bottom": "到底部", "Copy": "复制", "Copy selected text": "复制所选文字",
    "Cursor Down": "下移", "Cursor Up": "上移", "Cursor down": "下移",
    "Cursor down select": "下移并选择", "Cursor left": "左移", "Cursor left select": "左移并选择",
    "Cursor left word select": "左移一个词并选择", "Cursor line end": "到行尾",
    "Cursor line end select": "选择到行尾", "Cursor line start": "到行首",
    "Cursor line start select": "选择到行首", "Cursor page down": "下一页",
    "Cursor page up": "上一页", "Cursor right": "右移", "Cursor right select": "右移并选择",
    "Cursor right word select": "右移一个词并选择", "Cursor to next ancestor": "到上级的下一项",
    "Cursor to next sibling": "到下一个同级", "Cursor to parent": "到上级",
    "Cursor to previous sibling": "到上一个同级", "Cursor up": "上移",
    "Cursor up select": "上移并选择", "Cursor word left": "左移一个词",
    "Cursor word right": "右移一个词", "Cut": "剪切", "Cut selected text": "剪切所选文字",
    "Delete all to the left": "删除光标左侧全部", "Delete all to the right": "删除光标右侧全部",
    "Delete character left": "删除左侧字符", "Delete character right": "删除右侧字符",
    "Delete left to start of word": "删除到词首", "Delete line": "删除整行",
    "Delete right to start of word": "删除到下一词首", "Delete to line end": "删除到行尾",
    "Delete to line start": "删除到行首", "Down": "下移", "End": "到末尾",
    "Exit the command palette": "关闭命令面板", "Expand or collapse all": "全部展开或收起",
    "First": "第一项", "Focus Next": "下一个区域", "Focus Previous": "上一个区域",
    "Go to bottom": "到底部", "Go to end": "到末尾", "Go to start": "到开头", "Go to top": "到顶部",
    "Home": "到开头", "Last": "最后一项", "Move cursor left": "光标左移",
    "Move cursor left a word": "光标左移一个词",
    "Move cursor left a word and select": "左移一个词并选择",
    "Move cursor left and select": "左移并选择", "Move cursor right a word": "光标右移一个词",
    "Move cursor right a word and select": "右移一个词并选择",
    "Move cursor right and select": "右移并选择",
    "Move cursor right or accept the completion suggestion": "光标右移或接受补全建议",
    "Next command": "下一条命令", "Next page": "下一页", "Page Down": "下一页",
    "Page Left": "向左翻页", "Page Right": "向右翻页", "Page Up": "上一页", "Page down": "下一页",
    "Page up": "上一页", "Paste": "粘贴", "Paste text from the clipboard": "从剪贴板粘贴",
    "Press button": "按下按钮", "Previous command": "上一条命令", "Previous page": "上一页",
    "Quit": "退出", "Redo": "重做", "Scroll Down": "向下滚动", "Scroll End": "滚动到底",
    "Scroll Home": "滚动到顶", "Scroll Left": "向左滚动", "Scroll Right": "向右滚动",
    "Scroll Up": "向上滚动", "Select": "选择", "Select all": "全选", "Select line": "选择整行",
    "Select line end": "选择到行尾", "Select line start": "选择到行首", "Show menu": "展开选项",
    "Submit": "提交", "Toggle": "切换", "Toggle option": "勾选或取消", "Top": "到顶部",
    "Undo": "撤销", "Up": "上移",
}  # fmt: skip

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
WORDS_ZH: dict[str, str] = {  # what the word placeholders hold
    # a CSV file's delimiter (reading's "{sep}")
    "comma": "逗号", "semicolon": "分号", "tab": "制表符",
    # what a number is (parsing's "{quantity}")
    "number": "数字", "an amount": "金额", "a whole number": "整数",
    "number of employees": "员工数", "a whole number of employees": "员工数",
    "number of branches": "分支机构数", "a whole number of branches": "分支机构数",
    "rating": "评分", "a whole rating": "评分",
    "logins": "登录次数", "active users": "活跃用户", "economic buyer": "最终决策者",
    "champion": "内线", "touch": "触达", "executive touch": "高层触达", "red": "红",
    "yellow": "黄", "green": "绿", "unscored": "未评分",
    **{month: f"{n}月" for n, month in enumerate(MONTHS, 1)},
}  # fmt: skip

# the import screen
EN.update(
    {
        "KEY_IMPORT": "Import",
        "KEY_CHECK": "Check again",
        "KEY_RUN_IMPORT": "Import",
        "IMPORT_TITLE": "Import a file into {book}",
        "IMPORT_KIND_ACCOUNTS": "Accounts",
        "IMPORT_KIND_CONTACTS": "Contacts",
        "IMPORT_KIND_DEALS": "Deals",
        "IMPORT_KIND_INTERACTIONS": "Interactions",
        "IMPORT_KIND_ORDERS": "Orders",
        "IMPORT_KIND_INVOICES": "Invoices",
        "IMPORT_KIND_TICKETS": "Service tickets",
        "IMPORT_KIND_USAGE": "Product usage",
        "IMPORT_PATH_PLACEHOLDER": "Path of a CSV or .xlsx file, then Enter",
        "IMPORT_ENCODING_AUTO": "Encoding: auto",
        "IMPORT_ENCODING_UTF8": "UTF-8",
        "IMPORT_ENCODING_GB18030": "GB18030 / GBK",
        "IMPORT_SHEET_PLACEHOLDER": "Sheet (.xlsx)",
        "IMPORT_SKIP_INVALID": "Skip invalid rows",
        "IMPORT_HINT": "Choose what the file holds, type or paste its path and press Enter: nothing is written until you press ctrl+s.",
        "IMPORT_NO_PATH": "Type the path of a CSV or .xlsx file first.",
        "IMPORT_CHECKING": "Checking {name}…",
        "IMPORT_MAPPING": "Columns → fields",
        "IMPORT_NOT_IMPORTED": "— not imported",
        "IMPORT_PREVIEW_EMPTY": "Preview",
        "IMPORT_PREVIEW": "Preview: first {n} of {total:row|rows} (row labels are line numbers)",
        "IMPORT_PROBLEMS_EMPTY": "Problems: none",
        "IMPORT_PROBLEMS": "Problems: {bad:row|rows} with errors, {errors:error|errors} in all",
        "IMPORT_MORE_ERRORS": "… and {n} more",
        "COL_LINE": "Line",
        "COL_COLUMN": "Column",
        "COL_VALUE": "Value",
        "COL_REASON": "Reason",
        "IMPORT_IGNORED": "Columns not imported: {columns} (map them on the left)",
        "IMPORT_NOTE": "Note: {note}",
        "IMPORT_DUPLICATE": "Check: {group}",
        "IMPORT_MORE_DUPLICATES": "… and {n:more likely duplicate|more likely duplicates}",
        "IMPORT_SOURCE_CSV": "{encoding}, {delimiter}",
        "IMPORT_SOURCE_SHEET": "sheet {sheet}",
        "IMPORT_COMMA": "comma-separated",
        "IMPORT_SEMICOLON": "semicolon-separated",
        "IMPORT_TAB": "tab-separated",
        "IMPORT_SUMMARY": "{total:row|rows} ({source}): would create {created}, update {updated}, {unchanged} unchanged.",
        "IMPORT_READY": "ctrl+s imports {n:row|rows}.",
        "IMPORT_READY_SKIP": "ctrl+s imports {good:valid row|valid rows} and skips {bad} with errors.",
        "IMPORT_BLOCKED": "Rows with errors: {bad}. Nothing will be imported; fix the file, or tick “Skip invalid rows” to import {good:valid row|valid rows}.",
        # imports: a refusal where the rep looks (the first bad row, in the summary line)
        "IMPORT_FIRST_ERROR": "First: {where}, column {column}: {reason}.",
        "IMPORT_FIRST_ERROR_ROW": "First: {where}: {reason}.",
        "IMPORT_WHERE_LINE": "line {n}",
        "IMPORT_WHERE_ROW": "row {n}",
        "IMPORT_READ_ONLY": "This book is open read-only: the file can be checked, not imported.",
        "IMPORT_CHECK_FIRST": "Check a file first: type its path and press Enter.",
        "IMPORT_BUSY": "The import is still running…",
        "IMPORT_REFUSED": "Nothing was imported: rows with errors: {bad}. Fix them, or tick “Skip invalid rows”.",
        "IMPORT_PROGRESS": "{phase} {done} / {total}",
        "IMPORT_PHASE_READING": "Reading",
        "IMPORT_PHASE_CHECKING": "Checking",
        "IMPORT_PHASE_WRITING": "Writing",
        "IMPORT_PHASE_RECOMPUTING": "Recomputing tiers and health",
        "IMPORT_DONE": "Imported {name} ({kind}): created {created}, updated {updated}, {unchanged} unchanged.",
        "IMPORT_DONE_SKIPPED": "Skipped {skipped:row|rows} with errors.",
        "IMPORT_AGAIN": "Imported. Esc goes back to the Book; ctrl+r checks the file again.",
        "PALETTE_IMPORT": "Import a file",
        "PALETTE_IMPORT_HELP": "Import accounts, contacts, deals … from a CSV or Excel file, with a preview",
    }
)
ZH.update(
    {
        "KEY_IMPORT": "导入",
        "KEY_CHECK": "重新检查",
        "KEY_RUN_IMPORT": "导入",
        "IMPORT_TITLE": "导入文件到 {book}",
        "IMPORT_KIND_ACCOUNTS": "客户",
        "IMPORT_KIND_CONTACTS": "联系人",
        "IMPORT_KIND_DEALS": "商机",
        "IMPORT_KIND_INTERACTIONS": "互动",
        "IMPORT_KIND_ORDERS": "订单",
        "IMPORT_KIND_INVOICES": "发票",
        "IMPORT_KIND_TICKETS": "服务工单",
        "IMPORT_KIND_USAGE": "产品使用",
        "IMPORT_PATH_PLACEHOLDER": "CSV 或 .xlsx 文件路径，按回车检查",
        "IMPORT_ENCODING_AUTO": "编码：自动",
        "IMPORT_ENCODING_UTF8": "UTF-8",
        "IMPORT_ENCODING_GB18030": "GB18030 / GBK",
        "IMPORT_SHEET_PLACEHOLDER": "工作表（.xlsx）",
        "IMPORT_SKIP_INVALID": "跳过有错误的行",
        "IMPORT_HINT": "选择文件内容，输入或粘贴文件路径后按回车：按 ctrl+s 之前不会写入任何数据。",
        "IMPORT_NO_PATH": "请先输入 CSV 或 .xlsx 文件的路径。",
        "IMPORT_CHECKING": "正在检查 {name}…",
        "IMPORT_MAPPING": "列 → 字段",
        "IMPORT_NOT_IMPORTED": "— 不导入",
        "IMPORT_PREVIEW_EMPTY": "预览",
        "IMPORT_PREVIEW": "预览：共 {total} 行中的前 {n} 行（行标为文件行号）",
        "IMPORT_PROBLEMS_EMPTY": "问题：无",
        "IMPORT_PROBLEMS": "问题：{bad} 行有错误（共 {errors} 处）",
        "IMPORT_MORE_ERRORS": "… 另有 {n} 处",
        "COL_LINE": "行号",
        "COL_COLUMN": "列",
        "COL_VALUE": "值",
        "COL_REASON": "原因",
        "IMPORT_IGNORED": "未导入的列：{columns}（可在左侧指定字段）",
        "IMPORT_NOTE": "注意：{note}",
        "IMPORT_DUPLICATE": "请核对：{group}",
        "IMPORT_MORE_DUPLICATES": "… 另有 {n} 组疑似重复",
        "IMPORT_SOURCE_CSV": "{encoding}，{delimiter}",
        "IMPORT_SOURCE_SHEET": "工作表 {sheet}",
        "IMPORT_COMMA": "逗号分隔",
        "IMPORT_SEMICOLON": "分号分隔",
        "IMPORT_TAB": "制表符分隔",
        "IMPORT_SUMMARY": "{total} 行（{source}）：将新建 {created}，更新 {updated}，{unchanged} 行无变化。",
        "IMPORT_READY": "按 ctrl+s 导入全部 {n} 行。",
        "IMPORT_READY_SKIP": "按 ctrl+s 导入 {good} 行有效数据，跳过 {bad} 行错误数据。",
        "IMPORT_BLOCKED": "{bad} 行有错误：不会导入任何数据。请修正文件，或勾选“跳过有错误的行”以导入 {good} 行有效数据。",
        # imports: a refusal where the rep looks (the first bad row, in the summary line)
        "IMPORT_FIRST_ERROR": "第一处：{where}，{column} 列：{reason}。",
        "IMPORT_FIRST_ERROR_ROW": "第一处：{where}：{reason}。",
        "IMPORT_WHERE_LINE": "第 {n} 行",
        "IMPORT_WHERE_ROW": "第 {n} 行",
        "IMPORT_READ_ONLY": "此客户文件以只读方式打开：可以检查文件，但不能导入。",
        "IMPORT_CHECK_FIRST": "请先检查文件：输入路径后按回车。",
        "IMPORT_BUSY": "正在导入…",
        "IMPORT_REFUSED": "未导入任何数据：{bad} 行有错误。请修正，或勾选“跳过有错误的行”。",
        "IMPORT_PROGRESS": "{phase} {done} / {total}",
        "IMPORT_PHASE_READING": "读取中",
        "IMPORT_PHASE_CHECKING": "检查中",
        "IMPORT_PHASE_WRITING": "写入中",
        "IMPORT_PHASE_RECOMPUTING": "重新计算级别和健康度",
        "IMPORT_DONE": "已导入 {name}（{kind}）：新建 {created}，更新 {updated}，{unchanged} 行无变化。",
        "IMPORT_DONE_SKIPPED": "跳过 {skipped} 行错误数据。",
        "IMPORT_AGAIN": "导入完成。按 Esc 返回客户列表；按 ctrl+r 重新检查文件。",
        "PALETTE_IMPORT": "导入文件",
        "PALETTE_IMPORT_HELP": "从 CSV 或 Excel 文件导入客户、联系人、商机等，先预览",
    }
)

EN.update(
    {
        "KEY_ADD_DEAL": "Add deal",
        "DEAL_NEW": "New deal at {account}",
        "DEAL_NAME": "Deal name",
        "DEAL_AMOUNT": "Amount (1,200,000 or 120万; empty for not yet known)",
        "DEAL_CLOSE": "Expected close (YYYY-MM-DD, may stay empty)",
        "DEAL_NEXT_STEP": "Next step",
        "DEAL_NAME_REQUIRED": "A deal needs a name.",
        "NEGATIVE_AMOUNT": "A deal's amount cannot be negative.",
        "DEAL_ADDED": "{deal}: added in stage 1",
        "DEAL_EDIT": "Deal {deal}",
        "DEAL_SAVED": "{deal}: saved",
        "DEALS_EMPTY": "No deals: press a to add one.",
        "DROP_ONE_STAGE": "A deal moves one stage at a time: drop it on the next column.",
        "DISCARD_TYPED": "Leave without saving? What you typed here will be lost.",
        "DISCARD": "Discard",
    }
)
ZH.update(
    {
        "KEY_ADD_DEAL": "添加商机",
        "DEAL_NEW": "为 {account} 添加商机",
        "DEAL_NAME": "商机名称",
        "DEAL_AMOUNT": "金额（1,200,000 或 120万；未知可留空）",
        "DEAL_CLOSE": "预计成交日期（YYYY-MM-DD，可留空）",
        "DEAL_NEXT_STEP": "下一步",
        "DEAL_NAME_REQUIRED": "商机需要名称。",
        "NEGATIVE_AMOUNT": "商机金额不能为负数。",
        "DEAL_ADDED": "{deal}：已添加，处于第 1 阶段",
        "DEAL_EDIT": "商机 {deal}",
        "DEAL_SAVED": "{deal}：已保存",
        "DEALS_EMPTY": "没有商机：按 a 添加。",
        "DROP_ONE_STAGE": "商机每次只能移动一个阶段：请拖到相邻的一列。",
        "DISCARD_TYPED": "不保存就离开？这里输入的内容将会丢失。",
        "DISCARD": "放弃修改",
    }
)

# ---- layout: every screen at every size, read-only books ------------------------------
EN.update(
    {
        "READ_ONLY_REFUSED": "This book is open read-only: nothing was changed.",
        "KEY_PALETTE": "Commands",
        "STAGE_HEAD": "{stage} {name}",
        "PALETTE_PLACEHOLDER": "Search for an account, a deal or a command…",
        "PALETTE_THEME": "Theme",
        "PALETTE_THEME_HELP": "Change the colours (kamtui opens with them next time)",
        "PALETTE_QUIT_HELP": "Quit kamtui",
        "PALETTE_HIDE_HELP": "Hide the keys of this screen",
        "PALETTE_MAXIMIZE": "Maximize",
        "PALETTE_MAXIMIZE_HELP": "Show the focused part of the screen alone",
        "PALETTE_MINIMIZE": "Minimize",
        "PALETTE_MINIMIZE_HELP": "Show the whole screen again",
        "PALETTE_SCREENSHOT": "Screenshot",
        "PALETTE_SCREENSHOT_HELP": "Save a picture (SVG) of the screen",
    }
)

# ---- forms and dialogs: keys, the interaction dialog, stale saves, history words ----------
EN.update(
    {
        "NO": "No",
        "UNKNOWN": "unknown",
        "CHOOSE": "Choose",
        "REPLACE": "Replace",
        "KEY_TICK_DELIVERABLE": "Tick deliverable",
        "DELIVERABLES_HINT": "space ticks the › one · Tab, then ↑↓ to pick another",
        "GATE_HEADING": "{account} · {deal}: stage {stage} {label} is not complete",
        "GATE_HOW": "Tick the missing deliverables (space) and advance (ctrl+s), or force with a reason (f).",
        "LOST_TITLE_AT": "{account} · {deal}: why was it lost?",
        "LOG_TITLE_AT": "Log an interaction with {account}",
        "LOG_KIND": "Kind",
        "LOG_DATE": "Date (YYYY-MM-DD)",
        "LOG_WITH": "With",
        "LOG_NOBODY": "nobody in particular",
        "LOG_SUMMARY_LABEL": "Summary (Enter starts a new line; ctrl+s saves)",
        "LOG_PREVIEW": "ctrl+s saves: {kind} on {on}",
        "LOG_PREVIEW_WITH": " · with {name}",
        "LOG_PREVIEW_EXECUTIVE": " · executive-level",
        "LOG_PREVIEW_SUMMARY": " · with the summary above",
        "LOG_PREVIEW_NO_SUMMARY": " · no summary (a touch without notes)",
        "CONTACT_NAME": "Name",
        "RELOAD_KEY": "Reload theirs",
        "STALE_NOTE": "Not saved: someone changed this meanwhile. Choose below: reload theirs or re-apply yours.",
        "STALE_CHOICES": "Re-apply mine (ctrl+o) saves only what you changed ({fields}) and keeps their other values; Reload (ctrl+r) shows the newest values and drops what you typed; Esc cancels.",
        "TEAM_DIALOG_OPEN": "Open",
        "PLAN_EXPORT_REPLACE": "{path} already exists. Replace it with the plan?",
        "PLAN_EXPORT_NO_PATH": "Type the path of the file to write.",
        "PLAN_EXPORT_IS_FOLDER": "{path} is a folder: name a file in it.",
        "TICKED": "ticked",
        "NOT_TICKED": "not ticked",
        "DEAL_STATUS_OPEN": "open",
        "DEAL_STATUS_LOST": "lost",
        "ENTITY_ACCOUNT": "account",
        "ENTITY_CONTACT": "contact",
        "ENTITY_DEAL": "deal",
        "ENTITY_TASK": "task",
        "ENTITY_RATING": "rating",
        "CHANGE_OF": "{entity} {subject}: {field}",
        "CHANGE_COLON": ": ",
        "CHANGE_DELIVERABLE": "Deliverable {label}",
        "CHANGE_RATING": "Rating {key}",
        "CHANGE_CONTACT_ID": "contact {id}",
        "CHANGE_CONTACT_NAME": "Name",
        "CHANGE_CONTACT_LEFT_ON": "Left on",
        "CHANGE_DEAL_NAME": "Name",
        "CHANGE_DEAL_AMOUNT": "Amount",
        "CHANGE_DEAL_EXPECTED_CLOSE": "Expected close",
        "CHANGE_DEAL_NEXT_STEP": "Next step",
        "CHANGE_DEAL_STAGE": "Stage",
        "CHANGE_DEAL_STATUS": "Status",
        "CHANGE_DEAL_LOST_REASON": "Lost because",
        "CHANGE_DEAL_FORCE_REASON": "Forced because",
        "CHANGE_TASK_DONE_ON": "Done on",
    }
)

# ---- the weekly plan worked through (ticks, snoozes, capacity, batches) and the won
# outcome of a deal (plan) --------------------------------------------------------------------
EN.update(
    {
        "KEY_UNTICK": "Untick",
        "KEY_SNOOZE": "Put off",
        "KEY_PLAN_MORE": "More",
        "PLAN_KIND_BATCH": "e-mail batch",
        "PLAN_BATCH_ACCOUNTS": "{n:account|accounts}",
        "PLAN_BATCH_DONE": "{done} of {n} done",
        "PLAN_FOLDED": "⋯ {n} more beyond the week's capacity of {capacity:item|items}: press m to show them",
        "PLAN_FOLDED_OPEN": "▾ {n} more beyond the week's capacity of {capacity:item|items} (m hides them):",
        "PLAN_SNOOZED": "⋯ {n} put off until a later day: press m to show them",
        "PLAN_SNOOZED_OPEN": "▾ {n} put off until a later day (z on one brings it back; m hides them):",
        "PLAN_PUT_OFF": "put off until {date}",
        "PLAN_TICKED_ALREADY": "Done already; u takes the tick back.",
        "PLAN_NOT_TICKED": "Not ticked: there is no tick to take back.",
        "PLAN_SNOOZE_DONE": "Done already: nothing to put off.",
        "PLAN_EMAILS_LOGGED": "Standard e-mail logged for {account}",
        "PLAN_UNTICKED": "Tick taken back: {account}",
        "PLAN_SNOOZED_NOTE": "{what}: put off until {date}",
        "PLAN_UNSNOOZED": "{what}: back in the plan",
        "SNOOZE_TITLE": "Put off until a day: {what}",
        "SNOOZE_UNTIL": "Until (YYYY-MM-DD; it comes back that day)",
        "SNOOZE_REASON": "Why (optional)",
        "SNOOZE_REASON_PLACEHOLDER": "e.g. the customer is at a trade fair",
        "SNOOZE_SAVE": "Put off",
        "BATCH_TITLE": "Send the standard e-mail to {who} (tier C: standard quote, e-mail, self-service)",
        "BATCH_HINT": "Every account is ticked: space leaves one out (or takes it back in); ctrl+s logs an e-mail today to each ticked account.",
        "BATCH_SAVE": "Log the e-mails",
        "BATCH_NONE": "Tick at least one account.",
        "PLAN_FILE_ACCOUNTS": "{n:account|accounts}",
        "PLAN_FILE_DONE_ON": "done {date}",
        "PLAN_FILE_FOLDED": "Beyond the week's capacity ({n:item|items} a rep): {more} more",
        "PLAN_FILE_SNOOZED": "Put off until a later day: {n}",
        "PLAN_FILE_UNTIL": "until {date}",
        "SETTINGS_PLAN": "Weekly plan",
        "SETTINGS_CAPACITY": "Items a rep can do in a week (empty: no limit); the plan folds the rest, S tier and the most urgent first",
        "SETTINGS_NO_CAPACITY": "no limit",
        "TASK_DONE_ON": "done {date}",
        "TASK_REOPENED": "Task open again: {title}",
        "TASK_DONE_ALREADY": "Done already; u takes the tick back.",
        "TASKS_PUT_OFF": "Put off in the weekly plan:",
        "HEALTH_PUT_OFF": "The health follow-up is put off in the weekly plan until {date}",
        "DEAL_WON": "won {date} · {amount}",
        "DEAL_WON_FORCED": "won {date} · {amount} (forced past the stage-3 gate)",
        "DEAL_WON_NOTE": "{deal}: won — now in stage {stage} {label}",
        "STAGE_WON": "won: contract signed",
        "CARD_WON": "✓ won",
        "TIMELINE_WON": "won",
        "DEAL_WON_SHORT": "✓ won {date}",
        "HISTORY_PLAN_TICK": "weekly plan {week}: {kind} ticked done",
        "HISTORY_PLAN_UNTICK": "weekly plan {week}: {kind} tick taken back",
        "HISTORY_PLAN_SNOOZE": "weekly plan: {kind} put off until {until}",
        "HISTORY_PLAN_UNSNOOZE": "weekly plan: {kind} back in the plan (was put off until {until})",
    }
)
ZH.update(
    {
        "KEY_UNTICK": "撤销完成",
        "KEY_SNOOZE": "推迟",
        "KEY_PLAN_MORE": "更多",
        "PLAN_KIND_BATCH": "批量邮件",
        "PLAN_BATCH_ACCOUNTS": "{n} 个客户",
        "PLAN_BATCH_DONE": "已完成 {done}/{n}",
        "PLAN_FOLDED": "⋯ 另有 {n} 项超出每周 {capacity} 项的工作量：按 m 显示",
        "PLAN_FOLDED_OPEN": "▾ 另有 {n} 项超出每周 {capacity} 项的工作量（按 m 收起）：",
        "PLAN_SNOOZED": "⋯ {n} 项已推迟到以后：按 m 显示",
        "PLAN_SNOOZED_OPEN": "▾ {n} 项已推迟到以后（在某项上按 z 恢复；按 m 收起）：",
        "PLAN_PUT_OFF": "推迟到 {date}",
        "PLAN_TICKED_ALREADY": "已完成；按 u 撤销。",
        "PLAN_NOT_TICKED": "尚未完成：没有可撤销的勾选。",
        "PLAN_SNOOZE_DONE": "已完成：无需推迟。",
        "PLAN_EMAILS_LOGGED": "已记录向 {account} 发送标准邮件",
        "PLAN_UNTICKED": "已撤销完成：{account}",
        "PLAN_SNOOZED_NOTE": "{what}：已推迟到 {date}",
        "PLAN_UNSNOOZED": "{what}：已回到计划中",
        "SNOOZE_TITLE": "推迟到某天：{what}",
        "SNOOZE_UNTIL": "推迟到（YYYY-MM-DD，当天回到计划中）",
        "SNOOZE_REASON": "原因（可选）",
        "SNOOZE_REASON_PLACEHOLDER": "例如：客户在参加展会",
        "SNOOZE_SAVE": "推迟",
        "BATCH_TITLE": "向 {who} 发送标准邮件（C 级：标准报价、邮件、自助服务）",
        "BATCH_HINT": "所有客户均已勾选：按空格排除某个客户（或重新加入）；按 ctrl+s 为每个勾选的客户记录一封今天发送的邮件。",
        "BATCH_SAVE": "记录邮件",
        "BATCH_NONE": "请至少勾选一个客户。",
        "PLAN_FILE_ACCOUNTS": "{n} 个客户",
        "PLAN_FILE_DONE_ON": "{date} 完成",
        "PLAN_FILE_FOLDED": "超出每周工作量（每人 {n} 项）：另有 {more} 项",
        "PLAN_FILE_SNOOZED": "已推迟到以后：{n} 项",
        "PLAN_FILE_UNTIL": "推迟到 {date}",
        "SETTINGS_PLAN": "周计划",
        "SETTINGS_CAPACITY": "每人每周可完成的事项数（留空：不限）；超出部分折叠，S 级和最紧急的优先",
        "SETTINGS_NO_CAPACITY": "不限",
        "TASK_DONE_ON": "{date} 完成",
        "TASK_REOPENED": "待办已重新打开：{title}",
        "TASK_DONE_ALREADY": "已完成；按 u 撤销。",
        "TASKS_PUT_OFF": "周计划中已推迟：",
        "HEALTH_PUT_OFF": "健康度跟进已在周计划中推迟到 {date}",
        "DEAL_WON": "{date} 赢单 · {amount}",
        "DEAL_WON_FORCED": "{date} 赢单 · {amount}（强制通过第 3 阶段关卡）",
        "DEAL_WON_NOTE": "{deal}：赢单，现在处于第 {stage} 阶段 {label}",
        "STAGE_WON": "赢单：合同已签订",
        "CARD_WON": "✓ 已赢单",
        "TIMELINE_WON": "赢单",
        "DEAL_WON_SHORT": "✓ {date} 赢单",
        "HISTORY_PLAN_TICK": "周计划 {week}：{kind}已完成",
        "HISTORY_PLAN_UNTICK": "周计划 {week}：{kind}已撤销完成",
        "HISTORY_PLAN_SNOOZE": "周计划：{kind}推迟到 {until}",
        "HISTORY_PLAN_UNSNOOZE": "周计划：{kind}已回到计划中（原推迟到 {until}）",
        "READ_ONLY_REFUSED": "此客户文件以只读方式打开，未做任何修改。",
        "KEY_PALETTE": "命令面板",
        "STAGE_HEAD": "{stage}、{name}",  # one word: the name wraps beside its number
        "PALETTE_PLACEHOLDER": "搜索客户、商机或命令…",
        "PALETTE_THEME": "主题",
        "PALETTE_THEME_HELP": "更换配色（下次启动 kamtui 时沿用）",
        "PALETTE_QUIT_HELP": "退出 kamtui",
        "PALETTE_HIDE_HELP": "隐藏本界面的快捷键",
        "PALETTE_MAXIMIZE": "最大化",
        "PALETTE_MAXIMIZE_HELP": "只显示当前焦点所在的区域",
        "PALETTE_MINIMIZE": "还原",
        "PALETTE_MINIMIZE_HELP": "重新显示整个界面",
        "PALETTE_SCREENSHOT": "截图",
        "PALETTE_SCREENSHOT_HELP": "将当前界面保存为图片（SVG）",
        "NO": "否",
        "UNKNOWN": "未知",
        "CHOOSE": "选择",
        "REPLACE": "替换",
        "KEY_TICK_DELIVERABLE": "勾选输出物",
        "DELIVERABLES_HINT": "空格勾选 › 所指项 · 按 Tab 后用 ↑↓ 选择其他项",
        "GATE_HEADING": "{account} · {deal}：第 {stage} 阶段（{label}）尚未完成",
        "GATE_HOW": "勾选缺少的输出物（空格）后推进（ctrl+s），或填写理由强制推进（f）。",
        "LOST_TITLE_AT": "{account} · {deal}：为什么丢单？",
        "LOG_TITLE_AT": "记录与 {account} 的一次互动",
        "LOG_KIND": "类型",
        "LOG_DATE": "日期（YYYY-MM-DD）",
        "LOG_WITH": "联系人",
        "LOG_NOBODY": "不指定",
        "LOG_SUMMARY_LABEL": "摘要（回车换行；ctrl+s 保存）",
        "LOG_PREVIEW": "ctrl+s 将保存：{on} 的{kind}",
        "LOG_PREVIEW_WITH": " · 联系人 {name}",
        "LOG_PREVIEW_EXECUTIVE": " · 高层互动",
        "LOG_PREVIEW_SUMMARY": " · 含上面的摘要",
        "LOG_PREVIEW_NO_SUMMARY": " · 无摘要（一次不带记录的触达）",
        "CONTACT_NAME": "姓名",
        "RELOAD_KEY": "载入最新值",
        "STALE_NOTE": "未保存：其间已有人修改。请在下方选择：载入对方的值，或用你的值覆盖。",
        "STALE_CHOICES": "用我的值覆盖（ctrl+o）只保存你改动的字段（{fields}），其他字段保留对方的值；重新载入（ctrl+r）显示最新值并放弃你的输入；Esc 取消。",
        "TEAM_DIALOG_OPEN": "打开",
        "PLAN_EXPORT_REPLACE": "{path} 已存在。要用周计划替换它吗？",
        "PLAN_EXPORT_NO_PATH": "请输入要写入的文件路径。",
        "PLAN_EXPORT_IS_FOLDER": "{path} 是文件夹：请指定其中的文件名。",
        "TICKED": "已勾选",
        "NOT_TICKED": "未勾选",
        "DEAL_STATUS_OPEN": "进行中",
        "DEAL_STATUS_LOST": "已丢单",
        "ENTITY_ACCOUNT": "客户",
        "ENTITY_CONTACT": "联系人",
        "ENTITY_DEAL": "商机",
        "ENTITY_TASK": "待办",
        "ENTITY_RATING": "评分",
        "CHANGE_OF": "{entity} {subject}：{field}",
        "CHANGE_COLON": "：",
        "CHANGE_DELIVERABLE": "输出物 {label}",
        "CHANGE_RATING": "评分 {key}",
        "CHANGE_CONTACT_ID": "联系人 {id}",
        "CHANGE_CONTACT_NAME": "姓名",
        "CHANGE_CONTACT_LEFT_ON": "离职日期",
        "CHANGE_DEAL_NAME": "名称",
        "CHANGE_DEAL_AMOUNT": "金额",
        "CHANGE_DEAL_EXPECTED_CLOSE": "预计成交日期",
        "CHANGE_DEAL_NEXT_STEP": "下一步",
        "CHANGE_DEAL_STAGE": "阶段",
        "CHANGE_DEAL_STATUS": "状态",
        "CHANGE_DEAL_LOST_REASON": "丢单原因",
        "CHANGE_DEAL_FORCE_REASON": "强制推进理由",
        "CHANGE_TASK_DONE_ON": "完成日期",
    }
)

# the book's safety: a damaged book found on opening, a refresh that met a locked book
EN.update(
    {
        "BOOK_DAMAGED": "{path} is damaged ({problem}): kamtui changes nothing in it from now "
        "on; `kamtui doctor --db {path}` says where, and {backup}",
        "DAMAGED_BACKUP": "the newest backup beside it is {backup}.",
        "DAMAGED_NO_BACKUP": "no backup of it was found beside it.",
        "TITLE_DAMAGED": "damaged · read-only",
        "REFRESH_BUSY": "Tiers and health are still those of {day}: another program had the "
        "book locked; kamtui tries again every {every} s (ctrl+r: now).",
        "REFRESH_BUSY_NEVER": "Tiers and health are not computed yet: another program had the "
        "book locked; kamtui tries again every {every} s (ctrl+r: now).",
        "WORK_BOOK_CHECK": "Checking the book",
        "SETTINGS_READ_ONLY": "This book is read-only: its settings can be read, not saved.",
    }
)
ZH.update(
    {
        "BOOK_DAMAGED": "{path} 已损坏（{problem}）：此后 kamtui 不再修改它；"
        "`kamtui doctor --db {path}` 可查看损坏位置，{backup}",
        "DAMAGED_BACKUP": "旁边最新的备份是 {backup}。",
        "DAMAGED_NO_BACKUP": "旁边没有找到它的备份。",
        "TITLE_DAMAGED": "已损坏 · 只读",
        "REFRESH_BUSY": "级别与健康度仍是 {day} 的：另一个程序锁住了客户文件；"
        "kamtui 每 {every} 秒重试一次（ctrl+r：立即重试）。",
        "REFRESH_BUSY_NEVER": "级别与健康度尚未计算：另一个程序锁住了客户文件；"
        "kamtui 每 {every} 秒重试一次（ctrl+r：立即重试）。",
        "WORK_BOOK_CHECK": "检查客户文件",
        "SETTINGS_READ_ONLY": "此客户文件为只读：设置可以查看，但不能保存。",
    }
)

SENTENCES_ZH.update(
    {  # the book's safety: what the store says of a damaged, locked or read-only book
        "{path} is damaged ({detail}); nothing was changed, and `kamtui doctor --db {again}` "
        "shows where.": "{path} 已损坏（{detail}）：没有做任何修改；"
        "`kamtui doctor --db {again}` 可查看损坏位置。",
        "{path} is busy: another program has it locked (kamtui waited {secs} s). Nothing was "
        "changed; try again in a moment.": "{path} 正被另一个程序锁定（kamtui 已等待 {secs} 秒）。"
        "没有做任何修改，请稍后再试。",
        "{path} is busy: another program has it locked (kamtui waited {secs} s). Try again in "
        "a moment.": "{path} 正被另一个程序锁定（kamtui 已等待 {secs} 秒）。请稍后再试。",
        "{path} is open read-only; nothing can be changed.": "{path} 以只读方式打开，无法修改。",
        "send the standard e-mail to {n:account|accounts}": "给 {n} 个客户发送标准邮件",
        "deal {name} won: {amount} (forced)": "商机 {name} 赢单：{amount}（强制推进）",
        "deal {name} won: {amount}": "商机 {name} 赢单：{amount}",
        "An item is put off until a later day than today.": "推迟的日期必须晚于今天。",
        "An item is put off for a year at most.": "最多只能推迟一年。",
        "A snooze's reason is at most 500 characters.": "推迟原因最多 500 个字符。",
        "A week's capacity is 1 to {max} items, or none for no limit (it is {value}).": "每周工作量为 1 到 {max} 项，留空表示不限（现在是 {value}）。",
        "A week's capacity must be a whole number, not {value}.": "每周工作量必须是整数，而不是 {value}。",
    }
)

_current: dict[str, str] = EN


def detect_language() -> str:
    env = os.environ.get("KAMTUI_LANG") or os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    if not env:
        env = locale.getlocale()[0] or ""
    return "zh" if env.lower().startswith("zh") else "en"


def set_language(lang: str) -> None:
    """Speak ``lang`` from now on: every string read afterwards, and the key descriptions
    of the screens already imported (their bindings were made when they were imported)."""
    global _current
    say.cache_clear()
    _current = {**EN, **ZH} if lang == "zh" else EN
    _say_bindings_again()


class Said(str):
    """A catalog string that knows its key, so that a key's description bound when a
    screen is imported can be said again in another language. Its ``format`` says counts
    with the right form of their noun (``"{n:deal|deals}"``)."""

    key: str

    def __new__(cls, value: str, key: str) -> Said:
        said = super().__new__(cls, value)
        said.key = key
        return said

    def format(self, /, *args: object, **values: object) -> str:
        if "|" not in self:  # no count with a noun: str's own, faster
            return super().format(*args, **values)
        return counted(self, *args, **values)


def _say_bindings_again() -> None:
    dom = sys.modules.get("textual.dom")
    if dom is None:  # no screen imported yet: bindings made from now on are in the language
        return
    from dataclasses import replace

    from textual.binding import Binding

    classes, stack = [], [dom.DOMNode]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in classes:
                classes.append(sub)
                stack.append(sub)
    for cls in classes:
        bindings = cls.__dict__.get("BINDINGS")
        if bindings and any(
            isinstance(b, Binding) and isinstance(b.description, Said) for b in bindings
        ):
            cls.BINDINGS = [
                replace(b, description=Said(_current[b.description.key], b.description.key))
                if isinstance(b, Binding) and isinstance(b.description, Said)
                else b
                for b in bindings
            ]
        elif bindings and cls.__module__.startswith("textual."):  # Textual's own keys
            cls.BINDINGS = [_textual_key(b) if isinstance(b, Binding) else b for b in bindings]
    for cls in classes:  # a class's bindings are merged from its bases' when it is made
        cls._merged_bindings = cls._merge_bindings()


class TextualWord(str):
    """A description of one of Textual's own keys, as said, that knows its English."""

    english: str

    def __new__(cls, value: str, english: str) -> TextualWord:
        word = super().__new__(cls, value)
        word.english = english
        return word


def _textual_key(binding: Binding) -> Binding:
    """One of Textual's own key bindings, described in the UI's language."""
    from dataclasses import replace

    said = binding.description
    english = said.english if isinstance(said, TextualWord) else said
    if not english:
        return binding
    words = TEXTUAL_KEYS_ZH.get(english, english) if in_chinese() else english
    return replace(binding, description=TextualWord(words, english))


def say_keys_again() -> None:
    """Describe every key in the UI's language, Textual's own too: call it once the widgets
    a screen shows are imported (a key of a class made afterwards is said as Textual says
    it)."""
    _say_bindings_again()


def field_label(field: str) -> str:
    """A profile field's label in the UI's language."""
    return _current.get(f"FIELD_{field.upper()}", field.replace("_", " "))


def plan_kind(kind: str) -> str:
    """A plan item's kind in the UI's language."""
    return _current.get(f"PLAN_KIND_{kind.upper()}", kind)


def kind_name(kind: str) -> str:
    """An interaction kind (call, email, meeting, visit) in the UI's language."""
    return _current.get(f"KIND_{kind.upper()}", kind)


_NUMBER = r"[-+]?\d[\d,]*(?:\.\d+)?"
_SLOTS = {  # what a placeholder may hold, when it is not any text
    **dict.fromkeys(
        ("n", "days", "pct", "avg", "low", "rating", "latest", "cadence", "every", "roles",
         "stage"), _NUMBER),
    **dict.fromkeys(("date", "due", "last"), r"\d{4}-\d{2}-\d{2}"),
    "metric": "logins|active users", "role": "economic buyer|champion",
    "touch": "executive touch|touch", "color": "red|yellow|green", "tier": "[SABC]|unscored",
    "rfm": r"\d{3}", "month": "|".join(MONTHS), "logins": _NUMBER,
}  # fmt: skip


def _pattern(template: str) -> re.Pattern[str]:
    out = []
    for literal, name, spec, _ in string.Formatter().parse(template):
        out.append(re.escape(literal))
        if name is not None:
            out.append(f"(?P<{name}>{_SLOTS.get(name, '.+?')})")
            one, bar, many = (spec or "").partition("|")
            if bar:  # a count with its noun: "1 day", "3 days"
                out.append(f" (?:{re.escape(one)}|{re.escape(many)})")
    return re.compile("".join(out))


@lru_cache(maxsize=1)
def _sentences() -> list[tuple[re.Pattern[str], str]]:
    """The domain's sentences as patterns, with their Chinese: compiled when first said in
    Chinese, not at import (a hundred patterns; an English start-up never needs them)."""
    return [(_pattern(en), zh) for en, zh in SENTENCES_ZH.items()]


@lru_cache(maxsize=8192)
def say(sentence: str) -> str:
    """One of the domain's sentences in the UI's language (itself when none is known)."""
    if not in_chinese() or not sentence:
        return sentence
    for pattern, zh in _sentences():
        m = pattern.fullmatch(sentence)
        if m is not None:
            return zh.format(**{k: _say_part(k, v) for k, v in m.groupdict().items()})
    return sentence


def _say_part(name: str, value: str) -> str:
    if name in ("reason", "title"):
        return say(value)
    if name == "measure":
        return word("MEASURE", value)
    if name == "severity":
        return _SEVERITY_ZH.get(value, value)
    if name == "subject":  # a ticket's: the customer's words
        return value
    if name == "what":  # a stale save's record: "Deal 数据中台", "Contact 王芳", "Account 7"
        kind, _, rest = value.partition(" ")
        return f"{_RECORDS_ZH.get(kind, kind)} {rest}" if rest else value
    if name == "criterion":
        return _criterion_zh(value)
    if name == "names":  # headers a column may have: 'name' or '姓名'
        return value.replace("' or '", "' 或 '")
    if name == "missing":
        return "、".join(_deliverable_zh(x) for x in value.split(", "))
    return WORDS_ZH.get(value, value)


_RECORDS_ZH = {"Deal": "商机", "Contact": "联系人", "Account": "客户"}
_SEVERITY_ZH = {"low": "低", "normal": "一般", "high": "高", "critical": "紧急"}  # a ticket's


def _criterion_zh(key: str) -> str:
    from kamtui.domain.scoring import BUILTIN_MODELS

    for model in BUILTIN_MODELS.values():
        for c in model.criteria:
            if c.key == key:
                return c.label_zh
    return key


def _deliverable_zh(label: str) -> str:
    from kamtui.domain.stages import STAGES

    for st in STAGES:
        for d in st.deliverables:
            if d.label == label:
                return d.label_zh
    return label


def word(kind: str, value: str) -> str:
    """One of the book's own values (a status, a health colour, a measure, a timeline
    entry's kind…) in the UI's language: ``word("COLOR", "red")``."""
    return _current.get(f"{kind}_{value.upper()}", value)


def in_chinese() -> bool:
    return _current is not EN


def both(label: str, label_zh: str) -> str:
    """A term of the method (a role, criterion, deliverable, track): in English followed by
    the Chinese term reps know it by, or only the Chinese term in the Chinese UI."""
    return label_zh if in_chinese() or not label else f"{label} {label_zh}".strip()


def stage_name(number: int) -> str:
    """A deal stage's short name in the UI's language."""
    from kamtui.domain.stages import stage

    st = stage(number)
    return st.label_zh if in_chinese() else st.label


def track_name(track: Track) -> str:
    return track.label_zh if in_chinese() else track.label


def track_short(key: str) -> str:
    """A track in a table column: its key, or its Chinese name in the Chinese UI."""
    from kamtui.domain.tracks import TRACKS

    track = TRACKS.get(key)
    return track.label_zh if track and in_chinese() else key


def track_play(track: Track) -> str:
    return (track.play_zh or track.play) if in_chinese() else track.play


def plan_words() -> PlanWords:
    """How an exported plan (Markdown, iCalendar) is worded in the UI's language."""
    from kamtui.domain.plan import BATCH, KINDS
    from kamtui.services.export import ENGLISH, PlanWords

    if not in_chinese():
        return ENGLISH
    return PlanWords(
        _current["PLAN_FILE_TITLE"], _current["PLAN_FILE_SPAN"], _current["PLAN_FILE_TIER"],
        _current["UNSCORED_TIER"], {k: plan_kind(k) for k in (*KINDS, BATCH)}, say,
        _current["PLAN_FILE_ACCOUNTS"], _current["PLAN_FILE_DONE_ON"],
        _current["PLAN_FILE_FOLDED"], _current["PLAN_FILE_SNOOZED"], _current["PLAN_FILE_UNTIL"],
    )  # fmt: skip


def stance_name(stance: str) -> str:
    """A contact's stance (champion … blocker) in the UI's language."""
    return _current.get(f"STANCE_{stance.upper()}", stance)


def influence_name(influence: str) -> str:
    """A contact's influence (high, medium, low) in the UI's language."""
    return _current.get(f"INFLUENCE_{influence.upper()}", influence)


def role_name(role: Role) -> str:
    """A buying role's name: English, or Chinese in the Chinese UI."""
    return role.label_zh if in_chinese() else role.label


def work_what(group: str) -> str:
    """What a worker of ``group`` was doing, said as the subject of a sentence."""
    key = "WORK_" + group.upper().replace("-", "_")
    return _current.get(key, _current["WORK_DEFAULT"])


def __getattr__(name: str) -> str:
    try:
        return Said(_current[name], name)
    except KeyError:
        raise AttributeError(name) from None
