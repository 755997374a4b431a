"""A client whose field numbers come from upstream, not from this repository's proto/.

The message classes are built from the FileDescriptorProto that Ona itself generated and ships in
gitpod-sdk 1.2.0 (gitpod/v1/organization_pb2.py and pagination_pb2.py). Those modules cannot be
imported here (they import protovalidate and gnostic modules no package provides), so the
serialized descriptor is read from them, trimmed to the SSO and SCIM messages with every field
and number untouched, and loaded into a fresh descriptor pool. The client then calls the service
with binary protobuf over gRPC (grpcio) and over the Connect protocol (HTTP POST
application/proto). If this service renumbered a field, these decodes would come out wrong.

Environment: SCIM_TEST_GRPC_TARGET, SCIM_TEST_BASE_URL, SCIM_TEST_API_KEY,
SCIM_TEST_ORGANIZATION_ID, SCIM_TEST_UPSTREAM_SDK (the unpacked gitpod-sdk 1.2.0).
"""

import ast
import os
import re
import unittest
import uuid
from pathlib import Path

import grpc
import httpx
from google.protobuf import descriptor_pb2, descriptor_pool, duration_pb2, message_factory, timestamp_pb2

TARGET = os.environ["SCIM_TEST_GRPC_TARGET"]
BASE_URL = os.environ["SCIM_TEST_BASE_URL"]
API_KEY = os.environ["SCIM_TEST_API_KEY"]
ORGANIZATION_ID = os.environ["SCIM_TEST_ORGANIZATION_ID"]
UPSTREAM = Path(os.environ["SCIM_TEST_UPSTREAM_SDK"]) / "gitpod" / "v1"
SERVICE = "gitpod.v1.OrganizationService"
METHODS = [
    "CreateSSOConfiguration",
    "GetSSOConfiguration",
    "ListSSOConfigurations",
    "DeleteSSOConfiguration",
    "UpdateSSOConfiguration",
    "CreateSCIMConfiguration",
    "GetSCIMConfiguration",
    "ListSCIMConfigurations",
    "UpdateSCIMConfiguration",
    "DeleteSCIMConfiguration",
    "RegenerateSCIMToken",
]


def upstream_file(module: str) -> descriptor_pb2.FileDescriptorProto:
    source = (UPSTREAM / module).read_text()
    literal = re.search(r"AddSerializedFile\((b'.*?')\)\n", source, re.S)
    if not literal:
        raise RuntimeError(f"no serialized descriptor in {module}")
    return descriptor_pb2.FileDescriptorProto.FromString(ast.literal_eval(literal.group(1)))


def trimmed_organization_file(full: descriptor_pb2.FileDescriptorProto) -> descriptor_pb2.FileDescriptorProto:
    """The upstream file with only what the SSO and SCIM methods reach; messages copied whole."""
    messages = {m.name: m for m in full.message_type}
    enums = {e.name: e for e in full.enum_type}
    service = next(s for s in full.service if s.name == "OrganizationService")
    methods = [m for m in service.method if m.name in METHODS]
    if [m.name for m in methods] != METHODS:
        raise RuntimeError(f"upstream OrganizationService lacks some of {METHODS}")

    keep_messages, keep_enums = [], []
    pending = [t for m in methods for t in (m.input_type, m.output_type)]
    while pending:
        name = pending.pop().removeprefix(".gitpod.v1.")
        top = name.split(".")[0]
        if top in messages and top not in keep_messages:
            keep_messages.append(top)
            stack = [messages[top]]
            while stack:
                message = stack.pop()
                pending.extend(f.type_name for f in message.field if f.type_name.startswith(".gitpod.v1."))
                stack.extend(message.nested_type)
        elif top in enums and top not in keep_enums:
            keep_enums.append(top)

    out = descriptor_pb2.FileDescriptorProto(name="upstream/gitpod/v1/organization.proto", package=full.package, syntax=full.syntax)
    out.dependency.extend(["upstream/gitpod/v1/pagination.proto", "google/protobuf/duration.proto", "google/protobuf/timestamp.proto"])
    for name in keep_messages:
        out.message_type.add().CopyFrom(messages[name])
    for name in keep_enums:
        out.enum_type.add().CopyFrom(enums[name])
    trimmed = out.service.add(name=service.name)
    for method in methods:
        trimmed.method.add().CopyFrom(method)
    return out


