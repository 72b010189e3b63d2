"""The demo taxonomy (40 majors, 15 themes) and the scenario table built from parts a-c."""

from __future__ import annotations

from dataclasses import dataclass

from yiwang.demo.scenarios_a import SCENARIOS_A
from yiwang.demo.scenarios_b import SCENARIOS_B
from yiwang.demo.scenarios_c import SCENARIOS_C

NATURES = ("consult", "help", "complaint", "report", "suggestion", "thanks", "other")

MAJORS: dict[str, str] = {
    "01": "住房和城乡建设",
    "02": "房地产市场与物业管理",
    "03": "城市管理",
    "04": "交通运输",
    "05": "道路交通安全与车辆管理",
    "06": "生态环境",
    "07": "自然资源与规划",
    "08": "教育",
    "09": "就业创业",
    "10": "劳动关系与工资",
    "11": "社会保险",
    "12": "养老服务",
    "13": "医疗卫生",
    "14": "医疗保障",
    "15": "社会治安",
    "16": "户籍与证件",
    "17": "市场监管与消费维权",
    "18": "食品药品安全",
    "19": "民政与社会救助",
    "20": "农业农村",
    "21": "水电气暖供应",
    "22": "水利",
    "23": "商务与贸易",
    "24": "文化旅游",
    "25": "体育",
    "26": "科技创新",
    "27": "工业和信息化",
    "28": "财政",
    "29": "税收",
    "30": "住房公积金",
    "31": "退役军人事务",
    "32": "应急管理与安全生产",
    "33": "司法与法律服务",
    "34": "政务服务(办事少跑腿)",
    "35": "政府自身建设",
    "36": "发展改革与营商环境",
    "37": "民族宗教",
    "38": "残疾人服务",
    "39": "基层治理与社区",
    "40": "其他",
}

THEMES: dict[str, str] = {
    "t01": "办事少跑腿",
    "t02": "老有所养",
    "t03": "病有所医",
    "t04": "加强政府自身建设",
    "t05": "学有所教",
    "t06": "劳有所得",
    "t07": "住有所居",
    "t08": "弱有所扶",
    "t09": "简政放权",
    "t10": "营商环境",
    "t11": "绿水青山",
    "t12": "舌尖上的安全",
    "t13": "出行便利",
    "t14": "乡村振兴",
    "t15": "平安建设",
}

# major -> (relative share of messages, themes that fit it). Empty themes: never themed.
MAJOR_PROFILE: dict[str, tuple[float, tuple[str, ...]]] = {
    "01": (8.0, ("t07",)),
    "02": (10.0, ("t07",)),
    "03": (7.0, ("t11",)),
    "04": (7.0, ("t13",)),
    "05": (5.0, ("t13", "t15")),
    "06": (5.0, ("t11",)),
    "07": (2.0, ("t11", "t14")),
    "08": (7.0, ("t05",)),
    "09": (3.0, ("t06", "t10")),
    "10": (5.0, ("t06",)),
    "11": (6.0, ("t02", "t06")),
    "12": (4.0, ("t02",)),
    "13": (6.0, ("t03",)),
    "14": (4.0, ("t03",)),
    "15": (3.0, ("t15",)),
    "16": (3.0, ("t01", "t09")),
    "17": (4.0, ("t10", "t12")),
    "18": (2.0, ("t12",)),
    "19": (2.0, ("t08",)),
    "20": (2.0, ("t14",)),
    "21": (4.0, ("t07",)),
    "22": (1.0, ("t11", "t14")),
    "23": (1.0, ("t10",)),
    "24": (2.0, ()),
    "25": (1.0, ()),
    "26": (1.0, ("t10",)),
    "27": (1.0, ("t10",)),
    "28": (1.0, ("t04",)),
    "29": (1.0, ("t09", "t10")),
    "30": (3.0, ("t07", "t01")),
    "31": (1.0, ("t08",)),
    "32": (2.0, ("t15",)),
    "33": (1.0, ("t15",)),
    "34": (3.0, ("t01", "t09")),
    "35": (1.0, ("t04",)),
    "36": (2.0, ("t10", "t09")),
    "37": (0.5, ()),
    "38": (1.0, ("t08",)),
    "39": (3.0, ("t15",)),
    "40": (1.0, ()),
}


@dataclass(frozen=True)
class Scenario:
    """One kind of message: its major, nature, and title/body patterns with {slots}."""

    major_code: str
    nature: str
    title: str
    body: str


SCENARIOS: tuple[Scenario, ...] = tuple(
    Scenario(*row) for row in (*SCENARIOS_A, *SCENARIOS_B, *SCENARIOS_C)
)


def scenarios_for(major_code: str) -> tuple[Scenario, ...]:
    return _BY_MAJOR[major_code]


def _group() -> dict[str, tuple[Scenario, ...]]:
    return {code: tuple(s for s in SCENARIOS if s.major_code == code) for code in MAJORS}


_BY_MAJOR = _group()
