import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { buildProgram } from "./main.ts";

describe("buildProgram", () => {
  it("names the program and registers its subcommands without running anything", async () => {
    const packageJson = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8")) as {
      version: string;
    };
    const program = buildProgram();
    expect(program.name()).toBe("driftguard");
    expect(program.version()).toBe(packageJson.version);
    expect(program.commands.map((command) => command.name())).toEqual(expect.arrayContaining(["crds", "validate"]));
  });
});
