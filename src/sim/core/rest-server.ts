// The REST transport: Google's HTTP/JSON surface (transcoded from the protos' http annotations) and the
// control API under /control, on one loopback port. Errors use Google's JSON error body.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { asSimError, type Dispatcher } from "./dispatch.ts";
import { SimError, httpStatusOf } from "./errors.ts";
import { retryAfterSeconds } from "./google-errors.ts";
import type { JsonObject } from "./module.ts";
import { toProto3Json } from "./proto-json.ts";
import { fromProto3Json } from "./proto-json-parse.ts";
import { sortRoutes, type RouteEntry } from "./routes.ts";
import { assembleRequest } from "./transcode.ts";

const MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface RestServer {
  port: number;
  stop(): Promise<void>;
}

export async function startRestServer(routes: RouteEntry[], dispatcher: Dispatcher, port = 0): Promise<RestServer> {
  const table = sortRoutes(routes);
  const server = createServer((req, res) => {
    handle(table, dispatcher, req)
      .then((result) => send(res, result.status, result.body))
      .catch((err: unknown) => sendError(res, asSimError(err)));
  });
  // A client may use this port as its HTTP proxy (gcloud's CLOUDSDK_PROXY_*, needed because gcloud prefixes
  // the region to the host of a Cloud Run endpoint override): plain-http requests then arrive in absolute
  // form and are answered like any other. HTTPS would be tunnelled with CONNECT, which cannot work
  // without Google's certificates: refuse it with a reason rather than hang.
  server.on("connect", (req: IncomingMessage, socket: Duplex) => {
    const reason = `CONNECT ${req.url ?? ""} refused: point the endpoint override at http://, not https://`;
    socket.end(
      `HTTP/1.1 405 Method Not Allowed\r\ncontent-type: text/plain\r\ncontent-length: ${reason.length}\r\n\r\n${reason}`,
    );
  });
  await listen(server, port);
  return {
    port: (server.address() as AddressInfo).port,
    stop: () => close(server),
  };
}

async function handle(
  table: RouteEntry[],
  dispatcher: Dispatcher,
  req: IncomingMessage,
): Promise<{ status: number; body: unknown }> {
  // An absolute-form target (proxy use) keeps its own host; the path is what routing needs either way.
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const found = findRoute(table, req.method ?? "GET", url.pathname);
  if (!found) throw new SimError("NOT_FOUND", `No route for ${req.method} ${url.pathname}`);
  const { route, variables } = found;
  const body = await readJson(req);
  const raw = assembleRequest(route, variables, url.searchParams, body);
  if (route.hostField) raw[route.hostField] = req.headers.host ?? "";
  const enumsAsNumbers = /enum-encoding=int/.test(url.searchParams.get("$alt") ?? "");
  // Typed routes go through the proto converter both ways, so REST sees exactly what gRPC sees.
  const request = route.rpc ? toProto3Json(route.rpc.requestType, fromProto3Json(route.rpc.requestType, raw)) : raw;
  const caller = {
    userAgent: req.headers["user-agent"] ?? "",
    token: (req.headers.authorization ?? "").replace(/^Bearer\s+/i, ""),
  };
  if (route.surface === "control") {
    return { status: 200, body: await dispatcher.control(route.method, request, route.handler, caller) };
  }
  const response = await dispatcher.invoke(route.method, request, route.handler, "rest", caller);
  if (!route.rpc) return { status: 200, body: response };
  const message = fromProto3Json(route.rpc.responseType, response);
  return { status: 200, body: toProto3Json(route.rpc.responseType, message, { enumsAsNumbers }) };
}

function findRoute(
  table: RouteEntry[],
  httpMethod: string,
  path: string,
): { route: RouteEntry; variables: Record<string, string> } | undefined {
  for (const route of table) {
    if (route.httpMethod !== httpMethod) continue;
    const variables = route.template.match(path);
    if (variables) return { route, variables };
  }
  return undefined;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new SimError("INVALID_ARGUMENT", `Request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const message = `Invalid JSON payload received. ${err instanceof Error ? err.message : String(err)}`;
    throw SimError.invalidArgument(message, [{ field: "(body)", description: message }]);
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body ?? {});
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

function sendError(res: ServerResponse, error: SimError): void {
  const status = httpStatusOf[error.code];
  // Google leaves `details` out when there are none (recordings vpcaccess-v1beta1-*, the 404s).
  const body: JsonObject = {
    error: {
      code: status,
      message: error.message,
      status: error.code,
      ...(error.details.length > 0 ? { details: error.details } : {}),
    },
  };
  // A RetryInfo detail is also sent as Retry-After, for HTTP clients that read only the header.
  const retryAfter = retryAfterSeconds(error);
  send(res, status, body, retryAfter === undefined ? {} : { "retry-after": String(retryAfter) });
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}
