// Hostile and ambiguous manifests, as YAML text, each with the verdict the API server (through kubectl) gives
// and the one `driftguard validate` and the controller must give. test/integration/api/bad-input.test.ts runs them.

export interface InputCase {
  name: string;
  /** YAML under `spec:` after the target service, indented two spaces; or a whole file in `file`. */
  spec?: string[];
  file?: string;
  /**
   * stores: the API server (1.20, no CEL) keeps the object; validate and the controller give `rejection` (or accept).
   * refuses: the API server refuses it at the field validate names.
   * unreadable: kubectl cannot even convert the file; validate names the file and the reason.
   */
  apiServer: "stores" | "refuses" | "unreadable";
  /** "path: message" (or for unreadable files the message) validate and the controller report; absent when valid. */
  rejection?: string;
}

const kib = (n: number) => "x".repeat(n * 1024);
const manyEnv = (count: number) => ["  env:", ...Array.from({ length: count }, (_, i) => `    VAR_${i}: "x"`)];

function aliasBomb(): string {
  const lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let i = 1; i < 9; i++)
    lines.push(
      `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(", ")}]`,
    );
  return `apiVersion: driftguard.dev/v1alpha1\nkind: CloudRunServiceConfig\nmetadata: {name: bomb}\nspec:\n${lines
    .map((line) => `  ${line}`)
    .join("\n")}\n`;
}

