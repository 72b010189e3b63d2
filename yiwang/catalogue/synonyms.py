"""What citizens call a service, beside what the catalogue calls it (both ways).

Each line is a set of phrases that mean the same in a search: a colloquial or short name and
the official wording of the item names. A query holding one of them also finds items named
with another (``yiwang/search/expand.py``). Written by hand from the items of the generator
and common usage on provincial service portals.
"""

from __future__ import annotations

from yiwang.search.expand import synonym_table

SETS = """
落户 户口迁入 迁户口
迁出户口 户口迁出
身份证 居民身份证
社保卡 社会保障卡
社保 社会保险 社会保障
医保 医疗保险 医疗保障
医保卡 社会保障卡
公积金 住房公积金
驾照 驾驶证 机动车驾驶证
驾照年审 驾驶证换证
车辆年检 机动车检验
年检 检验合格标志
上牌 机动车注册登记
过户 转移登记
电动车 非机动车 电动自行车
护照 普通护照
港澳通行证 往来港澳通行证
台湾通行证 往来台湾通行证
营业执照 企业登记
开公司 营业执照设立登记 企业设立
注销公司 营业执照注销登记
个体户 个体工商户
准生证 生育登记
新生儿 出生
出生证 出生医学证明
上户口 出生登记
疫苗本 预防接种证
结婚 结婚登记
离婚 离婚登记
低保 最低生活保障
退休 退休审批 养老保险待遇
养老金 养老保险待遇
失业金 失业保险金
工伤 工伤认定
房产证 不动产权证书 不动产登记
买房 购房
租房 房屋租赁
公租房 公共租赁住房
宅基地 农村宅基地
无犯罪证明 无犯罪记录证明
良民证 无犯罪记录证明
残疾证 残疾人证
网约车 网络预约出租汽车
上学 入学
入学报名 义务教育入学报名
教资 教师资格
个税 个人所得税
退税 汇算清缴
发票 增值税发票
异地就医 异地就医备案
报销 费用报销
餐馆 餐饮 小餐饮 食品经营
开饭店 食品经营许可
法律援助 法援
""".strip()

SYNONYMS = synonym_table(line.split() for line in SETS.splitlines())
