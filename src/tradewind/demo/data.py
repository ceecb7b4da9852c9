"""Deterministic, bilingual demo content: a Ningbo exporter of small home appliances."""

WORKSPACE = {
    "name": "宁波海风进出口有限公司 Ningbo Seawind Import & Export Co., Ltd.",
    "slug": "demo",
}
PASSWORD = "tradewind-demo"
BOSS = ("boss@demo.test", "王海 Wang Hai")

# team key -> (name, kind, parent key)
TEAMS = {
    "sales": ("销售部 Sales", "department", None),
    "west": ("欧美组 Europe & Americas", "group", "sales"),
    "east": ("亚非组 Asia & Africa", "group", "sales"),
    "marketing": ("市场部 Marketing", "department", None),
    "finance": ("财务部 Finance", "department", None),
}

# email, name, role, scope (None: the role's default), team key
PEOPLE = [
    ("lina@demo.test", "李娜 Li Na", "manager", None, "west"),
    ("chenwei@demo.test", "陈伟 Chen Wei", "manager", None, "east"),
    ("zhangqiang@demo.test", "张强 Zhang Qiang", "sales", None, "west"),
    ("liuyang@demo.test", "刘洋 Liu Yang", "sales", None, "west"),
    ("wangfang@demo.test", "王芳 Wang Fang", "sales", None, "west"),
    ("zhoujie@demo.test", "周杰 Zhou Jie", "sales", None, "east"),
    ("wuxia@demo.test", "吴霞 Wu Xia", "sales", None, "east"),
    ("huanglei@demo.test", "黄磊 Huang Lei", "sales", None, "east"),
    ("zhaomin@demo.test", "赵敏 Zhao Min", "marketing", None, "marketing"),
    ("sunli@demo.test", "孙丽 Sun Li", "finance", None, "finance"),
]
MANAGERS = {"west": "lina@demo.test", "east": "chenwei@demo.test", "sales": BOSS[0]}

# company, contact, country, e-mail domain (the 72 demo leads cycle through these on purpose: the
# repeats show duplicate detection 撞单)
COMPANIES = [
    ("Hartmann Haushaltswaren GmbH", "Jonas Hartmann", "DE", "hartmann-hw.de"),
    ("Bella Casa S.r.l.", "Giulia Rossi", "IT", "bellacasa.it"),
    ("Maison Pratique SARL", "Camille Martin", "FR", "maisonpratique.fr"),
    ("Brightline Home Goods LLC", "Michael Carter", "US", "brightlinehome.com"),
    ("Northwind Appliances Ltd", "Oliver Smith", "GB", "northwind-appliances.co.uk"),
    ("Casa Feliz Importaciones S.A.", "Lucía García", "ES", "casafeliz.es"),
    ("Kowalski Dom Sp. z o.o.", "Piotr Kowalski", "PL", "kowalskidom.pl"),
    ("Hollandse Huishoud B.V.", "Sanne de Vries", "NL", "hollandsehuishoud.nl"),
    ("Aurora Utilidades Ltda", "Rafael Souza", "BR", "aurorautil.com.br"),
    ("Maple Kitchen Supply Inc.", "Emily Tremblay", "CA", "maplekitchen.ca"),
    ("Southern Cross Homewares Pty Ltd", "Jack Wilson", "AU", "southerncrosshome.com.au"),
    ("Al Noor Trading LLC", "Ahmed Al Mansoori", "AE", "alnoortrading.ae"),
    ("Desert Rose General Trading", "Fatima Al Harbi", "SA", "desertrose.sa"),
    ("Sakura Living Co., Ltd.", "佐藤 健 Ken Sato", "JP", "sakura-living.jp"),
    ("Hanbit Electronics Co.", "김민준 Kim Min-jun", "KR", "hanbit-elec.kr"),
    ("Saigon Home Appliance JSC", "Nguyễn Văn An", "VN", "saigonhome.vn"),
    ("Bharat Kitchenware Pvt Ltd", "Rahul Sharma", "IN", "bharatkitchen.in"),
    ("Lagos Homes Enterprises Ltd", "Chinedu Okafor", "NG", "lagoshomes.ng"),
    ("Cairo Modern Trade Co.", "Omar Hassan", "EG", "cairomodern.eg"),
    ("Mexicali Hogar S.A. de C.V.", "Sofía Hernández", "MX", "mexicalihogar.mx"),
    ("Anatolia Ev Gereçleri A.Ş.", "Mehmet Yılmaz", "TR", "anatoliaev.com.tr"),
    ("Nordic Living AB", "Erik Lindqvist", "SE", "nordicliving.se"),
    ("深圳市优家电器有限公司", "黄先生", "CN", "youjia-dq.cn"),
    ("上海锦程贸易有限公司", "李经理", "CN", "jincheng-trade.cn"),
    ("Siam Household Co., Ltd.", "Somchai Prasert", "TH", "siamhousehold.co.th"),
    ("Jakarta Rumah Tangga PT", "Budi Santoso", "ID", "rumahtangga.co.id"),
    ("Andes Electro S.A.C.", "Carlos Quispe", "PE", "andeselectro.pe"),
    ("Moscow Bytovaya Tekhnika OOO", "Ivan Petrov", "RU", "bytteh.ru"),
]
NEEDS = [
    "Electric kettles 1.7L, 2,000 pcs/month, CE + GS, private label",
    "空气炸锅 5.5L，首单 1x40HQ，需要 ETL 认证",
    "Hand blenders, 3 models, quote FOB Ningbo",
    "Rice cookers for a supermarket chain; samples first",
    "咖啡机 OEM，预算 USD 80k，年底前下单",
    "Toasters and sandwich makers, mixed container, CIF Hamburg",
    "Vacuum cleaners (cordless), distributor for the region",
    "电热水壶 + 多士炉组合，要求 LFGB",
]
SOURCES = [
    "trade_show",
    "web_form",
    "alibaba_rfq",
    "email",
    "referral",
    "customs_data",
    "directory",
    "social",
    "other",
]
RATES = [
    ("USD", "CNY", "7.1000"),
    ("EUR", "CNY", "7.7500"),
    ("GBP", "CNY", "9.0500"),
    ("USD", "EUR", "0.9150"),
]

