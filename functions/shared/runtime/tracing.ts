import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { MiddlewareObj } from '@middy/core';

/**
 * X-Ray tracing for the steps that call AWS (serverless.yml turns active tracing on): a subsegment per
 * invocation and one per SDK call, by Powertools Tracer. Steps that only compute are not traced by us
 * (Lambda still records their invocation), which keeps the X-Ray SDK out of their bundles.
 *
 * The Tracer traces only inside Lambda (AWS_EXECUTION_ENV set, POWERTOOLS_TRACE_ENABLED not "false").
 * Where it would be off anyway its module is not even evaluated: the X-Ray SDK installs a process-wide
 * async hook when it loads, which slows every promise of a process that hosts many handlers outside
 * Lambda and buys nothing there.
 */
function tracingWanted(): boolean {
  return (process.env.AWS_EXECUTION_ENV ?? '') !== '' && process.env.POWERTOOLS_TRACE_ENABLED?.toLowerCase() !== 'false';
}

let tracer: Tracer | null | undefined;

function loadedTracer(): Tracer | null {
  if (tracer === undefined) {
    // Required here, not imported at the top, so the module is evaluated only when tracing is wanted.
    const powertools = require('@aws-lambda-powertools/tracer') as typeof import('@aws-lambda-powertools/tracer');
    tracer = tracingWanted() ? new powertools.Tracer({ serviceName: 'sagemaker-release-pipeline' }) : null;
  }
  return tracer;
}

/** The client, with every call it makes recorded as an X-Ray subsegment (unchanged where tracing is off). */
export function traced<Client>(client: Client): Client {
  const active = tracingWanted() ? loadedTracer() : null;
  return active ? active.captureAWSv3Client(client) : client;
}

/** The invocation's subsegment, or null where tracing is off. Responses are not captured: a step's output can hold a whole plan. */
export function tracing(): MiddlewareObj | null {
  if (!tracingWanted()) return null;
  const active = loadedTracer();
  if (active === null) return null;
  const { captureLambdaHandler } = require('@aws-lambda-powertools/tracer/middleware') as typeof import('@aws-lambda-powertools/tracer/middleware');
  return captureLambdaHandler(active, { captureResponse: false }) as MiddlewareObj;
}
