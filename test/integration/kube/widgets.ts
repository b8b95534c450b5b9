// A tiny namespaced test CRD (Widget, group test.driftguard.dev) with a status subresource, so the
// generic kube/ pieces are tested against a real API server independently of the product's CRDs.

import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from "@kubernetes/client-node";
import { kubectl } from "../../support/kube.ts";

export const WIDGETS = { group: "test.driftguard.dev", version: "v1", plural: "widgets" } as const;

export interface Widget {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace: string; resourceVersion?: string; generation?: number; uid?: string };
  spec?: { size?: number };
  status?: Record<string, unknown>;
}

const CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.test.driftguard.dev
spec:
  group: test.driftguard.dev
  scope: Namespaced
  names: { plural: widgets, singular: widget, kind: Widget, listKind: WidgetList }
  versions:
    - name: v1
      served: true
      storage: true
      subresources: { status: {} }
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: { type: integer }
            status:
              type: object
              x-kubernetes-preserve-unknown-fields: true
`;

/** Installs the Widget CRD (idempotent; test files may race on it) and waits until it is Established. */
export async function installWidgetCrd(): Promise<void> {
  const apply = await kubectl(["apply", "-f", "-"], { input: CRD });
  if (apply.code !== 0) throw new Error(`installing the Widget CRD failed: ${apply.stderr}`);
  const wait = await kubectl([
    "wait",
    "--for=condition=Established",
    "--timeout=60s",
    "crd/widgets.test.driftguard.dev",
  ]);
  if (wait.code !== 0) throw new Error(`Widget CRD not established: ${wait.stderr}`);
}

export function widgetClient(kc: KubeConfig) {
  const api = kc.makeApiClient(CustomObjectsApi);
  const base = { group: WIDGETS.group, version: WIDGETS.version, plural: WIDGETS.plural };
  return {
    create: async (namespace: string, name: string, size = 1): Promise<Widget> =>
      (await api.createNamespacedCustomObject({
        ...base,
        namespace,
        body: {
          apiVersion: `${WIDGETS.group}/${WIDGETS.version}`,
          kind: "Widget",
          metadata: { name, namespace },
          spec: { size },
        },
      })) as Widget,
    resize: async (namespace: string, name: string, size: number): Promise<Widget> =>
      (await api.patchNamespacedCustomObject(
        { ...base, namespace, name, body: { spec: { size } } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      )) as Widget,
    get: async (namespace: string, name: string): Promise<Widget> =>
      (await api.getNamespacedCustomObject({ ...base, namespace, name })) as Widget,
    remove: async (namespace: string, name: string): Promise<void> => {
      await api.deleteNamespacedCustomObject({ ...base, namespace, name });
    },
  };
}

/** Polls `check` until it returns true (or throws its last failure after `timeoutMs`). */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