# e-mail domain -> city, industry, company size, contact's title (what makes scores differ)
COMPANY_DETAILS = {
    "hartmann-hw.de": ("Köln", "Haushaltswaren / housewares", "51-200", "Einkaufsleiter"),
    "bellacasa.it": ("Milano", "Casalinghi / housewares retail", "11-50", "Titolare (owner)"),
    "maisonpratique.fr": ("Lyon", "Petit électroménager", "11-50", "Acheteuse"),
    "brightlinehome.com": ("Chicago", "Home goods import", "201-1000", "Purchasing Manager"),
    "northwind-appliances.co.uk": ("Leeds", "Small appliances", "51-200", "Director"),
    "casafeliz.es": ("Valencia", "Importación hogar", "11-50", "Gerente de compras"),
    "kowalskidom.pl": ("Poznań", "AGD / home appliances", "1-10", "Właściciel (owner)"),
    "hollandsehuishoud.nl": ("Utrecht", "Huishoudelijke artikelen", "51-200", "Inkoper (buyer)"),
    "aurorautil.com.br": ("São Paulo", "Utilidades domésticas", "201-1000", "Diretor comercial"),
    "maplekitchen.ca": ("Toronto", "Kitchen supply", "11-50", "Buyer"),
    "southerncrosshome.com.au": ("Melbourne", "Homewares retail", "1000+", "Category Manager"),
    "alnoortrading.ae": ("Dubai", "General trading", "11-50", "General Manager"),
    "desertrose.sa": ("Riyadh", "General trading", "51-200", "Procurement Manager"),
    "sakura-living.jp": ("大阪 Osaka", "生活家電 home appliances", "201-1000", "購買部 課長"),
    "hanbit-elec.kr": ("Seoul", "Consumer electronics", "51-200", "구매팀장 purchasing manager"),
    "saigonhome.vn": ("Hồ Chí Minh", "Home appliances", "11-50", "Giám đốc (director)"),
    "bharatkitchen.in": ("Mumbai", "Kitchenware", "201-1000", "Sourcing Executive"),
    "lagoshomes.ng": ("Lagos", "Home appliances distribution", "11-50", "CEO"),
    "cairomodern.eg": ("Cairo", "Home appliances", "11-50", "Owner"),
    "mexicalihogar.mx": ("Mexicali", "Artículos para el hogar", "51-200", "Comprador"),
    "anatoliaev.com.tr": ("İstanbul", "Ev gereçleri", "51-200", "Satın Alma Müdürü"),
    "nordicliving.se": ("Göteborg", "Home & living retail", "201-1000", "Head of Purchasing"),
    "youjia-dq.cn": ("深圳 Shenzhen", "小家电 small appliances", "51-200", "采购经理"),
    "jincheng-trade.cn": ("上海 Shanghai", "外贸 trading", "11-50", "总经理"),
    "siamhousehold.co.th": ("Bangkok", "Household goods", "51-200", "Purchasing Officer"),
    "rumahtangga.co.id": ("Jakarta", "Peralatan rumah tangga", "11-50", "Direktur"),
    "andeselectro.pe": ("Lima", "Electrodomésticos", "11-50", "Jefe de compras"),
    "bytteh.ru": ("Москва Moscow", "Бытовая техника", "201-1000", "Менеджер по закупкам"),
}
BUDGETS_USD = [8_000, 18_000, 35_000, 60_000, 150_000]