def load_upstream_pool() -> descriptor_pool.DescriptorPool:
    pool = descriptor_pool.DescriptorPool()
    for wkt in (duration_pb2, timestamp_pb2):
        proto = descriptor_pb2.FileDescriptorProto()
        wkt.DESCRIPTOR.CopyToProto(proto)
        pool.Add(proto)
    pagination = upstream_file("pagination_pb2.py")
    pagination.name = "upstream/gitpod/v1/pagination.proto"
    del pagination.dependency[:]  # only buf/validate, whose options are left unparsed
    pool.Add(pagination)
    pool.Add(trimmed_organization_file(upstream_file("organization_pb2.py")))
    return pool


POOL = load_upstream_pool()


def message(name: str):
    return message_factory.GetMessageClass(POOL.FindMessageTypeByName(f"gitpod.v1.{name}"))


class UpstreamError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class GrpcTransport:
    name = "gRPC"

    def __init__(self) -> None:
        self.channel = grpc.insecure_channel(TARGET)

    def call(self, method: str, request):
        response_class = message(POOL.FindServiceByName(SERVICE).FindMethodByName(method).output_type.name)
        rpc = self.channel.unary_unary(f"/{SERVICE}/{method}", request_serializer=lambda m: m.SerializeToString(), response_deserializer=response_class.FromString)
        try:
            return rpc(request, metadata=(("authorization", f"Bearer {API_KEY}"),), timeout=10)
        except grpc.RpcError as err:
            raise UpstreamError(err.code().name.lower(), err.details()) from err

    def close(self) -> None:
        self.channel.close()


class ConnectTransport:
    name = "Connect (binary)"

    def __init__(self) -> None:
        self.http = httpx.Client(base_url=BASE_URL, timeout=10)

    def call(self, method: str, request):
        response_class = message(POOL.FindServiceByName(SERVICE).FindMethodByName(method).output_type.name)
        res = self.http.post(
            f"/{SERVICE}/{method}",
            content=request.SerializeToString(),
            headers={"content-type": "application/proto", "connect-protocol-version": "1", "authorization": f"Bearer {API_KEY}"},
        )
        if res.status_code != 200:
            body = res.json()  # Connect errors are JSON whatever the request's codec
            raise UpstreamError(body["code"], body.get("message", ""))
        self_check = res.headers["content-type"]
        if self_check != "application/proto":
            raise AssertionError(f"unexpected content-type {self_check}")
        return response_class.FromString(res.content)

    def close(self) -> None:
        self.http.close()


