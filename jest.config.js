/** Minimal config for the local AWS layer tests; the lead merges it with the project's. */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/local/tsconfig.json' }],
  },
};
