import { describe, expect, it } from "vitest";
import { createLogger, objectLogger, parseLogLevel, type LoggerOptions } from "./logger.ts";

function capture(options: Omit<LoggerOptions, "destination"> = {}) {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    ...options,
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return { logger, lines };
}

describe("createLogger", () => {
  it("writes JSON lines with a textual level, ISO time and message", () => {
    const { logger, lines } = capture();
    logger.info({ attempt: 2 }, "reconciled");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: "info", msg: "reconciled", attempt: 2 });
    expect(String(lines[0]?.time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it("drops lines below the configured level", () => {
    const { logger, lines } = capture({ level: "warn" });
    logger.info("hidden");
    logger.debug("hidden");
    logger.warn("shown");
    expect(lines.map((line) => line.msg)).toEqual(["shown"]);
  });

  it("accepts the level case-insensitively and rejects unknown levels naming the choices", () => {
    expect(parseLogLevel(" DEBUG ")).toBe("debug");
    expect(() => createLogger({ level: "verbose" })).toThrow(
      /log level must be one of fatal, error, warn, info, debug, trace, silent; got "verbose"/,
    );
  });

  it("puts the object key and kind on every line of an object's logger, and skips lines below the level", () => {
    const { logger, lines } = capture({ base: { controller: "driftguard" } });
    const child = objectLogger(logger, { key: "payments/api", kind: "CloudRunServiceConfig" });
    child.info({}, "observed");
    child.debug({ hidden: true }, "below the level");
    child.warn({ api: "run" }, "slow");
    expect(lines).toEqual([
      expect.objectContaining({
        controller: "driftguard",
        key: "payments/api",
        kind: "CloudRunServiceConfig",
        msg: "observed",
      }),
      expect.objectContaining({ key: "payments/api", kind: "CloudRunServiceConfig", api: "run", msg: "slow" }),
    ]);
  });

  it("redacts authorization headers and tokens in the usual error shapes", () => {
    const { logger, lines } = capture();
    logger.error(
      {
        token: "t0",
        headers: { authorization: "Bearer a1" },
        request: { headers: { Authorization: "Bearer a2" }, accessToken: "t1" },
        err: {
          config: { headers: { Authorization: "Bearer a3" } },
          response: { config: { headers: { authorization: "Bearer a4" } } },
        },
        credentials: { client_secret: "s1", private_key: "k1" },
        keep: "visible",
      },
      "call failed",
    );
    const text = JSON.stringify(lines[0]);
    for (const secret of ["t0", "a1", "a2", "a3", "a4", "t1", "s1", "k1"]) {
      expect(text).not.toContain(`"${secret}"`);
      expect(text).not.toContain(`Bearer ${secret}`);
    }
    expect(text).toContain("[REDACTED]");
    expect(lines[0]?.keep).toBe("visible");
  });
});
