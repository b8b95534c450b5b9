// google-gax clients bind each long-running method's decoders to protobufjs's decode before that Type is
// set up (`type.decode.bind(type)` in the generated client), so the bound function is the one-time
// "set up, then decode" stub forever: every operation a client unpacks regenerates, with new Function, the
// codecs of the whole message tree (for a Cloud Run Service: hundreds of functions, ~1 MB of garbage and
// fresh code per UpdateService). The packages also ship the same messages as static, pre-generated code;
// decoding with those gives the same messages without generating anything.

import { protos as run } from "@google-cloud/run";
import { protos as vpcaccess } from "@google-cloud/vpc-access";

type Decoder = (bytes: Uint8Array) => unknown;

interface LongRunningDescriptors {
  descriptors: { longrunning: Record<string, { responseDecoder: unknown; metadataDecoder: unknown }> };
}

const decodeService: Decoder = (bytes) => run.google.cloud.run.v2.Service.decode(bytes);
const decodeConnector: Decoder = (bytes) => vpcaccess.google.cloud.vpcaccess.v1.Connector.decode(bytes);
const decodeVpcOperation: Decoder = (bytes) => vpcaccess.google.cloud.vpcaccess.v1.OperationMetadata.decode(bytes);
const decodeEmpty: Decoder = (bytes) => run.google.protobuf.Empty.decode(bytes);

/** The response and metadata types of each long-running method, as the generated clients declare them. */
const CLOUD_RUN: Record<string, [Decoder, Decoder]> = {
  createService: [decodeService, decodeService],
  updateService: [decodeService, decodeService],
  deleteService: [decodeService, decodeService],
};
const VPC_ACCESS: Record<string, [Decoder, Decoder]> = {
  createConnector: [decodeConnector, decodeVpcOperation],
  deleteConnector: [decodeEmpty, decodeVpcOperation],
};

/** Gives a Cloud Run v2 ServicesClient's long-running methods decoders that generate no code. */
export function useStaticCloudRunDecoders<T extends LongRunningDescriptors>(client: T): T {
  return replaceDecoders(client, CLOUD_RUN);
}

/** Gives a VPC Access v1 client's long-running methods decoders that generate no code. */
export function useStaticVpcAccessDecoders<T extends LongRunningDescriptors>(client: T): T {
  return replaceDecoders(client, VPC_ACCESS);
}

function replaceDecoders<T extends LongRunningDescriptors>(client: T, table: Record<string, [Decoder, Decoder]>): T {
  for (const [method, descriptor] of Object.entries(client.descriptors.longrunning)) {
    const decoders = table[method];
    // A method this table does not know (a newer client) keeps the library's decoders: slower, still right.
    if (!decoders) continue;
    [descriptor.responseDecoder, descriptor.metadataDecoder] = decoders;
  }
  return client;
}
