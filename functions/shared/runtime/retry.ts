import { RETRYABLE_ERROR_NAMES } from '../errors';

const RETRYABLE = new Set<string>(RETRYABLE_ERROR_NAMES);

/**
 * Runs `write`, retrying our transient named errors a few times with jittered backoff. Returns null when it
 * succeeded, else the last error's message: for a step that must finish what it started (announce an
 * outcome) even when a write it depends on cannot be made.
 */
export async function retryTransient(write: () => Promise<void>, attempts = 3): Promise<string | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      await write();
      return null;
    } catch (error) {
      const name = (error as { name?: string }).name ?? '';
      if (attempt >= attempts || !RETRYABLE.has(name)) return error instanceof Error ? error.message : String(error);
      await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt * Math.random()));
    }
  }
}
