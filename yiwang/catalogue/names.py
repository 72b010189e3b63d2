# ruff: noqa: E501 (one item a line reads better than wrapped data)
"""Real government service items people apply for, written by hand for the generator.

One line an item: ``name|type (A.1)|department kind|English name|theme|statutory limit|
promised limit|unit|audiences (A.4)|materials|children``. A promised limit of 0 means done on
the spot (即办). ``children`` is empty, ``biz`` (new/change/renewal/cancellation business items)
or sub-item names separated by ``/``. Materials are keys of ``MATERIALS``.
"""

from __future__ import annotations

# key: (name, issuer, originals, copies, required)
MATERIALS: dict[str, tuple[str, str, int, int, bool]] = {
    "id": ("居民身份证", "公安机关", 1, 1, True),
    "hukou": ("居民户口簿", "公安机关", 1, 1, True),
    "photo": ("近期免冠彩色照片", "申请人", 2, 0, True),
    "form": ("申请表", "申请人", 1, 0, True),
    "licence": ("营业执照", "市场监督管理部门", 0, 1, True),
    "agent": ("授权委托书及受托人身份证明", "申请人", 1, 0, False),
    "legal": ("法定代表人身份证明", "申请人", 1, 1, True),
    "premises": ("经营场所使用证明", "申请人", 0, 1, True),
    "marriage": ("结婚证", "民政部门", 1, 1, True),
    "birth": ("出生医学证明", "助产医疗机构", 1, 1, True),
    "medical": ("体检证明", "医疗机构", 1, 0, True),
    "driving": ("机动车驾驶证", "公安机关交通管理部门", 1, 0, True),
    "vehicle": ("机动车行驶证", "公安机关交通管理部门", 1, 0, True),
    "house": ("不动产权证书", "不动产登记机构", 1, 1, True),
    "contract": ("劳动合同", "用人单位", 0, 1, False),
    "plan": ("建设工程设计方案", "设计单位", 1, 0, True),
    "bank": ("银行账户信息", "开户银行", 0, 1, False),
    "insurance": ("社会保险缴费证明", "社会保险经办机构", 1, 0, False),
    "cert": ("资格证书", "发证机关", 1, 1, True),
    "diploma": ("学历证书", "教育机构", 1, 1, True),
    "moving": ("准予迁入证明", "公安机关", 1, 0, True),
    "residence": ("居住证明", "社区居民委员会", 1, 0, False),
    "death": ("居民死亡医学证明（推断）书", "医疗机构", 1, 1, True),
    "disabled": ("残疾评定材料", "指定医疗机构", 1, 0, True),
    "income": ("家庭收入及财产状况声明", "申请人", 1, 0, True),
    "food": ("食品安全管理制度", "申请人", 1, 0, True),
    "env": ("环境影响评价文件", "评价单位", 1, 0, True),
    "lease": ("房屋租赁合同", "出租人", 0, 1, True),
    "tax": ("纳税申报表", "申请人", 1, 0, True),
    "charter": ("公司章程", "申请人", 1, 0, True),
    "seal": ("单位公章或发票专用章", "申请人", 1, 0, True),
    "equipment": ("主要设备设施清单", "申请人", 1, 0, True),
    "safety": ("安全生产管理制度", "申请人", 1, 0, True),
}

# (code, for, Chinese name, English name)
THEMES: tuple[tuple[str, str, str, str], ...] = (
    ("P-BIRTH", "person", "生育收养", "Birth and adoption"),
    ("P-HUKOU", "person", "户籍办理", "Household registration"),
    ("P-SOCIAL", "person", "社会保障", "Social security"),
    ("P-MARRIAGE", "person", "婚姻登记", "Marriage"),
    ("P-TRAFFIC", "person", "交通出行", "Transport and driving"),
    ("P-HOUSING", "person", "住房保障", "Housing"),
    ("P-EDU", "person", "教育科研", "Education"),
    ("P-HEALTH", "person", "医疗卫生", "Health"),
    ("P-WORK", "person", "就业创业", "Jobs and starting a business"),
    ("P-AID", "person", "民政救助", "Social assistance"),
    ("E-SETUP", "entity", "设立变更", "Setting up and changes"),
    ("E-PERMIT", "entity", "准营准办", "Operating permits"),
    ("E-TAX", "entity", "税费缴纳", "Taxes and fees"),
    ("E-BUILD", "entity", "工程建设", "Construction projects"),
    ("E-HR", "entity", "人力资源", "Human resources"),
)