export const INPUT_CASES: InputCase[] = [
  // YAML 1.1 numbers, as go-yaml v2 (kubectl) reads them: 010 is 8.
  { name: "octal 010 read as 8", spec: ["  scaling: {minInstances: 010, maxInstances: 9}"], apiServer: "stores" },
  {
    name: "octal 010 read as 8, above maxInstances 7",
    spec: ["  scaling: {minInstances: 010, maxInstances: 7}"],
    apiServer: "stores",
    rejection: "spec.scaling.minInstances: minInstances 8 exceeds maxInstances 7",
  },
  { name: "hex and 0o octal", spec: ["  database: {pool: {size: 0x10, maxOverflow: 0o7}}"], apiServer: "stores" },
  { name: "maxInstances 1e3", spec: ["  scaling: {maxInstances: 1e3}"], apiServer: "stores" },
  {
    name: "maxInstances 1.5e3",
    spec: ["  scaling: {maxInstances: 1.5e3}"],
    apiServer: "refuses",
    rejection: "spec.scaling.maxInstances: Too big: expected number to be <=1000",
  },
  {
    name: "minInstances 1.5",
    spec: ["  scaling: {minInstances: 1.5}"],
    apiServer: "refuses",
    rejection: "spec.scaling.minInstances: Invalid input: expected int, received number",
  },
  // YAML 1.1 booleans: yes/off are booleans, fine where a boolean belongs, refused where a string does.
  { name: "prePing yes", spec: ["  database: {pool: {prePing: yes}}"], apiServer: "stores" },
  {
    name: "env value off",
    spec: ["  env: {DEBUG: off}"],
    apiServer: "refuses",
    rejection: "spec.env.DEBUG: expected a string, got the boolean false",
  },
  {
    name: "label value yes",
    spec: ["  labels: {public: yes}"],
    apiServer: "refuses",
    rejection: "spec.labels.public: expected a string, got the boolean true",
  },
  // Duplicate keys: kubectl keeps the last value, silently; validate does too (and warns).
  {
    name: "duplicate key, last valid",
    spec: ["  requestTimeout: 7200s", "  requestTimeout: 300s"],
    apiServer: "stores",
  },
  {
    name: "duplicate key, last too long",
    spec: ["  requestTimeout: 300s", "  requestTimeout: 7200s"],
    apiServer: "stores",
    rejection: "spec.requestTimeout: must be at most 3600s, got 7200s",
  },
  // Quantities and Cloud Run's vCPU and memory.
  {
    name: "negative cpu",
    spec: ['  resources: {cpu: "-2"}'],
    apiServer: "refuses",
    rejection: "spec.resources.cpu: must be a Kubernetes quantity",
  },
  {
    name: "negative cpu as an integer",
    spec: ["  resources: {cpu: -2}"],
    apiServer: "refuses",
    rejection: "spec.resources.cpu: must be a Kubernetes quantity",
  },
  {
    name: "negative memory",
    spec: ['  resources: {memory: "-512Mi"}'],
    apiServer: "refuses",
    rejection: "spec.resources.memory: must be a Kubernetes quantity",
  },
  {
    name: 'cpu "9"',
    spec: ['  resources: {cpu: "9"}'],
    apiServer: "stores",
    rejection: "spec.resources.cpu: must be at most 8 vCPU (Cloud Run's maximum), got 9",
  },
  {
    name: "cpu 9 as an integer",
    spec: ["  resources: {cpu: 9}"],
    apiServer: "stores",
    rejection: "spec.resources.cpu: must be at most 8 vCPU (Cloud Run's maximum), got 9",
  },
  {
    name: "memory 64Gi",
    spec: ["  resources: {memory: 64Gi}"],
    apiServer: "stores",
    rejection: "spec.resources.memory: must be at most 32Gi (Cloud Run's maximum), got 64Gi",
  },
  {
    name: "1 vCPU with 8Gi",
    spec: ["  resources: {cpu: 1, memory: 8Gi}"],
    apiServer: "stores",
    rejection: "spec.resources: memory 8Gi needs at least 2 vCPU, got cpu 1",
  },
  // Labels by Google's rules.
  {
    name: "upper-case label key",
    spec: ["  labels: {Team: core}"],
    apiServer: "stores",
    rejection: "spec.labels.Team: invalid key: must be 1-63 characters of lowercase letters",
  },
  {
    name: "emoji label key",
    spec: ['  labels: {"🚀": core}'],
    apiServer: "stores",
    rejection: 'spec.labels["🚀"]: invalid key',
  },
  { name: "international label", spec: ["  labels: {équipe: données}"], apiServer: "stores" },
  {
    name: "upper-case label value",
    spec: ["  labels: {team: Core}"],
    apiServer: "refuses",
    rejection: "spec.labels.team: must be at most 63 characters of lowercase letters",
  },
  {
    name: "100 KB label value",
    spec: [`  labels: {team: ${kib(100)}}`],
    apiServer: "refuses",
    rejection: "spec.labels.team: Too big: expected string to have <=63 characters",
  },
  // Environment variables: 1,000 per container, 32 KB per value, no NUL.
  {
    name: "2,000 env vars",
    spec: manyEnv(2000),
    apiServer: "refuses",
    rejection: "spec.env: 2000 environment variables (spec.env and spec.database) exceed Cloud Run's 1000",
  },
  {
    name: "NUL in an env value",
    spec: ['  env: {A: "a\\0b"}'],
    apiServer: "refuses",
    rejection: "spec.env.A: must not contain a NUL character",
  },
  {
    name: "1 MB env value",
    spec: [`  env: {A: ${kib(1024)}}`],
    apiServer: "refuses",
    rejection: "spec.env.A: Too big: expected string to have <=32768 characters",
  },
  {
    name: "env value of 20,000 two-byte characters",
    spec: [`  env: {A: ${"é".repeat(20000)}}`],
    apiServer: "stores",
    rejection: "spec.env.A: must be at most 32768 bytes (Cloud Run's limit per variable)",
  },
  {
    name: "annotation key with a space",
    spec: ['  annotations: {"bad key": x}'],
    apiServer: "stores",
    rejection: 'spec.annotations["bad key"]: invalid key: must be a Kubernetes qualified name',
  },
  // Files kubectl cannot convert to JSON.
  {
    name: "alias bomb",
    file: aliasBomb(),
    apiServer: "unreadable",
    rejection: "YAML parse error: document contains excessive aliasing",
  },
  {
    name: "infinity",
    spec: ["  scaling: {maxInstances: .inf}"],
    apiServer: "unreadable",
    rejection: "YAML value Infinity cannot be converted to JSON",
  },
];
