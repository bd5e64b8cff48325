import { defineConfig } from 'vitest/config';

// Tests run on the TypeScript sources (the `source` export condition), so no stale dist is ever tested.
// `*.slow.test.ts` and `*.gpu.test.ts` are kept out of the default run.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'default',
          include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/*.slow.test.ts', '**/*.gpu.test.ts', '**/node_modules/**', '**/dist/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'slow',
          include: ['packages/*/src/**/*.slow.test.ts', 'test/**/*.slow.test.ts'],
          testTimeout: 3_600_000,
        },
      },
    ],
    testTimeout: 60_000,
  },
});
