import { EndpointBoundToAnotherGroup, EndpointNotManaged, EndpointStateConflict, InvalidSettings, ModeNotSupported } from '../errors';
import { ownershipProblem } from './ownership';
import { hostingSwitchProblem } from './endpoint-config';
import { modelPrefix } from './model-artifact';
import { usesGuardrails, type ReleasePlan } from './release-plan';
import { isUnderLocations, outsideLocationsMessage } from './s3-locations';
import type { EndpointConfigView, EndpointView, ModelView } from './views';

/**
 * What would stop a release before it changes anything. A release refuses on the first problem
 * (PrepareDeployment, StageModelArtifact); a dry run lists them all (PreviewRelease). Both ask here, so a
 * dry run that shows no problem means the release will not refuse for one of these reasons.
 */
export interface ReleaseProblem {
  /** The named error the release fails with. */
  error: 'InvalidSettings' | 'EndpointStateConflict' | 'ModeNotSupported' | 'EndpointNotManaged' | 'EndpointBoundToAnotherGroup';
  message: string;
}

/** What the account holds now, as far as the pre-flight checks of an endpoint release read it. */
export interface EndpointFacts {
  /** The alarms of canary.alarmNames that exist. */
  existingAlarms: ReadonlySet<string>;
  live: EndpointView | null;
  liveConfig: EndpointConfigView | null;
  /** The endpoint's tags (null when there is no endpoint): whose it is. */
  tags: Readonly<Record<string, string>> | null;
}

/** Who may release where: the release's group, this deployment's managed-by value, the stage's bindings. */
export interface OwnershipContext {
  groupName: string;
  managedBy: string;
  bindings: Readonly<Record<string, string>>;
}

/** Problems of a release that creates or updates an endpoint (every style but multi-model and batch). */
export function endpointReleaseProblems(plan: ReleasePlan, facts: EndpointFacts, ownership: OwnershipContext): ReleaseProblem[] {
  const problems: ReleaseProblem[] = [];
  const endpointName = plan.endpointName ?? '';
  // Not ours, or another group's: nothing else about it matters.
  const notOurs = ownershipProblem({ endpointName, tags: facts.tags, ...ownership });
  if (notOurs !== null) return [notOurs];
  // Extra alarms the user named must exist now; finding out mid-canary would be too late.
  const missing = plan.settings.canary.alarmNames.filter((name) => !facts.existingAlarms.has(name));
  if (missing.length > 0) problems.push({ error: 'InvalidSettings', message: `canary.alarmNames: no CloudWatch alarm named ${missing.join(', ')}` });
  const { live } = facts;
  if (live === null) return problems;
  if (live.status !== 'InService') {
    problems.push({ error: 'EndpointStateConflict', message: `Endpoint ${endpointName} is ${live.status}, not InService: another change is under way outside this pipeline` });
  }
  const liveVariants = facts.liveConfig?.variants ?? [];
  const switchProblem = hostingSwitchProblem(plan, liveVariants);
  if (switchProblem !== null) problems.push({ error: 'ModeNotSupported', message: `Cannot release to ${endpointName}: ${switchProblem}` });
  // SageMaker's blue/green guardrails replace a variant in place: exactly one live variant, whose name the new config keeps.
  if (usesGuardrails(plan.style) && liveVariants.length !== 1) {
    const names = liveVariants.map((v) => v.VariantName);
    problems.push({
      error: 'ModeNotSupported',
      message: `Cannot release ${endpointName} with deployment guardrails: it has ${names.length} variants (${names.join(', ')}); guardrails replace exactly one. Use deploy.strategy canary`,
    });
  }
  return problems;
}

/** What a multi-model release reads of the shared endpoint before staging anything. */
export interface MultiModelFacts {
  live: EndpointView | null;
  liveConfig: EndpointConfigView | null;
  /** The model of the endpoint's one variant. */
  model: ModelView | null;
}

