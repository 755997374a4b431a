"""The official Python SDK (gitpod-sdk, Stainless client) against this service.

Runs the SDK documents' examples against the server named by GITPOD_BASE_URL with the admin key
in GITPOD_API_KEY, the way a customer would. The test runner (test/interop/python-sdk.test.ts)
also passes SCIM_TEST_ORGANIZATION_ID, SCIM_TEST_MEMBER_API_KEY (a member of that organization)
and SCIM_TEST_LIST_API_KEY (the admin of a second, empty organization, for exact list counts).
"""

import os
import unittest
import uuid
from datetime import datetime, timedelta, timezone

import gitpod
from gitpod import Gitpod

ORGANIZATION_ID = os.environ["SCIM_TEST_ORGANIZATION_ID"]
DAY = timedelta(days=1)
# Server and test clocks are the same machine's; a minute covers the calls in between.
SLACK = timedelta(minutes=1)


def new_sso_configuration(client: Gitpod, organization_id: str = ORGANIZATION_ID) -> str:
    created = client.organizations.sso_configurations.create(
        organization_id=organization_id,
        client_id=f"client-{uuid.uuid4()}",
        client_secret="a-client-secret",
        issuer_url="https://accounts.google.com",
        display_name="Interop IdP",
    )
    return created.sso_configuration.id


class Lifetimes(unittest.TestCase):
    def assertAbout(self, actual: datetime, expected: datetime) -> None:
        self.assertIsNotNone(actual.tzinfo, "timestamps must be timezone-aware (RFC 3339 with Z)")
        self.assertLess(abs(actual - expected), SLACK, f"{actual} is not about {expected}")