# Follow-up content by result: channels to pick from, summary, customer feedback, next step.
FOLLOWUPS = {
    "responded": [
        (
            ("phone", "whatsapp"),
            "首次电话联系，对方采购在广交会见过我们的电热水壶 First call: their buyer remembers our "
            "kettles from the Canton Fair",
            "请发最新目录和 FOB 宁波价格 Asked for the latest catalogue and FOB Ningbo prices",
            "发目录和报价单 Send catalogue and price list",
        ),
        (
            ("email",),
            "Sent the 2025 catalogue and price list; buyer confirmed receipt 已发 2025 目录和价格表，"
            "对方确认收到",
            "Will compare with their current supplier this week 本周与现有供应商比价",
            "Call to hear their comparison 电话了解比价结果",
        ),
        (
            ("whatsapp", "wechat"),
            "WhatsApp/微信沟通认证要求：需要 CE、GS、RoHS 报告 Discussed certificates: CE, GS and RoHS "
            "reports needed",
            "认证齐全就可以进入下一步 Ready to go on once the reports are in order",
            "发认证报告 PDF Send the certificate PDFs",
        ),
        (
            ("wechat", "phone"),
            "微信语音，客户询问 MOQ 和交期 Voice call: asked about MOQ and lead time",
            "MOQ 1,000 台可以接受，交期 35 天 MOQ 1,000 pcs is fine, 35 days lead time",
            "确认排产计划 Confirm the production slot",
        ),
    ],
    "interested": [
        (
            ("email", "phone"),
            "Price discussed: target FOB Ningbo USD 6.80/pc for the 1.7 L kettle 目标价 6.80 美元/台",
            "有兴趣，要求定制彩盒 Interested if we add a private-label gift box",
            "报含彩盒价格 Quote with gift box",
        ),
        (
            ("whatsapp", "email"),
            "样品已寄出 DHL 4471 2290 63，客户收到后很满意 Samples sent by DHL; customer happy with "
            "the finish",
            "想在下个季度的促销里上架 Wants them for next quarter's promotion",
            "跟进样品测试结果 Chase the lab test results",
        ),
        (
            ("wechat", "phone"),
            "客户要 ETL 认证空气炸锅的报价，数量 1x40HQ Quote wanted for ETL-certified air fryers, "
            "one 40HQ",
            "预算已批，下月决定供应商 Budget approved, supplier chosen next month",
            "做正式报价 PI Send a proforma invoice",
        ),
    ],
    "meeting_booked": [
        (
            ("phone", "email"),
            "约好视频会议，演示空气炸锅生产线 Video call booked to walk through the air-fryer line",
            "老板和采购都会参加 Owner and buyer will both join",
            "准备工厂视频和 PPT Prepare the factory video and slides",
        ),
        (
            ("meeting",),
            "客户到宁波验厂，看了注塑和总装车间 Customer audited the factory in Ningbo: moulding "
            "and assembly lines",
            "对品控很满意，要求试单 Happy with QC, asks for a trial order",
            "发试单 PI 和付款方式 Send trial-order PI and payment terms",
        ),
    ],
    "no_response": [
        (
            ("phone",),
            "打电话无人接听，已留言 Called, no answer; left a voicemail",
            "",
            "两天后再发邮件 E-mail again in two days",
        ),
        (
            ("email",),
            "Follow-up e-mail on the quotation unanswered 报价跟进邮件未回复",
            "",
            "改用 WhatsApp 联系 Try WhatsApp instead",
        ),
        (
            ("whatsapp", "wechat"),
            "消息已读未回 Message read, no reply",
            "",
            "下周再问一次 Ask again next week",
        ),
    ],
    "not_interested": [
        (
            ("phone", "email"),
            "客户表示已有广东的固定供应商 They already have a fixed supplier in Guangdong",
            "对方价格比我们低约 8% Their price is about 8% lower than ours",
            "",
        ),
        (
            ("email", "whatsapp"),
            "Budget frozen until next year; no new suppliers 预算冻结到明年，不开发新供应商",
            "",
            "",
        ),
    ],
}
INVALID_NOTES = {
    "no_need": "只做服装，不做家电 They sell clothing only, no appliances",
    "no_budget": "预算冻结到明年 Budget frozen until next year",
    "wrong_contact": "号码是前台，找不到采购 Number is the front desk; no buyer reachable",
    "competitor_cheaper": "广东同行报价更低 A Guangdong competitor quoted lower",
    "not_reachable": "邮件退信，电话空号 E-mails bounce, phone number not in service",
    "duplicate": "与已有线索同一家公司 Same company as an existing lead",
    "spam": "询盘内容为推广广告 The inquiry was an advertisement",
}
QUALIFIED_NOTE = "需求、预算、决策人已确认 Need, budget and decision maker confirmed"
RELEASE_REASON = "长期无回复，释放到公海 No reply for months; back to the pool"

