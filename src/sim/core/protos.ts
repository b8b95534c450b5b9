// Loads the simulated APIs' protos straight from the npm client packages, so the simulator speaks
// exactly the schema the real clients were generated from (no hand-copied .proto files).

import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import protobuf from "protobufjs";

const require = createRequire(import.meta.url);

/** Directory holding `google/...` protos inside an installed package (resolved from its main entry). */
function protoDir(pkg: string): string {
  let dir = path.dirname(require.resolve(pkg));
  while (!existsSync(path.join(dir, "protos", "google"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no protos/google directory found inside ${pkg}`);
    dir = parent;
  }
  return path.join(dir, "protos");
}

/** Entry protos, relative to their package's proto directory. */
const ENTRY_PROTOS: Array<{ pkg: string; file: string }> = [
  { pkg: "@google-cloud/run", file: "google/cloud/run/v2/service.proto" },
  { pkg: "@google-cloud/vpc-access", file: "google/cloud/vpcaccess/v1/vpc_access.proto" },
  { pkg: "@google-cloud/monitoring", file: "google/monitoring/v3/metric_service.proto" },
  { pkg: "google-gax", file: "google/longrunning/operations.proto" },
  { pkg: "google-gax", file: "google/rpc/error_details.proto" },
  { pkg: "google-gax", file: "google/rpc/status.proto" },
];

let cached: protobuf.Root | undefined;

/** One resolved Root with every simulated service, google.longrunning and google.rpc error types. */
export function loadSimProtos(): protobuf.Root {
  if (cached) return cached;
  const includeDirs = [...new Set(ENTRY_PROTOS.map((entry) => protoDir(entry.pkg)))];
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    if (path.isAbsolute(target)) return target;
    return includeDirs.map((dir) => path.join(dir, target)).find((candidate) => existsSync(candidate)) ?? target;
  };
  const files = ENTRY_PROTOS.map((entry) => path.join(protoDir(entry.pkg), entry.file));
  root.loadSync(files, { keepCase: false });
  root.resolveAll();
  cached = root;
  return root;
}