ITEMS = """
居民身份证申领|07|public_security|Application for a resident identity card|P-HUKOU|60|20|working_days|1|id,hukou,photo|
居民身份证换领|07|public_security||P-HUKOU|60|15|working_days|1|id,hukou,photo|
居民身份证挂失补领|07|public_security|Replacement of a lost resident identity card|P-HUKOU|60|15|working_days|1|hukou,photo|
临时居民身份证申领|07|public_security||P-HUKOU|3|0|working_days|1|hukou,photo|
户口迁入|07|public_security|Moving household registration in|P-HUKOU|20|5|working_days|1|id,hukou,moving|投靠迁入/人才引进迁入/购房迁入
户口迁出|07|public_security||P-HUKOU|20|3|working_days|1|id,hukou|
出生登记|07|public_security|Birth registration|P-BIRTH|10|0|working_days|1|birth,hukou,marriage|
死亡注销户口|07|public_security||P-HUKOU|10|0|working_days|1|death,hukou|
居住证申领|07|public_security|Application for a residence permit|P-HUKOU|15|7|working_days|1|id,photo,residence|
户籍证明开具|07|public_security||P-HUKOU|5|0|working_days|1|id,hukou|
姓名变更登记|07|public_security|Change of name in household registration|P-HUKOU|30|10|working_days|1|id,hukou,form|
普通护照签发|01|public_security|Issuance of an ordinary passport|P-TRAFFIC|15|7|working_days|1|id,photo,form|
往来港澳通行证签发|01|public_security||P-TRAFFIC|15|7|working_days|1|id,photo,form|
往来台湾通行证签发|01|public_security|Issuance of a Taiwan travel permit|P-TRAFFIC|15|7|working_days|1|id,photo,form|
机动车驾驶证换证|01|public_security|Renewal of a driving licence|P-TRAFFIC|20|0|working_days|1|id,driving,medical,photo|
机动车驾驶证补证|01|public_security||P-TRAFFIC|20|1|working_days|1|id,medical,photo|
机动车驾驶证初次申领|01|public_security|First application for a driving licence|P-TRAFFIC|20|10|working_days|1|id,medical,photo|小型汽车/摩托车/大中型客货车
机动车注册登记|01|public_security|Registration of a motor vehicle|P-TRAFFIC|20|2|working_days|1,2|id,form|biz
机动车转移登记|01|public_security||P-TRAFFIC|20|1|working_days|1,2|id,vehicle,form|
机动车检验合格标志核发|01|public_security|Issuance of a vehicle inspection mark|P-TRAFFIC|5|0|working_days|1,2|vehicle|
机动车临时号牌核发|01|public_security||P-TRAFFIC|5|0|working_days|1,2|id,form|
非机动车登记|07|public_security|Registration of an electric bicycle|P-TRAFFIC|5|0|working_days|1|id,form|
无犯罪记录证明开具|20|public_security|Certificate of no criminal record|P-WORK|7|3|working_days|1|id,form|
营业执照设立登记|01|market_regulation|Business licence: registration of a new company|E-SETUP|15|1|working_days|2|legal,charter,premises,form|有限责任公司/股份有限公司/个人独资企业/合伙企业
营业执照变更登记|01|market_regulation||E-SETUP|15|1|working_days|2|licence,legal,form|
营业执照注销登记|01|market_regulation|Business licence: deregistration|E-SETUP|15|1|working_days|2|licence,legal,form|
个体工商户登记|01|market_regulation|Registration of an individual business|E-SETUP|15|0|working_days|1|id,premises,form|biz
农民专业合作社登记|01|market_regulation||E-SETUP|15|3|working_days|2,6|legal,charter,form|biz
食品经营许可|01|market_regulation|Food business permit|E-PERMIT|20|7|working_days|2,1|licence,food,premises,form|biz
食品生产许可|01|market_regulation|Food production permit|E-PERMIT|20|10|working_days|2|licence,food,equipment,form|biz
小餐饮登记|01|market_regulation||E-PERMIT|15|3|working_days|1,2|id,premises,food|
药品经营许可|01|market_regulation|Drug retail permit|E-PERMIT|30|15|working_days|2|licence,premises,safety,form|biz
医疗器械经营备案|10|market_regulation||E-PERMIT|5|0|working_days|2|licence,premises,form|
特种设备使用登记|01|market_regulation|Registration of the use of special equipment|E-PERMIT|15|5|working_days|2,3|licence,equipment,form|
计量器具型式批准|01|market_regulation||E-PERMIT|20|15|working_days|2|licence,equipment|
企业名称自主申报|20|market_regulation|Registration of a company name|E-SETUP|1|0|working_days|2|legal|
商标质押登记|07|market_regulation||E-SETUP|5|3|working_days|2|licence,legal|
广告发布登记|01|market_regulation||E-PERMIT|20|10|working_days|2|licence,form|
出生医学证明办理|20|health|Issuance of a medical birth certificate|P-BIRTH|5|0|working_days|1|id,marriage|首次签发/补发/换发
母婴保健技术服务执业许可|01|health||E-PERMIT|20|10|working_days|3|licence,cert,form|
医疗机构执业登记|01|health|Registration of a medical institution|E-PERMIT|45|20|working_days|2,3|legal,premises,equipment,form|biz
医师执业注册|01|health|Registration of a practising physician|P-WORK|20|5|working_days|1|id,cert,diploma,medical|biz
护士执业注册|01|health||P-WORK|20|5|working_days|1|id,cert,diploma,medical|biz
公共场所卫生许可|01|health|Hygiene permit for a public place|E-PERMIT|20|5|working_days|2|licence,premises,form|biz
生育登记|20|health||P-BIRTH|5|0|working_days|1|id,hukou,marriage|
预防接种证办理|20|health|Vaccination certificate|P-BIRTH|5|0|working_days|1|birth|
放射诊疗许可|01|health||E-PERMIT|20|15|working_days|3|licence,equipment,safety|
结婚登记|07|civil_affairs|Marriage registration|P-MARRIAGE|1|0|working_days|1|id,hukou,photo|内地居民结婚登记/涉外结婚登记
离婚登记|07|civil_affairs||P-MARRIAGE|30|30|calendar_days|1|id,hukou,marriage,photo|
补领结婚证|07|civil_affairs|Replacement of a marriage certificate|P-MARRIAGE|1|0|working_days|1|id,hukou,photo|
收养登记|07|civil_affairs||P-BIRTH|30|20|calendar_days|1|id,hukou,form|
最低生活保障审核确认|05|civil_affairs|Minimum living allowance|P-AID|30|15|working_days|1|id,hukou,income|
特困人员救助供养|05|civil_affairs||P-AID|30|20|working_days|1|id,hukou,income|
临时救助|05|civil_affairs|Temporary assistance|P-AID|10|3|working_days|1|id,income|
高龄津贴发放|05|civil_affairs||P-AID|20|10|working_days|1|id,hukou|
社会团体成立登记|01|civil_affairs|Registration of a social organisation|E-SETUP|60|20|calendar_days|4|legal,charter,form|biz
民办非企业单位登记|01|civil_affairs||E-SETUP|60|20|calendar_days|4|legal,charter,form|biz
养老机构备案|10|civil_affairs|Registration of an elderly care home|E-PERMIT|5|0|working_days|2,3,4|licence,premises,safety|
殡葬补贴申领|05|civil_affairs||P-AID|20|5|working_days|1|death,id|
城乡居民基本养老保险参保登记|20|human_resources|Enrolment in the basic pension insurance for residents|P-SOCIAL|5|0|working_days|1|id,hukou|
城乡居民基本养老保险待遇申领|05|human_resources||P-SOCIAL|20|5|working_days|1|id,bank|
职工基本养老保险参保登记|20|human_resources|Enrolment in the basic pension insurance for employees|E-HR|5|0|working_days|1,2|id,contract|
基本养老保险关系转移接续|20|human_resources||P-SOCIAL|45|15|working_days|1|id,insurance|
社会保障卡申领|20|human_resources|Application for a social security card|P-SOCIAL|20|7|working_days|1|id,photo|
社会保障卡挂失|20|human_resources||P-SOCIAL|1|0|working_days|1|id|
社会保障卡补换|20|human_resources|Replacement of a social security card|P-SOCIAL|20|5|working_days|1|id,photo|
失业保险金申领|05|human_resources|Unemployment benefit|P-WORK|20|5|working_days|1|id,contract,bank|
工伤认定|07|human_resources||E-HR|60|30|calendar_days|1,2|id,contract,form|
劳动能力鉴定|07|human_resources|Assessment of working capacity|P-SOCIAL|60|40|calendar_days|1|id,medical,form|
就业创业证申领|20|human_resources||P-WORK|5|0|working_days|1|id,photo|
创业担保贷款申请|05|human_resources|Guaranteed start-up loan|P-WORK|15|10|working_days|1,2|id,licence,form|
职业技能等级证书查询|20|human_resources||P-WORK|1|0|working_days|1|id|
人力资源服务许可|01|human_resources|Licence for human resources services|E-HR|20|10|working_days|2|licence,legal,premises|biz
劳务派遣经营许可|01|human_resources||E-HR|20|10|working_days|2|licence,legal,charter|biz
企业职工退休审批|07|human_resources|Approval of an employee's retirement|E-HR|20|5|working_days|1,2|id,insurance,contract|
高校毕业生就业报到|20|human_resources||P-WORK|5|0|working_days|1|id,diploma|
住房公积金提取|05|housing_fund|Withdrawal of the housing provident fund|P-HOUSING|5|0|working_days|1|id,bank|购房提取/租房提取/离职提取/退休提取
住房公积金个人账户设立|20|housing_fund||P-HOUSING|3|0|working_days|1,2|id,contract|
住房公积金贷款|05|housing_fund|Housing provident fund loan|P-HOUSING|15|10|working_days|1|id,marriage,house,income|
住房公积金缴存证明|20|housing_fund||P-HOUSING|1|0|working_days|1|id|
单位住房公积金缴存登记|20|housing_fund|Employer registration for the housing provident fund|E-HR|3|0|working_days|2,3|licence,legal|biz
不动产登记资料查询|20|natural_resources|Search of real estate registration records|P-HOUSING|1|0|working_days|1,2|id|
国有建设用地使用权首次登记|07|natural_resources||E-BUILD|30|5|working_days|2|legal,form|
不动产转移登记|07|natural_resources|Transfer registration of real estate|P-HOUSING|30|3|working_days|1,2|id,house,contract|
不动产抵押登记|07|natural_resources||P-HOUSING|30|1|working_days|1,2|id,house,contract|biz
建设用地规划许可|01|natural_resources|Land use planning permit|E-BUILD|20|10|working_days|2|legal,plan,form|
乡村建设规划许可|01|natural_resources||E-BUILD|20|10|working_days|1,2|id,plan|
建设工程规划许可|01|natural_resources|Construction planning permit|E-BUILD|20|10|working_days|2|legal,plan|biz
采矿许可|01|natural_resources||E-PERMIT|40|30|working_days|2|licence,plan,safety|biz
建筑工程施工许可|01|housing|Construction permit|E-BUILD|15|3|working_days|2|licence,plan,safety|biz
建筑业企业资质核准|01|housing||E-PERMIT|20|15|working_days|2|licence,cert,equipment|biz
商品房预售许可|01|housing|Permit for selling housing under construction|E-BUILD|10|5|working_days|2|licence,house,plan|
公共租赁住房资格申请|05|housing||P-HOUSING|30|20|working_days|1|id,hukou,income|
房屋租赁登记备案|07|housing|Registration of a housing lease|P-HOUSING|3|0|working_days|1,2|id,lease|
物业服务企业备案|10|housing||E-PERMIT|5|0|working_days|2|licence,legal|
城市建筑垃圾处置核准|01|urban_management|Approval of construction waste disposal|E-BUILD|20|5|working_days|2|licence,plan|
设置大型户外广告审批|01|urban_management||E-PERMIT|20|10|working_days|2|licence,plan|
临时占用城市道路审批|01|urban_management|Temporary occupation of a city road|E-BUILD|20|5|working_days|1,2|form,plan|
城市绿地树木迁移审批|01|urban_management||E-BUILD|20|10|working_days|2|form,plan|
道路运输经营许可|01|transport|Road transport operating licence|E-PERMIT|20|10|working_days|2|licence,equipment,safety|biz
道路运输从业人员从业资格证核发|01|transport||P-WORK|10|5|working_days|1|id,driving,cert|
网络预约出租汽车驾驶员证核发|01|transport|Licence for ride-hailing drivers|P-WORK|20|10|working_days|1|id,driving,photo|
网络预约出租汽车运输证核发|01|transport||E-PERMIT|20|10|working_days|1,2|vehicle,form|
超限运输车辆行驶公路许可|01|transport|Permit for oversized vehicles on highways|E-PERMIT|15|2|working_days|1,2|vehicle,driving,form|
机动车维修经营备案|10|transport||E-PERMIT|5|0|working_days|2|licence,equipment|
水路运输经营许可|01|transport|Waterway transport operating licence|E-PERMIT|20|15|working_days|2|licence,safety|
义务教育入学报名|20|education|Enrolment in compulsory education|P-EDU|20|10|working_days|1|hukou,house,birth|
教师资格认定|07|education||P-EDU|60|30|working_days|1|id,diploma,medical,photo|
民办学校办学许可|01|education|Licence to run a private school|E-PERMIT|90|60|calendar_days|3,4|legal,premises,charter|biz
学历证明书办理|20|education||P-EDU|10|5|working_days|1|id,diploma|
学生资助申请|05|education|Student financial aid|P-EDU|30|20|working_days|1|id,income|
校外培训机构审批|01|education||E-PERMIT|30|20|working_days|2,4|legal,premises,safety|
个人所得税综合所得汇算清缴|04|taxation|Annual individual income tax settlement|E-TAX|30|0|working_days|1|id,tax|
增值税发票领用|20|taxation||E-TAX|1|0|working_days|2|licence,seal|
纳税人信息报告|20|taxation|Taxpayer information report|E-TAX|1|0|working_days|2|licence,legal|
纳税证明开具|20|taxation||E-TAX|1|0|working_days|1,2|id,tax|
契税申报|04|taxation|Deed tax return|E-TAX|1|0|working_days|1,2|id,contract|
车船税缴纳|04|taxation||E-TAX|1|0|working_days|1,2|vehicle|
城乡居民基本医疗保险参保登记|20|medical_security|Enrolment in residents' basic medical insurance|P-HEALTH|5|0|working_days|1|id,hukou|
医疗费用手工报销|05|medical_security||P-HEALTH|30|15|working_days|1|id,bank,form|
异地就医备案|20|medical_security|Registration for medical treatment in another place|P-HEALTH|1|0|working_days|1|id|
门诊慢特病待遇认定|07|medical_security||P-HEALTH|20|10|working_days|1|id,medical|
生育医疗费用报销|05|medical_security|Reimbursement of maternity expenses|P-BIRTH|20|10|working_days|1|id,birth,bank|
医保定点医药机构申请|20|medical_security||E-PERMIT|90|60|calendar_days|2,3|licence,premises|
排污许可|01|ecology_environment|Pollutant discharge permit|E-PERMIT|20|10|working_days|2|licence,env|biz
建设项目环境影响报告书审批|01|ecology_environment||E-BUILD|60|20|calendar_days|2|legal,env|
危险废物经营许可|01|ecology_environment|Hazardous waste business licence|E-PERMIT|20|15|working_days|2|licence,env,safety|biz
辐射安全许可|01|ecology_environment||E-PERMIT|20|15|working_days|2,3|licence,safety,equipment|
农作物种子生产经营许可|01|agriculture_rural|Seed production and trading licence|E-PERMIT|20|10|working_days|2|licence,premises|biz
兽药经营许可|01|agriculture_rural||E-PERMIT|30|15|working_days|2|licence,premises|
动物防疫条件合格证核发|01|agriculture_rural|Animal epidemic prevention certificate|E-PERMIT|20|10|working_days|2,1|licence,premises|
农村宅基地用地审批|01|agriculture_rural||P-HOUSING|30|20|working_days|1|id,hukou,plan|
拖拉机和联合收割机驾驶证核发|01|agriculture_rural|Licence to drive tractors and combine harvesters|P-TRAFFIC|20|10|working_days|1|id,medical,photo|
渔业捕捞许可|01|agriculture_rural||E-PERMIT|20|10|working_days|1,2|id,equipment|
旅行社业务经营许可|01|culture_tourism|Travel agency licence|E-PERMIT|20|10|working_days|2|licence,premises|biz
娱乐场所经营许可|01|culture_tourism||E-PERMIT|20|10|working_days|2|licence,premises,safety|biz
营业性演出审批|01|culture_tourism|Approval of a commercial performance|E-PERMIT|3|2|working_days|2,4|licence,form|
导游证核发|01|culture_tourism||P-WORK|10|5|working_days|1|id,cert,photo|
网吧经营许可|01|culture_tourism|Licence to run an internet café|E-PERMIT|20|10|working_days|2|licence,premises,safety|
法律援助申请|20|justice|Application for legal aid|P-AID|7|3|working_days|1|id,income,form|
公证机构执业许可|01|justice||E-PERMIT|30|20|working_days|3|legal,premises|
律师执业许可|01|justice|Licence to practise as a lawyer|P-WORK|20|10|working_days|1|id,cert,photo|
人民调解申请|20|justice||P-AID|30|15|calendar_days|1,2|id,form|
退役士兵安置|05|veterans|Resettlement of discharged soldiers|P-WORK|30|20|working_days|1|id,hukou,cert|
退役军人优待证申领|20|veterans||P-AID|30|15|working_days|1|id,photo|
伤残抚恤关系转移|05|veterans|Transfer of disability pension|P-AID|20|10|working_days|1|id,cert|
烟花爆竹经营（零售）许可|01|emergency||E-PERMIT|20|10|working_days|1,2|licence,premises,safety|biz
危险化学品经营许可|01|emergency|Licence to trade hazardous chemicals|E-PERMIT|30|20|working_days|2|licence,premises,safety|biz
生产经营单位主要负责人安全生产知识考核|06|emergency||E-PERMIT|20|10|working_days|1|id,cert|
残疾人证办理|07|disabled_persons|Disability certificate|P-AID|20|10|working_days|1|id,hukou,disabled,photo|新办/换领/迁移/注销
困难残疾人生活补贴申领|05|disabled_persons||P-AID|30|15|working_days|1|id,disabled,income|
重度残疾人护理补贴申领|05|disabled_persons|Nursing allowance for severely disabled persons|P-AID|30|15|working_days|1|id,disabled|
对外贸易经营者备案登记|10|commerce|Registration of foreign trade operators|E-PERMIT|5|1|working_days|1,2|licence,form|
单用途商业预付卡备案|10|commerce||E-PERMIT|5|3|working_days|2|licence,form|
成品油零售经营资格审批|01|commerce|Licence for retail sale of refined oil|E-PERMIT|20|15|working_days|2|licence,premises,safety|
取水许可|01|water_resources||E-PERMIT|45|20|working_days|1,2|licence,form|biz
河道管理范围内建设项目审批|01|water_resources|Approval of a project in a river course|E-BUILD|20|10|working_days|2|legal,plan|
生产建设项目水土保持方案审批|01|water_resources||E-BUILD|20|10|working_days|2|legal,plan|
林木采伐许可|01|forestry|Timber cutting permit|E-PERMIT|20|5|working_days|1,2|id,form|
使用林地审核|01|forestry||E-BUILD|20|15|working_days|2|legal,plan|
野生动物人工繁育许可|01|forestry|Licence to breed wild animals|E-PERMIT|20|15|working_days|1,2|licence,premises,equipment|
高危险性体育项目经营许可|01|sports||E-PERMIT|30|15|working_days|2|licence,premises,safety|biz
社会体育指导员技术等级称号授予|08|sports|Title of social sports instructor|P-WORK|20|10|working_days|1|id,cert,photo|
"""
