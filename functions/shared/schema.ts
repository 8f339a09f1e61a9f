/** The helpers every schema in functions/ uses (zod itself comes from ./zod). */
import * as z from './zod';

/** Any schema, for helpers generic over what it parses. */
export type Schema = z.ZodMiniType;

/** "detail.ModelPackageArn: expected string" — one line per problem, naming the field. */
export function describeIssues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}

/** Parses `value` or throws the error `makeError` builds from "<what>: <field problems>". */
export function parseOrThrow<S extends Schema>(schema: S, value: unknown, makeError: (message: string) => Error, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw makeError(`${what}: ${describeIssues(result.error)}`);
  return result.data;
}

/** Adds one custom issue to a transform's payload (zod/mini has no ctx.addIssue). */
function addIssue(ctx: { issues: unknown[] }, input: unknown, message: string): void {
  ctx.issues.push({ code: 'custom', message, input });
}

/**
 * A string that must hold JSON matching `schema` (Lambda environment values): one issue
 * "must be <what>: <field problems>" instead of a JSON.parse stack trace.
 */
export function jsonString<S extends Schema>(schema: S, what: string) {
  return z.pipe(
    z.string(),
    z.transform((raw: string, ctx): z.output<S> => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        addIssue(ctx, raw, `must be ${what}`);
        return z.NEVER;
      }
      const result = schema.safeParse(parsed);
      if (!result.success) {
        addIssue(ctx, raw, `must be ${what}: ${describeIssues(result.error)}`);
        return z.NEVER;
      }
      return result.data;
    }),
  );
}

/** An ISO-8601 instant (what every step writes for times). */
export const isoInstant = z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO timestamp'));