class ScimConfigurationLifecycle(Lifetimes):
    """create, create with a lifetime, regenerate_token, retrieve (get), update, delete."""

    @classmethod
    def setUpClass(cls) -> None:
        # As in the SDK README: the key and base URL come from GITPOD_API_KEY / GITPOD_BASE_URL.
        cls.client = Gitpod()

    def test_create_with_default_one_year_token(self) -> None:
        sso_id = new_sso_configuration(self.client)
        before = datetime.now(timezone.utc)
        response = self.client.organizations.scim_configurations.create(
            organization_id=ORGANIZATION_ID,
            sso_configuration_id=sso_id,
        )
        config = response.scim_configuration
        self.assertTrue(response.token.startswith("scim_"))
        self.assertEqual(config.organization_id, ORGANIZATION_ID)
        self.assertEqual(config.sso_configuration_id, sso_id)
        self.assertIs(config.enabled, True)
        self.assertIsInstance(uuid.UUID(config.id), uuid.UUID)
        self.assertAbout(config.created_at, before)
        self.assertAbout(config.updated_at, before)
        self.assertAbout(response.token_expires_at, before + 365 * DAY)
        self.assertEqual(config.token_expires_at, response.token_expires_at)

    def test_create_with_a_90_day_token(self) -> None:
        sso_id = new_sso_configuration(self.client)
        before = datetime.now(timezone.utc)
        response = self.client.organizations.scim_configurations.create(
            organization_id=ORGANIZATION_ID,
            sso_configuration_id=sso_id,
            token_expires_in="7776000s",
        )
        self.assertAbout(response.token_expires_at, before + 90 * DAY)
        self.assertAbout(response.scim_configuration.token_expires_at, before + 90 * DAY)

    def test_regenerate_token_for_180_days(self) -> None:
        created = self.client.organizations.scim_configurations.create(
            organization_id=ORGANIZATION_ID,
            sso_configuration_id=new_sso_configuration(self.client),
            name="Okta",
        )
        before = datetime.now(timezone.utc)
        response = self.client.organizations.scim_configurations.regenerate_token(
            scim_configuration_id=created.scim_configuration.id,
            token_expires_in="15552000s",
        )
        self.assertTrue(response.token.startswith("scim_"))
        self.assertNotEqual(response.token, created.token)
        self.assertAbout(response.token_expires_at, before + 180 * DAY)

        current = self.client.organizations.scim_configurations.retrieve(
            scim_configuration_id=created.scim_configuration.id,
        ).scim_configuration
        self.assertEqual(current.token_expires_at, response.token_expires_at)
        # Same-millisecond calls may leave it equal; it must never go back.
        self.assertGreaterEqual(current.updated_at, created.scim_configuration.updated_at)

    def test_regenerate_without_lifetime_keeps_the_previous_lifetime(self) -> None:
        created = self.client.organizations.scim_configurations.create(
            organization_id=ORGANIZATION_ID,
            sso_configuration_id=new_sso_configuration(self.client),
            token_expires_in="7776000s",
        )
        before = datetime.now(timezone.utc)
        response = self.client.organizations.scim_configurations.regenerate_token(
            scim_configuration_id=created.scim_configuration.id,
        )
        self.assertAbout(response.token_expires_at, before + 90 * DAY)

    def test_get_update_delete(self) -> None:
        sso_id = new_sso_configuration(self.client)
        other_sso_id = new_sso_configuration(self.client)
        created = self.client.organizations.scim_configurations.create(
            organization_id=ORGANIZATION_ID,
            sso_configuration_id=sso_id,
            name="Entra ID",
        )
        config_id = created.scim_configuration.id

        got = self.client.organizations.scim_configurations.retrieve(scim_configuration_id=config_id)
        self.assertEqual(got.scim_configuration.id, config_id)
        self.assertEqual(got.scim_configuration.name, "Entra ID")
        self.assertEqual(got.scim_configuration.sso_configuration_id, sso_id)
        self.assertNotIn("token", got.to_dict())
        self.assertNotIn(created.token, got.to_json())

        updated = self.client.organizations.scim_configurations.update(
            scim_configuration_id=config_id,
            name="Entra ID (production)",
            enabled=False,
            sso_configuration_id=other_sso_id,
            # 0.11.0 predates this field's keyword argument; extra_body sends it by its JSON name.
            extra_body={"allowUnverifiedEmailAccountLinking": True},
        ).scim_configuration
        self.assertEqual(updated.name, "Entra ID (production)")
        # protojson leaves false out; the SDK reads the absent field as None, i.e. not enabled.
        self.assertFalse(updated.enabled)
        self.assertEqual(updated.sso_configuration_id, other_sso_id)
        self.assertIs(updated.to_dict()["allowUnverifiedEmailAccountLinking"], True)
        self.assertGreaterEqual(updated.updated_at, got.scim_configuration.updated_at)
        self.assertEqual(updated.token_expires_at, got.scim_configuration.token_expires_at)

        # Absent fields stay unchanged.
        renamed = self.client.organizations.scim_configurations.update(
            scim_configuration_id=config_id, name="Entra ID"
        ).scim_configuration
        self.assertFalse(renamed.enabled)
        self.assertEqual(renamed.sso_configuration_id, other_sso_id)

        self.client.organizations.scim_configurations.delete(scim_configuration_id=config_id)
        with self.assertRaises(gitpod.NotFoundError):
            self.client.with_options(max_retries=0).organizations.scim_configurations.retrieve(
                scim_configuration_id=config_id
            )

    def test_strict_response_validation_accepts_every_response(self) -> None:
        # With strict validation the SDK's pydantic models reject any response that lacks a
        # required field or carries a wrongly typed one.
        strict = Gitpod(_strict_response_validation=True, max_retries=0)
        created = strict.organizations.scim_configurations.create(
            organization_id=ORGANIZATION_ID,
            sso_configuration_id=new_sso_configuration(strict),
            token_expires_in="7776000s",
        )
        config_id = created.scim_configuration.id
        strict.organizations.scim_configurations.retrieve(scim_configuration_id=config_id)
        strict.organizations.scim_configurations.update(scim_configuration_id=config_id, enabled=True)
        strict.organizations.scim_configurations.regenerate_token(scim_configuration_id=config_id)
        page = strict.organizations.scim_configurations.list()
        self.assertIn(config_id, [c.id for c in page.scim_configurations])
        strict.organizations.scim_configurations.delete(scim_configuration_id=config_id)


