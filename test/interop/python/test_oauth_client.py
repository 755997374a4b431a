"""A standard OAuth 2.0 client library against POST /oauth2/token and /scim/v2.

requests-oauthlib's BackendApplicationClient is RFC 6749 section 4.4 (client credentials) as
Python code commonly does it: fetch_token() sends the client id and secret by HTTP Basic (its
default for confidential clients) or in the body (include_client_id=True), parses the token
response, and OAuth2Session then sends "Authorization: Bearer <access token>" on each request.

Environment: SCIM_BASE_URL (the service), SCIM_CLIENT_ID and SCIM_CLIENT_SECRET (a client secret
of a SCIM configuration).
"""

import os
import unittest
import uuid

from oauthlib.oauth2 import BackendApplicationClient, InvalidClientError, UnsupportedGrantTypeError
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session

BASE = os.environ["SCIM_BASE_URL"].rstrip("/")
CLIENT_ID = os.environ["SCIM_CLIENT_ID"]
CLIENT_SECRET = os.environ["SCIM_CLIENT_SECRET"]
TOKEN_URL = BASE + "/oauth2/token"
SCIM = "application/scim+json"


class ClientCredentialsTest(unittest.TestCase):
    def session(self):
        return OAuth2Session(client=BackendApplicationClient(client_id=CLIENT_ID))

    def test_basic_authentication_then_scim_calls(self):
        oauth = self.session()
        token = oauth.fetch_token(token_url=TOKEN_URL, auth=HTTPBasicAuth(CLIENT_ID, CLIENT_SECRET))
        self.assertEqual(token["token_type"], "Bearer")
        self.assertEqual(token["expires_in"], 3600)
        self.assertTrue(token["access_token"].startswith("scimat_"))

        config = oauth.get(BASE + "/scim/v2/ServiceProviderConfig")
        self.assertEqual(config.status_code, 200)
        schemes = [s["type"] for s in config.json()["authenticationSchemes"]]
        self.assertEqual(schemes, ["oauthbearertoken", "oauth2"])

        name = f"oauth-{uuid.uuid4()}@example.com"
        created = oauth.post(BASE + "/scim/v2/Users", json={"userName": name, "emails": [{"value": name, "primary": True}]}, headers={"Content-Type": SCIM})
        self.assertEqual(created.status_code, 201, created.text)
        found = oauth.get(BASE + "/scim/v2/Users", params={"filter": f'userName eq "{name}"'})
        self.assertEqual(found.json()["totalResults"], 1)
        self.assertEqual(found.json()["Resources"][0]["id"], created.json()["id"])

    def test_credentials_in_the_body(self):
        oauth = self.session()
        token = oauth.fetch_token(token_url=TOKEN_URL, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, include_client_id=True, scope=["scim"])
        self.assertEqual(token["scope"], ["scim"])
        self.assertEqual(oauth.get(BASE + "/scim/v2/Groups").status_code, 200)

    def test_library_raises_the_rfc_errors(self):
        with self.assertRaises(InvalidClientError):
            self.session().fetch_token(token_url=TOKEN_URL, auth=HTTPBasicAuth(CLIENT_ID, "scimcs_" + "A" * 46))
        # The library maps the error code of the response body to its exception classes.
        client = BackendApplicationClient(client_id=CLIENT_ID)
        client.grant_type = "password"
        with self.assertRaises(UnsupportedGrantTypeError):
            OAuth2Session(client=client).fetch_token(token_url=TOKEN_URL, auth=HTTPBasicAuth(CLIENT_ID, CLIENT_SECRET))


if __name__ == "__main__":
    unittest.main()
