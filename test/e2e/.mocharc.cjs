/* global process, module */
// Mocha settings for the E2E suites (real VS Code in a real browser). Under CI
// a skipped (pending) test fails the run: a suite that cannot run in CI is a
// broken CI machine, not a pass.
const ci = process.env.CI === 'true' || process.env.CI === '1';
module.exports = {
  require: ['tsx/cjs'],
  extension: ['ts'],
  timeout: 120000,
  slow: 20000,
  reporter: 'spec',
  'forbid-pending': ci,
  'forbid-only': ci,
};
