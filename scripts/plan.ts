/**
 * npm run plan -- FILE.json [--override key=value ...]
 *
 * FILE holds a DescribeModelPackage response (e.g. `aws sagemaker describe-model-package --model-package-name ARN`).
 * Prints what PlanRelease would decide: the inference mode with its rule, reasons and inputs, the resolved
 * settings and the resource names. Calls no AWS API. Stage defaults come from the packaged template
 * (`npm run package`), so they are exactly what a deployed stage would use.
 */
import { execSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { DescribeModelPackageCommandOutput } from '@aws-sdk/client-sagemaker';
import { toModelPackage } from '../functions/shared/aws/sagemaker';
import { platformLimitsSchema, type PlatformLimits } from '../functions/shared/domain/platform-limits';
import { planRelease } from '../functions/shared/domain/release-plan';
import { jsonString, parseOrThrow } from '../functions/shared/schema';
import * as z from '../functions/shared/zod';
import { loadPackagedStateMachines, PACKAGED_TEMPLATE, PROJECT_ROOT } from '../local/packaged-template';

function planReleaseEnvironment(): Record<string, unknown> {
  if (!existsSync(PACKAGED_TEMPLATE)) execSync('npm run package --silent', { cwd: PROJECT_ROOT, stdio: 'inherit' });
  return loadPackagedStateMachines().functions.find((f) => f.handlerDir === 'plan-release')?.environment ?? {};
}

/** The stage's platform limits, as PlanRelease reads them. */
function platformLimits(): PlatformLimits {
  const raw = planReleaseEnvironment().PLATFORM_LIMITS;
  if (typeof raw !== 'string') throw new Error('The packaged template has no PLATFORM_LIMITS for plan-release');
  return parseOrThrow(jsonString(platformLimitsSchema, 'a JSON object of the platform limits'), raw, (m) => new Error(m), 'PLATFORM_LIMITS');
}

/** The stage's MANAGED_BY (the prefix of the alarms a release creates), as PlanRelease reads it. */
function managedBy(): string {
  const raw = planReleaseEnvironment().MANAGED_BY;
  if (typeof raw !== 'string' || raw === '') throw new Error('The packaged template has no MANAGED_BY for plan-release');
  return raw;
}

/** The stage's dataLocations, as PlanRelease reads them (async results must go under one). */
function dataLocations(): string[] {
  const raw = planReleaseEnvironment().DATA_LOCATIONS;
  if (typeof raw !== 'string') throw new Error('The packaged template has no DATA_LOCATIONS for plan-release');
  return parseOrThrow(jsonString(z.array(z.string()), 'a JSON list of s3://bucket/prefix locations'), raw, (m) => new Error(m), 'DATA_LOCATIONS');
}

function stageDefaults(): Record<string, string> {
  const fn = { environment: planReleaseEnvironment() };
  const raw = fn?.environment.DEFAULT_SETTINGS;
  if (typeof raw !== 'string') throw new Error('The packaged template has no DEFAULT_SETTINGS for plan-release');
  const layer = (value: string, name: string) => parseOrThrow(jsonString(z.record(z.string(), z.string()), 'a JSON object of setting key to string value'), value, (m) => new Error(m), name);
  // The stageSettings param (any key) over the named params, as PlanRelease layers them.
  const stage = fn?.environment.STAGE_SETTINGS;
  return { ...layer(raw, 'DEFAULT_SETTINGS'), ...(typeof stage === 'string' ? layer(stage, 'STAGE_SETTINGS') : {}) };
}

function main(argv: string[]): number {
  const file = argv.find((a) => !a.startsWith('--') && !a.includes('='));
  if (!file) {
    console.error('usage: npm run plan -- FILE.json [--override key=value ...]   (FILE: a DescribeModelPackage response)');
    return 2;
  }
  const overrides: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] !== '--override') continue;
    const [key, ...rest] = (argv[i + 1] ?? '').split('=');
    if (!key || rest.length === 0) throw new Error('--override takes key=value');
    overrides[key] = rest.join('=');
  }
  const described = JSON.parse(readFileSync(file, 'utf8')) as DescribeModelPackageCommandOutput;
  const arn = described.ModelPackageArn ?? '';
  const pkg = toModelPackage(arn, described);
  const plan = planRelease({ request: { endpointName: null, overrides }, package: pkg, defaults: stageDefaults(), releaseId: 'plan', managedBy: managedBy(), limits: platformLimits(), dataLocations: dataLocations() });
  console.log(JSON.stringify({ modelPackageArn: pkg.arn, mode: plan.mode, rule: plan.decision.rule, reasons: plan.decision.reasons, decision: plan.decision, style: plan.style, endpointName: plan.endpointName, settings: plan.settings, names: plan.names }, null, 2));
  return 0;
}

try {
  process.exit(main(process.argv.slice(2)));
} catch (error) {
  const e = error as Error;
  console.error(`${e.name}: ${e.message}`);
  process.exit(1);
}
