"""Forum demo content: the forum index at /forum/, bilingual categories and discussions (some
solved, some linked to customers and competitors, one in a managers-only category)."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from wagtail.models import Page, Site

from portal.accounts import roles
from portal.accounts.models import User

from . import actions, references
from .models import ForumCategoryPage, ForumIndexPage

CATEGORIES = [
    # slug, title, description, read roles, post roles
    (
        "competitors",
        "竞品动态 Competitor news",
        "对手的新价格、新产品和市场动作。Competitors' new prices, products and moves.",
        [],
        [],
    ),
    (
        "cases",
        "案例讨论 Case discussions",
        "卡住的商机、投诉和棘手的客户。Stuck deals, complaints and tricky customers.",
        [],
        [],
    ),
    (
        "products",
        "产品问答 Product questions",
        "关于我们产品的问题与解答。Questions and answers about our products.",
        [],
        [],
    ),
    (
        "managers",
        "经理专区 Managers only",
        "仅经理可见：定价策略与团队事务。Managers only: pricing strategy and team matters.",
        [roles.MANAGERS, roles.ADMINISTRATORS],
        [roles.MANAGERS, roles.ADMINISTRATORS],
    ),
]

# category, author, title, body, tags, link (customer|competitor|None), replies, accepted reply
TOPICS = [
    (
        "competitors",
        "sales1",
        "锐联科技下调了 R 系列终端价格 / RuiLink cut R-series prices",
        "今天拜访客户时听说**锐联科技**把 R 系列终端降价 12%。有人确认过吗？\n\n"
        "A customer told me today that RuiLink cut its R-series terminal prices by 12%. "
        "Can anyone confirm? @sales2 you met them last week.",
        ["价格", "pricing"],
        "competitor",
        [
            (
                "sales2",
                "> A customer told me today that RuiLink cut its R-series prices\n\n"
                "确认了，渠道报价单上已经是新价格，但只针对 50 台以上的订单。"
                "Confirmed — the dealer price list shows it, but only for orders of 50+ units.",
            ),
            (
                "manager",
                "谢谢。我们先强调三年质保和总拥有成本，不要跟进降价。"
                "Thanks. Stress our three-year warranty and total cost of ownership; "
                "we are not matching the cut.",
            ),
        ],
        1,
    ),
    (
        "cases",
        "sales1",
        "客户要求延长付款期 / Customer asks for longer payment terms",
        "客户希望把付款期从 30 天延长到 90 天，否则就推迟签约。大家遇到过类似情况吗？\n\n"
        "The customer wants 90-day payment terms instead of 30, or they will delay signing. "
        "How did you handle this before?",
        ["付款", "payment-terms"],
        "customer",
        [
            (
                "manager",
                "可以提议 60 天 + 首付 30%，我们去年用这个方案签下了两个连锁店。"
                "Offer 60 days with a 30% deposit — that closed two chains for us last year.",
            ),
            (
                "sales1",
                "好主意，我明天去谈；合同里会写清楚逾期罚息。Good idea — I will propose it "
                "tomorrow, with late-payment interest in the contract.",
            ),
        ],
        1,
    ),
    (
        "products",
        "newhire",
        "扫描枪能读手机屏幕上的二维码吗？/ Can our scanners read QR codes on phone screens?",
        "新人提问：客户问我们的扫描枪能不能读手机屏幕上的付款码。\n\n"
        "New-hire question: a customer asked whether our scanners read payment QR codes on "
        "phone screens.",
        ["scanners", "二维码"],
        None,
        [
            (
                "service",
                "可以，所有 2D 影像式型号都支持屏幕码；1D 激光型号不行。"
                "Yes — every 2D imager model reads screen codes; the 1D laser models do not.",
            )
        ],
        1,
    ),
    (
        "products",
        "sales2",
        "标签打印机的碳带兼容性 / Ribbon compatibility of label printers",
        "有客户想用第三方碳带，会影响保修吗？\n\nA customer wants to use third-party ribbons. "
        "Does that void the warranty?",
        ["printers"],
        None,
        [],
        None,
    ),
    (
        "cases",
        "service",
        "连锁店批量退货处理经验 / Handling a bulk return from a chain",
        "某连锁超市一次退回 40 台终端，理由是门店关闭。分享一下我们的处理流程：\n\n"
        "1. 先确认合同退货条款\n2. 检查设备状态\n3. 与销售一起提出替代方案（转移到其他门店）\n\n"
        "A supermarket chain returned 40 terminals because stores closed. Our process: check the "
        "contract's return clause, inspect the devices, and offer to move them to other stores.",
        ["退货", "returns"],
        None,
        [
            (
                "sales1",
                "第 3 步很关键，我们最后只退了 8 台。Step 3 matters: only 8 came back in the end.",
            )
        ],
        None,
    ),
    (
        "managers",
        "manager",
        "第四季度折扣授权 / Q4 discount authority",
        "第四季度起，超过 15% 的折扣需要区域经理审批。Starting Q4, discounts above 15% need "
        "the regional manager's approval.",
        ["定价", "policy"],
        None,
        [("admin", "已同步到审批流程。The approval workflow has been updated.")],
        None,
    ),
]


def _page_root() -> Page:
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    return site.root_page if site else Page.get_first_root_node()


def seed() -> str:
    if ForumIndexPage.objects.exists():
        return ""
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        return "skipped: no admin user"
    people = {user.username: user for user in User.objects.filter(is_active=True)}

    index = ForumIndexPage(
        title="论坛 Forum",
        slug="forum",
        intro="讨论案例、交流经验。Discuss cases and share experience.",
    )
    _page_root().add_child(instance=index)
    index.save_revision(user=admin).publish(user=admin)

    _editor_permissions(index)

    categories: dict[str, ForumCategoryPage] = {}
    for slug, title, description, read_roles, post_roles in CATEGORIES:
        category = ForumCategoryPage(title=title, slug=slug, description=description)
        index.add_child(instance=category)
        category.read_groups.set(Group.objects.filter(name__in=read_roles))
        category.post_groups.set(Group.objects.filter(name__in=post_roles))
        category.save()
        # Publishing relays to sync_category_access, which keys the category page.
        category.save_revision(user=admin).publish(user=admin)
        categories[slug] = category

    links = _demo_links(people)
    created = 0
    for slug, author_name, title, body, tags, link, replies, accepted in TOPICS:
        author = people.get(author_name) or admin
        refs = []
        if link and links.get(link):
            kind, obj, owner = links[link]
            refs = [(kind, obj.pk)]
            author = owner or author
        topic = actions.create_topic(
            author, category=categories[slug], title=title, body=body, tags=tags, refs=refs
        )
        posts = []
        for reply_author, text in replies:
            replier = people.get(reply_author) or admin
            try:
                posts.append(actions.reply(replier, topic, body=text))
            except PermissionDenied:  # a person who may not see a linked record stays out
                continue
        if accepted is not None and len(posts) >= accepted:
            actions.accept_answer(author, posts[accepted - 1])
        created += 1
    return f"{created} topics in {len(categories)} categories"


EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")


def _editor_permissions(index: ForumIndexPage) -> None:
    """Knowledge editors arrange the forum's categories in the CMS, like the knowledge base."""
    from django.contrib.auth.models import Permission
    from wagtail.models import GroupPagePermission

    permissions = Permission.objects.filter(
        content_type__app_label="wagtailcore", codename__in=EDITOR_PAGE_PERMISSIONS
    )
    for group in Group.objects.filter(name__in=[roles.KNOWLEDGE_EDITORS, roles.ADMINISTRATORS]):
        for permission in permissions:
            GroupPagePermission.objects.get_or_create(
                group=group, page=index, permission=permission
            )


def _demo_links(people: dict[str, User]) -> dict[str, tuple[str, object, User | None]]:
    """A competitor page and one of sales1's customers, when those apps seeded them."""
    links: dict[str, tuple[str, object, User | None]] = {}
    competitor = references.KINDS["competitor"]
    if competitor.model is not None:
        page = competitor.base_queryset().order_by("path").first()
        if page is not None:
            links["competitor"] = ("competitor", page, None)
    customer = references.KINDS["customer"]
    if customer.model is not None and "sales1" in people:
        sales1 = people["sales1"]
        obj = customer.visible_queryset(sales1).order_by("id").first()
        if obj is not None:
            links["customer"] = ("customer", obj, sales1)
    return links
