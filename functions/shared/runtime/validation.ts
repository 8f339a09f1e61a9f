import { z } from 'zod';

/** "detail.ModelPackageArn: expected string" — one line per problem, naming the field. */
export function describeZodIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}

export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  makeError: (message: string) => Error,
  what: string,
): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw makeError(`${what}: ${describeZodIssues(result.error)}`);
  return result.data;
}

/**
 * A string that must hold JSON matching `schema` (Lambda environment values, metadata values): one
 * issue "must be <what>: <field problems>" instead of a JSON.parse stack trace.
 */
export function jsonString<S extends z.ZodType>(schema: S, what: string) {
  return z.string().transform((raw, ctx): z.infer<S> => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be ${what}` });
      return z.NEVER;
    }
    const result = schema.safeParse(parsed);
    if (!result.success) {
      ctx.addIssue({ code: 'custom', message: `must be ${what}: ${describeZodIssues(result.error)}` });
      return z.NEVER;
    }
    return result.data;
  });
}
