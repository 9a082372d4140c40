"""Demo people and departments (password agora-demo for everyone, see the README)."""

from portal.accounts import roles
from portal.accounts.models import Department, User

PASSWORD = "agora-demo"

DEPARTMENTS = [
    # (key, name, parent key)
    ("head", "总部 Head office", None),
    ("sales", "销售部 Sales", "head"),
    ("east", "华东销售组 Sales East", "sales"),
    ("north", "华北销售组 Sales North", "sales"),
    ("service", "客户服务部 Customer service", "head"),
    ("marketing", "市场部 Marketing", "head"),
]

PEOPLE = [
    # username, display name, role, department key, title, superuser
    ("admin", "系统管理员 Admin", roles.ADMINISTRATORS, "head", "IT administrator", True),
    ("manager", "王磊 Wang Lei", roles.MANAGERS, "sales", "Sales director", False),
    ("sales1", "张伟 Zhang Wei", roles.SALES, "east", "Account manager", False),
    ("sales2", "李娜 Li Na", roles.SALES, "north", "Account manager", False),
    ("service", "陈静 Chen Jing", roles.SERVICE, "service", "Service engineer", False),
    ("editor", "刘洋 Liu Yang", roles.KNOWLEDGE_EDITORS, "marketing", "Knowledge editor", False),
    ("newhire", "赵敏 Zhao Min", roles.NEW_HIRES, "east", "Sales trainee", False),
]


def seed() -> str:
    roles.ensure_roles()
    departments: dict[str, Department] = {}
    for key, name, parent_key in DEPARTMENTS:
        department, _ = Department.objects.get_or_create(
            name=name, defaults={"parent": departments.get(parent_key)}
        )
        departments[key] = department
    created = 0
    for username, display_name, role, dept_key, title, superuser in PEOPLE:
        user, was_created = User.objects.get_or_create(
            username=username,
            defaults={
                "display_name": display_name,
                "department": departments[dept_key],
                "title": title,
                "email": f"{username}@agora.example",
                "is_superuser": superuser,
                "is_staff": superuser or role in (roles.MANAGERS, roles.KNOWLEDGE_EDITORS),
            },
        )
        if was_created:
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
            user.groups.add(*roles.Group.objects.filter(name=role))
            created += 1
    for dept_key, username in (("sales", "manager"), ("head", "admin")):
        Department.objects.filter(pk=departments[dept_key].pk, manager__isnull=True).update(
            manager=User.objects.get(username=username)
        )
    return f"{created} people created" if created else ""
