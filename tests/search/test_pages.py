"""The search page, autocomplete and the API: shape, facets, highlights, errors, permissions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.search.backends import get_backend
from portal.search.documents import SearchDocument

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(people):
    sales1 = people["sales1"]
    get_backend().index([
        SearchDocument(kind="article", object_id=str(i), title=f"商机管理 {i}",
                       body="帮助销售人员跟踪商机 and the price increase", url=f"/k/{i}/",
                       keys=["staff"], tags=["CRM"])
        for i in range(25)
    ] + [
        SearchDocument(kind="customer", object_id="1", title="宏达 secret customer",
                       body="商机", url="/records/customers/1/", keys=[f"u:{sales1.pk}"],
                       tags=["hidden-tag"]),
        SearchDocument(kind="topic", object_id="9", title="<script>alert(1)</script> 商机",
                       body="x", url="/forum/t/9/", keys=["staff"]),
    ])  # fmt: skip
    return people


def test_the_page_shows_highlighted_faceted_results(client_for, indexed):
    response = client_for(indexed["sales1"]).get(reverse("search:search"), {"q": "商机"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<mark>商机</mark>" in html
    assert 'id="facet-kind"' in html
    assert "27 results" in html
    assert "?q=%E5%95%86%E6%9C%BA&amp;page=2" in html


def test_titles_and_snippets_are_escaped(client_for, indexed):
    response = client_for(indexed["sales1"]).get(reverse("search:search"), {"q": "alert"})

    html = response.content.decode()
    assert "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html


def test_another_reader_gets_no_trace_of_a_protected_record(client_for, indexed):
    response = client_for(indexed["sales2"]).get(reverse("search:search"), {"q": "宏达"})

    html = response.content.decode()
    assert 'id="no-results"' in html
    assert "secret" not in html
    assert (
        "hidden-tag"
        not in client_for(indexed["sales2"])
        .get(reverse("search:search"), {"q": "商机"})
        .content.decode()
    )


def test_an_empty_result_suggests_broader_queries(client_for, indexed):
    response = client_for(indexed["sales2"]).get(reverse("search:search"), {"q": "商机 zzzz"})

    html = response.content.decode()
    assert 'id="no-results"' in html
    assert "?q=%E5%95%86%E6%9C%BA" in html  # "商机" alone finds 26


def test_the_page_needs_a_login(client):
    response = client.get(reverse("search:search"), {"q": "x"})

    assert response.status_code == 302


def test_the_page_without_a_query_and_its_query_count(
    client_for, indexed, django_assert_max_num_queries
):
    client = client_for(indexed["sales1"])
    assert client.get(reverse("search:search")).status_code == 200
    with django_assert_max_num_queries(12):
        client.get(reverse("search:search"), {"q": "商机", "page": 2})


def test_autocomplete_json_and_htmx(client_for, indexed):
    client = client_for(indexed["sales2"])

    data = client.get(reverse("search:autocomplete"), {"q": "商机管"}).json()
    assert len(data["results"]) == 8
    assert all(r["title"].startswith("商机管理") for r in data["results"])
    assert client.get(reverse("search:autocomplete"), {"q": "宏"}).json() == {"results": []}
    partial = client.get(reverse("search:autocomplete"), {"q": "商机"}, HTTP_HX_REQUEST="true")
    assert "list-group-item" in partial.content.decode()


def test_api_shape_pagination_and_facets(api_client, indexed):
    api_client.force_authenticate(indexed["sales2"])

    data = api_client.get("/api/v1/search/", {"q": "商机", "page_size": 10}).json()

    assert data["count"] == 26
    assert len(data["results"]) == 10
    assert set(data["results"][0]) >= {"type", "id", "title", "url", "highlight"}
    assert any("<mark>商机</mark>" in r["highlight"] for r in data["results"])
    assert data["next"].endswith("page=2") or "page=2" in data["next"]
    assert data["previous"] is None
    assert {"value": "article", "count": 25} in data["facets"]["type"]
    assert {"value": "CRM", "count": 25} in data["facets"]["tag"]
    page3 = api_client.get("/api/v1/search/", {"q": "商机", "page_size": 10, "page": 3}).json()
    assert len(page3["results"]) == 6 and page3["next"] is None


def test_api_type_filter_and_sort(api_client, indexed):
    api_client.force_authenticate(indexed["sales1"])

    data = api_client.get("/api/v1/search/", {"q": "商机", "type": "customer"}).json()

    assert [r["type"] for r in data["results"]] == ["customer"]
    assert api_client.get("/api/v1/search/", {"q": "商机", "sort": "date"}).status_code == 200


def test_api_errors_are_json_with_the_field(api_client, indexed):
    api_client.force_authenticate(indexed["sales1"])

    assert api_client.get("/api/v1/search/", {"q": "x", "sort": "bogus"}).json() == {
        "sort": ["Choose relevance or date."]
    }
    response = api_client.get("/api/v1/search/", {"q": "x", "page": "abc"})
    assert response.status_code == 400 and "page" in response.json()
    assert api_client.get("/api/v1/search/", {"q": "x" * 501}).status_code == 400


def test_api_requires_authentication(api_client):
    response = api_client.get("/api/v1/search/", {"q": "x"})

    assert response.status_code in (401, 403)
    assert "detail" in response.json()


def test_an_estimated_count_says_about_in_both_languages(client_for, indexed, monkeypatch):
    from django.conf import settings

    from portal.search import service, views

    real_search = service.search

    def estimated(*args, **kwargs):
        parsed, results = real_search(*args, **kwargs)
        results.count, results.count_exact = 123_456, False  # a match too broad to count
        return parsed, results

    def result_count(page: str) -> str:
        return page.split('id="result-count">', 1)[1].split("</div>", 1)[0].strip()

    client = client_for(indexed["sales1"])
    exact = result_count(client.get(reverse("search:search"), {"q": "商机"}).content.decode())
    assert exact.startswith("27 results")

    monkeypatch.setattr(views.service, "search", estimated)
    page = client.get(reverse("search:search"), {"q": "商机"}).content.decode()
    assert result_count(page) == "about 120,000 results"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get(reverse("search:search"), {"q": "商机"}).content.decode()
    assert result_count(page) == "约 120,000 条结果"
