"""The page shell: navigation shows each module only to people who may view it."""

from django.urls import reverse


def _nav_links(client) -> str:
    page = client.get(reverse("core:dashboard")).content.decode()
    return page[page.index('id="main-nav"') : page.index("</ul>", page.index('id="main-nav"'))]


def test_navigation_lists_only_the_modules_a_person_may_view(people, client_for):
    sales = _nav_links(client_for(people["sales1"]))
    for url in ("/records/customers/", "/records/deals/", "/records/statistics/"):
        assert f'href="{url}"' in sales
    newhire = _nav_links(client_for(people["newhire"]))
    assert 'href="/records/deals/"' not in newhire
    assert 'href="/records/statistics/"' not in newhire
    assert reverse("forum:home") in newhire
    # and the page behind a hidden link refuses them anyway
    assert client_for(people["newhire"]).get("/records/deals/").status_code == 403
