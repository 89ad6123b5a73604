import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * The files that compare Vouch with testssl.sh and sslscan: each keeps two or three testssl runs going at once, and a
 * testssl run is hundreds of short bash and openssl processes (about a core while it lasts).
 */
const PEERS = 'test/peers/**/*.test.ts';

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    clearMocks: true,
    restoreMocks: true,
    // One worker per core, and at least two. Vitest's default for `run` is one fewer than the cores: a single worker
    // on a 2-core machine, where the suite kept less than one core busy (its e2e tests mostly wait on loopback
    // servers and child processes), so the second core sat idle.
    maxWorkers: Math.max(2, availableParallelism()),
    // Test files share their worker's module cache instead of each importing Vouch afresh: the per-file imports were
    // about 40% of the suite's CPU time. Safe while no test mocks modules (vi.mock) or changes process-wide state
    // (env, cwd, signal handlers: the CLI runs in-process through `main`, which installs none) and spies are restored
    // after every test (restoreMocks). Module-level caches are shared across files (e.g. the lab's RSA keys).
    isolate: false,
    reporters: ['default', './test/support/summary-reporter.ts'],
    // The peers run after everything else (groupOrder), so their processes never compete for the CPU with an e2e
    // test whose lab servers must answer within its short lab timeouts. One file at a time: each keeps both cores
    // busy on its own, and a second one beside it would only slow both towards their timeouts.
    projects: [
      { extends: true, test: { name: 'vouch', include: ['test/**/*.test.ts'], exclude: [PEERS], sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'peers', include: [PEERS], sequence: { groupOrder: 1 }, maxWorkers: 1 } },
    ],
  },
});
