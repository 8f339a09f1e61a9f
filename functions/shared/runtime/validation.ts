import type { z } from 'zod';

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
