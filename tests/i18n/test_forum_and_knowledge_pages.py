"""Smaller page fixes of issue 19: the forum's author chip, onboarding, product pages."""

import re

from portal.forum import actions as forum_actions
from tests.forum.conftest import forum  # noqa: F401 - the forum tree fixture
from tests.knowledge.conftest import kb  # noqa: F401 - the knowledge tree fixture


def test_the_author_filter_chip_shows_the_persons_name(people, forum, client_for):  # noqa: F811
    people["service"].display_name = "陈静 Chen Jing"
    people["service"].save(update_fields=["display_name"])
    forum_actions.create_topic(
        people["service"], category=forum["open"], title="Ribbon question", body="Which?"
    )
    html = client_for(people["sales1"]).get("/forum/?author=service").content.decode()
    chip = re.search(
        r'<span class="badge text-bg-secondary"><i class="bi bi-person"></i>(.*?)</span>', html
    )
    assert chip and chip.group(1).strip() == "陈静 Chen Jing"
    assert "Ribbon question" in html


def test_seeded_documents_download_with_their_own_content(people, client_for):
    from portal.knowledge import demo
    from tests.knowledge.conftest import site_root

    site_root()  # the root collection documents live in
    matrix = demo._document(
        "Discount matrix", "discount-matrix", "Managers up to 20%", people["admin"]
    )
    brochure = demo._document("Brochure", "brochure", "S1 POS terminal", people["admin"])
    assert matrix.file_size > 1000 and len(matrix.file_hash) == 40
    assert matrix.file_hash != brochure.file_hash

    client = client_for(people["sales1"])
    first = client.get(brochure.url)
    body = b"".join(first.streaming_content)
    assert body.startswith(b"%PDF") and first["ETag"] != '""'
    # A browser that downloaded the brochure asks for the matrix with the brochure's ETag.
    second = client.get(matrix.url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert len(b"".join(second.streaming_content)) == matrix.file_size


def test_an_onboarding_step_leads_back_to_the_path(people, kb, client_for):  # noqa: F811
    from portal.knowledge import actions as knowledge_actions
    from portal.knowledge.models import OnboardingPath, OnboardingStep

    path = OnboardingPath.objects.create(title="Sales week 1")
    OnboardingStep.objects.create(path=path, sort_order=0, title="Read S1", page=kb["s1"])
    OnboardingStep.objects.create(path=path, sort_order=1, title="Say hello", url="/forum/")
    assignment = knowledge_actions.assign_onboarding_path(
        path.pk, people["newhire"].pk, acting_user=people["editor"]
    )
    client = client_for(people["newhire"])
    detail = client.get(f"/knowledge-tools/onboarding/{assignment.pk}/").content.decode()
    assert f'href="{kb["s1"].url}?onboarding={assignment.pk}"' in detail
    assert ">/forum/ <" not in detail and "Go to this step" in detail

    step_page = client.get(f"{kb['s1'].url}?onboarding={assignment.pk}").content.decode()
    assert "Back to the path" in step_page
    assert f'href="/knowledge-tools/onboarding/{assignment.pk}/"' in step_page
    # Someone else's assignment id shows nothing.
    other = client_for(people["sales1"]).get(f"{kb['s1'].url}?onboarding={assignment.pk}")
    assert "Back to the path" not in other.content.decode()


def test_a_products_selling_points_appear_once(people, kb, client_for):  # noqa: F811
    product = kb["s1"]
    product.pitch = "Opens a till in ten minutes."
    product.summary = "Opens a till in ten minutes."
    product.save_revision().publish()
    html = client_for(people["sales1"]).get(product.url).content.decode()
    assert html.count("Opens a till in ten minutes.") == 1
