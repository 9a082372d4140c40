"""Stored XSS: hostile Markdown/HTML through posts never yields executable markup."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from portal.forum import actions
from portal.forum.markdown import link_references, mark_mentions, render_markdown

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style>",
    '<iframe src="https://evil.example"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="jav&#x09;ascript:alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](  javascript:alert(1) )",
    "[click](data:text/html,<script>alert(1)</script>)",
    "![x](javascript:alert(1))",
    '![x](x" onerror="alert(1))',
    "![x](//evil.example/pixel.gif)",
    "![x](http://evil.example/pixel.gif)",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p style="position:fixed;top:0">overlay</p>',
    "<style>body{display:none}</style>",
    "<link rel=stylesheet href=//evil.example/x.css>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>",
    "<b onmouseover=alert(1)>hover</b>",
    '<a href="https://ok.example" onclick="alert(1)">ok</a>',
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</script>",
    "<!--<script>alert(1)//-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<textarea><script>alert(1)</script></textarea>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<template><script>alert(1)</script></template>",
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    '<a title="x>#C202600001" href="https://ok.example">t</a> @admin',
    '[x](https://ok.example "title\\" onmouseover=\\"alert(1)")',
    '<img src="/media/../../etc/passwd" onerror=alert(1)>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="\\u006Aavascript:alert(1)">x</a>',
    "<isindex action=javascript:alert(1) type=image>",
    "<x onclick=alert(1)>custom</x>",
    '<a href="#" xlink:href="javascript:alert(1)">x</a>',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
]

FORBIDDEN_TAGS = {
    "script", "style", "iframe", "object", "embed", "svg", "math", "link", "meta", "base",
    "form", "input", "button", "textarea", "video", "audio", "source", "details", "body",
    "template", "noscript", "marquee", "isindex", "x",
}  # fmt: skip
SAFE_SCHEMES = ("http://", "https://", "mailto:", "/", "#")


class Inspector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"tag {tag}")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "srcdoc", "formaction", "xlink:href"}:
                self.problems.append(f"attribute {name} on {tag}")
            if name in {"href", "src", "action", "data"} and value is not None:
                if not value.strip().lower().startswith(SAFE_SCHEMES):
                    self.problems.append(f"url {value!r} on {tag}")
                if name == "src" and value.startswith("/") and not value.startswith("/media/"):
                    self.problems.append(f"foreign image {value!r}")
                if name == "src" and value.startswith("//"):
                    self.problems.append(f"protocol-relative image {value!r}")


def problems_in(html: str) -> list[str]:
    inspector = Inspector()
    inspector.feed(html)
    return inspector.problems


@pytest.mark.parametrize("payload", PAYLOADS)
def test_rendered_markdown_contains_nothing_executable(payload):
    html = render_markdown(payload)
    html = mark_mentions(html, ["admin"])
    html = link_references(html, {"C202600001": ("/records/1/", 'Acme "quoted" <b>')})
    assert problems_in(html) == []
    assert "<script" not in html.lower()


def test_links_get_nofollow_noopener_and_allowed_images_stay():
    html = render_markdown(
        "[ok](https://ok.example) ![a](/media/forum/a.png) ![b](https://i.example/b.png)"
    )
    assert 'rel="nofollow noopener"' in html
    assert 'src="/media/forum/a.png"' in html and 'src="https://i.example/b.png"' in html


def test_a_reference_inside_an_attribute_is_never_rewritten():
    html = render_markdown('<a title="x>#C202600001" href="https://ok.example">t</a>')
    linked = link_references(html, {"C202600001": ("/r/1/", "Acme")})
    assert linked == html


@pytest.mark.django_db
def test_hostile_posts_are_stored_sanitised(people, forum):
    topic = actions.create_topic(
        category=forum["open"], title="xss", body=PAYLOADS[0], acting_user=people["sales1"]
    )
    for payload in PAYLOADS[1:]:
        actions.reply(topic, body=payload, acting_user=people["sales2"])
    for html in topic.posts.values_list("body_html", flat=True):
        assert problems_in(html) == []
