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

# company, contact, country, e-mail domain
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
]
STATUSES = [
    "new",
    "new",
    "contacting",
    "contacting",
    "qualified",
    "dormant",
    "invalid",
    "converted",
]
RATES = [
    ("USD", "CNY", "7.1000"),
    ("EUR", "CNY", "7.7500"),
    ("GBP", "CNY", "9.0500"),
    ("USD", "EUR", "0.9150"),
]