class ListAutoPaging(unittest.TestCase):
    """list() in an organization of its own, so the counts are exact."""

    COUNT = 65

    @classmethod
    def setUpClass(cls) -> None:
        cls.client = Gitpod(bearer_token=os.environ["SCIM_TEST_LIST_API_KEY"])
        organization_id = os.environ["SCIM_TEST_LIST_ORGANIZATION_ID"]
        cls.ids = set()
        for i in range(cls.COUNT):
            response = cls.client.organizations.scim_configurations.create(
                organization_id=organization_id,
                sso_configuration_id=new_sso_configuration(cls.client, organization_id),
                name=f"config {i}",
            )
            cls.ids.add(response.scim_configuration.id)

    def test_auto_paging_yields_every_configuration_once(self) -> None:
        seen = [config.id for config in self.client.organizations.scim_configurations.list()]
        self.assertEqual(len(seen), self.COUNT)
        self.assertEqual(set(seen), self.ids)

    def test_first_page_has_the_default_size_and_a_next_token(self) -> None:
        page = self.client.organizations.scim_configurations.list()
        self.assertEqual(len(page.scim_configurations), 25)
        self.assertTrue(page.pagination.next_token)
        self.assertTrue(page.has_next_page())

    def test_pages_by_hand_with_page_size_in_the_query(self) -> None:
        page = self.client.organizations.scim_configurations.list(page_size=30)
        sizes = [len(page.scim_configurations)]
        while page.has_next_page():
            page = page.get_next_page()
            sizes.append(len(page.scim_configurations))
        self.assertEqual(sizes, [30, 30, 5])

    def test_page_size_in_the_body(self) -> None:
        seen = [c.id for c in self.client.organizations.scim_configurations.list(pagination={"page_size": 50})]
        self.assertEqual(len(seen), self.COUNT)
        first = self.client.organizations.scim_configurations.list(pagination={"page_size": 50})
        self.assertEqual(len(first.scim_configurations), 50)


class ErrorClasses(unittest.TestCase):
    """The SDK's exception classes come from the HTTP status of the Connect error."""

    @classmethod
    def setUpClass(cls) -> None:
        # The SDK retries 409/429/5xx; none of these should be retried, and 0 keeps this fast.
        cls.client = Gitpod(max_retries=0)

    def test_unknown_id_is_not_found(self) -> None:
        with self.assertRaises(gitpod.NotFoundError) as caught:
            self.client.organizations.scim_configurations.retrieve(scim_configuration_id=str(uuid.uuid4()))
        self.assertEqual(caught.exception.status_code, 404)
        with self.assertRaises(gitpod.NotFoundError):
            self.client.organizations.scim_configurations.delete(scim_configuration_id=str(uuid.uuid4()))

    def test_a_lifetime_under_one_day_is_a_bad_request(self) -> None:
        with self.assertRaises(gitpod.BadRequestError) as caught:
            self.client.organizations.scim_configurations.create(
                organization_id=ORGANIZATION_ID,
                sso_configuration_id=new_sso_configuration(self.client),
                token_expires_in="86399s",
            )
        self.assertEqual(caught.exception.status_code, 400)
        self.assertIn("token_expires_in", str(caught.exception))
        with self.assertRaises(gitpod.BadRequestError):
            self.client.organizations.scim_configurations.regenerate_token(
                scim_configuration_id=str(uuid.uuid4()), token_expires_in="63072001s"
            )

    def test_a_bad_key_is_an_authentication_error(self) -> None:
        bad = Gitpod(bearer_token="scimadm_not-a-real-key", max_retries=0)
        with self.assertRaises(gitpod.AuthenticationError) as caught:
            bad.organizations.scim_configurations.list()
        self.assertEqual(caught.exception.status_code, 401)

    def test_a_member_key_may_read_but_not_write(self) -> None:
        member = Gitpod(bearer_token=os.environ["SCIM_TEST_MEMBER_API_KEY"], max_retries=0)
        member.organizations.scim_configurations.list()
        with self.assertRaises(gitpod.PermissionDeniedError) as caught:
            member.organizations.scim_configurations.create(
                organization_id=ORGANIZATION_ID,
                sso_configuration_id=new_sso_configuration(self.client),
            )
        self.assertEqual(caught.exception.status_code, 403)

    def test_a_second_configuration_for_one_sso_configuration_is_a_conflict(self) -> None:
        sso_id = new_sso_configuration(self.client)
        self.client.organizations.scim_configurations.create(organization_id=ORGANIZATION_ID, sso_configuration_id=sso_id)
        with self.assertRaises(gitpod.ConflictError) as caught:
            self.client.organizations.scim_configurations.create(organization_id=ORGANIZATION_ID, sso_configuration_id=sso_id)
        self.assertEqual(caught.exception.status_code, 409)


if __name__ == "__main__":
    unittest.main(verbosity=2)
