/**
 * Which function is calling. In Lambda each function signs its requests with its own role's credentials;
 * in the simulation every handler runs in this one process with one environment, so the calling function
 * is carried by async context instead: each handler invocation runs inside `runAsFunction`, and every HTTP
 * request started within it (the SDK's, however deep) carries the function's name in a header the local
 * account reads to pick the role to evaluate. Requests made outside a handler (seeding, the runner, tests,
 * the AWS CLI against `--serve`) carry none and act as the account's administrator.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import http, { type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';

export const PRINCIPAL_HEADER = 'x-local-principal';

// One store per process, however many copies of this module are loaded: jest loads one per test file,
// each with its own globalThis, while node:http (where the patch lives) is shared by all of them. So the
// store lives on node:http too, beside the patch that reads it.
const STORE = Symbol.for('sagemaker-release-pipeline.calling-function');
const INSTALLED = Symbol.for('sagemaker-release-pipeline.principal-header');
const holder = http as typeof http & { [STORE]?: AsyncLocalStorage<string> };
const calling: AsyncLocalStorage<string> = (holder[STORE] ??= new AsyncLocalStorage<string>());

/** Runs `act` as the function named: every request it makes is evaluated against that function's role. */
export function runAsFunction<T>(functionName: string, act: () => T): T {
  return calling.run(functionName, act);
}

/** The function whose handler started the current async work, if any. */
export function callingFunction(): string | undefined {
  return calling.getStore();
}

type RequestFn = typeof http.request;

/**
 * Adds the principal header to every `http.request` made inside `runAsFunction`. Idempotent, and installed
 * before any SDK client sends (the SDK looks `http.request` up once, on its first request). Only local
 * (plain http) requests are touched: the simulation never talks to anything else.
 */
export function installPrincipalHeader(): void {
  const target = http as typeof http & { [INSTALLED]?: true };
  if (target[INSTALLED]) return;
  const original: RequestFn = http.request;
  const patched = function request(this: unknown, ...args: unknown[]): ClientRequest {
    const name = calling.getStore();
    if (name !== undefined) {
      // request(options[, callback]) or request(url, options[, callback]): the SDK uses the first form.
      const options = args.find((a, i) => i < 2 && typeof a === 'object' && a !== null && !(a instanceof URL)) as RequestOptions | undefined;
      if (options !== undefined) options.headers = { ...(options.headers as Record<string, string> | undefined), [PRINCIPAL_HEADER]: name };
    }
    return (original as (...a: unknown[]) => ClientRequest).apply(this, args);
  } as RequestFn;
  target.request = patched;
  target[INSTALLED] = true;
}

/** The calling function a request names, if any. */
export function principalOf(req: IncomingMessage): string | undefined {
  const value = req.headers[PRINCIPAL_HEADER];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
