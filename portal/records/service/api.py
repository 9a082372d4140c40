"""/api/v1/service-cases/: complaints visible as their customer is; registering and workflow steps
go through the same actions (and checks) as the pages."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.accounts.models import Department, User
from portal.core.bounds import IdSerializerField, id_param, id_parameter
from portal.records.customers.models import Contact, Customer
from portal.records.deals.models import Deal
from portal.records.service import actions
from portal.records.service.models import ServiceCase, ServiceCaseStep, ServiceCategory
from portal.records.service.policy import access_case, may_register
from portal.records.service.queries import CaseFilters, filtered_cases


class StepSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ServiceCaseStep
        fields = ["kind", "actor", "at", "from_status", "to_status", "note", "was_overdue"]


class ServiceCaseSerializer(serializers.ModelSerializer):
    # Plain ids: a lookup against every customer would reveal what exists beyond one's view.
    customer = IdSerializerField(source="customer_id")
    contact = IdSerializerField(source="contact_id", required=False, allow_null=True)
    deal = IdSerializerField(source="deal_id", required=False, allow_null=True)
    product = IdSerializerField(source="product_id", required=False, allow_null=True)
    category = serializers.SlugRelatedField(
        slug_field="key", queryset=ServiceCategory.objects.all(), required=False
    )
    about_person = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    registered_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    assigned_department = serializers.StringRelatedField(read_only=True, allow_null=True)
    is_overdue = serializers.BooleanField(read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = ServiceCase
        fields = [
            "id", "number", "title", "customer", "customer_name", "customer_phone",
            "customer_address", "contact", "contact_name", "contact_phone", "category",
            "product", "deal", "about_person", "severity", "channel", "description", "status",
            "registered_by", "assessment", "assigned_department", "assignee", "resolution",
            "outcome", "summary", "step_due_at", "is_overdue", "qa_draft", "created_at",
            "updated_at", "closed_at", "url",
        ]  # fmt: skip
        read_only_fields = [
            "id", "number", "customer_name", "customer_phone", "customer_address", "status",
            "assessment", "resolution", "outcome", "summary", "step_due_at", "qa_draft",
            "created_at", "updated_at", "closed_at",
        ]  # fmt: skip


class StepRequestSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=sorted(actions.STEP_ACTIONS))
    assessment = serializers.CharField(required=False, allow_blank=True)
    severity = serializers.CharField(required=False, allow_blank=True)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )
    assignee = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    resolution = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True)
    outcome = serializers.CharField(required=False, allow_blank=True)
    summary = serializers.CharField(required=False, allow_blank=True)
    make_qa_draft = serializers.BooleanField(required=False)
    qa_question = serializers.CharField(required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True)


STEP_CONFLICT = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}


@extend_schema_view(
    list=extend_schema(
        parameters=[
            id_parameter("customer", "Cases of this customer."),
            id_parameter("product", "Cases about this product (a product page id)."),
        ]
    )
)
class ServiceCaseViewSet(viewsets.ModelViewSet):
    """Complaints the caller may see (as their customer is, plus the people on the case).
    Filters: view (mine, department, overdue, open, closed), customer, category (key), product,
    status, severity, q. POST creates (service → register); POST {id}/steps/ takes a step:
    {"step": "assess"|"pre_approve"|"assign"|"propose"|"approve"|"send_back"|"carry_out"|
    "summarise"|"close"|"urge", …its fields}."""

    serializer_class = ServiceCaseSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        for name in ("customer", "product"):
            id_param(self.request.query_params, name)  # a 400 naming it, not a 500
        filters = CaseFilters.from_query(self.request.query_params)
        return filtered_cases(self.request.user, filters)

    def get_object(self):
        return access_case(self.request.user, self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        if not may_register(request.user):
            raise exceptions.PermissionDenied()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        customer = Customer.objects.filter(pk=data.pop("customer_id")).first()
        if customer is None:
            raise exceptions.ValidationError({"customer": ["No such customer."]})
        references = {}
        for field, model in (("contact", Contact), ("deal", Deal)):
            pk = data.pop(f"{field}_id", None)
            if pk:
                found = model.objects.filter(pk=pk, customer=customer).first()
                if found is None:
                    raise exceptions.ValidationError({field: ["Not one of this customer's."]})
                references[field] = found
        product_id = data.pop("product_id", None)
        if product_id:
            from portal.knowledge.models import ProductPage

            product = ProductPage.objects.live().filter(pk=product_id).first()
            if product is None:
                raise exceptions.ValidationError({"product": ["No such product."]})
            references["product"] = product
        # An action's ValidationError answers 400 through core.api.exception_handler.
        case = actions.register_complaint(
            acting_user=request.user, customer=customer, **references, **data
        )
        return Response(self.get_serializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], request=None, responses={200: StepSerializer(many=True)})
    @extend_schema(
        methods=["POST"],
        request=StepRequestSerializer,
        responses={
            200: ServiceCaseSerializer,
            409: OpenApiResponse(
                STEP_CONFLICT, description="Not the case's next step (or not yours to take)."
            ),
        },
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def steps(self, request, pk=None):
        """GET: the step log. POST: take the next step (409 when it is not the next one)."""
        case = self.get_object()
        if request.method == "GET":
            rows = case.steps.select_related("actor").order_by("at", "pk")
            return Response(StepSerializer(rows, many=True).data)
        request_serializer = StepRequestSerializer(data=request.data)
        request_serializer.is_valid(raise_exception=True)
        data = dict(request_serializer.validated_data)
        step = data.pop("step")
        from portal.records.service.forms import StepForm

        arguments = {k: v for k, v in data.items() if k in StepForm.STEP_FIELDS[step]}
        try:
            actions.STEP_ACTIONS[step](case, acting_user=request.user, **arguments)
        except actions.WorkflowError as exc:
            return Response(
                {"detail": " ".join(exc.messages), **getattr(exc, "message_dict", {})},
                status=status.HTTP_409_CONFLICT,
            )
        case.refresh_from_db()
        return Response(self.get_serializer(case).data)


def register(router) -> None:
    router.register("service-cases", ServiceCaseViewSet, basename="service-case")
