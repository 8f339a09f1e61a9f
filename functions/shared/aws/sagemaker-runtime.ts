import { InvokeEndpointAsyncCommand, InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { InvocationReply } from '../domain/views';
import type { AwsEnv } from '../runtime/env';
import { traced } from '../runtime/tracing';
import { clientOptions } from './client-options';
import { errorCode, translateAwsError } from './translate-error';

/** Who must answer a request: a variant of the endpoint, or (multi-model) a model under its prefix. */
export interface InvocationTarget {
  variant: string | null;
  model: string | null;
}

export interface InvocationPayload {
  contentType: string;
  body: string | Uint8Array;
  accept?: string | undefined;
}

/** The model answering with an error is its verdict on the request (a failed smoke case); the service failing is not. */
const MODEL_VERDICT_ERRORS = new Set(['ModelError', 'ValidationError', 'ValidationException']);

function refusal(operation: 'InvokeEndpoint' | 'InvokeEndpointAsync', error: unknown, started: number): InvocationReply {
  if (!MODEL_VERDICT_ERRORS.has(errorCode(error))) throw translateAwsError(operation, error);
  const message = (error as { message?: string }).message ?? null;
  return { ok: false, errorName: errorCode(error), errorMessage: message, contentType: null, body: '', latencyMs: Date.now() - started, invokedVariant: null };
}

/** Where an async invocation will write its answer or its failure. */
export interface AsyncInvocation {
  outputLocation: string | null;
  failureLocation: string | null;
}

/**
 * InvokeEndpoint and InvokeEndpointAsync; latency is the time of the call as this Lambda sees it, read with
 * `Date.now()` (millisecond resolution is plenty next to a model's latency, and the local simulation's
 * virtual clock stands in for it, so a simulated model is as fast as its profile says, under any load).
 */
export class SageMakerRuntimeAdapter {
  constructor(private readonly client: SageMakerRuntimeClient) {}

  async invoke(endpointName: string, target: InvocationTarget, payload: InvocationPayload): Promise<InvocationReply> {
    const started = Date.now();
    try {
      const out = await this.client.send(
        new InvokeEndpointCommand({
          EndpointName: endpointName,
          ...(target.model !== null ? { TargetModel: target.model } : target.variant !== null ? { TargetVariant: target.variant } : {}),
          ContentType: payload.contentType,
          ...(payload.accept !== undefined ? { Accept: payload.accept } : {}),
          Body: typeof payload.body === 'string' ? new TextEncoder().encode(payload.body) : payload.body,
        }),
      );
      return {
        ok: true,
        errorName: null,
        errorMessage: null,
        contentType: out.ContentType ?? null,
        body: out.Body ? new TextDecoder().decode(out.Body) : '',
        latencyMs: Date.now() - started,
        invokedVariant: out.InvokedProductionVariant ?? null,
      };
    } catch (error) {
      return refusal('InvokeEndpoint', error, started);
    }
  }

  /** Queues an async request whose input is already in S3; a refusal comes back as the reply instead. */
  async invokeAsync(endpointName: string, inputLocation: string, payload: Omit<InvocationPayload, 'body'>): Promise<AsyncInvocation | InvocationReply> {
    const started = Date.now();
    try {
      const out = await this.client.send(
        new InvokeEndpointAsyncCommand({ EndpointName: endpointName, InputLocation: inputLocation, ContentType: payload.contentType, ...(payload.accept ? { Accept: payload.accept } : {}) }),
      );
      return { outputLocation: out.OutputLocation ?? null, failureLocation: out.FailureLocation ?? null };
    } catch (error) {
      return refusal('InvokeEndpointAsync', error, started);
    }
  }
}

export const sageMakerRuntime = (env: AwsEnv): SageMakerRuntimeAdapter => new SageMakerRuntimeAdapter(traced(new SageMakerRuntimeClient(clientOptions(env))));
