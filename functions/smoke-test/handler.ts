import { performance } from 'node:perf_hooks';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { z } from 'zod';
import { sageMakerRuntimeClient } from '../shared/aws/clients';
import { translateAwsError } from '../shared/aws/translate-error';
import { judgeSmokeCase, summarizeSmoke, type SmokeResponse } from '../shared/domain/smoke';
import type { SmokePayload } from '../shared/domain/settings';
import { deploymentSlice, releaseState } from '../shared/domain/state';
import { stepHandler } from '../shared/runtime/step-handler';

/** Model errors are the model's verdict (a failed smoke case); throttling and 5xx from the service are retried. */
const MODEL_VERDICT_ERRORS = new Set(['ModelError', 'ModelNotReadyException', 'ValidationError', 'ValidationException']);

async function invoke(endpointName: string, targetVariant: string | null, payload: SmokePayload): Promise<SmokeResponse> {
  const started = performance.now();
  try {
    const out = await sageMakerRuntimeClient().send(
      new InvokeEndpointCommand({
        EndpointName: endpointName,
        ...(targetVariant !== null ? { TargetVariant: targetVariant } : {}),
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
    const e = error as { name?: string; message?: string };
    if (!MODEL_VERDICT_ERRORS.has(e.name ?? '')) throw translateAwsError('InvokeEndpoint', error);
    return { ok: false, errorName: e.name ?? 'Error', errorMessage: e.message ?? null, contentType: null, body: '', latencyMs: performance.now() - started, invokedVariant: null };
  }
}

/**
 * State SmokeTest: every sample payload against the NEW variant only (TargetVariant), before it gets
 * any production traffic. Latency is wall-clock time of the call as this Lambda sees it.
 */
export const handler = stepHandler({
  step: 'SmokeTest',
  input: releaseState.extend({ deployment: deploymentSlice }),
  env: z.object({}),
  run: async ({ plan, deployment }) => {
    const { payloads, latencyBudgetMs } = plan.settings.smoke;
    const target = deployment.firstDeployment ? null : deployment.newVariantName;
    const results = [];
    for (const [index, payload] of payloads.entries()) {
      const response = await invoke(deployment.endpointName, target, payload);
      results.push(judgeSmokeCase(index, payload, response, latencyBudgetMs, target));
    }
    return { ...summarizeSmoke(results), results };
  },
});
