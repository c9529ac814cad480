// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');

// Node 20: some of @grafana/*'s dependencies ship only .mjs files, which the scaffold's
// transform (.js/.jsx/.ts/.tsx) leaves untransformed; run them through the same SWC transform.
const [swcTransform] = Object.values(base.transform);

module.exports = {
  // Jest configuration provided by Grafana scaffolding
  ...base,
  transform: {
    '^.+\\.(t|j)sx?$': swcTransform,
    '^.+\\.mjs$': swcTransform,
  },
  // See jest-setup.js: limits for a loaded machine, not timings.
  testTimeout: 30000,
  moduleFileExtensions: ['js', 'mjs', 'cjs', 'jsx', 'ts', 'tsx', 'json', 'node'],
};
