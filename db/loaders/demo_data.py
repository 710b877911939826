"""The demo's source facts as data: the organizations (with their ROR ids, websites and parents),
the people and their positions, the Jiangxi alliance's members and the categories of the
national lifelong-learning platform, as `../shared/seeds/` gives them. `db.loaders.demo`
describes the demo; the other `demo_*` modules turn these facts into rows.
"""

from dataclasses import dataclass
from datetime import date

from db.enums import MembershipRole, OrganizationKind, ProgramCategory

__all__ = [
    "ALLIANCE",
    "CONFERENCE",
    "INAUGURATION",
    "JSOU_ART",
    "JUFE",
    "MEMBERSHIPS",
    "MOE",
    "NCHU",
    "NCU",
    "NJU_LLE",
    "ORGANIZATIONS",
    "PLATFORM_CATEGORIES",
    "POSITIONS",
    "UNIVERSITY",
]

UNIVERSITY = OrganizationKind.UNIVERSITY.value
JUFE = "Jiangxi University of Finance and Economics"
NCU = "Nanchang University"
NCHU = "Nanchang Hangkong University"
MOE = "Ministry of Education"
JSOU_ART = "School of Art"
NJU_LLE = "School of Lifelong Education"
ALLIANCE = "Jiangxi Provincial Alliance for Sino-Foreign Cooperative Education"
INAUGURATION = date(2025, 11, 18)
CONFERENCE = date(2025, 11, 17)


@dataclass(frozen=True)
class _Org:
    name: str
    country: str
    kind: str = UNIVERSITY
    city: str | None = None
    region: str | None = None
    short_name: str | None = None
    parent: str | None = None
    ror_id: str | None = None
    website: str | None = None


ORGANIZATIONS = [
    _Org(JUFE, "CN", city="Nanchang", region="Jiangxi", short_name="JUFE",
         ror_id="https://ror.org/03efmyj29", website="http://www.jxufe.edu.cn/"),
    _Org(NCU, "CN", city="Nanchang", region="Jiangxi", short_name="NCU",
         ror_id="https://ror.org/042v6xz23", website="http://www.ncu.edu.cn/"),
    _Org(NCHU, "CN", city="Nanchang", region="Jiangxi"),
    _Org("Jiangxi Normal University", "CN", city="Nanchang", region="Jiangxi",
         website="http://www.jxnu.edu.cn/"),
    _Org("Jiangxi University of Traditional Chinese Medicine", "CN", city="Nanchang",
         region="Jiangxi", ror_id="https://ror.org/03jy32q83", website="http://www.jutcm.com/"),
    _Org("Gannan Normal University", "CN", city="Ganzhou", region="Jiangxi"),
    _Org("University of Technology Sydney", "AU", city="Sydney", short_name="UTS",
         ror_id="https://ror.org/03f0f6041", website="http://www.uts.edu.au/"),
    _Org("Belarusian State University", "BY", city="Minsk", short_name="BSU",
         ror_id="https://ror.org/021036w13", website="https://bsu.by/"),
    _Org("Queen Mary University of London", "GB", city="London",
         ror_id="https://ror.org/026zzn846"),
    _Org("Griffith University", "AU", ror_id="https://ror.org/02sc3r913",
         website="https://www.griffith.edu.au/"),
    _Org("Queen Mary College at Nanchang University", "CN", city="Nanchang", region="Jiangxi",
         parent=NCU),
    _Org("Griffith College of Digital Intelligence", "CN", city="Nanchang", region="Jiangxi",
         parent=JUFE),
    _Org(MOE, "CN", kind=OrganizationKind.GOVERNMENT_BODY.value, city="Beijing",
         ror_id="https://ror.org/01mv9t934"),
    _Org("Jiangxi Provincial Education Department", "CN",
         kind=OrganizationKind.GOVERNMENT_BODY.value, city="Nanchang", region="Jiangxi"),
    _Org("Jiangsu Open University", "CN", city="Nanjing", region="Jiangsu"),
    _Org("Nanjing University", "CN", city="Nanjing", region="Jiangsu", short_name="NJU",
         ror_id="https://ror.org/01rxvg760", website="http://www.nju.edu.cn/"),
    _Org(JSOU_ART, "CN", city="Nanjing", region="Jiangsu", parent="Jiangsu Open University"),
    _Org(NJU_LLE, "CN", city="Nanjing", region="Jiangsu", parent="Nanjing University"),
    _Org("Open University of China", "CN", city="Beijing", short_name="OUC"),
    _Org("Information Technology Department, Open University of China", "CN", city="Beijing",
         parent="Open University of China"),
    _Org("Learning Resources Department, Open University of China", "CN", city="Beijing",
         parent="Open University of China"),
    _Org("Tsinghua University", "CN", city="Beijing", ror_id="https://ror.org/03cve4549",
         website="http://www.tsinghua.edu.cn/"),
    _Org("Lifelong Education Department, Tsinghua University", "CN", city="Beijing",
         parent="Tsinghua University"),
    _Org("Beijing Normal University", "CN", city="Beijing", short_name="BNU",
         ror_id="https://ror.org/022k4wk35", website="http://www.bnu.edu.cn/"),
]  # fmt: skip

