import { performance } from 'node:perf_hooks';
import { s3, type S3Adapter } from '../shared/aws/s3';
import { sageMakerRuntime, type InvocationTarget, type SageMakerRuntimeAdapter } from '../shared/aws/sagemaker-runtime';
import { judgeSmokeCase, summarizeSmoke } from '../shared/domain/smoke';
import { loadSmokeRequests } from '../shared/aws/smoke-payloads';
import type { SmokeRequest } from '../shared/domain/smoke-payloads';
import { deploymentSlice, releaseState } from '../shared/domain/state';
import type { InvocationReply } from '../shared/domain/views';
import { awsEnv } from '../shared/runtime/env';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';

const failed = (errorName: string, errorMessage: string, started: number): InvocationReply => ({
  ok: false,
  errorName,
  errorMessage,
  contentType: null,
  body: '',
  latencyMs: Date.now() - started,
  invokedVariant: null,
});

/**
 * Async endpoints take their input from S3 and write the answer to S3: the payload goes under the
 * async output path, and the reply (or the failure) is awaited there within the latency budget. Latency is
 * read with Date.now (as SageMakerRuntimeAdapter does); the deadline with performance.now, since it is about
 * this Lambda's own real time.
 */
async function invokeAsync(aws: { s3: S3Adapter; runtime: SageMakerRuntimeAdapter }, endpointName: string, inputUri: string, payload: SmokeRequest, budgetMs: number, lambdaDeadline: number): Promise<InvocationReply> {
  await aws.s3.putObject(inputUri, payload.body, payload.contentType);
  const started = Date.now();
  const startedReal = performance.now();
  const queued = await aws.runtime.invokeAsync(endpointName, inputUri, payload);
  if ('ok' in queued) return queued;
  // Bounded by the budget and by what is left of this Lambda invocation (shared by all payloads).
  const deadline = Math.min(startedReal + budgetMs, lambdaDeadline);
  for (;;) {
    const body = queued.outputLocation ? await aws.s3.readIfPresent(queued.outputLocation) : null;
    if (body !== null) return { ok: true, errorName: null, errorMessage: null, contentType: null, body, latencyMs: Date.now() - started, invokedVariant: null };
    const failure = queued.failureLocation ? await aws.s3.readIfPresent(queued.failureLocation) : null;
    if (failure !== null) return failed('AsyncInferenceFailure', failure.slice(0, 300), started);
    if (performance.now() >= deadline) return failed('AsyncInferenceTimeout', `no output at ${queued.outputLocation ?? '?'} yet`, started);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * States SmokeTest (and each style's own): every sample payload against the NEW model only, before it gets
 * any production traffic (TargetVariant beside a live variant; the whole endpoint when it is the only model
 * on it; TargetModel on a multi-model endpoint).
 */
export const smokeTestStep = defineStep({
  step: 'SmokeTest',
  input: z.extend(releaseState, { deployment: deploymentSlice }),
  env: awsEnv,
  aws: { runtime: sageMakerRuntime, s3 },
  run: async ({ plan, deployment }, { aws, lambdaContext }) => {
    const { latencyBudgetMs } = plan.settings.smoke;
    // Read again here (pre-flight read it too): the smoke test sends what the file says now.
    const payloads = await loadSmokeRequests(aws.s3, plan);
    // Async replies are awaited within one deadline for all payloads, 5 s before this Lambda would time
    // out: a smoke test that runs out of time must fail cleanly, not time the Lambda out.
    const lambdaDeadline = plan.mode === 'async' ? performance.now() + Math.min(45_000, lambdaContext.getRemainingTimeInMillis() - 5_000) : Infinity;
    const target: InvocationTarget = { variant: deployment.targetVariant, model: deployment.targetModel ?? null };
    // A multi-model endpoint loads a TargetModel on its first request: that cold load is not the model's
    // latency, so one unjudged request loads it first (a load slower than the SDK timeout is retried).
    const first = payloads[0];
    const warmUp = target.model !== null && first !== undefined ? await aws.runtime.invoke(deployment.endpointName, target, first) : null;
    const results = [];
    for (const [index, payload] of payloads.entries()) {
      const response =
        plan.mode === 'async'
          ? await invokeAsync(aws, deployment.endpointName, `${(plan.settings.async.outputPath ?? '').replace(/\/$/, '')}/smoke-inputs/${plan.releaseId}/${index}`, payload, latencyBudgetMs, lambdaDeadline)
          : await aws.runtime.invoke(deployment.endpointName, target, payload);
      results.push(judgeSmokeCase(index, payload, response, latencyBudgetMs, target.variant));
    }
    return { ...summarizeSmoke(results), results, ...(warmUp !== null ? { warmUpLatencyMs: Math.round(warmUp.latencyMs) } : {}) };
  },
});

export const handler = awsStepHandler(smokeTestStep);
