/**
 * A fresh copy of a bundled handler for each simulated run: a bundle caches SDK clients pointed at the
 * run's simulator, and jest keeps its own module registry (deleting from require.cache does nothing).
 */
export function loadFreshModule(file: string): unknown {
  let loaded: unknown;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(file);
  });
  return loaded;
}
