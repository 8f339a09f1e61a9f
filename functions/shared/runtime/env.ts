import { z } from 'zod';

/** Env every function has (serverless.yml provider.environment). */
export const commonEnv = z.object({
  AWS_REGION: z.string().min(1),
});

export const ledgerEnv = z.object({
  LEDGER_TABLE: z.string().min(1),
});

export const eventsEnv = z.object({
  EVENT_BUS_NAME: z.string().min(1),
  EVENT_SOURCE: z.string().min(1),
});

/** Seconds-as-string env value, e.g. a wait bound from serverless params. */
export const secondsFromEnv = z.string().regex(/^\d+$/).transform(Number);
