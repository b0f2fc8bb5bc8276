"""Made-up Chinese patent records for the search benchmark, deterministic for a seed.

Yields dicts with the Patent field names (plus `id`, `county`, `county_name`). Vocabulary is
drawn with a Zipf-like skew, so some words are very frequent (一种, 方法, 装置) and most are
rare, as in real patent text. Used when zhichan.ipdata.synthetic is not available.
"""

from __future__ import annotations

import datetime as dt
import random

from zhichan.ipdata.numbers import check_digit

DOMAINS = [
    (
        "H01M",
        [
            "锂离子电池",
            "正极材料",
            "负极材料",
            "电解液",
            "隔膜",
            "固态电池",
            "燃料电池",
            "储能装置",
            "电池模组",
            "电芯",
        ],
    ),
    (
        "G06F",
        [
            "数据处理",
            "存储器",
            "处理器",
            "操作系统",
            "数据库",
            "服务器",
            "客户端",
            "分布式系统",
            "缓存",
            "接口",
        ],
    ),
    ("G06N", ["神经网络", "机器学习", "深度学习", "训练样本", "模型参数", "特征向量", "分类器", "推理引擎"]),
    ("G06T", ["图像处理", "图像识别", "三维重建", "像素", "图像分割", "目标检测", "点云"]),
    ("H04L", ["通信协议", "数据包", "网络节点", "路由器", "加密算法", "密钥", "区块链", "传输链路"]),
    ("H04W", ["无线通信", "基站", "终端设备", "信道", "天线", "信号强度", "频段"]),
    ("A01B", ["耕作", "犁铧", "旋耕机", "播种机", "农机具", "土壤"]),
    ("A01G", ["温室", "灌溉", "育苗", "栽培基质", "果树", "蔬菜"]),
    ("A23L", ["食品", "饮料", "营养成分", "发酵", "杂粮", "老陈醋", "小米", "核桃"]),
    ("A61K", ["药物组合物", "中药", "提取物", "制剂", "胶囊", "颗粒剂", "口服液"]),
    ("A61B", ["医疗器械", "检测装置", "探头", "超声", "心电", "血压"]),
    ("B01D", ["过滤器", "分离装置", "除尘", "吸附剂", "膜组件", "废气处理"]),
    ("B21D", ["冲压模具", "钣金", "折弯机", "冲头", "板材"]),
    ("B23K", ["焊接", "焊枪", "激光焊接", "焊缝", "焊接机器人"]),
    ("B60L", ["电动汽车", "充电桩", "驱动电机", "电池管理系统", "整车控制器"]),
    ("B65G", ["输送带", "传送装置", "物料", "仓储", "堆垛机", "托盘"]),
    ("C04B", ["水泥", "混凝土", "耐火材料", "陶瓷", "骨料", "外加剂"]),
    ("C08L", ["聚合物", "树脂", "塑料", "橡胶", "复合材料", "改性剂"]),
    ("C21D", ["热处理", "淬火", "回火", "钢材", "铸铁"]),
    ("C22C", ["合金", "铝合金", "不锈钢", "镁合金", "稀土"]),
    ("E21B", ["钻井", "钻头", "煤层气", "井筒", "抽采"]),
    ("E21D", ["巷道", "支护", "锚杆", "液压支架", "采煤工作面"]),
    ("F16H", ["齿轮", "减速器", "传动轴", "变速箱", "轴承"]),
    ("F21V", ["照明装置", "灯具", "LED灯", "散热器", "灯罩", "光源"]),
    ("F24S", ["太阳能集热器", "光伏组件", "热水器", "聚光器"]),
    ("G01N", ["检测方法", "传感器", "光谱分析", "色谱", "试剂", "样品"]),
    ("G05B", ["控制系统", "控制器", "可编程逻辑控制器", "执行机构", "反馈回路"]),
    ("H02J", ["电网", "配电", "逆变器", "变压器", "储能系统", "光伏发电"]),
    ("H05K", ["电路板", "印制电路", "元器件", "封装", "散热结构"]),
    ("D06F", ["洗衣机", "烘干", "滚筒", "洗涤剂"]),
]
PREFIXES = [
    "一种",
    "一种新型",
    "一种高效",
    "一种智能",
    "一种便携式",
    "一种可调节的",
    "基于物联网的",
    "一种节能型",
    "一种自动化",
]
SUFFIXES = [
    "及其制备方法",
    "的制备方法",
    "装置",
    "系统",
    "方法",
    "设备",
    "结构",
    "及其应用",
    "组件",
    "控制方法",
]
VERBS = ["包括", "设置有", "连接", "固定于", "用于", "通过", "采用", "位于", "安装在", "配置为"]
GLUE = [
    "本发明公开了",
    "本实用新型涉及",
    "本申请提供了",
    "所述",
    "其中",
    "进一步地",
    "从而",
    "有效提高了",
    "降低了",
    "实现了",
]
EFFECTS = [
    "生产效率",
    "使用寿命",
    "检测精度",
    "能量密度",
    "稳定性",
    "安全性",
    "成本",
    "能耗",
    "可靠性",
    "响应速度",
]
PARTS = [
    "壳体",
    "底座",
    "支架",
    "连接件",
    "电机",
    "传动机构",
    "控制模块",
    "储液箱",
    "密封圈",
    "导轨",
    "滑块",
    "弹簧",
    "转轴",
]
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰晓东海波宁宇浩鑫"
CITIES = ["太原", "晋中", "大同", "北京", "上海", "深圳", "杭州", "西安", "成都", "武汉"]
ORG_WORDS = ["科技", "机械", "新能源", "电子", "材料", "农业", "生物", "智能装备", "化工", "信息技术"]
ORG_KINDS = ["有限公司", "股份有限公司", "集团有限公司", "研究院", "大学", "职业技术学院"]
COUNTIES = [
    ("140702", "榆次区"),
    ("140703", "太谷区"),
    ("140721", "榆社县"),
    ("140722", "左权县"),
    ("140723", "和顺县"),
    ("140724", "昔阳县"),
    ("140725", "寿阳县"),
    ("140727", "祁县"),
    ("140728", "平遥县"),
    ("140729", "灵石县"),
    ("140781", "介休市"),
]
TYPES = [("invention", 0.45), ("utility", 0.45), ("design", 0.10)]
STATUSES = [
    ("valid", "有效", 0.45),
    ("pending", "审中", 0.25),
    ("invalid", "失效", 0.28),
    ("unknown", "", 0.02),
]
AGENCIES = [
    "太原市科瑞达专利代理有限公司",
    "北京集佳知识产权代理有限公司",
    "山西五维专利事务所",
    "深圳市威世博知识产权代理事务所",
]


