// The test kubeconfig, telling a test about each request as it is about to be sent: through the generated
// clients (applySecurityAuthentication) and through driftguard's own JSON requests (applyToHTTPSOptions).

import type { RequestOptions } from "node:https";
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

  override async applyToHTTPSOptions(options: RequestOptions): Promise<void> {
    this.#onRequest(`${options.method ?? "GET"} ${(options.path ?? "").split("?")[0] ?? ""}`);
    await super.applyToHTTPSOptions(options);
  }
}
