"""`GET /api/v1/contracts/`: contracts of the deals the caller may see (decision 1003)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from portal.core.bounds import id_param, id_parameter
from portal.records.deals import contracts
from portal.records.deals.models import Contract


class ContractSerializer(serializers.ModelSerializer):
    deal_name = serializers.CharField(source="deal.name", read_only=True)
    customer = serializers.IntegerField(source="deal.customer_id", read_only=True)
    customer_name = serializers.CharField(source="deal.customer.name", read_only=True)
    owner = serializers.IntegerField(source="deal.owner_id", read_only=True)
    state = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = [
            "id",
            "number",
            "deal",
            "deal_name",
            "customer",
            "customer_name",
            "owner",
            "signed_on",
            "starts_on",
            "ends_on",
            "amount",
            "state",
        ]
        read_only_fields = fields

    def get_state(self, contract: Contract) -> str:
        return contracts.state_of(contract)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "state",
                OpenApiTypes.STR,
                enum=list(contracts.STATES),
                description="upcoming, active (in force), ending (within `within` days), ended.",
            ),
            OpenApiParameter(
                "within",
                {"type": "integer", "minimum": 1, "maximum": contracts.MAX_WINDOW},
                description="Days ahead for state=ending (default 30).",
            ),
            id_parameter("customer", "Contracts of this customer."),
            id_parameter("owner", "Contracts of deals of this owner (a user id)."),
            OpenApiParameter("q", OpenApiTypes.STR, description="Contract number or customer."),
        ]
    )
)
class ContractViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Contracts of the deals the caller may see, soonest ending first."""

    serializer_class = ContractSerializer

    def get_queryset(self):
        params = self.request.query_params
        for name in ("customer", "owner"):
            id_param(params, name)  # a 400 naming it, not a 500
        state = params.get("state", "")
        if state and state not in contracts.STATES:
            raise serializers.ValidationError(
                {
                    "state": [
                        _("Choose one of: %(states)s.") % {"states": ", ".join(contracts.STATES)}
                    ]
                }
            )
        within = params.get("within", "")
        if within and not (
            within.isascii() and within.isdigit() and 1 <= int(within) <= contracts.MAX_WINDOW
        ):
            raise serializers.ValidationError(
                {
                    "within": [
                        _("Enter a number of days from 1 to %(max)s.")
                        % {"max": contracts.MAX_WINDOW}
                    ]
                }
            )
        filters = contracts.ContractFilters.from_query(params)
        return contracts.visible_filtered_contracts(self.request.user, filters)


def register(router) -> None:
    router.register("contracts", ContractViewSet, basename="contract")