def _zipf_pick(rng, items, s=1.1):
    # P(rank k) ~ 1/k^s, by inverse transform on a precomputed cumulative table.
    key = (id(items), s)
    table = _ZIPF.get(key)
    if table is None:
        weights = [1 / (k + 1) ** s for k in range(len(items))]
        total = sum(weights)
        acc, table = 0.0, []
        for w in weights:
            acc += w / total
            table.append(acc)
        _ZIPF[key] = table
    x = rng.random()
    lo, hi = 0, len(table) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if table[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return items[lo]


_ZIPF: dict = {}


def _weighted(rng, pairs):
    x = rng.random()
    for item in pairs:
        x -= item[-1]
        if x <= 0:
            return item
    return pairs[-1]


def _name(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _org(rng):
    return (
        rng.choice(CITIES)
        + _zipf_pick(rng, ORG_WORDS)
        + rng.choice("华瑞创博达鑫盛泰恒信诚远")
        + rng.choice(ORG_KINDS)
    )


def _sentence(rng, words):
    out = [rng.choice(GLUE)]
    for _ in range(rng.randint(2, 4)):
        out.append(rng.choice(words))
        out.append(rng.choice(VERBS))
        out.append(rng.choice(PARTS))
    out.append("，" + rng.choice(GLUE[6:]) + rng.choice(EFFECTS) + "。")
    return "".join(out)


def patents(n: int, seed: int = 1):
    rng = random.Random(seed)
    start = dt.date(2000, 1, 1).toordinal()
    span = dt.date(2024, 12, 31).toordinal() - start
    for i in range(1, n + 1):
        subclass, words = _zipf_pick(rng, DOMAINS, 0.8)
        other = rng.choice(DOMAINS)[1]
        vocab = words + other[:3]
        ptype = _weighted(rng, TYPES)[0]
        status, status_text, _p = _weighted(rng, STATUSES)
        ad = dt.date.fromordinal(start + int(span * (rng.random() ** 0.6)))
        pd = ad + dt.timedelta(days=rng.randint(90, 600))
        serial = 100000 + (i % 9_000_000)
        digits = f"{ad.year}{ {'invention': 1, 'utility': 2, 'design': 3}[ptype] }{serial:07d}"
        number = f"{digits}.{check_digit(digits)}"
        kind = {"invention": "A", "utility": "U", "design": "S"}[ptype]
        title = (
            rng.choice(PREFIXES)
            + _zipf_pick(rng, words)
            + rng.choice(("", rng.choice(PARTS)))
            + rng.choice(SUFFIXES)
        )
        abstract = "".join(_sentence(rng, vocab) for _ in range(rng.randint(3, 5)))
        claims = (
            "1.一种"
            + title.removeprefix("一种")
            + "，其特征在于，"
            + "".join(_sentence(rng, vocab) for _ in range(rng.randint(2, 4)))
        )
        applicants = [_org(rng) for _ in range(rng.choice((1, 1, 1, 2)))]
        ipc = [f"{subclass} {rng.randint(1, 30)}/{rng.choice(('00', '02', '04', '10', '12', '16'))}"]
        if rng.random() < 0.4:
            extra = rng.choice(DOMAINS)[0]
            ipc.append(f"{extra} {rng.randint(1, 30)}/00")
        county, county_name = rng.choice(COUNTIES) if rng.random() < 0.9 else ("", "")
        yield {
            "id": i,
            "application_number": number,
            "application_date": ad,
            "publication_number": f"CN{100000000 + i}{kind}",
            "publication_date": pd,
            "grant_number": "",
            "grant_date": None,
            "patent_type": ptype,
            "title": title,
            "abstract": abstract,
            "claims": claims,
            "applicants": applicants,
            "first_applicant": applicants[0],
            "inventors": [_name(rng) for _ in range(rng.randint(1, 4))],
            "address": f"山西省晋中市{county_name}{rng.choice(PARTS)}路{rng.randint(1, 300)}号",
            "ipc_codes": ipc,
            "main_ipc": ipc[0],
            "legal_status": status,
            "legal_status_text": status_text,
            "agency": rng.choice(AGENCIES) if rng.random() < 0.6 else "",
            "agents": [_name(rng)] if rng.random() < 0.6 else [],
            "county": county,
            "county_name": county_name,
        }
