"""Customer and contact endpoints under /api/v1/ (same permissions as the pages)."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.response import Response

from portal.accounts.models import User
from portal.core.bounds import IdSerializerField, id_param, id_parameter
from portal.records.customers import actions
from portal.records.customers.models import Contact, Customer, CustomerCategory
from portal.records.customers.policy import (
    access_contact,
    access_customer,
    can_edit_customer,
    contacts_visible_to,
    customers_visible_to,
)
from portal.records.customers.queries import CustomerFilters, visible_filtered_customers


def customer_named(user: User, customer_id) -> Customer:
    """A customer named in a request body: unknown and invisible are the same field error."""
    try:
        return access_customer(user, customer_id)
    except Http404:
        raise exceptions.ValidationError({"customer": [_("No such customer.")]}) from None


class CustomerSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(
        slug_field="key", queryset=CustomerCategory.objects.all(), required=False
    )
    owner = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.filter(is_active=True), required=False
    )
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "code",
            *actions.CUSTOMER_FIELDS,
            "owner",
            "department",
            "url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "code", "department", "created_at", "updated_at"]
        # Duplicates and validity are the action's business (it answers with field errors).
        validators: list = []
        extra_kwargs = {"name": {"validators": []}}


class ContactSerializer(serializers.ModelSerializer):
    # A plain id: a lookup against all customers would tell who exists beyond one's view.
    customer = IdSerializerField(source="customer_id")

    class Meta:
        model = Contact
        fields = ["id", "code", "customer", *actions.CONTACT_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["id", "code", "created_at", "updated_at"]


@extend_schema_view(
    list=extend_schema(parameters=[id_parameter("owner", "Customers of this owner (a user id).")]),
    create=extend_schema(
        responses={
            201: CustomerSerializer,
            409: OpenApiResponse(
                inline_serializer(
                    "CustomerDuplicates",
                    {
                        "name": serializers.ListField(child=serializers.CharField()),
                        "protected_by": serializers.CharField(required=False),
                        "share_request": serializers.CharField(required=False),
                        "duplicates": inline_serializer(
                            "CustomerDuplicate",
                            {
                                "id": serializers.IntegerField(),
                                "code": serializers.CharField(),
                                "name": serializers.CharField(),
                            },
                            many=True,
                            required=False,
                        ),
                    },
                ),
                description="Looks like an existing customer: the name's error and the "
                "possible duplicates (send allow_duplicate=true to create it anyway). When the "
                "existing customer is protected for another rep, creating is refused even so: "
                "only its owner is named (protected_by), and share_request is the ticket to "
                "POST to customer-share-requests to ask them to share it.",
            ),
        }
    ),
)
class CustomerViewSet(viewsets.ModelViewSet):
    """Customers the caller may see; filters: view=mine, category, region, industry, level,
    protection (protected, lapsing, lapsed, pool),
    owner (id), q (name/code), sort (name, -name, code, -updated, -created)."""

    serializer_class = CustomerSerializer

    def get_queryset(self):
        id_param(self.request.query_params, "owner")  # a 400 naming it, not a 500
        filters = CustomerFilters.from_query(self.request.query_params)
        from portal.records.customers.queries import SORTS

        column, descending = SORTS[filters.sort]
        order = [f"-{column}", "-pk"] if descending else [column, "pk"]
        return (
            visible_filtered_customers(self.request.user, filters)
            .select_related("owner", "category")
            .order_by(*order)
        )

    def get_object(self):
        return access_customer(self.request.user, self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        owner = data.pop("owner", None)
        allow = str(request.data.get("allow_duplicate", "")).lower() in {"1", "true", "yes"}
        try:
            customer = actions.create_customer(
                acting_user=request.user, owner=owner, allow_duplicate=allow, **data
            )
        except actions.ProtectedDuplicate as exc:
            return Response(
                {
                    "name": exc.messages,
                    "protected_by": exc.owner.get_username(),
                    "share_request": actions.share_request_token(exc.customer, request.user),
                },
                status=status.HTTP_409_CONFLICT,
            )
        except actions.DuplicateCustomer as exc:
            return Response(
                {
                    "name": exc.messages,
                    "duplicates": duplicates_as_seen_by(request.user, exc.duplicates),
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(self.get_serializer(customer).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        customer = self.get_object()
        serializer = self.get_serializer(
            customer, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        new_owner = data.pop("owner", None)
        with transaction.atomic():
            actions.update_customer(customer, acting_user=request.user, **data)
            if new_owner is not None and new_owner.pk != customer.owner_id:
                actions.transfer_customer(customer, to_user=new_owner, acting_user=request.user)
        customer.refresh_from_db()
        return Response(self.get_serializer(customer).data)

    def destroy(self, request, *args, **kwargs):
        """Delete to the recycle bin (restore from the bin page)."""
        customer = self.get_object()
        actions.delete_customer(customer, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(parameters=[id_parameter("customer", "Contacts of this customer.")])
)
class ContactViewSet(viewsets.ModelViewSet):
    """Contacts of the customers the caller may see; filter: customer (id), q (name)."""

    serializer_class = ContactSerializer

    def get_queryset(self):
        queryset = contacts_visible_to(self.request.user).order_by("customer_id", "name", "pk")
        if (customer := id_param(self.request.query_params, "customer")) is not None:
            queryset = queryset.filter(customer_id=customer)
        q = self.request.query_params.get("q", "").strip()
        if q:
            queryset = queryset.filter(name__icontains=q)
        return queryset

    def get_object(self):
        return access_contact(self.request.user, self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        customer = customer_named(request.user, data.pop("customer_id"))
        if not can_edit_customer(request.user, customer):
            raise exceptions.PermissionDenied()
        contact = actions.create_contact(customer, acting_user=request.user, **data)
        return Response(self.get_serializer(contact).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        contact = self.get_object()
        serializer = self.get_serializer(
            contact, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("customer_id", None)  # a contact does not move between customers
        actions.update_contact(contact, acting_user=request.user, **data)
        contact.refresh_from_db()
        return Response(self.get_serializer(contact).data)

    def destroy(self, request, *args, **kwargs):
        contact = self.get_object()
        actions.delete_contact(contact, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router) -> None:
    """Register this app's viewsets on the v1 router."""
    router.register("customers", CustomerViewSet, basename="customer")
    router.register("contacts", ContactViewSet, basename="contact")


def duplicates_as_seen_by(user, duplicates) -> list[dict]:
    """A matched customer the requester may open is named; any other only says who owns it."""
    visible = set(
        customers_visible_to(user)
        .filter(pk__in=[c.pk for c in duplicates])
        .values_list("pk", flat=True)
    )
    return [
        {"id": c.pk, "code": c.code, "name": c.name, "owner": c.owner.get_username()}
        if c.pk in visible
        else {"owner": c.owner.get_username()}
        for c in duplicates
    ]
