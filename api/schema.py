"""How the OpenAPI schema describes Peken's API: the token scheme and the one error shape."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from api.errors import ErrorSerializer

ERRORS = {
    "400": "Bad input: `fields` names each field and what is wrong with it.",
    "401": "No credentials, or a token that is unknown or revoked.",
    "403": "Signed in, but this person or token may not do this.",
    "404": "No such object, or not one this person may see.",
    "405": "This method is not allowed here.",
    "406": "The Accept header asks for a format the API does not give.",
    "409": "Understood, but the state of things refuses it (a status, a budget, a rule).",
    "415": "The body is not JSON (or multipart where a file is sent).",
    "429": "Too many requests for this token or address; Retry-After says when to try again.",
}


class PekenAutoSchema(AutoSchema):
    """Every operation documents the errors it can answer, all in ``ErrorSerializer``'s shape."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, description in ERRORS.items():
            responses.setdefault(
                code,
                self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description), code, direction=direction
                ),
            )
        return responses


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal token made on the account page (Akun → Token API): "
            "`Authorization: Bearer pkn_…`. Its scopes (read, seller, procurement) limit what it may do; "
            "the person's own roles still decide which shop or agency it reaches.",
        }