class UpstreamNumbered:
    transport_class = GrpcTransport

    @classmethod
    def setUpClass(cls) -> None:
        cls.transport = cls.transport_class()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.transport.close()

    def new_sso_configuration(self) -> str:
        request = message("CreateSSOConfigurationRequest")(
            organization_id=ORGANIZATION_ID,
            client_id=f"upstream-{uuid.uuid4()}",
            client_secret="upstream-secret",
            issuer_url="https://accounts.google.com",
            display_name="Upstream numbered",
            email_domains=["example.com"],
        )
        sso = self.transport.call("CreateSSOConfiguration", request).sso_configuration
        self.assertEqual(sso.organization_id, ORGANIZATION_ID)
        self.assertEqual(sso.display_name, "Upstream numbered")
        self.assertEqual(list(sso.email_domains), ["example.com"])
        self.assertEqual(sso.issuer_url, "https://accounts.google.com")
        return sso.id

    def test_scim_lifecycle(self) -> None:
        sso_id = self.new_sso_configuration()
        created = self.transport.call(
            "CreateSCIMConfiguration",
            message("CreateSCIMConfigurationRequest")(
                organization_id=ORGANIZATION_ID,
                sso_configuration_id=sso_id,
                name=f"upstream {self.transport.name}",
                token_expires_in={"seconds": 7776000},
                allow_unverified_email_account_linking=True,
            ),
        )
        config = created.scim_configuration
        self.assertTrue(created.token.startswith("scim_"))
        uuid.UUID(config.id)
        self.assertEqual(config.organization_id, ORGANIZATION_ID)
        self.assertEqual(config.sso_configuration_id, sso_id)
        self.assertEqual(config.name, f"upstream {self.transport.name}")
        self.assertTrue(config.enabled)
        self.assertTrue(config.allow_unverified_email_account_linking)
        self.assertEqual(created.token_expires_at.seconds - config.created_at.seconds, 7776000)
        self.assertEqual(config.token_expires_at.seconds, created.token_expires_at.seconds)
        self.assertGreater(config.updated_at.seconds, 0)

        regenerated = self.transport.call(
            "RegenerateSCIMToken",
            message("RegenerateSCIMTokenRequest")(scim_configuration_id=config.id, token_expires_in={"seconds": 15552000}),
        )
        self.assertTrue(regenerated.token.startswith("scim_"))
        self.assertNotEqual(regenerated.token, created.token)

        got = self.transport.call("GetSCIMConfiguration", message("GetSCIMConfigurationRequest")(scim_configuration_id=config.id)).scim_configuration
        self.assertEqual(got.id, config.id)
        self.assertEqual(got.token_expires_at.seconds, regenerated.token_expires_at.seconds)
        self.assertEqual(regenerated.token_expires_at.seconds - got.updated_at.seconds, 15552000)

        updated = self.transport.call(
            "UpdateSCIMConfiguration",
            message("UpdateSCIMConfigurationRequest")(scim_configuration_id=config.id, enabled=False, allow_unverified_email_account_linking=False),
        ).scim_configuration
        self.assertFalse(updated.enabled)
        self.assertFalse(updated.allow_unverified_email_account_linking)
        self.assertEqual(updated.name, config.name)

        listed = self.transport.call(
            "ListSCIMConfigurations",
            message("ListSCIMConfigurationsRequest")(pagination=message("PaginationRequest")(page_size=1)),
        )
        self.assertEqual(len(listed.scim_configurations), 1)
        self.assertNotEqual(listed.pagination.next_token, "")
        seen, token = [], ""
        while True:
            page = self.transport.call(
                "ListSCIMConfigurations",
                message("ListSCIMConfigurationsRequest")(pagination=message("PaginationRequest")(page_size=100, token=token)),
            )
            seen.extend(c.id for c in page.scim_configurations)
            token = page.pagination.next_token
            if not token:
                break
        self.assertIn(config.id, seen)

        self.transport.call("DeleteSCIMConfiguration", message("DeleteSCIMConfigurationRequest")(scim_configuration_id=config.id))
        with self.assertRaises(UpstreamError) as caught:
            self.transport.call("GetSCIMConfiguration", message("GetSCIMConfigurationRequest")(scim_configuration_id=config.id))
        self.assertEqual(caught.exception.code, "not_found")

    def test_sso_list_and_get_by_upstream_numbers(self) -> None:
        sso_id = self.new_sso_configuration()
        got = self.transport.call("GetSSOConfiguration", message("GetSSOConfigurationRequest")(sso_configuration_id=sso_id)).sso_configuration
        self.assertEqual(got.id, sso_id)
        listed = self.transport.call(
            "ListSSOConfigurations",
            message("ListSSOConfigurationsRequest")(organization_id=ORGANIZATION_ID, pagination=message("PaginationRequest")(page_size=100)),
        )
        self.assertIn(sso_id, [s.id for s in listed.sso_configurations])

    def test_a_lifetime_under_one_day_is_invalid(self) -> None:
        with self.assertRaises(UpstreamError) as caught:
            self.transport.call(
                "RegenerateSCIMToken",
                message("RegenerateSCIMTokenRequest")(scim_configuration_id=str(uuid.uuid4()), token_expires_in={"seconds": 86399}),
            )
        self.assertEqual(caught.exception.code, "invalid_argument")


class OverGrpc(UpstreamNumbered, unittest.TestCase):
    transport_class = GrpcTransport


class OverConnect(UpstreamNumbered, unittest.TestCase):
    transport_class = ConnectTransport


if __name__ == "__main__":
    unittest.main(verbosity=2)
