// `npm run envtest`: a real kube-apiserver + etcd in the foreground with the project's CRDs installed,
// for people and tools. Prints the kubeconfig path; Ctrl-C stops everything.

import { fileURLToPath } from "node:url";
import { Envtest } from "./envtest.ts";

const envtest = new Envtest({ crdDirectory: fileURLToPath(new URL("../../crds", import.meta.url)) });
await envtest.start();
console.log(`kube-apiserver ready at ${envtest.server}`);
console.log(`export KUBECONFIG=${envtest.kubeconfigPath}`);
const stop = () => {
  void envtest.stop().then(() => process.exit(0));
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
