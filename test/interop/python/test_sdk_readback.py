"""The official Python SDK (gitpod-sdk 0.11.0) reads what an identity provider provisioned.

The test runner (test/interop/python-sdk.test.ts) makes a provisioning run through /scim/v2 in a
fresh organization first (test/support/provisioning-run.ts: Alice, Bob, Erin active, Carol
suspended, Dave deleted, the group "Engineering" with Alice, Bob, Carol and Erin) and passes what
it made in SCIM_TEST_EXPECTED (JSON). These tests read it back unmodified through the SDK's
documented calls: organizations.list_members, groups.list / retrieve, groups.memberships.list /
retrieve and events.list, with their auto-paging, and check the exact state.

Environment: GITPOD_BASE_URL, GITPOD_API_KEY (admin of that organization),
SCIM_TEST_ORGANIZATION_ID, SCIM_TEST_EXPECTED, SCIM_TEST_OTHER_GROUP_ID (a group of another
organization), SCIM_TEST_OTHER_ORGANIZATION_ID.
"""

import json
import os
import unittest
from datetime import datetime, timedelta, timezone

import gitpod
from gitpod import Gitpod

ORGANIZATION_ID = os.environ["SCIM_TEST_ORGANIZATION_ID"]
EXPECTED = json.loads(os.environ["SCIM_TEST_EXPECTED"])
PEOPLE = EXPECTED["people"]
GROUP_ID = EXPECTED["groupId"]
SCIM_CONFIGURATION_ID = EXPECTED["scimConfigurationId"]


def person(key: str) -> dict:
    return PEOPLE[key]


class Members(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.client = Gitpod()

    def test_list_members_gives_each_member_exactly(self) -> None:
        members = list(self.client.organizations.list_members(organization_id=ORGANIZATION_ID))
        expected = [
            ("alice", "USER_STATUS_ACTIVE"),
            ("bob", "USER_STATUS_ACTIVE"),
            ("carol", "USER_STATUS_SUSPENDED"),
            ("dave", "USER_STATUS_LEFT"),
            ("erin", "USER_STATUS_ACTIVE"),
        ]
        self.assertEqual(
            [(m.user_id, m.full_name, m.email, m.status, m.role) for m in members],
            [(person(k)["userId"], person(k)["fullName"], person(k)["email"], status, "ORGANIZATION_ROLE_MEMBER") for k, status in expected],
        )
        now = datetime.now(timezone.utc)
        for m in members:
            self.assertEqual(m.login_provider, SCIM_CONFIGURATION_ID)
            self.assertIsNotNone(m.member_since.tzinfo)
            self.assertLess(abs(now - m.member_since), timedelta(minutes=5))

    def test_auto_paging_filters_and_sort(self) -> None:
        two_at_a_time = self.client.organizations.list_members(organization_id=ORGANIZATION_ID, page_size=2)
        self.assertEqual([m.full_name for m in two_at_a_time], sorted(p["fullName"] for p in PEOPLE.values()))
        suspended_or_left = self.client.organizations.list_members(
            organization_id=ORGANIZATION_ID, filter={"statuses": ["USER_STATUS_SUSPENDED", "USER_STATUS_LEFT"]}
        )
        self.assertEqual([m.user_id for m in suspended_or_left], [person("carol")["userId"], person("dave")["userId"]])
        newest_first = self.client.organizations.list_members(
            organization_id=ORGANIZATION_ID, sort={"field": "SORT_FIELD_DATE_JOINED", "order": "SORT_ORDER_DESC"}
        )
        self.assertEqual([m.user_id for m in newest_first], [person(k)["userId"] for k in ["erin", "dave", "carol", "bob", "alice"]])
        found = self.client.organizations.list_members(organization_id=ORGANIZATION_ID, filter={"search": "cooper"})
        self.assertEqual([m.full_name for m in found], ["Carol Cooper"])

    def test_another_organization_is_permission_denied(self) -> None:
        with self.assertRaises(gitpod.PermissionDeniedError):
            list(self.client.organizations.list_members(organization_id=os.environ["SCIM_TEST_OTHER_ORGANIZATION_ID"]))


class Groups(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.client = Gitpod()

    def test_list_and_retrieve_the_group(self) -> None:
        groups = list(self.client.groups.list())
        self.assertEqual([(g.id, g.name, g.member_count, g.organization_id) for g in groups], [(GROUP_ID, "Engineering", 4, ORGANIZATION_ID)])
        self.assertIn(SCIM_CONFIGURATION_ID, groups[0].description)
        self.assertEqual(self.client.groups.retrieve(group_id=GROUP_ID).group.name, "Engineering")
        self.assertEqual(self.client.groups.retrieve(name="Engineering").group.id, GROUP_ID)

    def test_memberships_list_and_retrieve(self) -> None:
        members = list(self.client.groups.memberships.list(group_id=GROUP_ID, page_size=3))
        self.assertEqual(
            [(m.subject.id, m.subject.principal, m.name, m.group_id) for m in members],
            [(person(k)["userId"], "PRINCIPAL_USER", person(k)["fullName"], GROUP_ID) for k in ["alice", "bob", "carol", "erin"]],
        )
        one = self.client.groups.memberships.retrieve(group_id=GROUP_ID, subject={"id": person("bob")["userId"], "principal": "PRINCIPAL_USER"})
        self.assertEqual(one.member.name, "Bob Baker")

    def test_writes_to_a_provisioned_group_are_refused(self) -> None:
        with self.assertRaises(gitpod.BadRequestError) as caught:
            self.client.groups.update(group_id=GROUP_ID, name="Renamed")
        self.assertIn(SCIM_CONFIGURATION_ID, str(caught.exception))
        self.assertEqual(self.client.groups.retrieve(group_id=GROUP_ID).group.name, "Engineering")

    def test_another_organizations_group_is_not_found(self) -> None:
        with self.assertRaises(gitpod.NotFoundError):
            self.client.groups.retrieve(group_id=os.environ["SCIM_TEST_OTHER_GROUP_ID"])


class AuditLogs(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.client = Gitpod()

    def test_events_list_gives_the_runs_changes_newest_first(self) -> None:
        entries = list(self.client.events.list(filter={"actor_ids": [SCIM_CONFIGURATION_ID]}, page_size=4))
        subject = lambda key: GROUP_ID if key == "group" else person(key)["userId"]
        self.assertEqual(
            [(e.action, e.subject_id, e.actor_id, e.actor_principal) for e in entries],
            [(action, subject(key), SCIM_CONFIGURATION_ID, "PRINCIPAL_SERVICE_ACCOUNT") for action, _, key, _ in reversed(EXPECTED["changes"])],
        )
        self.assertEqual({e.subject_type for e in entries}, {"RESOURCE_TYPE_USER", "RESOURCE_TYPE_GROUP"})
        times = [e.created_at for e in entries]
        self.assertEqual(times, sorted(times, reverse=True))

    def test_events_list_filters_by_subject(self) -> None:
        entries = list(self.client.events.list(filter={"subject_ids": [person("carol")["userId"]]}))
        self.assertEqual([e.action for e in entries], ["scim.user.patch", "scim.user.create"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
