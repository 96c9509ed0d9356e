"""Who is calling: the person, the token's scopes, their shops and their roles in agencies."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.models import ApiToken
from api.permissions import token_scopes
from api.serializers_account import MeSerializer
from procurement.selectors import memberships_of
from sellers.selectors import centre_shops


@extend_schema(tags=["account"], responses=MeSerializer)
class Me(APIView):
    """The caller, with any scope: a system checks its token here before it does anything else."""

    permission_classes = [IsAuthenticated]
    required_scope = None

    def get(self, request, *args, **kwargs):
        user = request.user
        body = {
            "id": user.pk,
            "name": user.get_full_name() or user.email,
            "token": request.auth.name if isinstance(request.auth, ApiToken) else None,
            "scopes": sorted(token_scopes(request)),
            "shops": centre_shops(user=user),
            "roles": memberships_of(user=user),
        }
        return Response(MeSerializer(body).data)


urls = [path("me/", Me.as_view(), name="me")]
