"""API: who am I, and the people directory (for pickers and @mentions)."""

from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .models import User


class PersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    department = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = User
        fields = ["id", "username", "name", "department", "title"]


class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PersonSerializer
    queryset = User.objects.filter(is_active=True).select_related("department").order_by("username")

    def get_queryset(self):
        queryset = super().get_queryset()
        q = self.request.query_params.get("q", "").strip()
        if q:
            from django.db.models import Q

            queryset = queryset.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
        return queryset

    @action(detail=False)
    def me(self, request):
        return Response(PersonSerializer(request.user).data)


def register(router) -> None:
    router.register("people", PersonViewSet, basename="person")
