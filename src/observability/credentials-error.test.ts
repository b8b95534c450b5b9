import { describe, expect, it } from "vitest";
import { KubeConfig } from "@kubernetes/client-node";
import { CredentialsFileError, describeCredentialsProblem } from "./credentials-error.ts";

const SECRET = "ya29.a0AfB_SECRET-token";

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected a throw");
}

describe("describeCredentialsProblem", () => {
  it("gives a YAML error's position and reason without the quoted lines", () => {
    const err = thrownBy(() =>
      new KubeConfig().loadFromString(`users:\n- name: u\n  user:\n    token: ${SECRET}\n   bad: [x\n`),
    );
    expect((err as Error).message).toContain(SECRET); // what the parser itself would print
    const problem = describeCredentialsProblem(err);
    expect(problem).toBe("it is not valid YAML at line 5, column 4: bad indentation of a mapping entry");
  });

  it("drops a YAML reason that quotes the document", () => {
    const problem = describeCredentialsProblem({ name: "YAMLException", reason: `unknown tag !<${SECRET}>` });
    expect(problem).toBe("it is not valid YAML");
  });

  it("never repeats JSON.parse's quote of the first bytes", () => {
    const err = thrownBy(() => JSON.parse(SECRET));
    expect((err as Error).message).toContain("ya29");
    expect(describeCredentialsProblem(err)).toBe("it is not valid JSON");
  });

  it("keeps the position of a JSON error", () => {
    const err = thrownBy(() => JSON.parse(`{"private_key": "${SECRET}" oops`));
    expect(describeCredentialsProblem(err)).toMatch(/^it is not valid JSON at position \d+$/);
  });

  it("names a file that cannot be read by its error code", () => {
    expect(describeCredentialsProblem(Object.assign(new Error("ENOENT: no such file"), { code: "ENOENT" }))).toBe(
      "it could not be read (ENOENT)",
    );
  });

  it("keeps the Kubernetes client's structural messages, which name fields only", () => {
    expect(describeCredentialsProblem(new Error("users[0].name is missing"))).toBe("users[0].name is missing");
    expect(describeCredentialsProblem(new Error(`invalid token ${SECRET}`))).toBe("its content is not valid");
  });
});

describe("CredentialsFileError", () => {
  it("names the file and says why its content is not shown, with no cause to print", () => {
    const err = new CredentialsFileError("kubeconfig", "/home/me/.kube/config", "it is not valid YAML");
    expect(err.message).toBe(
      "cannot load kubeconfig /home/me/.kube/config: it is not valid YAML (the file's content is not shown: it holds credentials)",
    );
    expect(err.cause).toBeUndefined();
  });
});
