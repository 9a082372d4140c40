"""Demo knowledge base: bilingual products, competitors, standard documents (some restricted,
with small generated files), articles, the Q&A bank and the "Sales week 1" onboarding path."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Page, Site

from portal.accounts import roles
from portal.accounts.models import Department, User

from . import actions, setup
from .models import (
    ArticleIndexPage,
    ArticlePage,
    CompetitorIndexPage,
    CompetitorNews,
    CompetitorPage,
    CompetitorProduct,
    DocumentIndexPage,
    KnowledgeHome,
    OnboardingPath,
    OnboardingStep,
    PricingIntel,
    ProductDocument,
    ProductIndexPage,
    ProductPage,
    QACategory,
    QAIndexPage,
    QAPage,
    StandardDocumentPage,
)

PRODUCTS = [
    # slug, title, number, line, model, price, pitch, specs
    (
        "nebula-s1",
        "星云 S1 收银一体机 Nebula S1 POS terminal",
        "AG-T100",
        "terminals",
        "S1-15",
        "3999",
        '15.6 英寸一体机，开箱十分钟开店。A 15.6" all-in-one that opens a till in ten minutes.',
        [
            ("屏幕 Screen", '15.6" 1920×1080 touch'),
            ("处理器 CPU", "8-core 2.0 GHz"),
            ("内存 Memory", "4 GB + 64 GB"),
            ("接口 Ports", "USB×4, LAN, serial"),
        ],
    ),
    (
        "nebula-s2",
        "星云 S2 双屏收银机 Nebula S2 dual-screen POS",
        "AG-T200",
        "terminals",
        "S2-15D",
        "5999",
        "双屏：顾客屏可播放会员广告。A customer display that sells while it shows the bill.",
        [
            ("主屏 Main screen", '15.6" touch'),
            ("客显 Customer screen", '10.1"'),
            ("内存 Memory", "8 GB + 128 GB"),
        ],
    ),
    (
        "nebula-m1",
        "星云 M1 移动收银终端 Nebula M1 handheld POS",
        "AG-T300",
        "terminals",
        "M1",
        "2499",
        "排队高峰时把收银台带到顾客身边。Takes the till to the queue at peak hours.",
        [("屏幕 Screen", '6"'), ("电池 Battery", "5000 mAh, 12 h"), ("打印 Printer", "58 mm")],
    ),
    (
        "hawkeye-x5",
        "鹰眼 X5 扫码枪 Hawkeye X5 barcode scanner",
        "AG-S500",
        "scanners",
        "X5",
        "399",
        "手机屏幕上的付款码也一扫即读。Reads payment codes off cracked phone screens.",
        [
            ("码制 Symbologies", "1D, QR, PDF417"),
            ("连接 Link", "USB / Bluetooth"),
            ("跌落 Drop", "1.8 m"),
        ],
    ),
    (
        "hawkeye-p8",
        "鹰眼 P8 桌面扫码平台 Hawkeye P8 presentation scanner",
        "AG-S800",
        "scanners",
        "P8",
        "899",
        "免持扫码，超市收银效率提升三成。Hands-free scanning for supermarket lanes.",
        [("视窗 Window", "80 × 60 mm"), ("速度 Speed", "3 m/s")],
    ),
    (
        "hawkeye-r2",
        "鹰眼 R2 工业级扫描器 Hawkeye R2 rugged scanner",
        "AG-S200",
        "scanners",
        "R2",
        "1599",
        "仓库冷库都能用，IP65 防护。Warehouses and cold stores, IP65.",
        [("防护 Rating", "IP65"), ("工作温度 Temperature", "-20 °C to 50 °C")],
    ),
    (
        "inkline-l1",
        "墨韵 L1 标签打印机 Inkline L1 label printer",
        "AG-P100",
        "printers",
        "L1",
        "1299",
        "价签、条码标签一台搞定。Shelf tags and barcode labels from one box.",
        [("宽度 Width", "20–80 mm"), ("分辨率 Resolution", "203 dpi")],
    ),
    (
        "inkline-l3",
        "墨韵 L3 工业标签打印机 Inkline L3 industrial label printer",
        "AG-P300",
        "printers",
        "L3",
        "4599",
        "日打印万张不停机。Ten thousand labels a day without a pause.",
        [
            ("宽度 Width", "up to 104 mm"),
            ("分辨率 Resolution", "300 dpi"),
            ("碳带 Ribbon", "450 m"),
        ],
    ),
    (
        "inkline-r58",
        "墨韵 R58 小票打印机 Inkline R58 receipt printer",
        "AG-P058",
        "printers",
        "R58",
        "599",
        "静音高速，自动切纸。Quiet, fast, auto-cut.",
        [("速度 Speed", "250 mm/s"), ("纸宽 Paper", "58 mm")],
    ),
    (
        "cloudstore",
        "云店 零售管理系统 CloudStore retail management",
        "AG-C100",
        "software",
        "CS-Pro",
        "298",
        "门店、库存、会员一体化 SaaS。Stores, stock and members in one SaaS.",
        [("计费 Billing", "per store per month"), ("部署 Deployment", "Cloud, China regions")],
    ),
    (
        "cloudstore-loyalty",
        "云店 会员营销 CloudStore loyalty",
        "AG-C200",
        "software",
        "CS-L",
        "98",
        "积分、储值、优惠券，小程序开卡。Points, stored value and coupons via mini-program.",
        [("渠道 Channels", "WeChat mini-program, SMS")],
    ),
    (
        "cloudstore-insight",
        "云店 库存分析 CloudStore inventory analytics",
        "AG-C300",
        "software",
        "CS-I",
        "158",
        "滞销预警与自动补货建议。Slow-mover alerts and reorder suggestions.",
        [("数据刷新 Refresh", "every 15 minutes")],
    ),
]

COMPETITORS = [
    # slug, title, hq, threat, summary, strengths, weaknesses, products
    (
        "ruilink",
        "锐联科技 RuiLink Technology",
        "深圳 Shenzhen",
        "high",
        "价格最激进的硬件对手，常在连锁招标中低价抢单。The most aggressive hardware rival on "
        "price in chain-store tenders.",
        "价格低 10–15% · 10-15% cheaper\n渠道覆盖广 · Wide dealer network",
        "售后响应慢 · Slow after-sales\n软件生态弱 · Thin software ecosystem",
        [
            (
                "RuiLink R9",
                "¥3,499",
                "nebula-s1",
                [
                    ("屏幕 Screen", '15.6" 1920×1080', '15.6" 1366×768', "better"),
                    ("质保 Warranty", "3 年 3 years", "1 年 1 year", "better"),
                    ("价格 Price", "¥3,999", "¥3,499", "worse"),
                ],
            ),
            (
                "RuiLink Scan 3",
                "¥329",
                "hawkeye-x5",
                [
                    ("跌落 Drop", "1.8 m", "1.2 m", "better"),
                    ("价格 Price", "¥399", "¥329", "worse"),
                ],
            ),
        ],
    ),
    (
        "polaris",
        "北辰智能 Polaris Smart",
        "北京 Beijing",
        "medium",
        "硬件加云软件打包销售，北方市场强。Bundles hardware with cloud software; strong in the "
        "north.",
        "政府关系 · Public-sector relationships\n打包报价 · Bundle pricing",
        "界面陈旧 · Dated interface\n接口不开放 · Closed APIs",
        [
            (
                "Polaris P-POS 2",
                "¥5,600",
                "nebula-s2",
                [
                    ("客显 Customer screen", '10.1"', '7"', "better"),
                    ("内存 Memory", "8 GB", "4 GB", "better"),
                ],
            ),
            (
                "Polaris Cloud",
                "¥260 / 店·月 per store-month",
                "cloudstore",
                [
                    ("开放接口 Open API", "有 Yes", "无 No", "better"),
                    ("价格 Price", "¥298", "¥260", "worse"),
                ],
            ),
        ],
    ),
    (
        "labelpro",
        "标立达 LabelPro",
        "厦门 Xiamen",
        "medium",
        "标签打印专业厂商，耗材利润高。A label-printing specialist living off consumables.",
        "耗材便宜 · Cheap consumables\n行业模板多 · Many industry templates",
        "无收银产品 · No POS range\n驱动兼容差 · Weak driver support",
        [
            (
                "LabelPro LP-40",
                "¥1,150",
                "inkline-l1",
                [
                    ("分辨率 Resolution", "203 dpi", "203 dpi", "equal"),
                    ("软件 Software", "云模板 Cloud templates", "PC only", "better"),
                ],
            ),
            (
                "LabelPro LP-Industrial",
                "¥4,200",
                "inkline-l3",
                [
                    ("分辨率 Resolution", "300 dpi", "300 dpi", "equal"),
                    ("碳带 Ribbon", "450 m", "300 m", "better"),
                ],
            ),
        ],
    ),
    (
        "hengtong",
        "恒通信息 HengTong Info",
        "杭州 Hangzhou",
        "high",
        "零售 ERP 老牌厂商，正向 SaaS 转型。A veteran retail-ERP vendor moving to SaaS.",
        "财务模块深 · Deep finance modules\n大客户案例多 · Many enterprise references",
        "实施周期长 · Long implementations\n移动端弱 · Weak on mobile",
        [
            (
                "HengTong Retail ERP",
                "¥80,000 起 from",
                "cloudstore",
                [
                    ("上线周期 Go-live", "1 周 1 week", "3 个月 3 months", "better"),
                    ("财务 Finance", "基础 Basic", "完整 Complete", "worse"),
                ],
            ),
            (
                "HT Member",
                "¥120 / 店·月",
                "cloudstore-loyalty",
                [("小程序 Mini-program", "原生 Native", "H5", "better")],
            ),
        ],
    ),
    (
        "zentra",
        "Zentra Systems",
        "慕尼黑 Munich",
        "low",
        "国际品牌，外资零售客户首选，价格高。The international brand foreign retailers pick; "
        "expensive.",
        "品牌 · Brand\n全球服务 · Global service",
        "价格高 · High price\n本地化不足 · Little localisation",
        [
            (
                "Zentra ZT-700",
                "¥9,800",
                "nebula-s2",
                [
                    ("价格 Price", "¥5,999", "¥9,800", "better"),
                    ("本地支付 Local payments", "全部 All", "部分 Some", "better"),
                ],
            ),
            ("Zentra DS-90", "¥1,450", "hawkeye-p8", [("速度 Speed", "3 m/s", "3.5 m/s", "worse")]),
        ],
    ),
]

DOCUMENTS = [
    # slug, title, category, version, restricted-to (groups, department keys), text
    (
        "quotation-process",
        "报价流程 Quotation process",
        "process",
        "2.1",
        None,
        "1. 在 Agora 登记商机 Register the deal in Agora.\n2. 使用标准报价模板 Use the standard "
        "quotation template.\n3. 折扣超过 10% 需经理审批 Discounts above 10% need a manager.",
    ),
    (
        "sales-contract-template",
        "销售合同模板 Sales contract template",
        "contract",
        "2026.1",
        None,
        "标准销售合同，含付款与质保条款。Standard sales contract with payment and warranty terms.",
    ),
    (
        "return-policy",
        "退换货政策 Return and exchange policy",
        "policy",
        "3.0",
        None,
        "七天无理由退货，十五天换货。Seven-day returns, fifteen-day exchanges.",
    ),
    (
        "visit-report-form",
        "客户拜访记录表 Customer visit report form",
        "form",
        "1.4",
        None,
        "拜访日期、对象、需求、下一步。Date, people met, needs, next step.",
    ),
    (
        "discount-matrix",
        "折扣审批权限表 Discount approval matrix",
        "policy",
        "2026.2",
        ([roles.MANAGERS], []),
        "CONFIDENTIAL 机密: 经理 ≤ 20%，总监 ≤ 30%，更高需总经理。Managers up to 20%, directors "
        "up to 30%, beyond that the general manager.",
    ),
    (
        "sla-penalties",
        "服务赔付条款 Service SLA penalty terms",
        "contract",
        "1.2",
        ([roles.MANAGERS], ["service"]),
        "CONFIDENTIAL 机密: 4 小时未响应赔付月费 5%。5% of the monthly fee per missed 4-hour "
        "response.",
    ),
]

ARTICLE_TOPICS = [
    ("company", "公司简介 About Agora Retail Tech", "software", ["公司 company"]),
    ("company", "我们的服务网络 Our service network", "", ["服务 service"]),
    ("company", "质量承诺 Our quality promise", "", ["质量 quality"]),
    ("market", "2026 春季新品发布会 Spring 2026 launch event", "terminals", ["发布会 launch"]),
    ("market", "连锁便利店专项促销 Convenience-chain promotion", "terminals", ["促销 promotion"]),
    ("market", "以旧换新活动 Trade-in campaign", "scanners", ["促销 promotion"]),
    ("market", "合作伙伴大会回顾 Partner summit recap", "software", ["渠道 channel"]),
    ("media", "《零售科技》专访 Retail Tech Weekly interview", "software", ["媒体 media"]),
    ("media", "央视财经报道 CCTV Finance feature", "terminals", ["媒体 media"]),
    ("media", "获评年度创新产品 Named innovative product of the year", "printers", ["奖项 award"]),
    (
        "industry",
        "移动支付新规解读 New mobile-payment rules explained",
        "terminals",
        ["支付 payments", "法规 regulation"],
    ),
    (
        "industry",
        "数电发票全面推行 Fully digital invoices roll out",
        "software",
        ["发票 invoicing", "法规 regulation"],
    ),
    (
        "industry",
        "社区团购退潮之后 After the community group-buying boom",
        "software",
        ["市场 market"],
    ),
    ("industry", "即时零售的增长 The growth of instant retail", "software", ["市场 market"]),
    (
        "industry",
        "冷链标签标准更新 Cold-chain label standard update",
        "printers",
        ["标准 standard"],
    ),
    (
        "industry",
        "商超自助收银普及率 Self-checkout adoption in supermarkets",
        "terminals",
        ["市场 market"],
    ),
    ("trend", "收银机的下一个五年 The next five years of POS", "terminals", ["趋势 trend"]),
    ("trend", "AI 识别称重 AI produce recognition at the scale", "scanners", ["趋势 trend", "AI"]),
    ("trend", "电子价签会取代纸签吗 Will e-paper tags replace paper?", "printers", ["趋势 trend"]),
    (
        "trend",
        "会员运营从积分到私域 From points to private traffic",
        "software",
        ["趋势 trend", "会员 loyalty"],
    ),
    ("trend", "无线扫描的功耗挑战 Power budgets of wireless scanners", "scanners", ["趋势 trend"]),
    ("trend", "SaaS 定价模式演变 How SaaS pricing is changing", "software", ["趋势 trend"]),
    ("market", "华东区渠道招募 Channel recruitment in East China", "", ["渠道 channel"]),
    (
        "industry",
        "竞品降价动态汇总 Competitor price cuts roundup",
        "terminals",
        ["竞争 competition"],
    ),
]

QA_CATEGORIES = [
    "产品 Products",
    "价格与合同 Pricing & contracts",
    "售后服务 After-sales",
    "软件 Software",
]
QA_ENTRIES = [
    # category index, question, answer, keywords, product slug
    (
        0,
        "S1 能接电子秤吗？Can the Nebula S1 connect a scale?",
        "可以，通过串口或 USB 连接主流电子秤。Yes — mainstream scales connect through the serial "
        "or USB port.",
        "电子秤 scale 串口",
        "nebula-s1",
    ),
    (
        0,
        "S2 客显能播放视频吗？Can the S2 customer screen play videos?",
        "支持 MP4 与图片轮播，在云店后台上传。MP4 and image carousels, uploaded in CloudStore.",
        "客显 video 广告",
        "nebula-s2",
    ),
    (
        0,
        "M1 电池能用多久？How long does the M1 battery last?",
        "正常使用约 12 小时，可热插拔备用电池。About 12 hours; spare batteries hot-swap.",
        "电池 battery 续航",
        "nebula-m1",
    ),
    (
        0,
        "X5 能扫手机屏幕上的付款码吗？Does the X5 read codes on phone screens?",
        "能，包括低亮度和碎屏。Yes, including dim and cracked screens.",
        "付款码 payment code",
        "hawkeye-x5",
    ),
    (
        0,
        "R2 适合冷库吗？Is the R2 suitable for cold stores?",
        "适合，工作温度低至 -20 °C。Yes, it works down to -20 °C.",
        "冷库 cold",
        "hawkeye-r2",
    ),
    (
        0,
        "L1 支持哪些标签尺寸？Which label sizes does the L1 take?",
        "宽 20–80 mm，长度不限。20–80 mm wide, any length.",
        "标签 label 尺寸",
        "inkline-l1",
    ),
    (
        0,
        "L3 的碳带在哪里买？Where do customers buy L3 ribbons?",
        "官方商城与授权经销商均有售。From our web shop and authorised dealers.",
        "碳带 ribbon",
        "inkline-l3",
    ),
    (
        0,
        "R58 能打印 80 mm 小票吗？Can the R58 print 80 mm receipts?",
        "不能，R58 仅支持 58 mm；80 mm 请推荐 S2 内置打印机。No, 58 mm only; suggest the S2's "
        "built-in 80 mm printer.",
        "小票 receipt 80mm",
        "inkline-r58",
    ),
    (
        1,
        "最低折扣是多少？What is the lowest discount I may offer?",
        "销售可直接给 10% 以内折扣，更高需走审批。Sales staff may give up to 10%; more needs "
        "approval.",
        "折扣 discount 审批",
        "",
    ),
    (
        1,
        "报价有效期多久？How long is a quotation valid?",
        "标准报价 30 天有效。Standard quotations are valid for 30 days.",
        "报价 quotation 有效期",
        "",
    ),
    (
        1,
        "能否分期付款？Can customers pay in instalments?",
        "订单满 5 万元可申请 3 期免息。Orders above ¥50,000 may pay in three interest-free "
        "instalments.",
        "分期 instalment 付款",
        "",
    ),
    (
        1,
        "合同模板在哪里？Where is the contract template?",
        "在知识库“标准文档”栏目下载最新版。Download the latest version from Standard documents.",
        "合同 contract 模板",
        "",
    ),
    (
        1,
        "经销商价格怎么算？How is dealer pricing calculated?",
        "按经销商级别在目录价基础上打折。Catalogue price less the dealer-tier discount.",
        "经销商 dealer 价格",
        "",
    ),
    (
        1,
        "可以开专票吗？Can we issue special VAT invoices?",
        "可以，提供开票信息后 3 个工作日内开具。Yes, within three working days of receiving "
        "the details.",
        "发票 invoice 专票",
        "",
    ),
    (
        2,
        "硬件质保多久？How long is the hardware warranty?",
        "收银机 3 年，扫码枪与打印机 2 年。Terminals three years; scanners and printers two.",
        "质保 warranty 保修",
        "",
    ),
    (
        2,
        "售后响应时间？What is the after-sales response time?",
        "工作日 4 小时响应，省会城市次日上门。Four hours on working days; next-day on-site in "
        "provincial capitals.",
        "响应 response 上门",
        "",
    ),
    (
        2,
        "如何申请备用机？How does a customer get a loan unit?",
        "维修超过 3 天可申请免费备用机。Repairs over three days qualify for a free loan unit.",
        "备用机 loan",
        "",
    ),
    (
        2,
        "过保维修怎么收费？What do out-of-warranty repairs cost?",
        "检测免费，按配件价加工时费收取。Free diagnosis, then parts plus labour.",
        "过保 repair 收费",
        "",
    ),
    (
        2,
        "退货流程是什么？What is the return process?",
        "七天内凭发票退货，需保持包装完整。Within seven days with the invoice and original "
        "packaging.",
        "退货 return",
        "",
    ),
    (
        3,
        "云店支持多门店吗？Does CloudStore handle multiple stores?",
        "支持，总部统一商品与价格，门店独立库存。Yes: central products and prices, per-store "
        "stock.",
        "多门店 multi-store",
        "cloudstore",
    ),
    (
        3,
        "云店能对接财务软件吗？Does CloudStore connect to accounting software?",
        "提供开放 API 及主流财务软件接口。Open API plus connectors for mainstream accounting "
        "packages.",
        "财务 accounting API",
        "cloudstore",
    ),
    (
        3,
        "数据存在哪里？Where is the data stored?",
        "中国境内云区域，每日备份。China cloud regions, backed up daily.",
        "数据 data 安全",
        "cloudstore",
    ),
    (
        3,
        "会员能跨店积分吗？Can members earn points across stores?",
        "可以，积分按品牌统一。Yes, points are shared brand-wide.",
        "会员 积分 points",
        "cloudstore-loyalty",
    ),
    (
        3,
        "补货建议准确吗？How accurate are reorder suggestions?",
        "基于近 90 天销量与季节系数，可人工调整。Based on 90 days of sales and seasonality; "
        "editable.",
        "补货 reorder",
        "cloudstore-insight",
    ),
    (
        3,
        "断网还能收银吗？Can stores sell while offline?",
        "可以，离线收银，联网后自动同步。Yes, offline sales sync when the network returns.",
        "断网 offline",
        "cloudstore",
    ),
    (
        3,
        "试用期多久？How long is the free trial?",
        "免费试用 30 天，数据可保留。30 days free, data kept on conversion.",
        "试用 trial",
        "cloudstore",
    ),
]


def _pdf(title: str, text: str) -> bytes:
    """A one-page PDF with Chinese and English text (reportlab's built-in CJK font)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont("STSong-Light", 16)
    pdf.drawString(60, 780, title)
    pdf.setFont("STSong-Light", 10)
    y = 750
    for line in text.splitlines():
        pdf.drawString(60, y, line[:90])
        y -= 16
    pdf.drawString(60, 60, "Agora Retail Tech · 内部资料 internal")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _document(title: str, slug: str, text: str, user: User):
    Document = get_document_model()
    existing = Document.objects.filter(title=title).first()
    if existing:
        return existing
    document = Document(title=title, uploaded_by_user=user)
    document.file.save(f"{slug}.pdf", ContentFile(_pdf(title, text)), save=False)
    document.save()
    return document


def _body(title: str, summary: str, sections: list[tuple[str, str]]) -> list:
    body: list = []
    for heading, text in sections:
        body.append(("heading", heading))
        body.append(("paragraph", f"<p>{text}</p>"))
    return body


def seed() -> str:
    if KnowledgeHome.objects.exists():
        return ""
    admin = User.objects.filter(username="admin").first()
    editor = User.objects.filter(username="editor").first() or admin
    if admin is None:
        return "skipped: no admin user"
    today = timezone.localdate()
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    root = site.root_page if site else Page.get_first_root_node()

    home = actions.create_page(
        root,
        KnowledgeHome(
            title="知识库 Knowledge base",
            slug="knowledge",
            intro="<p>产品、竞品、标准文档与问答——拜访客户前先看这里。Products, competitors, "
            "standard documents and answered questions: read this before every call.</p>",
        ),
        acting_user=admin,
    )
    setup.ensure_editorial_setup()

    def section(model, title, slug, intro):
        return actions.create_page(
            home, model(title=title, slug=slug, intro=f"<p>{intro}</p>"), acting_user=admin
        )

    products_index = section(
        ProductIndexPage,
        "产品 Products",
        "products",
        "我们的全部产品与报价。Everything we sell, with prices.",
    )
    competitors_index = section(
        CompetitorIndexPage,
        "竞争对手 Competitors",
        "competitors",
        "对手档案与产品对比。Profiles and product comparisons.",
    )
    documents_index = section(
        DocumentIndexPage,
        "标准文档 Standard documents",
        "documents",
        "流程、模板与政策的最新版本。Current processes, templates and policies.",
    )
    articles_index = section(
        ArticleIndexPage,
        "文章 Articles",
        "articles",
        "公司、市场、媒体与行业动态。Company, market, media and industry news.",
    )
    qa_index = section(
        QAIndexPage,
        "问答库 Q&A bank",
        "qa",
        "客户常问的问题与标准答案。Customers' common questions with approved answers.",
    )

    brochure = _document(
        "S1 产品彩页 S1 brochure",
        "nebula-s1-brochure",
        "星云 S1 收银一体机\nNebula S1 POS terminal",
        admin,
    )
    products: dict[str, ProductPage] = {}
    for index, (slug, title, number, line, model, price, pitch, specs) in enumerate(PRODUCTS):
        page = ProductPage(
            title=title,
            slug=slug,
            product_number=number,
            product_line=line,
            model_name=model,
            list_price=Decimal(price),
            pitch=pitch,
            summary=pitch.split("。")[0] + "。",
            specifications=[("spec", {"label": k, "value": v}) for k, v in specs],
            price_notes="含税，不含运费。经销商价见折扣表。Incl. VAT, excl. shipping; dealer "
            "prices in the discount matrix.",
            price_valid_until=today + datetime.timedelta(days=180),
            last_reviewed=today - datetime.timedelta(days=60 + index),
            review_by=today + datetime.timedelta(days=120)
            if index % 5
            else today - datetime.timedelta(days=3 + index),
            body=_body(
                title,
                pitch,
                [
                    (
                        "适用场景 Where it fits",
                        "便利店、超市与专卖店。Convenience stores, "
                        "supermarkets and speciality shops.",
                    ),
                    ("卖点 Selling points", pitch),
                    (
                        "常见异议 Common objections",
                        "价格：强调三年质保与总拥有成本。Price: stress "
                        "the three-year warranty and total cost of ownership.",
                    ),
                ],
            ),
        )
        # Related: the earlier products of the same line (set before the one publication, so
        # seeding needs no second revision per product).
        page.related_products = [p for p in products.values() if p.product_line == line]
        if slug == "nebula-s1":
            page.documents.add(ProductDocument(document=brochure, title=brochure.title))
        products[slug] = actions.create_page(products_index, page, acting_user=admin, owner=editor)
    competitors: dict[str, CompetitorPage] = {}
    for slug, title, hq, threat, summary, strengths, weaknesses, rivals in COMPETITORS:
        page = CompetitorPage(
            title=title,
            slug=slug,
            headquarters=hq,
            threat_level=threat,
            summary=summary,
            profile=f"<p>{summary}</p>",
            strengths=strengths.replace(" · ", " — "),
            weaknesses=weaknesses.replace(" · ", " — "),
            website=f"https://{slug}.example.com",
            last_reviewed=today - datetime.timedelta(days=30),
            review_by=today + datetime.timedelta(days=60),
        )
        for order, (name, price, ours, rows) in enumerate(rivals):
            page.products.add(
                CompetitorProduct(
                    sort_order=order,
                    name=name,
                    price=price,
                    our_product=products[ours],
                    comparison=[
                        ("row", {"aspect": a, "ours": o, "theirs": t, "verdict": v})
                        for a, o, t, v in rows
                    ],
                )
            )
            page.pricing.add(
                PricingIntel(
                    sort_order=order,
                    observed_on=today - datetime.timedelta(days=20 * (order + 1)),
                    product_name=name,
                    price=price,
                    source="经销商报价单 Dealer quotation",
                    note="华东区 East China",
                )
            )
        page.news.add(
            CompetitorNews(
                date=today - datetime.timedelta(days=12),
                headline=f"{title.split()[0]} 发布新品 announces a new model",
                summary="关注其定价策略。Watch their pricing.",
            )
        )
        competitors[slug] = actions.create_page(
            competitors_index, page, acting_user=admin, owner=editor
        )

    groups = {group.name: group for group in Group.objects.all()}
    service_department = Department.objects.filter(name__icontains="service").first()
    documents: dict[str, StandardDocumentPage] = {}
    for slug, title, category, version, restriction, text in DOCUMENTS:
        page = StandardDocumentPage(
            title=title,
            slug=slug,
            category=category,
            version=version,
            document=_document(title, slug, text, admin),
            description=text,
            summary=text.splitlines()[0],
            restricted=bool(restriction),
            last_reviewed=today - datetime.timedelta(days=90),
            review_by=today + datetime.timedelta(days=270),
        )
        if restriction:
            group_names, department_keys = restriction
            page.allowed_groups = [groups[name] for name in group_names if name in groups]
            if "service" in department_keys and service_department:
                page.allowed_departments = [service_department]
        documents[slug] = actions.create_page(
            documents_index, page, acting_user=admin, owner=editor
        )

    articles: list[ArticlePage] = []
    lines = {p.product_line: p for p in products.values()}
    competitor_list = list(competitors.values())
    for index, (kind, title, line, tags) in enumerate(ARTICLE_TOPICS):
        page = ArticlePage(
            title=title,
            slug=f"article-{index + 1}",
            article_type=kind,
            product_line=line,
            summary=f"{title}：要点速览。Key points at a glance.",
            last_reviewed=today - datetime.timedelta(days=index),
            body=_body(
                title,
                "",
                [
                    (
                        "背景 Background",
                        f"{title}。本文为销售同事整理背景与要点。This note gives "
                        "sales colleagues the background and the key points.",
                    ),
                    (
                        "要点 Key points",
                        "一、客户关心成本；二、关注上线速度；三、重视售后。"
                        "Customers care about cost, speed of go-live and after-sales.",
                    ),
                    (
                        "对销售的建议 What it means for sales",
                        "拜访时主动提及，并引用问答库的标准答案。"
                        "Raise it on calls and quote the approved answers from the Q&A bank.",
                    ),
                ],
            ),
        )
        page.tags.add(*tags)
        if line and line in lines:
            page.related_products = [lines[line]]
        if kind in {"industry", "trend"}:
            page.related_competitors = [competitor_list[index % len(competitor_list)]]
        articles.append(actions.create_page(articles_index, page, acting_user=admin, owner=editor))

    categories = [
        QACategory.objects.get_or_create(name=name, defaults={"sort_order": i})[0]
        for i, name in enumerate(QA_CATEGORIES)
    ]
    qa_pages: list[QAPage] = []
    for index, (category, question, answer, keywords, product) in enumerate(QA_ENTRIES):
        qa_pages.append(
            actions.create_page(
                qa_index,
                QAPage(
                    title=question,
                    slug=f"qa-{index + 1}",
                    category=categories[category],
                    answer=f"<p>{answer}</p>",
                    keywords=keywords,
                    product=products.get(product),
                    last_reviewed=today - datetime.timedelta(days=10),
                ),
                acting_user=admin,
                owner=editor,
            )
        )

    path, _created = OnboardingPath.objects.get_or_create(
        title="销售第一周 Sales week 1",
        defaults={
            "description": "第一周认识公司、产品、对手和报价流程。Your first week: the "
            "company, the products, the competition and how we quote."
        },
    )
    if not path.steps.exists():
        steps = [
            ("认识公司 Meet the company", articles[0], "", "", "", ""),
            (
                "主力产品 Our flagship terminal",
                products["nebula-s1"],
                "",
                "S1 的质保是几年？How many years of warranty does the S1 have?",
                "1\n2\n3",
                "3",
            ),
            ("头号对手 Our toughest rival", competitors["ruilink"], "", "", "", ""),
            (
                "报价流程 How we quote",
                documents["quotation-process"],
                "",
                "多少折扣以上需要审批？Above what discount is approval needed?",
                "5%\n10%\n20%",
                "10%",
            ),
            ("标准问答 Approved answers", qa_pages[8], "", "", "", ""),
            ("在论坛自我介绍 Introduce yourself in the forum", None, "/forum/", "", "", ""),
        ]
        for order, (title, page, url, question, choices, answer) in enumerate(steps):
            OnboardingStep.objects.create(
                path=path,
                sort_order=order,
                title=title,
                page=page,
                url=url,
                check_question=question,
                check_choices=choices,
                check_answer=answer,
            )
    newhire = User.objects.filter(username="newhire").first()
    if newhire and not path.assignments.filter(user=newhire).exists():
        actions.assign_onboarding_path(
            path.pk, newhire.pk, acting_user=editor, due_on=today + datetime.timedelta(days=7)
        )
    return (
        f"{len(products)} products, {len(competitors)} competitors, {len(documents)} documents, "
        f"{len(articles)} articles, {len(qa_pages)} Q&A entries, 1 onboarding path"
    )
