// The gRPC transport: service definitions built at run time from the protos, messages converted to proto3
// JSON for the handlers, errors sent with a google.rpc.Status in `grpc-status-details-bin` so google-gax
// surfaces their details (BadRequest field violations, ErrorInfo, ...).

import * as grpc from "@grpc/grpc-js";
import type protobuf from "protobufjs";
import { asSimError, type Dispatcher } from "./dispatch.ts";
import { RpcCode, type SimError } from "./errors.ts";
import type { JsonObject, ServiceImpl } from "./module.ts";
import { toProto3Json } from "./proto-json.ts";
import { fromProto3Json } from "./proto-json-parse.ts";

export interface GrpcServer {
  port: number;
  stop(): Promise<void>;
}

export async function startGrpcServer(
  root: protobuf.Root,
  services: ServiceImpl[],
  dispatcher: Dispatcher,
  port = 0,
): Promise<GrpcServer> {
  // Channelz keeps per-call statistics for a debugging service the simulator does not serve; off, it saves
  // about a sixth of grpc-js' own cost per call.
  const server = new grpc.Server({ "grpc.enable_channelz": 0 });
  const statusType = root.lookupType("google.rpc.Status");
  for (const impl of services) {
    const { definition, implementation } = buildService(root, impl, dispatcher, statusType);
    server.addService(definition, implementation);
  }
  const boundPort = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    );
  });
  return { port: boundPort, stop: () => shutdown(server) };
}

function buildService(
  root: protobuf.Root,
  impl: ServiceImpl,
  dispatcher: Dispatcher,
  statusType: protobuf.Type,
): { definition: grpc.ServiceDefinition; implementation: grpc.UntypedServiceImplementation } {
  const service = root.lookupService(impl.name);
  const definition: Record<string, grpc.MethodDefinition<JsonObject, Buffer>> = {};
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const [rpcName, handler] of Object.entries(impl.methods)) {
    const rpc = service.methods[rpcName];
    if (!rpc) throw new Error(`${impl.name} has no rpc ${rpcName}`);
    rpc.resolve();
    const requestType = rpc.resolvedRequestType as protobuf.Type;
    const responseType = rpc.resolvedResponseType as protobuf.Type;
    const method = `${impl.name}/${rpcName}`;
    definition[rpcName] = {
      path: `/${method}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: (value: JsonObject) =>
        Buffer.from(requestType.encode(fromProto3Json(requestType, value)).finish()),
      requestDeserialize: (bytes: Buffer) => toProto3Json(requestType, requestType.decode(bytes)),
      responseSerialize: (bytes: Buffer) => bytes,
      responseDeserialize: (bytes: Buffer) => bytes,
    };
    const unary: grpc.handleUnaryCall<JsonObject, Buffer> = (call, callback) => {
      void dispatcher
        .invoke(method, call.request, handler, "grpc", {
          userAgent: String(call.metadata.get("user-agent")[0] ?? ""),
          token: String(call.metadata.get("authorization")[0] ?? "").replace(/^Bearer\s+/i, ""),
        })
        .then((response) => Buffer.from(responseType.encode(fromProto3Json(responseType, response)).finish()))
        .then(
          (bytes) => callback(null, bytes),
          (err: unknown) => callback(toServiceError(asSimError(err), statusType)),
        );
    };
    implementation[rpcName] = unary;
  }
  return { definition, implementation };
}

function toServiceError(error: SimError, statusType: protobuf.Type): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  const status = statusType.encode(fromProto3Json(statusType, error.toStatus())).finish();
  metadata.set("grpc-status-details-bin", Buffer.from(status));
  return { code: RpcCode[error.code], details: error.message, metadata };
}

async function shutdown(server: grpc.Server): Promise<void> {
  await new Promise<void>((resolve) => {
    const force = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, 2000);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}
