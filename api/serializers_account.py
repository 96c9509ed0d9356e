from rest_framework import serializers


class RoleSerializer(serializers.Serializer):
    role = serializers.CharField()
    role_label = serializers.CharField(source="get_role_display")
    agency = serializers.CharField(source="agency.code", allow_null=True, default=None)
    agency_name = serializers.CharField(source="agency.name", allow_null=True, default=None)


class ShopBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    name = serializers.CharField()


class MeSerializer(serializers.Serializer):
    """Who the caller is to Peken: what a connected system needs to choose a shop or an agency."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    token = serializers.CharField(allow_null=True, help_text="the token's name; null with a session")
    scopes = serializers.ListField(child=serializers.CharField())
    shops = ShopBriefSerializer(many=True)
    roles = RoleSerializer(many=True)
