import { create, toBinary, type DescEnum, type DescFile, type DescMessage, type DescService, type MessageInitShape } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { Code, type ConnectRouter, type ServiceImpl } from "@connectrpc/connect";
import * as v1 from "../../gen/grpc/reflection/v1/reflection_pb.js";
import * as v1alpha from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";

/**
 * gRPC server reflection (grpc.reflection.v1 and the older v1alpha that some tools still ask
 * first), so grpcurl, buf curl and grpcui work without proto files. No maintained reflection
 * library exists for Connect-ES v2 on npm (the @grpc/reflection package serves @grpc/grpc-js
 * servers only), so this answers from the descriptors that protoc-gen-es already embeds.
 */
export function registerReflection(router: ConnectRouter, services: readonly DescService[]): void {
  const index = new SymbolIndex(services);
  router.service(v1.ServerReflection, reflectionImpl(index, v1) as ServiceImpl<typeof v1.ServerReflection>);
  router.service(v1alpha.ServerReflection, reflectionImpl(index, v1alpha) as unknown as ServiceImpl<typeof v1alpha.ServerReflection>);
}

/** The message schemas of one reflection version; v1 and v1alpha have the same shapes. */
interface ReflectionSchemas {
  ServerReflectionResponseSchema: typeof v1.ServerReflectionResponseSchema | typeof v1alpha.ServerReflectionResponseSchema;
}

function reflectionImpl(index: SymbolIndex, schemas: ReflectionSchemas): ServiceImpl<typeof v1.ServerReflection> {
  return {
    async *serverReflectionInfo(requests) {
      // Files already sent on this stream are not sent again, as the reference implementation does.
      const sent = new Set<string>();
      for await (const request of requests) {
        const answer = respond(index, request, sent);
        yield create(schemas.ServerReflectionResponseSchema as typeof v1.ServerReflectionResponseSchema, {
          validHost: request.host,
          originalRequest: request,
          messageResponse: answer,
        });
      }
    },
  };
}

type Answer = MessageInitShape<typeof v1.ServerReflectionResponseSchema>["messageResponse"];

function respond(index: SymbolIndex, request: v1.ServerReflectionRequest, sent: Set<string>): Answer {
  const req = request.messageRequest;
  switch (req.case) {
    case "listServices":
      return { case: "listServicesResponse", value: { service: index.serviceNames().map((name) => ({ name })) } };
    case "fileByFilename":
      return filesOrNotFound(index.fileByName(req.value), sent, `file ${req.value} not found`);
    case "fileContainingSymbol":
      return filesOrNotFound(index.fileBySymbol(req.value), sent, `symbol ${req.value} not found`);
    case "fileContainingExtension":
      return notFound(`no extension ${req.value.extensionNumber} of ${req.value.containingType}`);
    case "allExtensionNumbersOfType": {
      // The served types declare no extension ranges that this server fills.
      if (!index.fileBySymbol(req.value)) return notFound(`type ${req.value} not found`);
      return { case: "allExtensionNumbersResponse", value: { baseTypeName: req.value, extensionNumber: [] } };
    }
    default:
      return { case: "errorResponse", value: { errorCode: Code.InvalidArgument, errorMessage: "the request names no reflection query" } };
  }
}

function filesOrNotFound(file: DescFile | undefined, sent: Set<string>, message: string): Answer {
  if (!file) return notFound(message);
  const files: Uint8Array[] = [];
  // The file first, then its transitive imports the client has not received yet.
  const visit = (f: DescFile) => {
    if (sent.has(f.name)) return;
    sent.add(f.name);
    files.push(toBinary(FileDescriptorProtoSchema, f.proto));
    f.dependencies.forEach(visit);
  };
  sent.delete(file.name); // the requested file is always answered, even when sent before
  visit(file);
  return { case: "fileDescriptorResponse", value: { fileDescriptorProto: files } };
}

function notFound(errorMessage: string): Answer {
  return { case: "errorResponse", value: { errorCode: Code.NotFound, errorMessage } };
}

/** Every fully-qualified name (service, method, message, field, enum, value) to its file. */
class SymbolIndex {
  private readonly services: string[];
  private readonly files = new Map<string, DescFile>();
  private readonly symbols = new Map<string, DescFile>();

  constructor(services: readonly DescService[]) {
    this.services = services.map((s) => s.typeName).sort();
    const addFile = (file: DescFile) => {
      if (this.files.has(file.name + ".proto")) return;
      this.files.set(file.name + ".proto", file);
      this.indexFile(file);
      file.dependencies.forEach(addFile);
    };
    services.forEach((s) => addFile(s.file));
  }

  serviceNames(): string[] {
    return this.services;
  }

  fileByName(name: string): DescFile | undefined {
    return this.files.get(name);
  }

  fileBySymbol(symbol: string): DescFile | undefined {
    return this.symbols.get(symbol.replace(/^\./, ""));
  }

  private indexFile(file: DescFile): void {
    const add = (name: string) => this.symbols.set(name, file);
    const addEnum = (e: DescEnum) => {
      add(e.typeName);
      // Enum values are scoped like siblings of their enum, as in protoc.
      const scope = e.typeName.slice(0, e.typeName.length - e.name.length);
      e.values.forEach((v) => add(scope + v.name));
    };
    const addMessage = (m: DescMessage) => {
      add(m.typeName);
      m.fields.forEach((f) => add(`${m.typeName}.${f.name}`));
      m.oneofs.forEach((o) => add(`${m.typeName}.${o.name}`));
      m.nestedEnums.forEach(addEnum);
      m.nestedMessages.forEach(addMessage);
      m.nestedExtensions.forEach((x) => add(x.typeName));
    };
    file.messages.forEach(addMessage);
    file.enums.forEach(addEnum);
    file.extensions.forEach((x) => add(x.typeName));
    for (const service of file.services) {
      add(service.typeName);
      service.methods.forEach((m) => add(`${service.typeName}.${m.name}`));
    }
  }
}
