// The RBAC objects of a rendered layout, moved into a namespace of their own (cluster-scoped names
// suffixed) so that a test can apply them to the shared API server, and a client that authenticates as
// nothing but their ServiceAccount.

import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { testKubeConfig } from "../../support/kube.ts";
import type { Manifest } from "./manifests.ts";

export const RBAC_KINDS = ["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"];

/** The RBAC objects moved into `namespace`, with cluster-scoped names made unique by `suffix`. */
export function isolate(manifests: Manifest[], namespace: string, suffix: string): Manifest[] {
  return manifests
    .filter((m) => RBAC_KINDS.includes(m.kind))
    .map((m) => {
      const clusterScoped = m.kind.startsWith("Cluster");
      const metadata = clusterScoped
        ? { ...m.metadata, name: `${m.metadata.name}-${suffix}` }
        : { ...m.metadata, namespace };
      const moved: Manifest = { ...m, metadata };
      if (m.kind === "ClusterRoleBinding") {
        const roleRef = m.roleRef as { name: string };
        moved.roleRef = { ...roleRef, name: `${roleRef.name}-${suffix}` };
      }
      if (m.kind.endsWith("Binding")) {
        moved.subjects = (m.subjects as Array<Record<string, string>>).map((s) => ({ ...s, namespace }));
      }
      return moved;
    });
}

/** A KubeConfig that authenticates with a freshly minted token of the ServiceAccount, and nothing else. */
export async function serviceAccountKubeConfig(namespace: string, name: string): Promise<KubeConfig> {
  const request = await testKubeConfig()
    .makeApiClient(CoreV1Api)
    .createNamespacedServiceAccountToken({
      name,
      namespace,
      body: { spec: { audiences: [], expirationSeconds: 3600 } },
    });
  const token = request.status?.token;
  if (!token) throw new Error("TokenRequest returned no token");
  const server = testKubeConfig().getCurrentCluster()?.server ?? "";
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "test", server, skipTLSVerify: true }],
    users: [{ name: name, token }],
    contexts: [{ name: "test", cluster: "test", user: name }],
    currentContext: "test",
  });
  return kc;
}
