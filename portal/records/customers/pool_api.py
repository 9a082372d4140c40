"""The public pool under /api/v1/ (ADR 1002): the list, claiming, and asking the owner of a
protected customer to share it — the same rules as the pages, through the customer policy."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.core.bounds import parse_id
from portal.records.customers import actions, protection
from portal.records.customers.models import Customer
from portal.records.customers.policy import customer_policy, pool_customers_visible_to
from portal.records.customers.pool import PoolFilters, pool_customers


class PoolCustomerSerializer(serializers.ModelSerializer):
    """What the pool shows of a customer that is nobody's: enough to choose, no contacts."""

    category = serializers.SlugRelatedField(slug_field="key", read_only=True)
    previous_owner = serializers.CharField(source="owner.get_username", read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "code",
            "name",
            "category",
            "industry",
            "region",
            "province",
            "city",
            "level",
            "previous_owner",
            "pooled_at",
        ]
        read_only_fields = fields


class ClaimedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    owner = serializers.CharField()
    protected_until = serializers.DateField()
    url = serializers.CharField()


class ShareRequestSerializer(serializers.Serializer):
    token = serializers.CharField(
        max_length=500,
        help_text="The share_request ticket of a 409 answer to creating a protected customer.",
    )


_CONFLICT = OpenApiResponse(
    inline_serializer("PoolClaimConflict", {"detail": serializers.CharField()}),
    description="The caller already holds as many customers from the pool as the rules "
    "allow; nothing was claimed.",
)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Part of the name."),
            OpenApiParameter("category", str, description="A category key."),
            OpenApiParameter("region", str, enum=Customer.Region.values),
            OpenApiParameter("industry", str, enum=Customer.Industry.values),
        ]
    ),
)
class CustomerPoolViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Customers whose protection lapsed, newest arrivals first; any rep may claim one. No
    detail read: a customer is read at /api/v1/customers/<id>/ (through the customer policy);
    here, only the list and the claim (the authorization matrix found a pool "detail" that
    answered 404 for the owner of a customer outside the pool)."""

    serializer_class = PoolCustomerSerializer
    # For the schema (the path id's type); the rows always come from get_queryset/get_object.
    queryset = Customer.objects.none()

    def get_queryset(self):
        if not customer_policy.module_allows(self.request.user):
            raise exceptions.PermissionDenied()
        filters = PoolFilters.from_query(self.request.query_params)
        return pool_customers(self.request.user, filters).order_by("-pooled_at", "-pk")

    def get_object(self):
        pk = parse_id(self.kwargs["pk"])
        customer = pool_customers_visible_to(self.request.user).filter(pk=pk).first()
        if customer is None:
            raise Http404("No such customer in the pool.")
        return customer

    @extend_schema(request=None, responses={200: ClaimedSerializer, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        """Claim the customer: it becomes the caller's, protected again from today."""
        customer = self.get_object()
        try:
            customer = actions.claim_customer(customer, acting_user=request.user)
        except actions.ClaimLimitReached as exc:
            return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_409_CONFLICT)
        return Response(
            ClaimedSerializer(
                {
                    "id": customer.pk,
                    "code": customer.code,
                    "name": customer.name,
                    "owner": customer.owner.get_username(),
                    "protected_until": protection.protected_until(customer, protection.rules()),
                    "url": customer.get_absolute_url(),
                }
            ).data
        )


class ShareRequestViewSet(viewsets.GenericViewSet):
    """Ask the owner of a protected customer to share it (after a refused registration)."""

    serializer_class = ShareRequestSerializer

    @extend_schema(
        request=ShareRequestSerializer,
        responses={202: inline_serializer("ShareRequestSent", {"owner": serializers.CharField()})},
    )
    def create(self, request, *args, **kwargs):
        if not customer_policy.can_ask_to_share(request.user):
            raise exceptions.PermissionDenied()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = actions.ask_owner_to_share(
            serializer.validated_data["token"], acting_user=request.user
        )
        return Response({"owner": customer.owner.get_username()}, status=status.HTTP_202_ACCEPTED)


def register(router) -> None:
    router.register("customer-pool", CustomerPoolViewSet, basename="customer-pool")
    router.register("customer-share-requests", ShareRequestViewSet, basename="share-request")
