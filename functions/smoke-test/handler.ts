import { performance } from 'node:perf_hooks';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { InvokeEndpointAsyncCommand, InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { z } from 'zod';
import { s3Client, sageMakerRuntimeClient } from '../shared/aws/clients';
import { awsCall, isNotFound, translateAwsError } from '../shared/aws/translate-error';
import { judgeSmokeCase, summarizeSmoke, type SmokeResponse } from '../shared/domain/smoke';
import type { SmokePayload } from '../shared/domain/settings';
import { deploymentSlice, releaseState } from '../shared/domain/state';
import { stepHandler } from '../shared/runtime/step-handler';

/** Model errors are the model's verdict (a failed smoke case); throttling and 5xx from the service are retried. */
const MODEL_VERDICT_ERRORS = new Set(['ModelError', 'ValidationError', 'ValidationException']);

function modelVerdict(error: unknown, started: number): SmokeResponse {
  const e = error as { name?: string; message?: string };
  if (!MODEL_VERDICT_ERRORS.has(e.name ?? '')) throw translateAwsError('InvokeEndpoint', error);
  return { ok: false, errorName: e.name ?? 'Error', errorMessage: e.message ?? null, contentType: null, body: '', latencyMs: performance.now() - started, invokedVariant: null };
}

/** Who must answer: a variant of the endpoint, or (multi-model) a model under its prefix. */
interface Target {
  variant: string | null;
  model: string | null;
}

async function invoke(endpointName: string, target: Target, payload: SmokePayload): Promise<SmokeResponse> {
  const started = performance.now();
  try {
    const out = await sageMakerRuntimeClient().send(
      new InvokeEndpointCommand({
        EndpointName: endpointName,
        ...(target.model !== null ? { TargetModel: target.model } : target.variant !== null ? { TargetVariant: target.variant } : {}),
        ContentType: payload.contentType,
        ...(payload.accept !== undefined ? { Accept: payload.accept } : {}),
        Body: new TextEncoder().encode(payload.body),
      }),
    );
    return {
      ok: true,
      errorName: null,
      errorMessage: null,
      contentType: out.ContentType ?? null,
      body: out.Body ? new TextDecoder().decode(out.Body) : '',
      latencyMs: performance.now() - started,
      invokedVariant: out.InvokedProductionVariant ?? null,
    };
  } catch (error) {
    return modelVerdict(error, started);
  }
}

function splitS3(uri: string): { Bucket: string; Key: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  return { Bucket: match?.[1] ?? '', Key: match?.[2] ?? '' };
}

async function readIfPresent(uri: string): Promise<string | null> {
  try {
    const out = await s3Client().send(new GetObjectCommand(splitS3(uri)));
    return out.Body ? await out.Body.transformToString() : '';
  } catch (error) {
    if (isNotFound(error) || (error as { name?: string }).name === 'NoSuchKey') return null;
    throw translateAwsError('GetObject', error);
  }
}

/**
 * Async endpoints take their input from S3 and write the answer to S3: the payload goes under the
 * async output path, and the reply (or the failure) is awaited there within the latency budget.
 */
async function invokeAsync(endpointName: string, inputUri: string, payload: SmokePayload, budgetMs: number, lambdaDeadline: number): Promise<SmokeResponse> {
  await awsCall('PutObject', () => s3Client().send(new PutObjectCommand({ ...splitS3(inputUri), Body: payload.body, ContentType: payload.contentType })));
  const started = performance.now();
  let output: { OutputLocation?: string; FailureLocation?: string };
  try {
    output = await sageMakerRuntimeClient().send(
      new InvokeEndpointAsyncCommand({ EndpointName: endpointName, InputLocation: inputUri, ContentType: payload.contentType, ...(payload.accept ? { Accept: payload.accept } : {}) }),
    );
  } catch (error) {
    return modelVerdict(error, started);
  }
  // Bounded by the budget and by what is left of this Lambda invocation (shared by all payloads).
  const deadline = Math.min(started + budgetMs, lambdaDeadline);
  for (;;) {
    const body = output.OutputLocation ? await readIfPresent(output.OutputLocation) : null;
    if (body !== null) return { ok: true, errorName: null, errorMessage: null, contentType: null, body, latencyMs: performance.now() - started, invokedVariant: null };
    const failure = output.FailureLocation ? await readIfPresent(output.FailureLocation) : null;
    if (failure !== null) return { ok: false, errorName: 'AsyncInferenceFailure', errorMessage: failure.slice(0, 300), contentType: null, body: '', latencyMs: performance.now() - started, invokedVariant: null };
    if (performance.now() >= deadline) {
      return { ok: false, errorName: 'AsyncInferenceTimeout', errorMessage: `no output at ${output.OutputLocation ?? '?'} yet`, contentType: null, body: '', latencyMs: performance.now() - started, invokedVariant: null };
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * State SmokeTest: every sample payload against the NEW model only, before it gets any production
 * traffic (TargetVariant beside a live variant; the whole endpoint when it is the only model on it;
 * TargetModel on a multi-model endpoint). Latency is wall-clock time of the call as this Lambda sees it.
 */
export const handler = stepHandler({
  step: 'SmokeTest',
  input: releaseState.extend({ deployment: deploymentSlice }),
  env: z.object({}),
  run: async ({ plan, deployment }, { lambdaContext }) => {
    const { payloads, latencyBudgetMs } = plan.settings.smoke;
    // Async replies are awaited within one deadline for all payloads, 5 s before this Lambda would time
    // out: a smoke test that runs out of time must fail cleanly, not time the Lambda out.
    const lambdaDeadline = plan.mode === 'async' ? performance.now() + Math.min(45_000, lambdaContext.getRemainingTimeInMillis() - 5_000) : Infinity;
    const target: Target = { variant: deployment.targetVariant, model: deployment.targetModel ?? null };
    // A multi-model endpoint loads a TargetModel on its first request: that cold load is not the model's
    // latency, so one unjudged request loads it first (a load slower than the SDK timeout is retried).
    const first = payloads[0];
    const warmUp = target.model !== null && first !== undefined ? await invoke(deployment.endpointName, target, first) : null;
    const results = [];
    for (const [index, payload] of payloads.entries()) {
      const response =
        plan.mode === 'async'
          ? await invokeAsync(deployment.endpointName, `${(plan.settings.async.outputPath ?? '').replace(/\/$/, '')}/smoke-inputs/${plan.releaseId}/${index}`, payload, latencyBudgetMs, lambdaDeadline)
          : await invoke(deployment.endpointName, target, payload);
      results.push(judgeSmokeCase(index, payload, response, latencyBudgetMs, target.variant));
    }
    return { ...summarizeSmoke(results), results, ...(warmUp !== null ? { warmUpLatencyMs: Math.round(warmUp.latencyMs) } : {}) };
  },
});
