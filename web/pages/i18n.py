"""The pages in English and Chinese: the language of a request (its `lang` parameter, else the
browser's `Accept-Language`), the interface's words in both, and the API's enum values named
in each."""

from collections.abc import Callable

__all__ = ["LANGUAGES", "Translator", "language_of", "translator"]

LANGUAGES = ("en", "zh")
HTML_LANG = {"en": "en", "zh": "zh-Hans"}

WORDS: dict[str, tuple[str, str]] = {
    "app": ("partnergraph", "partnergraph 合作网络"),
    "skip": ("Skip to the content", "跳到正文"),
    "nav": ("Main", "主导航"),
    "home": ("Home", "首页"),
    "attention": ("Needs attention", "待办提醒"),
    "summaries": ("Summaries", "统计图表"),
    "language": ("Language", "语言"),
    "other_language": ("中文", "English"),
    "signed_in_as": ("Signed in as", "当前身份"),
    "sign_out": ("Sign out", "退出"),
    "sign_in": ("Sign in", "登录"),
    "token": ("API token", "API 令牌"),
    "token_help": (
        "Paste the API token you were given. It is kept in this browser's session only, in a "
        "cookie scripts cannot read, until you sign out or close the browser.",
        "粘贴您获得的 API 令牌。令牌只保存在本浏览器会话中(脚本无法读取的 Cookie),"
        "退出或关闭浏览器后即失效。",
    ),
    "anonymous_hint": (
        "Without a token you see the public profiles only.",
        "不登录时只能看到公开信息。",
    ),
    "continue_anonymous": ("Continue without a token", "不登录继续"),
    "bad_token": (
        "This token is not accepted: it is unknown, expired or revoked. Enter a valid token.",
        "该令牌无效:未知、已过期或已被撤销。请输入有效的令牌。",
    ),
    "expired": (
        "Your token is no longer accepted (it expired or was revoked). Sign in again.",
        "您的令牌已失效(已过期或被撤销),请重新登录。",
    ),
    "not_found": (
        "There is nothing here that your token may see: it does not exist, or it is not "
        "visible to you.",
        "此处没有您的令牌可查看的内容:它不存在,或您无权查看。",
    ),
    "forbidden": ("Your token may not open this view.", "您的令牌无权打开此页面。"),
    "rate_limited": (
        "Too many requests for now; wait a moment and try again.",
        "请求过多,请稍后再试。",
    ),
    "unavailable": (
        "The service is unavailable for a moment; try again shortly.",
        "服务暂时不可用,请稍后再试。",
    ),
    "bad_input": ("This request could not be answered:", "无法完成此请求:"),
    "partly_hidden": (
        "Part of this view was not answered for your token:",
        "此页面的部分内容未对您的令牌开放:",
    ),
    "welcome": ("Cooperation at a glance", "合作一览"),
    "alliances": ("Alliances", "联盟"),
    "your_organization": ("Your organization", "您的机构"),
    "your_alliance": ("Your alliance", "您的联盟"),
    "role": ("Role", "角色"),
    "members": ("Members", "成员"),
    "members_by_role": ("Members by role", "按角色列出的成员"),
    "member": ("Member", "成员"),
    "joined": ("Joined", "加入日期"),
    "left": ("Left", "退出日期"),
    "country": ("Country", "国家"),
    "kind": ("Kind", "类型"),
    "founded": ("Founded", "成立"),
    "network": ("Cooperation network of the members", "成员合作网络"),
    "network_help": (
        "Nodes are members, coloured by role and sized by centrality (betweenness); an edge "
        "joins two members with agreements together, thicker for more. Click a member for its "
        "page, an edge for the agreements behind it. The table below lists the same edges.",
        "节点为成员,颜色表示角色,大小表示中心度(介数);两成员之间有协议即连线,协议越多线越粗。"
        "点击成员打开其页面,点击连线查看相应协议。下表列出同样的连线。",
    ),
    "as_of": ("As of", "截至"),
    "date_slider": ("Date of the network", "网络日期"),
    "show_bridges": ("Show bridges", "显示桥"),
    "show_gaps": ("Show gaps (member pairs with no agreement)", "显示空缺(无协议的成员对)"),
    "ties": ("Ties", "联系类型"),
    "tie_agreement": ("Agreements", "协议"),
    "tie_program": ("Programs", "项目"),
    "tie_unit": ("Units", "下属单位"),
    "apply": ("Apply", "应用"),
    "legend": ("Legend", "图例"),
    "edges": ("Cooperation between members", "成员之间的合作"),
    "no_edges": ("No two members cooperate in this view.", "此视图中成员之间没有合作。"),
    "pair": ("Members", "成员"),
    "agreements_count": ("Agreements", "协议数"),
    "bridge": ("Bridge", "桥"),
    "bridge_help": (
        "Bridges are edges whose removal cuts members apart.",
        "桥是删除后会使成员断开的连线。",
    ),
    "gaps": ("Gaps", "空缺"),
    "truncated": (
        "Drawn: the {shown} strongest of {total} edges; gaps are not shown.",
        "图中为 {total} 条连线中最强的 {shown} 条;不显示空缺。",
    ),
    "gaps_help": ("Member pairs with no agreement with each other:", "彼此没有协议的成员对:"),
    "no_gaps": ("Every pair of members cooperates.", "所有成员两两之间都有合作。"),
    "centrality": ("Centrality", "中心度"),
    "edge_details": ("Agreements behind the selected edge", "所选连线背后的协议"),
    "select_edge": (
        "Select an edge in the network to list its agreements here.",
        "在网络中选择一条连线,此处将列出其协议。",
    ),
    "network_summary": (
        "{members} members, {edges} edges between them",
        "{members} 个成员,{edges} 条连线",
    ),
    "yes": ("yes", "是"),
    "profile": ("Profile", "概况"),
    "local_name": ("Local name", "本地名称"),
    "short_name": ("Short name", "简称"),
    "region": ("Region", "地区"),
    "city": ("City", "城市"),
    "website": ("Website", "网站"),
    "ror": ("ROR id", "ROR 标识"),
    "parent": ("Part of", "隶属于"),
    "status": ("Status", "状态"),
    "description": ("Description", "简介"),
    "units": ("Units", "下属单位"),
    "no_units": ("No units.", "无下属单位。"),
    "memberships": ("Alliance memberships", "联盟成员资格"),
    "alliance": ("Alliance", "联盟"),
    "agreements": ("Agreements", "协议"),
    "no_agreements": (
        "No agreements that your token may see.",
        "没有您的令牌可查看的协议。",
    ),
    "title": ("Title", "标题"),
    "signed": ("Signed", "签署日期"),
    "from": ("From", "起始"),
    "to": ("To", "截止"),
    "parties": ("Parties", "各方"),
    "commitments": ("Commitments", "承诺事项"),
    "no_commitments": ("No commitments that your token may see.", "没有可查看的承诺事项。"),
    "due": ("Due", "到期日"),
    "owed_by": ("Owed by", "承担方"),
    "agreement": ("Agreement", "协议"),
    "activities": ("Activities", "活动"),
    "no_activities": ("No activities that your token may see.", "没有可查看的活动。"),
    "held_on": ("Held on", "日期"),
    "place": ("Place", "地点"),
    "partners": ("Partners within 2 hops", "两步以内的合作伙伴"),
    "direct_partners": ("Direct partners", "直接合作伙伴"),
    "second_partners": ("Partners of partners", "伙伴的伙伴"),
    "no_partners": ("None.", "无。"),
    "showing_of": ("showing {shown} of {total}", "显示 {total} 项中的 {shown} 项"),
    "within_days": ("Looking ahead", "提前查看"),
    "days": ("{n} days", "{n} 天"),
    "expiring": ("Agreements ending soon", "即将到期的协议"),
    "no_expiring": ("No agreement in force ends in this period.", "此期间没有即将到期的协议。"),
    "ends_on": ("Ends on", "到期日"),
    "days_left": ("Days left", "剩余天数"),
    "renewal": ("Renewal", "续签"),
    "must_act": ("someone must act", "需要处理"),
    "notice": ("Notice deadlines", "通知截止日期"),
    "no_notice": (
        "No agreement in force has a notice deadline passed or in this period.",
        "没有已过或在此期间内通知截止的生效协议。",
    ),
    "notice_deadline": ("Notice by", "通知截止"),
    "notice_passed": ("passed", "已过"),
    "overdue": ("Overdue commitments", "逾期承诺"),
    "no_overdue": ("No overdue commitments.", "没有逾期承诺。"),
    "upcoming": ("Commitments due in this period", "此期间到期的承诺"),
    "no_upcoming": ("No commitments due in this period.", "此期间没有到期的承诺。"),
    "proposals_in": ("Proposals awaiting your answer", "等待您答复的提议"),
    "proposals_out": ("Your proposals awaiting an answer", "等待对方答复的提议"),
    "proposals_all": ("Proposals awaiting an answer", "等待答复的提议"),
    "no_proposals": ("None.", "无。"),
    "proposal": ("Proposal", "提议"),
    "proposed_by": ("Proposed by", "提议方"),
    "addressed_to": ("Addressed to", "答复方"),
    "expires_on": ("Answer by", "答复期限"),
    "timeline": ("Timeline", "时间线"),
    "timeline_help": (
        "The dates above on one line: today, what is overdue to its left, what comes within "
        "the period to its right.",
        "以上日期画在一条线上:今天居中,左侧为已逾期事项,右侧为本期间内将到期事项。",
    ),
    "today": ("today", "今天"),
    "filters": ("Filters (as in the API)", "筛选条件(与 API 相同)"),
    "by_year": ("Agreements by year signed", "按签署年份统计的协议"),
    "by_kind": ("Agreements by kind", "按类型统计的协议"),
    "by_member": ("Agreements by alliance member", "按联盟成员统计的协议"),
    "by_mode": ("Agreements by collaboration mode", "按合作模式统计的协议"),
    "mode": ("Collaboration mode", "合作模式"),
    "member_note": (
        "Each member's agreements as of the day, with members and with others (the alliance "
        "report takes the day only, not the other filters).",
        "截至该日各成员的协议(与成员及与其他机构);联盟报告只按日期,不受其他筛选条件影响。",
    ),
    "total": ("Total", "合计"),
    "value": ("Value", "项"),
    "download_csv": ("Download CSV", "下载 CSV"),
    "no_data": ("Nothing to count in this view.", "此视图中没有可统计的数据。"),
    "with_members": ("with members", "与成员"),
    "with_others": ("with non-members", "与非成员"),
    "unsigned": ("not signed", "未签署"),
    "none": ("none", "无"),
    "text": ("Text", "文本"),
    "signed_from": ("Signed from", "签署起"),
    "signed_to": ("Signed to", "签署止"),
    "party_country": ("Party country (ISO code)", "合作方国家(ISO 代码)"),
    "any": ("any", "全部"),
    "chart_of": ("Bar chart: {title}", "条形图:{title}"),
    "view_network": ("Network and members", "网络与成员"),
    "open_alliance": ("Open the alliance", "打开联盟"),
    "figures": ("The figures", "数据"),
}

