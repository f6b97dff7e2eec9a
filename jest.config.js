// One jest project per package, all running TypeScript sources through
// ts-jest as ESM. Package names map to src/, so no test needs a build.
const packages = ['sockbuf', 'ber', 'testkit', 'ldap', 'cli'];

const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.jest.json' }],
  },
  moduleNameMapper: {
    '^@lber/([a-z]+)$': '<rootDir>/packages/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
};

export default {
  projects: packages.map((name) => ({
    ...shared,
    displayName: name,
    rootDir: '.',
    testMatch: [`<rootDir>/packages/${name}/test/**/*.test.ts`],
  })),
  testTimeout: 30000,
};
