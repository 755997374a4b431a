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
import json
import os
import tempfile
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
    """The FileDescriptorProto a generated module registers: the bytes literal passed to its
    AddSerializedFile(...) call, read by Python's parser (a regex can stop early at a "')" inside
    the bytes, which organization_pb2.py has)."""
    source = (UPSTREAM / module).read_text()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "AddSerializedFile":
            return descriptor_pb2.FileDescriptorProto.FromString(node.args[0].value)
    raise RuntimeError(f"no serialized descriptor in {module}")


# The upstream files this service's protos mirror, in dependency order.
UPSTREAM_FILES = ["pagination", "count", "login_provider", "user", "identity", "event", "group", "organization"]
WELL_KNOWN = {".google.protobuf.Timestamp": "google/protobuf/timestamp.proto", ".google.protobuf.Duration": "google/protobuf/duration.proto"}

# The methods these clients call, per service: everything the messages they reach need is kept.
CALLED = {
    "OrganizationService": METHODS + ["ListMembers"],
    "GroupService": ["GetGroup", "ListGroups", "UpdateGroup", "GetMembership", "ListMemberships"],
    "EventService": ["ListAuditLogs"],
}


def trimmed_upstream_files() -> list[descriptor_pb2.FileDescriptorProto]:
    """Ona's files with only what CALLED reaches; kept messages and enums are copied whole."""
    files = {name: upstream_file(f"{name}_pb2.py") for name in UPSTREAM_FILES}
    home = {}  # top-level type name -> file
    for name, fd in files.items():
        for t in list(fd.message_type) + list(fd.enum_type):
            home[t.name] = name
    messages = {m.name: m for fd in files.values() for m in fd.message_type}
    kept: dict[str, list[str]] = {name: [] for name in files}
    pending = []
    for fd in files.values():
        for service in fd.service:
            for method in service.method:
                if method.name in CALLED.get(service.name, []):
                    pending += [method.input_type, method.output_type]
    while pending:
        full = pending.pop()
        if not full.startswith(".gitpod.v1."):
            continue
        top = full.removeprefix(".gitpod.v1.").split(".")[0]
        if top in kept[home[top]]:
            continue
        kept[home[top]].append(top)
        stack = [messages[top]] if top in messages else []
        while stack:
            message = stack.pop()
            pending.extend(f.type_name for f in message.field if f.type_name)
            stack.extend(message.nested_type)

    out = []
    for name, fd in files.items():
        trimmed = descriptor_pb2.FileDescriptorProto(name=f"upstream/gitpod/v1/{name}.proto", package=fd.package, syntax=fd.syntax)
        deps = set()
        for t in fd.message_type:
            if t.name in kept[name]:
                trimmed.message_type.add().CopyFrom(t)
        for t in fd.enum_type:
            if t.name in kept[name]:
                trimmed.enum_type.add().CopyFrom(t)
        stack = list(trimmed.message_type)
        while stack:
            message = stack.pop()
            stack.extend(message.nested_type)
            for f in message.field:
                if f.type_name in WELL_KNOWN:
                    deps.add(WELL_KNOWN[f.type_name])
                elif f.type_name.startswith(".gitpod.v1."):
                    other = home[f.type_name.removeprefix(".gitpod.v1.").split(".")[0]]
                    if other != name:
                        deps.add(f"upstream/gitpod/v1/{other}.proto")
        trimmed.dependency.extend(sorted(deps))
        for service in fd.service:
            methods = [m for m in service.method if m.name in CALLED.get(service.name, [])]
            if not methods:
                continue
            if [m.name for m in methods] != [m for m in [x.name for x in service.method] if m in CALLED[service.name]]:
                raise RuntimeError(f"upstream {service.name} lacks some of {CALLED[service.name]}")
            kept_service = trimmed.service.add(name=service.name)
            for method in methods:
                kept_service.method.add().CopyFrom(method)
        out.append(trimmed)
    return out


