// One real kube-apiserver + etcd per test run, with the project's CRDs installed. Test files get the
// kubeconfig through vitest's provide/inject and each works in its own namespace.

import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { Envtest } from "./envtest.ts";

declare module "vitest" {
  export interface ProvidedContext {
    kubeconfig: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const envtest = new Envtest({ crdDirectory: fileURLToPath(new URL("../../crds", import.meta.url)) });
  await envtest.start();
  project.provide("kubeconfig", envtest.kubeconfigPath);
  return () => envtest.stop();
}
