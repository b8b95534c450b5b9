// The test kubeconfig, telling a test about each request as it is about to be sent.

import { KubeConfig, type RequestContext } from "@kubernetes/client-node";
import { kubeconfigPath } from "../../support/kube.ts";

/** The test kubeconfig, reporting each request (method and path) as it is about to be sent. */
export class ObservedKubeConfig extends KubeConfig {
  readonly #onRequest: (request: string) => void;

  constructor(onRequest: (request: string) => void) {
    super();
    this.#onRequest = onRequest;
    this.loadFromFile(kubeconfigPath());
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    this.#onRequest(`${context.getHttpMethod()} ${new URL(context.getUrl()).pathname}`);
    await super.applySecurityAuthentication(context);
  }
}
