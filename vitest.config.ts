import { defineConfig } from 'vitest/config';

/**
 * Two projects: every test on the embedded SQLite store, and the tests that go through the
 * store (calls, SMS sessions, flow versions, knowledge answers, a kill -9 restart) once more on
 * PostgreSQL — the same files, so both stores meet one contract. The PostgreSQL project fails,
 * never skips, when the server is unreachable.
 */
const STORE_CONTRACT = [
  'tests/integration/scripted-calls.test.ts',
  'tests/integration/versions.test.ts',
  'tests/integration/restart.test.ts',
  'tests/integration/sms.test.ts',
  'tests/integration/voice-robustness.test.ts',
  'tests/integration/voice-security.test.ts',
  'tests/integration/knowledge.test.ts',
  'tests/integration/cases.test.ts',
  'tests/integration/cases-config.test.ts',
  'tests/integration/users.test.ts',
  'tests/integration/cases-api.test.ts',
  'tests/integration/departments.test.ts',
  'tests/integration/notifications.test.ts',
  'tests/integration/open311.test.ts',
  'tests/integration/case-status.test.ts',
  'tests/integration/callback.test.ts',
  'tests/integration/chain.test.ts',
  'tests/integration/assist.test.ts',
  'tests/integration/reports.test.ts',
  'tests/integration/demo-seed.test.ts',
];

const shared = { testTimeout: 30_000, hookTimeout: 30_000, pool: 'forks' as const };

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      { test: { ...shared, name: 'sqlite', include: ['tests/**/*.test.ts'], env: { HOTLINE_TEST_STORE: 'sqlite' } } },
      { test: { ...shared, name: 'postgres', include: STORE_CONTRACT, env: { HOTLINE_TEST_STORE: 'postgres' } } },
    ],
  },
});
