// Every kind of the driftguard.dev/v1alpha1 API, in the order their CRDs are generated.

import { cloudRunServiceConfigKind } from "./cloudrun.ts";
import { vpcConnectorConfigKind } from "./connector.ts";
import type { KindDefinition } from "./kind.ts";
import { serviceConfigPolicyKind } from "./policy.ts";

export const KINDS: readonly KindDefinition[] = [
  cloudRunServiceConfigKind,
  vpcConnectorConfigKind,
  serviceConfigPolicyKind,
];

export function findKind(kind: string): KindDefinition | undefined {
  return KINDS.find((definition) => definition.kind === kind);
}