def load_upstream_pool() -> descriptor_pool.DescriptorPool:
    pool = descriptor_pool.DescriptorPool()
    for wkt in (duration_pb2, timestamp_pb2):
        proto = descriptor_pb2.FileDescriptorProto()
        wkt.DESCRIPTOR.CopyToProto(proto)
        pool.Add(proto)
    for trimmed in trimmed_upstream_files():
        pool.Add(trimmed)
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

    def call(self, method: str, request, service: str = SERVICE):
        response_class = message_factory.GetMessageClass(POOL.FindServiceByName(service).FindMethodByName(method).output_type)
        rpc = self.channel.unary_unary(f"/{service}/{method}", request_serializer=lambda m: m.SerializeToString(), response_deserializer=response_class.FromString)
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

    def call(self, method: str, request, service: str = SERVICE):
        response_class = message_factory.GetMessageClass(POOL.FindServiceByName(service).FindMethodByName(method).output_type)
        res = self.http.post(
            f"/{service}/{method}",
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


    def test_provisioned_state_by_upstream_numbers(self) -> None:
        """A SCIM run, then ListMembers, ListGroups, ListMemberships and ListAuditLogs decoded with Ona's numbers."""
        sso_id = self.new_sso_configuration()
        created = self.transport.call(
            "CreateSCIMConfiguration",
            message("CreateSCIMConfigurationRequest")(organization_id=ORGANIZATION_ID, sso_configuration_id=sso_id, name="upstream read-back"),
        )
        config_id = created.scim_configuration.id
        tag = uuid.uuid4().hex[:8]
        scim = httpx.Client(base_url=f"{BASE_URL}/scim/v2", headers={"authorization": f"Bearer {created.token}"}, timeout=10)
        users = []
        for given, active in (("Una", True), ("Vic", False)):
            res = scim.post("/Users", json={"userName": f"{given.lower()}-{tag}@example.com", "name": {"givenName": given, "familyName": tag}, "active": active})
            self.assertEqual(res.status_code, 201, res.text)
            users.append(res.json()["id"])
        group = scim.post("/Groups", json={"displayName": f"Upstream {tag}", "members": [{"value": users[0]}]})
        self.assertEqual(group.status_code, 201, group.text)
        scim.close()
        group_id = group.json()["id"]

        UserStatus = POOL.FindEnumTypeByName("gitpod.v1.UserStatus")
        members = self.transport.call(
            "ListMembers",
            message("ListMembersRequest")(organization_id=ORGANIZATION_ID, filter={"search": tag}, count={"include": True}),
        )
        self.assertEqual(
            [(m.full_name, m.email, UserStatus.values_by_number[m.status].name) for m in members.members],
            [(f"Una {tag}", f"una-{tag}@example.com", "USER_STATUS_ACTIVE"), (f"Vic {tag}", f"vic-{tag}@example.com", "USER_STATUS_SUSPENDED")],
        )
        self.assertEqual(members.count.value, 2)
        self.assertEqual({m.login_provider for m in members.members}, {config_id})
        self.assertGreater(members.members[0].member_since.seconds, 0)

        groups = self.transport.call("ListGroups", message("ListGroupsRequest")(filter={"search": tag}), "gitpod.v1.GroupService")
        self.assertEqual([(g.id, g.name, g.member_count, g.organization_id) for g in groups.groups], [(group_id, f"Upstream {tag}", 1, ORGANIZATION_ID)])
        memberships = self.transport.call("ListMemberships", message("ListMembershipsRequest")(group_id=group_id), "gitpod.v1.GroupService")
        Principal = POOL.FindEnumTypeByName("gitpod.v1.Principal")
        self.assertEqual(
            [(m.subject.id, Principal.values_by_number[m.subject.principal].name, m.name) for m in memberships.members],
            [(members.members[0].user_id, "PRINCIPAL_USER", f"Una {tag}")],
        )
        with self.assertRaises(UpstreamError) as caught:
            self.transport.call("UpdateGroup", message("UpdateGroupRequest")(group_id=group_id, name="renamed"), "gitpod.v1.GroupService")
        self.assertEqual(caught.exception.code, "failed_precondition")

        entries = self.transport.call("ListAuditLogs", message("ListAuditLogsRequest")(filter={"actor_ids": [config_id]}), "gitpod.v1.EventService")
        ResourceType = POOL.FindEnumTypeByName("gitpod.v1.ResourceType")
        self.assertEqual(
            [(e.action, ResourceType.values_by_number[e.subject_type].name, Principal.values_by_number[e.actor_principal].name) for e in entries.entries],
            [
                ("scim.group.create", "RESOURCE_TYPE_GROUP", "PRINCIPAL_SERVICE_ACCOUNT"),
                ("scim.user.create", "RESOURCE_TYPE_USER", "PRINCIPAL_SERVICE_ACCOUNT"),
                ("scim.user.create", "RESOURCE_TYPE_USER", "PRINCIPAL_SERVICE_ACCOUNT"),
            ],
        )
        self.assertEqual([e.subject_id for e in entries.entries[1:]], [m.user_id for m in reversed(members.members)])


class OurProtoMatchesUpstream(unittest.TestCase):
    """Every message, field, enum and method of proto/gitpod/v1 against Ona's descriptor: names,
    numbers, types, labels, JSON names, oneofs and method order. Upstream fields and methods this
    service leaves out are listed here by name; anything else missing fails."""

    # Upstream fields not in proto/ (their types would pull in agent-security messages this service never records).
    OMITTED_FIELDS = {"gitpod.v1.AuditLogEntryDetails.veto_exec"}

    @classmethod
    def setUpClass(cls) -> None:
        import grpc_tools
        from grpc_tools import protoc

        out = Path(tempfile.mkdtemp(prefix="ours-")) / "ours.binpb"
        proto_dir = os.environ["SCIM_TEST_PROTO_DIR"]
        files = sorted(str(p.relative_to(proto_dir)) for p in Path(proto_dir, "gitpod", "v1").glob("*.proto"))
        code = protoc.main(["grpc_tools.protoc", f"-I{proto_dir}", f"-I{Path(grpc_tools.__file__).parent / '_proto'}", f"--descriptor_set_out={out}", *files])
        if code != 0:
            raise RuntimeError(f"protoc exited {code}")
        cls.ours = {f.name: f for f in descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes()).file}
        cls.upstream = {f"gitpod/v1/{name}.proto": upstream_file(f"{name}_pb2.py") for name in UPSTREAM_FILES}

    def test_the_files_are_upstreams(self) -> None:
        self.assertEqual(sorted(self.ours), sorted(self.upstream))

    def test_messages_and_fields(self) -> None:
        checked = 0

        def compare(ours, theirs, prefix: str) -> None:
            nonlocal checked
            by_name = {f.name: f for f in theirs.field}
            for field in ours.field:
                self.assertIn(field.name, by_name, f"{prefix}.{field.name} is not upstream's")
                up = by_name[field.name]
                for attr in ("number", "type", "type_name", "label", "json_name", "proto3_optional"):
                    self.assertEqual(getattr(field, attr), getattr(up, attr), f"{prefix}.{field.name}: {attr}")
                oneof = lambda m, f: m.oneof_decl[f.oneof_index].name if f.HasField("oneof_index") else None
                self.assertEqual(oneof(ours, field), oneof(theirs, up), f"{prefix}.{field.name}: oneof")
                checked += 1
            missing = {f"{prefix}.{f.name}" for f in theirs.field} - {f"{prefix}.{f.name}" for f in ours.field}
            self.assertEqual(missing - self.OMITTED_FIELDS, set(), f"fields of {prefix} left out")
            nested = {m.name: m for m in theirs.nested_type}
            for m in ours.nested_type:
                self.assertIn(m.name, nested, f"{prefix}.{m.name} is not upstream's")
                compare(m, nested[m.name], f"{prefix}.{m.name}")
            self.assertEqual({e.name: [(v.name, v.number) for v in e.value] for e in ours.enum_type}, {e.name: [(v.name, v.number) for v in e.value] for e in theirs.enum_type if e.name in {x.name for x in ours.enum_type}})

        for name, ours in self.ours.items():
            theirs = self.upstream[name]
            up_messages = {m.name: m for m in theirs.message_type}
            for m in ours.message_type:
                self.assertIn(m.name, up_messages, f"{name}: {m.name} is not upstream's")
                compare(m, up_messages[m.name], f"gitpod.v1.{m.name}")
            up_enums = {e.name: [(v.name, v.number) for v in e.value] for e in theirs.enum_type}
            for e in ours.enum_type:
                self.assertEqual([(v.name, v.number) for v in e.value], up_enums.get(e.name), f"{name}: enum {e.name}")
        self.assertGreater(checked, 150)

    def test_services_keep_upstreams_methods_in_order(self) -> None:
        for name, ours in self.ours.items():
            up_services = {s.name: s for s in self.upstream[name].service}
            for service in ours.service:
                self.assertIn(service.name, up_services)
                upstream_methods = [m for m in up_services[service.name].method]
                position = {m.name: i for i, m in enumerate(upstream_methods)}
                names = [m.name for m in service.method]
                self.assertEqual(names, sorted(names, key=lambda n: position[n]), f"{service.name}: method order")
                for method in service.method:
                    up = upstream_methods[position[method.name]]
                    self.assertEqual(
                        (method.input_type, method.output_type, method.options.idempotency_level, method.server_streaming),
                        (up.input_type, up.output_type, up.options.idempotency_level, up.server_streaming),
                        f"{service.name}.{method.name}",
                    )


class OverGrpc(UpstreamNumbered, unittest.TestCase):
    transport_class = GrpcTransport


class OverConnect(UpstreamNumbered, unittest.TestCase):
    transport_class = ConnectTransport


if __name__ == "__main__":
    unittest.main(verbosity=2)
