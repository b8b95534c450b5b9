import { defineConfig } from "vitest/config";

// Unit tests are pure and fast; integration tests share one real kube-apiserver + etcd started by the
// global setup (each test file works in its own namespace), so they run in a few forks only.
export default defineConfig({
  test: {
    projects: [
      {
        // Some unit tests start the CLI as a process; on a busy 2-core machine that alone can take seconds.
        test: { name: "unit", include: ["src/**/*.test.ts", "test/unit/**/*.test.ts"], testTimeout: 30_000 },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/support/global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          pool: "forks",
          maxWorkers: 2,
          // Runs after the unit project; vitest requires its own group for a different worker count.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
