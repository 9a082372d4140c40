"""Knowledge base API: /api/v1/knowledge/ (read-only, `?type=` filter), respecting restrictions;
POST /api/v1/knowledge/<id>/use/ counts one reuse of a Q&A answer."""

from __future__ import annotations

from django.db.models import Q
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response
from wagtail.models import Page

from portal.core.bounds import parse_id

from . import actions
from .models import KIND_MODELS, LEAF_MODELS
from .permissions import access_page, pages_visible_to


def _content_types():
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_models(*LEAF_MODELS)


class KnowledgePageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.SerializerMethodField()
    title = serializers.CharField()
    url = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()
    last_published_at = serializers.DateTimeField()

    def get_type(self, page) -> str:
        return self.context["kinds"].get(page.content_type_id, "")

    def get_url(self, page) -> str:
        return page.get_url(self.context.get("request")) or ""

    def get_summary(self, page) -> str:
        return getattr(page, "summary", "") or page.search_description


class KnowledgeDetailSerializer(KnowledgePageSerializer):
    review_by = serializers.DateField(allow_null=True)
    last_reviewed = serializers.DateField(allow_null=True)
    owner = serializers.SerializerMethodField()
    details = serializers.SerializerMethodField()

    def get_owner(self, page) -> str | None:
        return str(page.owner) if page.owner_id else None

    def get_details(self, page) -> dict:
        request = self.context.get("request")
        kind = page.kind
        if kind == "product":
            return {
                "product_number": page.product_number,
                "product_line": page.product_line,
                "model": page.model_name,
                "pitch": page.pitch,
                "list_price": str(page.list_price) if page.list_price is not None else None,
                "currency": page.currency,
                "price_notes": page.price_notes,
                "price_valid_until": page.price_valid_until,
                "specifications": [
                    {"label": b.value["label"], "value": b.value["value"]}
                    for b in page.specifications
                ],
            }
        if kind == "competitor":
            return {
                "website": page.website,
                "headquarters": page.headquarters,
                "threat_level": page.threat_level,
                "strengths": page.strength_list(),
                "weaknesses": page.weakness_list(),
                "products": [
                    {"name": p.name, "price": p.price, "our_product_id": p.our_product_id}
                    for p in page.products.all()
                ],
            }
        if kind == "document":
            document = page.document
            return {
                "version": page.version,
                "category": page.category,
                "restricted": page.restricted,
                "description": page.description,
                "file_url": request.build_absolute_uri(document.url) if document else None,
            }
        if kind == "article":
            return {
                "article_type": page.article_type,
                "product_line": page.product_line,
                "tags": [tag.name for tag in page.tags.all()],
            }
        if kind == "qa":
            return {
                "category": page.category.name if page.category_id else None,
                "answer_html": page.answer,
                "answer_text": strip_tags(page.answer).strip(),
                "usage_count": page.usage_count,
                "keywords": page.keywords,
            }
        return {}


class QAUsageSerializer(serializers.Serializer):
    context = serializers.CharField(required=False, allow_blank=True, max_length=255)


class KnowledgeViewSet(viewsets.ReadOnlyModelViewSet):
    """Live knowledge pages the caller may read. Filters: `type` (product, competitor,
    document, article, qa) and `q` (title contains)."""

    serializer_class = KnowledgePageSerializer
    queryset = Page.objects.none()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["kinds"] = {ct.pk: model.kind for model, ct in _content_types().items()}
        return context

    def get_queryset(self):
        content_types = _content_types()
        kind = self.request.query_params.get("type", "")
        if kind:
            if kind not in KIND_MODELS:
                raise DRFValidationError(
                    {
                        "type": [
                            _("Unknown type; choose one of %(kinds)s.")
                            % {"kinds": ", ".join(KIND_MODELS)}
                        ]
                    }
                )
            wanted = [content_types[KIND_MODELS[kind]].pk]
        else:
            wanted = [ct.pk for ct in content_types.values()]
        queryset = Page.objects.live().filter(content_type_id__in=wanted).order_by("pk")
        if query := self.request.query_params.get("q", "").strip():
            queryset = queryset.filter(Q(title__icontains=query))
        return pages_visible_to(self.request.user, queryset)

    def list(self, request, *args, **kwargs):
        queryset = self.get_queryset()
        page = self.paginate_queryset(queryset)
        # Summaries live on the specific tables: load the page of results specifically.
        specific = {p.pk: p for p in Page.objects.filter(pk__in=[p.pk for p in page]).specific()}
        rows = [specific.get(p.pk, p) for p in page]
        serializer = self.get_serializer(rows, many=True)
        return self.get_paginated_response(serializer.data)

    def retrieve(self, request, pk=None, *args, **kwargs):
        page = access_page(request.user, parse_id(pk) or 0)
        serializer = KnowledgeDetailSerializer(page, context=self.get_serializer_context())
        return Response(serializer.data)

    @action(detail=True, methods=["post"], serializer_class=QAUsageSerializer)
    def use(self, request, pk=None):
        """Count one reuse of a Q&A entry's approved answer."""
        page = access_page(request.user, parse_id(pk) or 0)
        if page is None or page.kind != "qa":
            raise DRFValidationError({"id": [_("Only Q&A entries can be used.")]})
        body = QAUsageSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        count = actions.record_qa_usage(
            page.pk, acting_user=request.user, context=body.validated_data.get("context", "")
        )
        return Response({"id": page.pk, "usage_count": count})


def register(router) -> None:
    """Register this app's viewsets on the v1 router."""
    router.register("knowledge", KnowledgeViewSet, basename="knowledge")
