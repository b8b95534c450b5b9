import { describe, expect, it } from "vitest";
import { ConfigError, describeField, fieldPath, type FieldTarget } from "./fields.ts";

describe("fieldPath", () => {
  it.each<[FieldTarget, string | undefined, string]>([
    [{ scope: "labels", key: "team" }, undefined, "labels.team"],
    [{ scope: "annotations", key: "example.com/owner" }, "app", "annotations.example.com/owner"],
    [{ scope: "template", field: "timeout" }, "app", "template.timeout"],
    [{ scope: "template", field: "scaling.maxInstanceCount" }, undefined, "template.scaling.maxInstanceCount"],
    [{ scope: "container", field: "resources.limits.cpu" }, "app", "template.containers[app].resources.limits.cpu"],
    [{ scope: "container", field: "startupProbe.type" }, undefined, "template.containers[0].startupProbe.type"],
    [{ scope: "env", name: "DB_POOL_SIZE" }, "backend", "template.containers[backend].env.DB_POOL_SIZE"],
    [{ scope: "cloudSqlVolume", volume: "cloudsql" }, "app", "template.volumes[cloudsql].cloudSqlInstance.instances"],
    [
      { scope: "volumeMount", volume: "cloudsql" },
      undefined,
      "template.containers[0].volumeMounts[cloudsql].mountPath",
    ],
  ])("%j in container %s is %s", (target, container, expected) => {
    expect(fieldPath(target, container)).toBe(expected);
  });
});

describe("describeField", () => {
  it.each([
    [{ path: "labels.team", source: "labels.team" }, "labels.team"],
    [{ path: "template.timeout", source: "requestTimeout" }, "requestTimeout (template.timeout)"],
  ])("%j is %s", (field, expected) => {
    expect(describeField(field)).toBe(expected);
  });
});

describe("ConfigError", () => {
  it("names the field in its message and keeps the cause", () => {
    const cause = new RangeError("bad");
    const error = new ConfigError("spec.container", "not found", { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("ConfigError");
    expect(error.field).toBe("spec.container");
    expect(error.message).toBe("spec.container: not found");
    expect(error.cause).toBe(cause);
  });
});
