/** The Cause of a Lambda failure as Step Functions reports it is JSON with errorMessage; show just the message. */
export function errorMessageOf(cause: string | undefined): string {
  if (cause === undefined) return 'no cause given';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: the cause is the message
  }
  return cause;
}