# (organization, BCP 47 tag, name, the organization's local name?): the labels of each one's ROR
# record (../shared/data/ror, ROR schema v2 `names` of type `label`), copied as ROR gives them;
# the organizations ROR gives no other language for have none here.
NAMES = [
    (JUFE, "zh", "江西财经大学", True),
    (NCU, "zh", "南昌大学", True),
    ("Jiangxi University of Traditional Chinese Medicine", "zh", "江西中医药大学", True),
    (MOE, "zh", "中华人民共和国教育部", True),
    ("Nanjing University", "zh", "南京大学", True),
    ("Tsinghua University", "zh", "清华大学", True),
    ("Beijing Normal University", "zh", "北京师范大学", True),
    ("Belarusian State University", "be", "Беларускі дзяржаўны ўніверсітэт", False),
    ("Belarusian State University", "ru", "Белорусский государственный университет", False),
    ("Queen Mary University of London", "cy", "Queen Mary, Prifysgol Llundain", False),
]

# (person, organization, title)
POSITIONS = [
    ("Xia Xuemin", JSOU_ART, "Deputy Dean"),
    ("Zhao Yuqin", JSOU_ART, "Teacher"),
    ("Qian Yuxuan", JSOU_ART, "Teacher"),
    ("Chen Fangyi", NJU_LLE, "Teacher"),
    ("Gao Jie", NJU_LLE, "Teacher"),
    ("Zhao Na", NJU_LLE, "Teacher"),
    ("Fan Xianrui", "Open University of China", "Vice President"),
    ("Tian Jing", "Lifelong Education Department, Tsinghua University", "Director"),
    ("Li Muming", "Open University of China", "Writer"),
    ("Zhuge Huanyu", "Open University of China", "Photographer"),
    ("Wang Ming", "Beijing Normal University", "Vice-President"),
    ("Wu Yan", MOE, "Deputy Minister"),
]

MEMBERSHIPS = [
    (JUFE, MembershipRole.CHAIR),
    (NCU, MembershipRole.VICE_CHAIR),
    (NCHU, MembershipRole.VICE_CHAIR),
    ("Jiangxi Normal University", MembershipRole.VICE_CHAIR),
    ("Jiangxi University of Traditional Chinese Medicine", MembershipRole.DIRECTOR),
    ("Gannan Normal University", MembershipRole.DIRECTOR),
]

PLATFORM_CATEGORIES = {
    ProgramCategory.SCIENTIFIC_LITERACY: "Scientific literacy",
    ProgramCategory.WORKPLACE_SKILLS: "Workplace skills",
    ProgramCategory.CULTURAL_LITERACY: "Cultural literacy",
    ProgramCategory.HOBBIES_AND_INTERESTS: "Hobbies and interests",
    ProgramCategory.CONTINUING_EDUCATION: "Continuing education",
    ProgramCategory.SILVER_AGE_EDUCATION: "Silver-age education",
}
