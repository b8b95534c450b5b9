import { describe, expect, it } from "vitest";
import { ManifestYamlError, parseManifestYaml, resolvePlainScalar } from "./manifest-yaml.ts";

describe("resolvePlainScalar", () => {
  // What kubectl 1.27 and 1.33 sent for each plain value (`kubectl create --dry-run=client --validate=false -o json`).
  const kubectlSent: [string, unknown][] = [
    ["010", 8],
    ["0o7", 7],
    ["0x10", 16],
    ["0xFF_FF", 65535],
    ["0b11", 3],
    ["-0b11", -3],
    ["1_0", 10],
    ["1__0", 10],
    ["08", 8],
    ["09", 9],
    ["012345678", 12345678],
    ["+10", 10],
    ["1e3", 1000],
    ["1.", 1],
    ["0.1e1", 1],
    [".5", 0.5],
    ["6.8523015e+5", 685230.15],
    ["yes", true],
    ["y", true],
    ["On", true],
    ["NO", false],
    ["n", false],
    ["off", false],
    ["~", null],
    ["", null],
    ["1:20", "1:20"],
    ["2001-12-14", "2001-12-14"],
    ["0o19", "0o19"],
    ["yES", "yES"],
    ["1e400", "1e400"],
    ["-", "-"],
  ];
  it.each(kubectlSent)("%j reads as %j", (text, value) => {
    expect(resolvePlainScalar(text)).toEqual(value);
  });
});

describe("parseManifestYaml", () => {
  it("keeps quoted and explicitly tagged strings, resolves other tags, merges << keys", () => {
    const text = 'env:\n  <<: {A: "1", B: "2"}\n  B: "3"\n  !!str 010: !!str 010\n  C: !!int "12"\n  D: "010"\n';
    expect(parseManifestYaml(text).documents).toEqual([{ env: { A: "1", B: "3", "010": "010", C: 12, D: "010" } }]);
  });

  it("turns non-string keys into strings as kubectl does", () => {
    expect(parseManifestYaml("N: 1\n010: 2\n").documents).toEqual([{ false: 1, "8": 2 }]);
  });

  it("keeps the last of duplicate keys and warns with the position", () => {
    const parsed = parseManifestYaml("a: 1\nb:\n  c: 1\n  c: 2\n");
    expect(parsed.documents).toEqual([{ a: 1, b: { c: 2 } }]);
    expect(parsed.warnings).toEqual([{ line: 4, col: 3, message: 'duplicate key "c": kubectl keeps the last value' }]);
  });

  it("refuses what kubectl cannot convert to JSON", () => {
    expect(() => parseManifestYaml("a: .inf\n")).toThrow(ManifestYamlError);
    expect(() => parseManifestYaml("a: !!int abc\n")).toThrow("cannot decode abc as !!int");
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (const name of "bcdefg")
      bomb.push(
        `${name}: &${name} [${Array(10)
          .fill(`*${String.fromCharCode(name.charCodeAt(0) - 1)}`)
          .join(", ")}]`,
      );
    expect(() => parseManifestYaml(bomb.join("\n"))).toThrow("excessive aliasing");
  });
});
