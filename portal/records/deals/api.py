"""Deal, activity and reminder endpoints under /api/v1/ (same rules as the pages: a deal is
visible where its customer is, plus its owner's chain and co-owners; writes go through the
actions, whose refusals come back as 4xx with the field at fault)."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.accounts.models import User
from portal.core.bounds import (
    IdSerializerField,
    id_param,
    id_parameter,
    moment_serializer_field,
)
from portal.records.customers.api import customer_named
from portal.records.customers.policy import contact_policy
from portal.records.deals import actions
from portal.records.deals.actions.common import CONTACTS_OF_CUSTOMER
from portal.records.deals.models import Activity, Deal, DealReminder, DealStage
from portal.records.deals.models.deals import MAX_REMIND_MINUTES
from portal.records.deals.policy import (
    access_deal,
    activities_visible_to,
    reminders_visible_to,
)
from portal.records.deals.queries import (
    DealFilters,
    renewal_links,
    visible_filtered_deals,
    with_renewal_links,
)

ACTIVE_USERS = User.objects.filter(is_active=True)


def _body(request) -> dict:
    """The request's fields for the actions that read them one by one: a JSON body that is
    not an object (a list, a number) is a 400, not an AttributeError."""
    if not isinstance(request.data, dict):
        raise exceptions.ValidationError({"detail": [_("Send the fields as a JSON object.")]})
    return request.data


def _deal_for(user, deal_id) -> Deal:
    """A deal named in a request body: unknown and invisible are the same field error."""
    try:
        return access_deal(user, deal_id)
    except Http404:
        raise exceptions.ValidationError({"deal": ["No such deal."]}) from None


class VisibleContactField(serializers.PrimaryKeyRelatedField):
    """Contacts by id among those the requester may see: a contact of someone else's customer
    and an id that does not exist get the same error, naming nobody."""

    default_error_messages = {"does_not_exist": CONTACTS_OF_CUSTOMER}

    def get_queryset(self):
        return contact_policy.visible_to(self.context["request"].user)


class RenewalLinkField(serializers.IntegerField):
    """A deal linked by renewal, as an id only if the caller may see it (else null, as if
    there were none): read from the list's annotation, or asked of the deal policy for a
    single deal."""

    def __init__(self, which: str, **kwargs) -> None:
        self.which = which
        super().__init__(read_only=True, allow_null=True, min_value=1, **kwargs)

    def get_attribute(self, deal: Deal):
        if not hasattr(deal, "renewed_by_visible"):  # one deal: asked once for both fields
            renews, renewed_by = renewal_links(deal, self.context["request"].user)
            deal.renews_visible = renews.pk if renews is not None else None
            deal.renewed_by_visible = renewed_by.pk if renewed_by is not None else None
        return getattr(deal, f"{self.which}_visible")

    def to_representation(self, value):
        return None if value is None else int(value)


class DealSerializer(serializers.ModelSerializer):
    # Plain ids: a lookup against all customers would tell who exists beyond one's view.
    customer = IdSerializerField(source="customer_id")
    owner = serializers.SlugRelatedField(
        slug_field="username", queryset=ACTIVE_USERS, required=False
    )
    co_owners = serializers.SlugRelatedField(
        slug_field="username", queryset=ACTIVE_USERS, many=True, required=False
    )
    contacts = VisibleContactField(many=True, required=False)
    products = serializers.PrimaryKeyRelatedField(many=True, required=False, read_only=True)
    stage = serializers.PrimaryKeyRelatedField(
        queryset=DealStage.objects.filter(is_active=True), required=False, allow_null=True
    )
    probability = serializers.IntegerField(read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    renews = RenewalLinkField(
        "renews", help_text="The deal whose contract this deal renews (null if none you see)."
    )
    renewed_by = RenewalLinkField(
        "renewed_by", help_text="The deal renewing this deal's contract (null if none you see)."
    )

    class Meta:
        model = Deal
        fields = [
            "id",
            "number",
            "name",
            "customer",
            "contacts",
            "owner",
            "co_owners",
            "products",
            "amount",
            "currency",
            "expected_close_date",
            "source",
            "opened_on",
            "state",
            "stage",
            "probability",
            "closed_on",
            "completed_on",
            "close_reason",
            "notes",
            "renews",
            "renewed_by",
            "url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "number",
            "state",
            "closed_on",
            "completed_on",
            "close_reason",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "amount": {"required": False},
            "currency": {"required": False},
            "opened_on": {"required": False},
        }


@extend_schema_view(
    list=extend_schema(
        parameters=[
            id_parameter("stage", "Tracked deals at this stage."),
            id_parameter("owner", "Deals of this owner (a user id)."),
            id_parameter("customer", "Deals of this customer."),
        ]
    )
)
class DealViewSet(viewsets.ModelViewSet):
    """Deals the caller may see; filters: view=mine, state (or "open"), stage, owner (id),
    customer (id), closing=1, q (name or number), sort (-updated, updated, number, -number,
    closing). POST needs only a name and a customer; the owner defaults to the caller."""

    serializer_class = DealSerializer
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        from portal.records.deals.queries import SORTS

        for name in ("stage", "owner", "customer"):
            id_param(self.request.query_params, name)  # a 400 naming it, not a 500
        filters = DealFilters.from_query(self.request.query_params)
        column, descending = SORTS[filters.sort]
        order = [f"-{column}", "-pk"] if descending else [column, "pk"]
        return with_renewal_links(
            visible_filtered_deals(self.request.user, filters)
            .select_related("owner", "stage")
            .prefetch_related("contacts", "co_owners", "products")
            .order_by(*order),
            self.request.user,
        )

    def get_object(self):
        return access_deal(self.request.user, self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        customer = customer_named(request.user, data.pop("customer_id"))
        deal = actions.create_deal(
            acting_user=request.user,
            customer=customer,
            owner=data.pop("owner", None),
            contacts=data.pop("contacts", ()),
            co_owners=data.pop("co_owners", ()),
            **data,
        )
        return Response(self.get_serializer(deal).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        deal = self.get_object()
        serializer = self.get_serializer(
            deal, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        customer_id = data.pop("customer_id", deal.customer_id)
        if customer_id != deal.customer_id:
            raise exceptions.ValidationError(
                {"customer": ["A deal does not move to another customer."]}
            )
        new_owner = data.pop("owner", None)
        with transaction.atomic():
            actions.update_deal(
                deal,
                acting_user=request.user,
                contacts=data.pop("contacts", None),
                co_owners=data.pop("co_owners", None),
                **data,
            )
            if new_owner is not None and new_owner.pk != deal.owner_id:
                actions.handover_deal(deal, to_user=new_owner, acting_user=request.user)
        return Response(self.get_serializer(access_deal(request.user, deal.pk)).data)

    def _state_change(self, request, run) -> Response:
        deal = self.get_object()
        run(deal)
        return Response(self.get_serializer(deal).data)

    @action(detail=True, methods=["post"])
    def win(self, request, pk=None):
        """Tracking → won (optional closed_on, reason)."""
        closed_on = serializers.DateField(required=False, allow_null=True).run_validation(
            _body(request).get("closed_on") or None
        )
        return self._state_change(
            request,
            lambda deal: actions.win_deal(
                deal,
                acting_user=request.user,
                closed_on=closed_on,
                reason=str(_body(request).get("reason", "")),
            ),
        )

    @action(detail=True, methods=["post"])
    def lose(self, request, pk=None):
        """Tracking → lost, or abandoned with {"abandoned": true}; a reason is required."""
        abandoned = str(_body(request).get("abandoned", "")).lower() in {"1", "true", "yes"}
        return self._state_change(
            request,
            lambda deal: actions.lose_deal(
                deal,
                acting_user=request.user,
                reason=str(_body(request).get("reason", "")),
                abandoned=abandoned,
            ),
        )

    @action(detail=True, methods=["post"])
    def handover(self, request, pk=None):
        """Hand the deal to {"to_user": username}."""
        username = str(_body(request).get("to_user", ""))
        to_user = ACTIVE_USERS.filter(username=username).first()
        if to_user is None:
            raise exceptions.ValidationError({"to_user": ["No such person."]})
        return self._state_change(
            request,
            lambda deal: actions.handover_deal(deal, to_user=to_user, acting_user=request.user),
        )


class ActivitySerializer(serializers.ModelSerializer):
    # Plain ids: a lookup against all deals or customers would tell who exists beyond one's
    # view; the create below asks the policies (unknown and invisible: the same field error).
    deal = IdSerializerField(source="deal_id", required=False, allow_null=True)
    customer = IdSerializerField(source="customer_id", required=False)
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    due_at = moment_serializer_field(required=False)
    ends_at = moment_serializer_field(required=False, allow_null=True)
    remind_minutes = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=MAX_REMIND_MINUTES
    )
    contacts = VisibleContactField(many=True, required=False)
    attendees = serializers.SlugRelatedField(
        slug_field="username", queryset=ACTIVE_USERS, many=True, required=False
    )
    is_overdue = serializers.BooleanField(read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "deal",
            "customer",
            "kind",
            "status",
            "due_at",
            "ends_at",
            "subject",
            "place",
            "participants",
            "contacts",
            "attendees",
            "remind_minutes",
            "outcome",
            "next_step",
            "owner",
            "done_at",
            "is_overdue",
            "url",
            "created_at",
        ]
        read_only_fields = ["id", "owner", "done_at", "created_at"]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            id_parameter("deal", "Activities of this deal."),
            id_parameter("customer", "Activities of this customer (with or without a deal)."),
        ]
    )
)
class ActivityViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Activities on deals and customers the caller may see; filters: deal (id), customer
    (id), status, mine=1, overdue=1. POST needs a deal or a customer (or both, the deal being
    the customer's) and a subject (and due_at for a planned one; a done one defaults to now);
    an appointment adds ends_at, place, attendees (usernames), contacts and remind_minutes.
    POST /activities/{id}/complete/ with outcome, next_step, next_kind, next_due_at;
    POST /activities/{id}/cancel/ for a planned one."""

    serializer_class = ActivitySerializer

    def get_queryset(self):
        from django.utils import timezone

        params = self.request.query_params
        queryset = (
            activities_visible_to(self.request.user)
            .select_related("owner")
            .prefetch_related("contacts", "attendees")
        )
        if (deal := id_param(params, "deal")) is not None:
            queryset = queryset.filter(deal_id=deal)
        if (customer := id_param(params, "customer")) is not None:
            queryset = queryset.filter(customer_id=customer)
        if params.get("status") in Activity.Status.values:
            queryset = queryset.filter(status=params["status"])
        if params.get("mine") == "1":
            queryset = queryset.filter(owner=self.request.user)
        if params.get("overdue") == "1":
            queryset = queryset.filter(status=Activity.Status.PLANNED, due_at__lt=timezone.now())
        return queryset.order_by("-due_at", "-pk")

    def get_object(self):
        try:
            return self.get_queryset().select_related("deal", "customer").get(pk=self.kwargs["pk"])
        except (Activity.DoesNotExist, ValueError):
            raise Http404("No such activity.") from None

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        deal_id = data.pop("deal_id", None)
        customer_id = data.pop("customer_id", None)
        if deal_id is None and customer_id is None:
            raise exceptions.ValidationError(
                {"customer": [_("Name the customer (or the deal) the activity is about.")]}
            )
        deal = _deal_for(request.user, deal_id) if deal_id is not None else None
        customer = customer_named(request.user, customer_id) if customer_id is not None else None
        status_value = data.pop("status", Activity.Status.PLANNED)
        activity = actions.create_activity(
            deal, customer=customer, acting_user=request.user, status=status_value, **data
        )
        return Response(self.get_serializer(activity).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        activity = self.get_object()
        next_due_at = moment_serializer_field(required=False, allow_null=True).run_validation(
            _body(request).get("next_due_at") or None
        )
        actions.complete_activity(
            activity,
            acting_user=request.user,
            outcome=str(_body(request).get("outcome", "")),
            next_step=str(_body(request).get("next_step", "")),
            next_kind=str(_body(request).get("next_kind", "")),
            next_due_at=next_due_at,
        )
        activity.refresh_from_db()
        return Response(self.get_serializer(activity).data)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a planned activity (the owner, co-owners, their managers)."""
        activity = self.get_object()
        actions.cancel_activity(activity, acting_user=request.user)
        return Response(self.get_serializer(activity).data)


class ReminderSerializer(serializers.ModelSerializer):
    deal = IdSerializerField(source="deal_id")
    people = serializers.SlugRelatedField(
        slug_field="username", queryset=ACTIVE_USERS, many=True, required=False
    )
    due_at = moment_serializer_field()
    is_due = serializers.BooleanField(read_only=True)

    class Meta:
        model = DealReminder
        fields = ["id", "deal", "kind", "due_at", "subject", "body", "people", "is_due"]
        read_only_fields = ["id"]


@extend_schema_view(
    list=extend_schema(parameters=[id_parameter("deal", "Reminders of this deal.")])
)
class ReminderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Reminders and appointments on deals the caller may see; mine=1 keeps those that
    remind the caller, deal=<id>, upcoming=1. POST needs a deal, a time and a subject (the
    caller is reminded unless people are named)."""

    serializer_class = ReminderSerializer

    def get_queryset(self):
        from django.utils import timezone

        params = self.request.query_params
        queryset = reminders_visible_to(self.request.user).prefetch_related("people")
        if params.get("mine") == "1":
            queryset = queryset.filter(people=self.request.user)
        if (deal := id_param(params, "deal")) is not None:
            queryset = queryset.filter(deal_id=deal)
        if params.get("upcoming") == "1":
            queryset = queryset.filter(due_at__gte=timezone.now())
        return queryset.order_by("due_at", "pk")

    def get_object(self):
        try:
            return self.get_queryset().select_related("deal").get(pk=self.kwargs["pk"])
        except (DealReminder.DoesNotExist, ValueError):
            raise Http404("No such reminder.") from None

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        deal = _deal_for(request.user, data.pop("deal_id"))
        reminder = actions.create_deal_reminder(
            deal,
            acting_user=request.user,
            due_at=data["due_at"],
            subject=data["subject"],
            body=data.get("body", ""),
            people=data.get("people") or None,
            kind=data.get("kind", DealReminder.Kind.REMINDER),
        )
        return Response(self.get_serializer(reminder).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        reminder = self.get_object()
        actions.delete_deal_reminder(reminder, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router) -> None:
    """Register the deal viewsets on the v1 router (called from records/api.py)."""
    router.register("deals", DealViewSet, basename="deal")
    router.register("activities", ActivityViewSet, basename="activity")
    router.register("reminders", ReminderViewSet, basename="reminder")