ENUMS: dict[str, str] = {
    "CHAIR": "主席单位",
    "VICE_CHAIR": "副主席单位",
    "DIRECTOR": "理事单位",
    "MEMBER": "成员单位",
    "OBSERVER": "观察员",
    "DRAFT": "草案",
    "UNDER_NEGOTIATION": "谈判中",
    "AWAITING_APPROVAL": "待审批",
    "SIGNED": "已签署",
    "ACTIVE": "生效中",
    "SUSPENDED": "已暂停",
    "EXPIRED": "已到期",
    "TERMINATED": "已终止",
    "OPEN": "未完成",
    "DELIVERED": "已完成",
    "WAIVED": "已免除",
    "OVERDUE": "已逾期",
    "PENDING": "待答复",
    "RENEWED": "已续签",
    "IN_PROGRESS": "续签中",
    "AUTOMATIC": "自动续签",
    "DUE": "需续签",
    "NOT_RENEWABLE": "不续签",
    "UNIVERSITY": "大学",
    "RESEARCH_INSTITUTE": "研究机构",
    "BUSINESS": "企业",
    "GOVERNMENT_BODY": "政府机构",
    "INACTIVE": "不活跃",
    "WITHDRAWN": "已退出",
    "INAUGURATION": "成立仪式",
    "JOINT_PROGRAM": "联合项目",
    "RESEARCH_COLLABORATION": "科研合作",
    "INTERNSHIP_AND_TRAINING_BASE": "实习实训基地",
    "INTERNATIONAL_ORGANIZATION": "国际组织",
    "OTHER": "其他",
    "MEETING": "会议",
    "EXCHANGE_VISIT": "交流访问",
    "CONFERENCE": "大会",
    "SIGNING_CEREMONY": "签约仪式",
    "CREDIT_RECOGNITION": "学分互认",
    "VOCATIONAL_TRAINING": "职业培训",
    "MICRO_SPECIALTY": "微专业",
    "JOINT_COURSE_DEVELOPMENT": "联合开发课程",
    "SHARED_FACULTY": "师资共享",
    "STUDENT_EXCHANGE": "学生交流",
    "STAFF_EXCHANGE": "教职工交流",
    "JOINT_RESEARCH": "联合研究",
    "INTERNSHIP_BASE": "实习基地",
    "RESOURCE_SHARING": "资源共享",
    "JOINT_DEGREE": "联合学位",
    "FUNDING": "资助",
    "FRAMEWORK": "框架协议",
    "MEMORANDUM_OF_UNDERSTANDING": "谅解备忘录",
    "SINO_FOREIGN_COOPERATIVE_EDUCATION": "中外合作办学",
    "AGREEMENT_PARTY": "加入协议",
    "MEMBERSHIP": "加入联盟",
    "PROGRAM_PARTNER": "项目合作",
    "ACTIVITY_PARTICIPANT": "参加活动",
}

Translator = Callable[..., str]


def language_of(requested: str | None, accept_language: str | None) -> str:
    """`requested` when it names a language of the pages, else the first of the browser's
    preferences (by quality) that does, else English."""
    if requested in LANGUAGES:
        return requested
    preferences: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        preferences.append((-quality, position, tag.strip().lower()))
    for _, _, tag in sorted(preferences):
        primary = tag.split("-")[0]
        if primary in LANGUAGES:
            return primary
    return "en"


def enum_label(value: str | None, lang: str) -> str:
    """An API enum value (`VICE_CHAIR`, or `vice_chair` as reports write it) in words."""
    if not value:
        return ""
    key = value.upper()
    if lang == "zh" and key in ENUMS:
        return ENUMS[key]
    return key.replace("_", " ").lower().capitalize()


def translator(lang: str) -> Translator:
    index = LANGUAGES.index(lang)

    def t(key: str, **values: object) -> str:
        text = WORDS[key][index]
        return text.format(**values) if values else text

    return t
