import { createRequire } from 'node:module';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  // SWC, unlike esbuild, emits the decorator metadata Nest's dependency injection reads.
  plugins: [
    swc.vite({
      module: { type: 'es6' },
      jsc: {
        target: 'es2023',
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      },
    }),
  ],
  resolve: {
    // graphql 16 ships CommonJS (`main`) and ESM (`module`) builds. Node, and so Apollo, loads the
    // CommonJS one; Vite would hand our code the ESM one, and `instanceof GraphQLError` would then
    // fail across the two copies. Pin Vite to the file Node uses.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['src/**/*.spec.ts', 'test/**/*.e2e-spec.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/setup.ts'],
    pool: 'forks',
    // Two files at a time: on these two-core machines vitest's default is one (cores - 1), and most
    // of an e2e file's time is waiting (on GHL's stand-in limits, pg-boss heartbeats, restarts).
    maxWorkers: 2,
    testTimeout: 30_000,
    // expect.poll's own default (1 s) is shorter than a browser page's round trip on a machine that
    // runs two test files and a chromium at once.
    expect: { poll: { timeout: 10_000 } },
    hookTimeout: 120_000,
  },
});