# Leads captured without an owner after the assignment rules exist: the rules route them.
# company, contact, title, country, domain, source, need, grade
ROUTED_LEADS = [
    ("Evergreen Kitchen Co.", "Jessica Lee", "Buyer", "US", "evergreenkitchen.com", "alibaba_rfq",
     "RFQ: 3,000 pcs stainless steel kettles, UL listed, FOB Ningbo", "A"),
    ("Prairie Home Supply Ltd.", "Ryan Campbell", "Owner", "CA", "prairiehome.ca", "alibaba_rfq",
     "RFQ: hand blenders 2-speed, 1,500 pcs, CSA certified", "B"),
    ("Sunbelt Retail Partners LLC", "Daniel Brooks", "Category Buyer", "US", "sunbeltretail.com",
     "alibaba_rfq", "RFQ: 5.5 L air fryers, ETL, 2 x 40HQ per quarter", "A"),
    ("Feria Hogar Distribuciones", "Marta López", "Directora", "MX", "feriahogar.mx", "trade_show",
     "广交会展位留名片：电饭煲和多士炉 Card left at our Canton Fair booth: rice cookers, toasters",
     "B"),
    ("Baltic Home Trade UAB", "Tomas Kazlauskas", "Purchasing Manager", "LT", "baltichome.lt",
     "trade_show", "Ambiente Frankfurt visitor: cordless vacuum cleaners, private label", "C"),
    ("Al Safa Home Appliances", "Yousef Darwish", "General Manager", "AE", "alsafahome.ae",
     "trade_show", "Canton Fair: coffee machines OEM, wants price list", "B"),
]  # fmt: skip

# The public web form and what visitors sent through it.
WEBFORM = {
    "name": "官网询盘 Website inquiry",
    "origin": "https://www.seawind-demo.example",
    "fields": [
        "company_name",
        "contact_name",
        "contact_title",
        "email",
        "phone",
        "country",
        "company_size",
        "need",
    ],
    "thank_you_en": "Thank you! Our sales team in Ningbo will reply within one working day.",
    "thank_you_zh": "感谢您的询盘！宁波销售团队会在一个工作日内回复您。",
}
# payload, lang ("" with a honeypot value = a bot)
WEBFORM_SUBMISSIONS = [
    ({"company_name": "Green Leaf Homeware Ltd", "contact_name": "Hannah Clarke",
      "contact_title": "Buyer", "email": "hannah@greenleafhome.co.uk", "phone": "+44 7700 900412",
      "country": "GB", "company_size": "11-50",
      "need": "Looking for a BSCI-audited supplier of glass kettles, 2,000 pcs to start"}, "en"),
    ({"company_name": "义乌市晨光日用品有限公司", "contact_name": "陈晨", "contact_title": "采购经理",
      "email": "chenchen@chenguang-ry.cn", "phone": "+86 139 5790 1288", "country": "CN",
      "company_size": "51-200", "need": "多士炉和三明治机，内销电商渠道，月需求 3000 台"}, "zh-hans"),
    ({"company_name": "Hartmann Haushaltswaren GmbH", "contact_name": "Jonas Hartmann",
      "contact_title": "Einkaufsleiter", "email": "hartmann@hartmann-hw.de", "phone": "",
      "country": "DE", "company_size": "51-200",
      "need": "Follow-up from the website: rice cookers with GS mark"}, "en"),
    ({"company_name": "Best Cheap Pills", "contact_name": "Mark", "email": "seo@cheap-pills.example",
      "need": "Boost your Google ranking today!!!", "homepage": "http://cheap-pills.example"}, "en"),
    ({"company_name": "Oceanic Trading FZE", "contact_name": "Priya Nair",
      "contact_title": "Procurement Manager", "email": "priya@oceanic-fze.ae",
      "phone": "+971 50 123 4477", "country": "AE", "company_size": "11-50",
      "need": "Blenders and juicers for hotel supply, quote CIF Jebel Ali"}, "en"),
]  # fmt: skip
WEBFORM_BUDGET_DEMO = 3  # the flood day: the fifth submission overflows
WEBFORM_BUDGET = 50  # raised afterwards by the boss

MY_A_LEADS = ("我的 A 级线索 My A leads", "owner=me&grade=A")
SHARED_VIEW = ("lina@demo.test", "A 级未联系 Uncontacted A leads", "grade=A&status=new")
