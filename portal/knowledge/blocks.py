"""StreamField blocks of knowledge pages: rich bodies, specifications and comparisons."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock


class HeadingBlock(blocks.CharBlock):
    """A section heading; the page's table of contents is built from these."""

    class Meta:
        icon = "title"
        template = "knowledge/blocks/heading.html"
        label = _("Heading")


class CalloutBlock(blocks.StructBlock):
    tone = blocks.ChoiceBlock(
        choices=[("info", _("Note")), ("warning", _("Caution")), ("success", _("Tip"))],
        default="info",
        label=_("tone"),
    )
    text = blocks.RichTextBlock(features=["bold", "italic", "link"], label=_("text"))

    class Meta:
        icon = "warning"
        template = "knowledge/blocks/callout.html"
        label = _("Callout")


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=["h3", "bold", "italic", "ol", "ul", "link", "document-link"],
        label=_("Paragraph"),
    )
    table = TableBlock(label=_("Table"), template="knowledge/blocks/table.html")
    image = ImageChooserBlock(label=_("Image"), template="knowledge/blocks/image.html")
    document = DocumentChooserBlock(label=_("Document"), template="knowledge/blocks/document.html")
    callout = CalloutBlock()


class SpecificationBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("specification"))
    value = blocks.CharBlock(label=_("value"))

    class Meta:
        icon = "list-ul"
        label = _("Specification")


class ComparisonRowBlock(blocks.StructBlock):
    aspect = blocks.CharBlock(label=_("aspect"))
    ours = blocks.CharBlock(label=_("our product"))
    theirs = blocks.CharBlock(label=_("their product"))
    verdict = blocks.ChoiceBlock(
        choices=[
            ("better", _("We are better")),
            ("equal", _("Comparable")),
            ("worse", _("They are better")),
        ],
        default="equal",
        label=_("verdict"),
    )

    class Meta:
        icon = "table"
        label = _("Comparison row")
