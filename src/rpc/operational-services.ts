import type { ConnectRouter } from "@connectrpc/connect";
import type { DescService } from "@bufbuild/protobuf";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import * as reflectionV1 from "../../gen/grpc/reflection/v1/reflection_pb.js";
import * as reflectionV1alpha from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";
import type { Stores } from "../domain/ports.js";
import { registerGrpcHealth, type GrpcHealthOptions } from "./grpc-health.js";
import { registerReflection } from "./grpc-reflection.js";

/**
 * Services that answer without an API key, like /healthz: probes and discovery tools
 * (`grpcurl list`, `describe`) carry no credentials, and neither reveals any organization's data.
 */
export const OPEN_SERVICES: ReadonlySet<string> = new Set([
  Health.typeName,
  reflectionV1.ServerReflection.typeName,
  reflectionV1alpha.ServerReflection.typeName,
]);

/** Registers gRPC health (following the database) and reflection over all served services. */
export function registerOperationalServices(
  router: ConnectRouter,
  stores: Stores,
  apiServices: readonly DescService[],
  health: Pick<GrpcHealthOptions, "watchIntervalMs" | "maxWatchStreams"> = {},
): void {
  registerGrpcHealth(router, { ...health, services: apiServices.map((s) => s.typeName), ping: () => stores.ping() });
  registerReflection(router, [...apiServices, Health, reflectionV1.ServerReflection, reflectionV1alpha.ServerReflection]);
}
