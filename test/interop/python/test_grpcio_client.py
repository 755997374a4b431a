"""grpcio stubs generated with grpcio-tools from this repository's proto/, calling the service over
gRPC on cleartext HTTP/2 (the same port that serves Connect JSON).

Environment: SCIM_TEST_GRPC_TARGET (host:port), SCIM_TEST_API_KEY (admin),
SCIM_TEST_ORGANIZATION_ID, SCIM_TEST_PROTO_DIR (the proto/ folder).
"""

import os
import sys
import tempfile
import unittest
import uuid
from pathlib import Path

import grpc
import grpc_tools
from grpc_tools import protoc

TARGET = os.environ["SCIM_TEST_GRPC_TARGET"]
ORGANIZATION_ID = os.environ["SCIM_TEST_ORGANIZATION_ID"]
AUTH = (("authorization", f"Bearer {os.environ['SCIM_TEST_API_KEY']}"),)


def generate_stubs() -> Path:
    """Runs protoc (from grpcio-tools) with the Python and gRPC plugins into a fresh folder."""
    out = Path(tempfile.mkdtemp(prefix="grpcio-stubs-"))
    proto_dir = os.environ["SCIM_TEST_PROTO_DIR"]
    well_known = str(Path(grpc_tools.__file__).parent / "_proto")
    code = protoc.main([
        "grpc_tools.protoc",
        f"-I{proto_dir}",
        f"-I{well_known}",
        f"--python_out={out}",
        f"--grpc_python_out={out}",
        # Every file of the package: organization.proto imports its neighbours (count, user, ...).
        *sorted(str(p.relative_to(proto_dir)) for p in Path(proto_dir, "gitpod", "v1").glob("*.proto")),
    ])
    if code != 0:
        raise RuntimeError(f"protoc exited {code}")
    # The installed gitpod-sdk owns the "gitpod" package name; regular packages here win over it.
    for package in (out / "gitpod", out / "gitpod" / "v1"):
        (package / "__init__.py").touch()
    return out


STUBS = generate_stubs()
sys.path.insert(0, str(STUBS))
for name in [m for m in sys.modules if m == "gitpod" or m.startswith("gitpod.")]:
    del sys.modules[name]
from gitpod.v1 import organization_pb2 as pb  # noqa: E402
from gitpod.v1 import organization_pb2_grpc as pb_grpc  # noqa: E402
from gitpod.v1 import pagination_pb2  # noqa: E402


class GrpcioClient(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.channel = grpc.insecure_channel(TARGET)
        grpc.channel_ready_future(cls.channel).result(timeout=10)
        cls.stub = pb_grpc.OrganizationServiceStub(cls.channel)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.channel.close()

    def new_sso_configuration(self) -> str:
        res = self.stub.CreateSSOConfiguration(
            pb.CreateSSOConfigurationRequest(
                organization_id=ORGANIZATION_ID,
                client_id=f"grpcio-{uuid.uuid4()}",
                client_secret="grpcio-secret",
                issuer_url="https://login.microsoftonline.com/tenant/v2.0",
            ),
            metadata=AUTH,
            timeout=10,
        )
        return res.sso_configuration.id

    def test_create_regenerate_get_list_delete(self) -> None:
        sso_id = self.new_sso_configuration()
        created = self.stub.CreateSCIMConfiguration(
            pb.CreateSCIMConfigurationRequest(
                organization_id=ORGANIZATION_ID,
                sso_configuration_id=sso_id,
                name="grpcio",
                token_expires_in={"seconds": 7776000},
                allow_unverified_email_account_linking=True,
            ),
            metadata=AUTH,
            timeout=10,
        )
        config = created.scim_configuration
        self.assertTrue(created.token.startswith("scim_"))
        self.assertEqual(config.organization_id, ORGANIZATION_ID)
        self.assertEqual(config.sso_configuration_id, sso_id)
        self.assertEqual(config.name, "grpcio")
        self.assertTrue(config.enabled)
        self.assertTrue(config.allow_unverified_email_account_linking)
        self.assertEqual(created.token_expires_at.seconds - config.created_at.seconds, 7776000)
        self.assertEqual(config.token_expires_at, created.token_expires_at)

        regenerated = self.stub.RegenerateSCIMToken(
            pb.RegenerateSCIMTokenRequest(scim_configuration_id=config.id, token_expires_in={"seconds": 15552000}),
            metadata=AUTH,
            timeout=10,
        )
        self.assertTrue(regenerated.token.startswith("scim_"))
        self.assertNotEqual(regenerated.token, created.token)

        got = self.stub.GetSCIMConfiguration(pb.GetSCIMConfigurationRequest(scim_configuration_id=config.id), metadata=AUTH, timeout=10)
        self.assertEqual(got.scim_configuration.id, config.id)
        self.assertEqual(got.scim_configuration.token_expires_at, regenerated.token_expires_at)
        self.assertEqual(regenerated.token_expires_at.seconds - got.scim_configuration.updated_at.seconds, 15552000)

        listed = self.stub.ListSCIMConfigurations(
            pb.ListSCIMConfigurationsRequest(pagination=pagination_pb2.PaginationRequest(page_size=100)), metadata=AUTH, timeout=10
        )
        self.assertIn(config.id, [c.id for c in listed.scim_configurations])
        self.assertEqual(listed.pagination.next_token, "")

        self.stub.DeleteSCIMConfiguration(pb.DeleteSCIMConfigurationRequest(scim_configuration_id=config.id), metadata=AUTH, timeout=10)
        with self.assertRaises(grpc.RpcError) as caught:
            self.stub.GetSCIMConfiguration(pb.GetSCIMConfigurationRequest(scim_configuration_id=config.id), metadata=AUTH, timeout=10)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.NOT_FOUND)

    def test_update_sets_only_present_fields(self) -> None:
        created = self.stub.CreateSCIMConfiguration(
            pb.CreateSCIMConfigurationRequest(organization_id=ORGANIZATION_ID, sso_configuration_id=self.new_sso_configuration(), name="before"),
            metadata=AUTH,
            timeout=10,
        )
        request = pb.UpdateSCIMConfigurationRequest(scim_configuration_id=created.scim_configuration.id, enabled=False)
        self.assertFalse(request.HasField("name"))
        updated = self.stub.UpdateSCIMConfiguration(request, metadata=AUTH, timeout=10).scim_configuration
        self.assertFalse(updated.enabled)
        self.assertEqual(updated.name, "before")

    def test_status_codes(self) -> None:
        with self.assertRaises(grpc.RpcError) as no_key:
            self.stub.ListSCIMConfigurations(pb.ListSCIMConfigurationsRequest(), timeout=10)
        self.assertEqual(no_key.exception.code(), grpc.StatusCode.UNAUTHENTICATED)

        with self.assertRaises(grpc.RpcError) as too_short:
            self.stub.CreateSCIMConfiguration(
                pb.CreateSCIMConfigurationRequest(
                    organization_id=ORGANIZATION_ID, sso_configuration_id=self.new_sso_configuration(), token_expires_in={"seconds": 86399}
                ),
                metadata=AUTH,
                timeout=10,
            )
        self.assertEqual(too_short.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("token_expires_in", too_short.exception.details())


if __name__ == "__main__":
    unittest.main(verbosity=2)
