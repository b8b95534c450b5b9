// The one logger: JSON lines on stdout (pino), level from configuration, and a child per object so
// every line about a resource carries its key and kind. Credentials never reach the log: auth headers
// and token-like fields are redacted wherever the usual client error shapes put them.

import { pino, type DestinationStream, type Logger } from "pino";

export type { Logger };

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Paths pino censors; `*` matches one level. Covers gaxios/undici errors (`err.config.headers`, `err.response`). */
export const REDACTED_PATHS = [
  "authorization",
  "Authorization",
  "token",
  "accessToken",
  "access_token",
  "refreshToken",
  "refresh_token",
  "bearerToken",
  "password",
  "clientSecret",
  "client_secret",
  "privateKey",
  "private_key",
  "*.authorization",
  "*.Authorization",
  "*.token",
  "*.accessToken",
  "*.access_token",
  "*.refreshToken",
  "*.refresh_token",
  "*.bearerToken",
  "*.password",
  "*.clientSecret",
  "*.client_secret",
  "*.privateKey",
  "*.private_key",
  "*.headers.authorization",
  "*.headers.Authorization",
  "*.*.headers.authorization",
  "*.*.headers.Authorization",
  "*.*.*.headers.authorization",
  "*.*.*.headers.Authorization",
];

export interface LoggerOptions {
  level?: string;
  /** Where lines go; stdout by default. Tests pass a stream to read lines back. */
  destination?: DestinationStream;
  /** Fixed fields on every line, e.g. { controller: "driftguard" }. */
  base?: Record<string, unknown>;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = parseLogLevel(options.level ?? "info");
  return pino(
    {
      level,
      base: options.base ?? {},
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: "[REDACTED]" },
    },
    // Synchronous stdout: no lines lost when the process exits on a fatal error.
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

type ObjectLogLevel = "debug" | "info" | "warn" | "error";
/** What a pass logs about one object: fields and a message, at a level. */
export type ObjectLog = Record<ObjectLogLevel, (fields: object, message: string) => void>;

/**
 * A logger for one object: `key` is "namespace/name", `kind` e.g. "CloudRunServiceConfig". The child
 * logger (whose bindings pino serialises and redacts when it is made) is made only for a line that is
 * written at the configured level, not on every pass.
 */
export function objectLogger(parent: Logger, object: { key: string; kind: string }): ObjectLog {
  let child: Logger | undefined;
  const at =
    (level: ObjectLogLevel) =>
    (fields: object, message: string): void => {
      if (!parent.isLevelEnabled(level)) return;
      child ??= parent.child({ key: object.key, kind: object.kind });
      child[level](fields, message);
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

export function parseLogLevel(value: string): LogLevel {
  const level = value.trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new Error(`log level must be one of ${LOG_LEVELS.join(", ")}; got ${JSON.stringify(value)}`);
  }
  return level as LogLevel;
}

/** For components constructed without a logger (mostly in tests). */
export const silentLogger: Logger = pino({ enabled: false });
