/**
 * Where moto answers differently from AWS and the simulator answers as AWS does instead, so the handlers
 * are written against AWS's behaviour, never moto's. Each correction is listed in docs/simulation.md
 * ("Where moto is corrected").
 */
import type { ProxyResult } from './proxy';
import { omitEmptyStructures, serviceModel } from './service-models';

/**
 * SageMaker answers DescribeModelPackage on a missing package with a ValidationException saying
 * "ModelPackage <name> does not exist."; moto 5.2.1 says "Model package <name> not found".
 */
function modelPackageNotFound(result: ProxyResult): ProxyResult {
  if (result.status !== 400) return result;
  let error: { __type?: string; message?: string; Message?: string };
  try {
    error = JSON.parse(result.body.toString()) as typeof error;
  } catch {
    return result;
  }
  const message = error.message ?? error.Message ?? '';
  const missing = /^Model package (.+) not found$/.exec(message);
  if (missing === null) return result;
  const body = Buffer.from(JSON.stringify({ __type: 'ValidationException', message: `ModelPackage ${missing[1] ?? ''} does not exist.` }));
  return { ...result, headers: { ...result.headers, 'x-amzn-errortype': 'ValidationException' }, body };
}

/** Operations whose moto answer is corrected before it reaches the client. */
export const CORRECTED_OPERATIONS: Record<string, (result: ProxyResult) => ProxyResult> = {
  DescribeModelPackage: modelPackageNotFound,
};

/**
 * Every SageMaker answer moto gives, as SageMaker would give it: the operation's own correction (above),
 * then the empty structures moto sends where SageMaker omits the member.
 */
export function correctSageMakerAnswer(operation: string, result: ProxyResult): ProxyResult {
  const corrected = CORRECTED_OPERATIONS[operation]?.(result) ?? result;
  if (corrected.status !== 200 || corrected.body.length === 0) return corrected;
  let parsed: unknown;
  try {
    parsed = JSON.parse(corrected.body.toString());
  } catch {
    return corrected;
  }
  const body = Buffer.from(JSON.stringify(omitEmptyStructures(serviceModel('sagemaker'), operation, parsed)));
  const headers = { ...corrected.headers, 'content-length': String(body.length) };
  return { ...corrected, headers, body };
}
