"""Demo customers the exporter already works with (besides the ones its leads convert into)."""

# One customer: name, other-script name, country, city, type, size, industry, main products,
# domain, rating, source, tags, owner e-mail (None: the public pool 公海), contacts, opportunity.
# A contact: name, title, decision role, e-mail local part ("" = none), messenger ("wa"/"wx"/"").
# An opportunity: name, stage key, amount, currency, days to the expected close.
CUSTOMERS = [
    {
        "name": "Walden Home Essentials Inc.", "country": "US", "city": "Chicago",
        "type": "importer", "size": "201-1000", "industry": "Housewares import",
        "products": "Kettles, toasters, hand blenders", "domain": "waldenhome.com", "rating": 5,
        "source": "trade_show", "tags": ["key account", "年度框架 annual contract"],
        "owner": "zhangqiang@demo.test",
        "contacts": [
            ("Sarah Mitchell", "Purchasing Manager", "buyer", "sarah.mitchell", "wa"),
            ("Tom Walden", "CEO", "decision_maker", "tom", ""),
            ("Kevin Ortiz", "QC Manager", "influencer", "qc", ""),
        ],
        "opportunity": ("2025 Q4 kettle program 电热水壶年度订单", "quotation", 86_000, "USD", 45),
    },
    {
        "name": "Küchenwelt Handels GmbH", "country": "DE", "city": "Hamburg",
        "type": "wholesaler", "size": "51-200", "industry": "Küchengeräte / kitchen appliances",
        "products": "Toasters, sandwich makers, waffle irons", "domain": "kuechenwelt-handel.de",
        "rating": 4, "source": "referral", "tags": ["GS"], "owner": "lina@demo.test",
        "contacts": [
            ("Markus Becker", "Leiter Einkauf (Head of Purchasing)", "decision_maker", "m.becker",
             ""),
            ("Anna Vogel", "Produktmanagerin", "influencer", "a.vogel", "wa"),
        ],
        "opportunity": ("Toaster private label 多士炉贴牌", "negotiation", 120_000, "EUR", 30),
    },
    {
        "name": "Brightwell Retail Group plc", "country": "GB", "city": "Manchester",
        "type": "retailer", "size": "1000+", "industry": "Retail chain",
        "products": "Own-brand small kitchen appliances", "domain": "brightwellretail.co.uk",
        "rating": 4, "source": "email", "tags": ["BSCI audit"], "owner": "liuyang@demo.test",
        "contacts": [("Charlotte Hughes", "Senior Buyer", "buyer", "charlotte.hughes", "")],
    },
    {
        "name": "Électroménager Lyonnais SAS", "country": "FR", "city": "Lyon",
        "type": "wholesaler", "size": "11-50", "industry": "Petit électroménager",
        "products": "Blenders, juicers", "domain": "electro-lyonnais.fr", "rating": 3,
        "source": "trade_show", "tags": [], "owner": "wangfang@demo.test",
        "contacts": [
            ("Julien Moreau", "Directeur général", "decision_maker", "j.moreau", ""),
            ("Léa Fontaine", "Acheteuse", "buyer", "l.fontaine", "wa"),
        ],
    },
    {
        "name": "Casalinghi Veneti S.p.A.", "country": "IT", "city": "Padova",
        "type": "importer", "size": "51-200", "industry": "Casalinghi / housewares",
        "products": "Espresso machines, milk frothers", "domain": "casalinghiveneti.it",
        "rating": 3, "source": "customs_data", "tags": [], "owner": "lina@demo.test",
        "contacts": [("Marco Bianchi", "Responsabile acquisti", "buyer", "m.bianchi", "wa")],
    },
    {
        "name": "Hogar y Cocina Distribuciones S.L.", "country": "ES", "city": "Sevilla",
        "type": "wholesaler", "size": "11-50", "industry": "Menaje y electrodomésticos",
        "products": "Rice cookers, kettles", "domain": "hogarycocina.es", "rating": 2,
        "source": "directory", "tags": [], "owner": None,
        "contacts": [("Javier Romero", "Gerente", "decision_maker", "javier", "")],
    },
    {
        "name": "Van Dijk Keukengerei B.V.", "country": "NL", "city": "Rotterdam",
        "type": "importer", "size": "11-50", "industry": "Keukengerei / kitchenware",
        "products": "Hand blenders, mixers", "domain": "vandijkkeuken.nl", "rating": 3,
        "source": "email", "tags": [], "owner": "liuyang@demo.test",
        "contacts": [
            ("Pieter van Dijk", "Eigenaar (owner)", "decision_maker", "pieter", "wa"),
            ("Femke Jansen", "Inkoopassistent", "gatekeeper", "inkoop", ""),
        ],
    },
    {
        "name": "AGD Polska Sp. z o.o.", "country": "PL", "city": "Warszawa",
        "type": "trader", "size": "51-200", "industry": "AGD / home appliances",
        "products": "Vacuum cleaners", "domain": "agdpolska.pl", "rating": 2,
        "source": "customs_data", "tags": [], "owner": None,
        "contacts": [("Katarzyna Nowak", "Kierownik zakupów", "buyer", "k.nowak", "")],
    },
    {
        "name": "True North Kitchenware Ltd.", "country": "CA", "city": "Toronto",
        "type": "brand", "size": "51-200", "industry": "Kitchenware brand",
        "products": "Air fryers, multicookers", "domain": "truenorthkitchen.ca", "rating": 4,
        "source": "alibaba_rfq", "tags": ["CSA"], "owner": "zhangqiang@demo.test",
        "contacts": [
            ("Olivia Roy", "Sourcing Director", "decision_maker", "olivia", ""),
            ("Liam Gagnon", "Product Developer", "user", "liam", ""),
        ],
    },
    {
        "name": "Coastal Living Brands Pty Ltd", "country": "AU", "city": "Melbourne",
        "type": "brand", "size": "51-200", "industry": "Homewares brand",
        "products": "Kettles, toasters (matching breakfast sets)",
        "domain": "coastalliving.com.au", "rating": 5, "source": "referral",
        "tags": ["key account", "SAA"], "owner": "wangfang@demo.test",
        "contacts": [
            ("Chloe Nguyen", "Head of Product", "decision_maker", "chloe", "wa"),
            ("Ben Harris", "Logistics Coordinator", "user", "logistics", ""),
        ],
        "opportunity": ("Breakfast set 早餐三件套 2026", "needs_confirmed", 64_000, "USD", 75),
    },
    {
        "name": "株式会社ミナト家電", "name_alt": "Minato Kaden K.K.", "country": "JP",
        "city": "大阪 Osaka", "type": "importer", "size": "201-1000",
        "industry": "生活家電 home appliances", "products": "炊飯器 rice cookers",
        "domain": "minato-kaden.co.jp", "rating": 4, "source": "trade_show", "tags": ["PSE"],
        "owner": "zhoujie@demo.test",
        "contacts": [
            ("山本 大輔 Daisuke Yamamoto", "購買部 部長", "decision_maker", "yamamoto", ""),
            ("中村 あや Aya Nakamura", "品質管理", "influencer", "nakamura", ""),
        ],
        "opportunity": ("IH rice cooker OEM 电饭煲 OEM", "needs_confirmed", 45_000, "USD", 90),
    },
    {
        "name": "한솔리빙 주식회사", "name_alt": "Hansol Living Co., Ltd.", "country": "KR",
        "city": "Seoul", "type": "retailer", "size": "201-1000", "industry": "Home shopping",
        "products": "Cordless vacuum cleaners", "domain": "hansolliving.co.kr", "rating": 3,
        "source": "social", "tags": ["KC"], "owner": "wuxia@demo.test",
        "contacts": [("박서연 Park Seo-yeon", "MD (buyer)", "buyer", "sy.park", "")],
    },
    {
        "name": "Gulf Star Electronics Trading LLC", "name_alt": "شركة نجمة الخليج",
        "country": "AE", "city": "Dubai", "type": "trader", "size": "11-50",
        "industry": "General trading", "products": "Mixed containers of small appliances",
        "domain": "gulfstar-trading.ae", "rating": 4, "source": "trade_show", "tags": ["re-export"],
        "owner": "chenwei@demo.test",
        "contacts": [
            ("Khalid Rahman", "General Manager", "decision_maker", "khalid", "wa"),
            ("Anil Menon", "Purchase Executive", "buyer", "purchase", "wa"),
        ],
        "opportunity": ("Mixed 40HQ Ramadan promotion 斋月促销混装柜", "initial_contact", 30_000, "USD",
                        20),
    },
    {
        "name": "مؤسسة الواحة التجارية", "name_alt": "Al Waha Trading Est.", "country": "SA",
        "city": "Riyadh", "type": "wholesaler", "size": "51-200", "industry": "Wholesale",
        "products": "Kettles, coffee makers", "domain": "alwaha-trading.sa", "rating": 3,
        "source": "email", "tags": ["SASO"], "owner": "huanglei@demo.test",
        "contacts": [("Abdullah Al Qahtani", "Owner", "decision_maker", "abdullah", "wa")],
    },
    {
        "name": "Shakti Home Appliances Pvt. Ltd.", "country": "IN", "city": "Mumbai",
        "type": "brand", "size": "201-1000", "industry": "Home appliances brand",
        "products": "Mixer grinders, induction cookers", "domain": "shaktihome.in", "rating": 2,
        "source": "directory", "tags": ["BIS"], "owner": "wuxia@demo.test",
        "contacts": [
            ("Priya Desai", "Sourcing Manager", "buyer", "priya.desai", "wa"),
            ("Vikram Mehta", "Director", "decision_maker", "vikram", ""),
        ],
    },
    {
        "name": "Lar Doce Lar Comércio Ltda.", "country": "BR", "city": "Curitiba",
        "type": "importer", "size": "51-200", "industry": "Utilidades domésticas",
        "products": "Blenders, sandwich makers", "domain": "lardocelar.com.br", "rating": 3,
        "source": "alibaba_rfq", "tags": ["INMETRO"], "owner": "wangfang@demo.test",
        "contacts": [("Ana Paula Ribeiro", "Compradora", "buyer", "anapaula", "wa")],
    },
    {
        "name": "Cocina Práctica de México S.A. de C.V.", "country": "MX", "city": "Guadalajara",
        "type": "retailer", "size": "201-1000", "industry": "Tiendas departamentales",
        "products": "Toasters, kettles", "domain": "cocinapractica.mx", "rating": 2,
        "source": "web_form", "tags": ["NOM"], "owner": None,
        "contacts": [("Alejandro Torres", "Gerente de compras", "buyer", "atorres", "")],
    },
    {
        "name": "Comercial Andina SpA", "country": "CL", "city": "Santiago",
        "type": "importer", "size": "11-50", "industry": "Importación",
        "products": "Electric heaters, kettles", "domain": "comercialandina.cl", "rating": 3,
        "source": "customs_data", "tags": [], "owner": "liuyang@demo.test",
        "contacts": [("Valentina Muñoz", "Jefa de importaciones", "decision_maker", "vmunoz", "wa")],
    },
    {
        "name": "Kalahari Home Appliances (Pty) Ltd", "country": "ZA", "city": "Johannesburg",
        "type": "wholesaler", "size": "51-200", "industry": "Appliance wholesale",
        "products": "Kettles, irons", "domain": "kalaharihome.co.za", "rating": 2,
        "source": "trade_show", "tags": ["SABS"], "owner": "huanglei@demo.test",
        "contacts": [
            ("Thabo Mokoena", "Managing Director", "decision_maker", "thabo", "wa"),
            ("Lerato Dlamini", "Buyer", "buyer", "lerato", ""),
        ],
    },
    {
        "name": "Nairobi Homeware Distributors Ltd", "country": "KE", "city": "Nairobi",
        "type": "agent", "size": "11-50", "industry": "Distribution",
        "products": "Blenders, rice cookers", "domain": "nairobihomeware.co.ke", "rating": 1,
        "source": "social", "tags": [], "owner": None,
        "contacts": [("Grace Wanjiru", "Director", "decision_maker", "grace", "wa")],
    },
    {
        "name": "Mega Dapur Sdn. Bhd.", "country": "MY", "city": "Kuala Lumpur",
        "type": "retailer", "size": "51-200", "industry": "Kitchen appliances retail",
        "products": "Air fryers, rice cookers", "domain": "megadapur.com.my", "rating": 3,
        "source": "referral", "tags": ["SIRIM"], "owner": "zhoujie@demo.test",
        "contacts": [
            ("Tan Wei Ming", "Purchasing Manager", "buyer", "weiming", "wa"),
            ("Nurul Aisyah", "Marketing Executive", "influencer", "marketing", ""),
        ],
    },
    {
        "name": "义乌市聚源进出口有限公司", "name_alt": "Yiwu Juyuan Import & Export Co., Ltd.",
        "country": "CN", "city": "义乌 Yiwu", "type": "trader", "size": "11-50",
        "industry": "外贸 trading", "products": "小家电拼柜 mixed small-appliance containers",
        "domain": "juyuan-trade.cn", "rating": 4, "source": "referral", "tags": ["国内 domestic"],
        "owner": "chenwei@demo.test",
        "contacts": [
            ("何建国", "总经理", "decision_maker", "hejianguo", "wx"),
            ("何丽", "跟单 merchandiser", "user", "heli", "wx"),
        ],
    },
    {
        "name": "杭州西湖家居用品有限公司", "name_alt": "Hangzhou Xihu Home Products Co., Ltd.",
        "country": "CN", "city": "杭州 Hangzhou", "type": "brand", "size": "51-200",
        "industry": "家居品牌 home brand", "products": "养生壶、电炖锅 health kettles, slow cookers",
        "domain": "xihu-home.cn", "rating": 3, "source": "trade_show", "tags": ["国内 domestic"],
        "owner": "zhangqiang@demo.test",
        "contacts": [("王静", "采购经理", "buyer", "wangjing", "wx")],
        "opportunity": ("养生壶 ODM 项目 Health-kettle ODM", "quotation", 380_000, "CNY", 60),
    },
    {
        "name": "广州华南小家电贸易有限公司", "name_alt": "Guangzhou Huanan Appliance Trading Co., Ltd.",
        "country": "CN", "city": "广州 Guangzhou", "type": "wholesaler", "size": "11-50",
        "industry": "小家电批发 appliance wholesale", "products": "电风扇、取暖器 fans, heaters",
        "domain": "huanan-xjd.cn", "rating": 2, "source": "directory", "tags": ["国内 domestic"],
        "owner": None,
        "contacts": [("刘志强", "老板", "decision_maker", "liuzhiqiang", "wx")],
    },
]  # fmt: skip

# Converted leads (by their position in the owner's story cycle) may get an opportunity:
# stage key, amount, currency, days to the expected close.
CONVERSION_OPPORTUNITIES = [
    ("initial_contact", 24_000, "USD", 60),
    ("quotation", 52_000, "EUR", 40),
    ("needs_confirmed", 18_500, "USD", 75),
    ("negotiation", 96_000, "USD", 21),
]
CUSTOMER_TYPES = ["importer", "wholesaler", "retailer", "brand", "trader"]