/** The shared endpoint a multi-model release writes under: its config, one variant and model prefix. */
export interface SharedEndpoint {
  configName: string;
  variantName: string;
  modelName: string;
  /** The S3 prefix the endpoint loads models from (its container's ModelDataUrl). */
  prefix: string;
}

/** Whether a multi-model release may write under the endpoint: the endpoint to write under, or every problem. */
export type SharedEndpointJudgement = { releasable: true; shared: SharedEndpoint; problems: [] } | { releasable: false; shared: null; problems: ReleaseProblem[] };

/**
 * Judges a release onto a shared multi-model endpoint (platform-owned: never created or changed). With the
 * stage's multiModelLocations, an endpoint whose model prefix lies outside them is not the pipeline's to
 * write under (EndpointNotManaged), as IAM would refuse the copy.
 */
export function judgeSharedEndpoint(endpointName: string, facts: MultiModelFacts, multiModelLocations?: readonly string[]): SharedEndpointJudgement {
  const refused = (problem: ReleaseProblem): SharedEndpointJudgement => ({ releasable: false, shared: null, problems: [problem] });
  const { live, liveConfig, model } = facts;
  if (live === null || live.status !== 'InService' || live.configName === null) {
    return refused({
      error: 'EndpointStateConflict',
      message: `multi-model endpoint ${endpointName} is ${live?.status ?? 'absent'}, not InService; the pipeline releases onto an existing shared endpoint and never creates or changes one`,
    });
  }
  const variants = liveConfig?.variants ?? [];
  const variant = variants.length === 1 ? variants[0] : undefined;
  if (variant === undefined) {
    return refused({ error: 'ModeNotSupported', message: `endpoint ${endpointName} is not a multi-model endpoint this pipeline can release to: its config ${live.configName} has ${variants.length} variants, not one` });
  }
  const containers = model?.containers ?? [];
  const container = containers.length === 1 ? containers[0] : undefined;
  const prefix = container?.mode === 'MultiModel' ? modelPrefix(container.modelDataUrl) : null;
  if (prefix === null) {
    return refused({
      error: 'ModeNotSupported',
      message: `endpoint ${endpointName} is not a multi-model endpoint: its model ${variant.ModelName} has ${containers.length} container(s), mode ${container?.mode ?? 'SingleModel'}, ModelDataUrl ${container?.modelDataUrl ?? 'none'}; release to it with deploy.mode realtime instead`,
    });
  }
  if (multiModelLocations !== undefined && !isUnderLocations(prefix, multiModelLocations)) {
    return refused({ error: 'EndpointNotManaged', message: `multi-model endpoint ${endpointName}: ${outsideLocationsMessage('its model prefix', prefix, 'multiModelLocations', multiModelLocations)}` });
  }
  return { releasable: true, shared: { configName: live.configName, variantName: variant.VariantName, modelName: variant.ModelName, prefix }, problems: [] };
}

/** The named error a release refuses with for its first problem (null when there is none). */
export function refusalFor(problems: readonly ReleaseProblem[]): Error | null {
  const first = problems[0];
  if (first === undefined) return null;
  // A settings problem is the package's own: it is refused as given. The others are about the account now.
  if (first.error === 'InvalidSettings') return new InvalidSettings(first.message);
  const message = `${first.message}; nothing was changed`;
  if (first.error === 'EndpointNotManaged') return new EndpointNotManaged(message);
  if (first.error === 'EndpointBoundToAnotherGroup') return new EndpointBoundToAnotherGroup(message);
  return first.error === 'EndpointStateConflict' ? new EndpointStateConflict(message) : new ModeNotSupported(message);
}

/** Throws the first problem as its named error: a release refuses before it changes anything. */
export function refuseOnProblems(problems: readonly ReleaseProblem[]): void {
  const refusal = refusalFor(problems);
  if (refusal !== null) throw refusal;
}
