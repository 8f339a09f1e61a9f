import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { describeModel, failureMessage, type BehaviourRegistry, type ModelInfo } from './behaviour';
import type { Durations } from './durations';
import { AwsError, validation } from './http';
import { bool, compact, epochSeconds, num, obj, objs, str, type Json, type JsonObject } from './json';
import { sagemakerArn, type MotoApi } from './moto-api';
import type { Prng } from './prng';

export type EndpointStatus = 'Creating' | 'Updating' | 'SystemUpdating' | 'RollingBack' | 'InService' | 'Deleting' | 'Failed';

interface Variant {
  name: string;
  model: ModelInfo;
  weight: number;
  desiredWeight: number;
  instanceType?: string;
  instanceCount?: number;
  desiredInstanceCount?: number;
  serverless?: JsonObject;
  desiredServerless?: JsonObject;
}

export interface Fleet {
  configName: string;
  variants: Variant[];
  serverless: boolean;
  asyncConfig?: JsonObject;
  dataCapture?: JsonObject;
}

/** From `at` on, this share of traffic goes to the new fleet; alarms are watched while `bake`. */
interface TrafficStep {
  at: number;
  fraction: number;
  bake: boolean;
}

interface Deployment {
  green: Fleet;
  config?: JsonObject;
  startTime: number;
  provisionedAt: number;
  steps: TrafficStep[];
  /** Alarm monitoring ends here; the old fleet is kept until `completeAt` (TerminationWait). */
  bakeEnd: number;
  completeAt: number;
  deadline?: number;
  fraction: number;
  alarms: string[];
  failReason?: string;
  rollback?: { at: number; doneAt: number; reason: string };
}

interface WeightUpdate {
  doneAt: number;
}

interface Endpoint {
  name: string;
  arn: string;
  status: EndpointStatus;
  failureReason?: string;
  creationTime: number;
  lastModifiedTime: number;
  fleet: Fleet;
  /** Creating or Deleting finishes at this virtual time. */
  transitionAt?: number;
  deployment?: Deployment;
  weights?: WeightUpdate;
  lastDeploymentConfig?: JsonObject;
  createDeploymentConfig?: JsonObject;
  /** The endpoint's own tags (CreateEndpoint's Tags, AddTags), which UpdateEndpoint leaves as they are. */
  tags: Map<string, string>;
}

/** Where a single invocation lands. */
export interface Route {
  variant: Variant;
  fleet: Fleet;
}

const SERVING: ReadonlySet<EndpointStatus> = new Set(['InService', 'Updating', 'SystemUpdating', 'RollingBack']);

function quoteArn(kind: string, arn: string): string {
  return `Could not find ${kind} "${arn}".`;
}

/** The rules SageMaker applies to an endpoint configuration, on CreateEndpointConfig and on use. */
export function validateEndpointConfig(config: JsonObject): void {
  const variants = objs(config, 'ProductionVariants');
  if (variants.length === 0) throw validation('1 validation error detected: Value null at \'productionVariants\' failed to satisfy constraint: Member must not be null');
  if (variants.length > 10) throw validation(`1 validation error detected: Value at 'productionVariants' failed to satisfy constraint: Member must have length less than or equal to 10`);
  const names = new Set<string>();
  for (const v of variants) {
    const name = str(v, 'VariantName') ?? '';
    if (names.has(name)) throw validation(`Variant names must be unique. Duplicate variant name: ${name}.`);
    names.add(name);
  }
  const serverless = variants.filter((v) => obj(v, 'ServerlessConfig'));
  if (serverless.length > 0 && variants.length > 1) {
    throw validation('Serverless endpoint configuration supports only a single production variant; remove the other variants or use instance-based variants.');
  }
  for (const v of variants) {
    if (!obj(v, 'ServerlessConfig') && (!str(v, 'InstanceType') || num(v, 'InitialInstanceCount') === undefined)) {
      throw validation(`InstanceType and InitialInstanceCount are required for instance-based production variant ${str(v, 'VariantName') ?? ''}.`);
    }
  }
  if (obj(config, 'AsyncInferenceConfig')) {
    if (serverless.length > 0) throw validation('AsyncInferenceConfig is not supported for serverless endpoints.');
    if (variants.length > 1) throw validation('Asynchronous inference endpoints support only a single production variant.');
    if (!str(obj(obj(config, 'AsyncInferenceConfig'), 'OutputConfig'), 'S3OutputPath')) {
      throw validation('AsyncInferenceConfig.OutputConfig.S3OutputPath is required.');
    }
  }
}

/** A request's Tags member as key/value pairs (entries without a key are dropped, as SageMaker would refuse them). */
function tagList(tags: unknown): { Key: string; Value: string }[] {
  if (!Array.isArray(tags)) return [];
  return tags.flatMap((t) => (typeof t === 'object' && t !== null && typeof (t as { Key?: unknown }).Key === 'string' ? [{ Key: (t as { Key: string }).Key, Value: typeof (t as { Value?: unknown }).Value === 'string' ? (t as { Value: string }).Value : '' }] : []));
}

export class EndpointManager {
  /** Every lifecycle this manager ran, [start, end) in virtual ms: the physical time a release cannot beat. */
  readonly lifecycles: [number, number][] = [];

  private readonly endpoints = new Map<string, Endpoint>();

  constructor(
    private readonly moto: MotoApi,
    private readonly behaviours: BehaviourRegistry,
    private readonly durations: Durations,
    private readonly prng: Prng,
    private readonly region: string,
  ) {}

  private arn(name: string): string {
    return sagemakerArn(this.region, 'endpoint', name);
  }

  private get(name: string): Endpoint {
    const ep = this.endpoints.get(name);
    if (!ep) throw validation(quoteArn('endpoint', this.arn(name)));
    return ep;
  }

  /** Reads an endpoint config from moto, validates it and resolves each variant's model. */
  private async loadFleet(configName: string): Promise<Fleet> {
    let config: JsonObject;
    try {
      config = await this.moto.sagemaker('DescribeEndpointConfig', { EndpointConfigName: configName });
    } catch (err) {
      if (err instanceof AwsError && err.status < 500) {
        throw validation(quoteArn('endpoint configuration', sagemakerArn(this.region, 'endpoint-config', configName)));
      }
      throw err;
    }
    validateEndpointConfig(config);
    const variants: Variant[] = [];
    for (const v of objs(config, 'ProductionVariants')) {
      const modelName = str(v, 'ModelName') ?? '';
      let model: ModelInfo;
      try {
        model = await describeModel(this.moto, modelName);
      } catch (err) {
        if (err instanceof AwsError && err.status < 500) throw validation(quoteArn('model', sagemakerArn(this.region, 'model', modelName)));
        throw err;
      }
      const serverless = obj(v, 'ServerlessConfig');
      const weight = num(v, 'InitialVariantWeight') ?? 1;
      const count = serverless ? undefined : num(v, 'InitialInstanceCount');
      variants.push({
        name: str(v, 'VariantName') ?? '',
        model,
        weight,
        desiredWeight: weight,
        instanceType: str(v, 'InstanceType'),
        instanceCount: count,
        desiredInstanceCount: count,
        serverless,
        desiredServerless: serverless,
      });
    }
    return {
      configName,
      variants,
      serverless: variants.some((v) => v.serverless),
      asyncConfig: obj(config, 'AsyncInferenceConfig'),
      dataCapture: obj(config, 'DataCaptureConfig'),
    };
  }

  private createFailure(fleet: Fleet): string | undefined {
    for (const v of fleet.variants) {
      const reason = failureMessage(
        this.behaviours.forModel(v.model).failOnCreate,
        `The primary container for production variant ${v.name} did not pass the ping health check. Please check CloudWatch logs for this endpoint.`,
      );
      if (reason) return reason;
    }
    return undefined;
  }

  async create(input: JsonObject, now: number): Promise<JsonObject> {
    const name = str(input, 'EndpointName') ?? '';
    const configName = str(input, 'EndpointConfigName') ?? '';
    if (this.endpoints.has(name)) throw validation(`Cannot create already existing endpoint "${this.arn(name)}".`);
    const fleet = await this.loadFleet(configName);
    const deploymentConfig = obj(input, 'DeploymentConfig');
    if (deploymentConfig && fleet.serverless && (obj(deploymentConfig, 'BlueGreenUpdatePolicy') || obj(deploymentConfig, 'RollingUpdatePolicy'))) {
      throw validation('DeploymentConfig is not supported for serverless endpoints.');
    }
    // Checked again: another CreateEndpoint may have won while moto answered.
    if (this.endpoints.has(name)) throw validation(`Cannot create already existing endpoint "${this.arn(name)}".`);
    const seconds = fleet.serverless ? this.durations.serverlessCreateSeconds : this.durations.createSeconds;
    this.lifecycles.push([now, now + seconds * 1000]);
    this.endpoints.set(name, {
      name,
      arn: this.arn(name),
      status: 'Creating',
      creationTime: now,
      lastModifiedTime: now,
      fleet,
      transitionAt: now + seconds * 1000,
      createDeploymentConfig: deploymentConfig,
      tags: new Map(tagList(input.Tags).map((t) => [t.Key, t.Value])),
    });
    return { EndpointArn: this.arn(name) };
  }

  async update(input: JsonObject, now: number): Promise<JsonObject> {
    const name = str(input, 'EndpointName') ?? '';
    const ep = this.get(name);
    this.assertUpdatable(ep);
    const green = await this.loadFleet(str(input, 'EndpointConfigName') ?? '');
    this.assertUpdatable(ep);

    const deploymentConfig =
      obj(input, 'DeploymentConfig') ??
      (bool(input, 'RetainDeploymentConfig') ? (ep.lastDeploymentConfig ?? ep.createDeploymentConfig) : undefined);
    const policy = obj(deploymentConfig, 'BlueGreenUpdatePolicy');
    const rolling = obj(deploymentConfig, 'RollingUpdatePolicy');
    if ((policy || rolling) && !ep.fleet.serverless && green.serverless) {
      throw validation('DeploymentConfig is not supported when updating an endpoint from instance-based variants to serverless variants.');
    }
    if ((policy || rolling) && (ep.fleet.serverless || green.serverless)) {
      throw validation('DeploymentConfig is not supported for serverless endpoints.');
    }
    if (ep.fleet.asyncConfig && !green.asyncConfig) {
      throw validation(`The AsyncInferenceConfig parameter cannot be removed from this endpoint ${name}. To change the endpoint to a real-time endpoint, delete it and create a new one.`);
    }
    const alarms = objs(obj(deploymentConfig, 'AutoRollbackConfiguration'), 'Alarms')
      .map((a) => str(a, 'AlarmName'))
      .filter((a): a is string => a !== undefined);
    if (alarms.length > 0) await this.assertAlarmsExist(alarms);

    if (bool(input, 'RetainAllVariantProperties')) {
      const excluded = new Set(objs(input, 'ExcludeRetainedVariantProperties').map((p) => str(p, 'VariantPropertyType')));
      for (const v of green.variants) {
        const old = ep.fleet.variants.find((o) => o.name === v.name);
        if (!old) continue;
        if (!excluded.has('DesiredWeight')) v.weight = v.desiredWeight = old.weight;
        if (!excluded.has('DesiredInstanceCount') && old.instanceCount !== undefined) v.instanceCount = v.desiredInstanceCount = old.instanceCount;
      }
    }

    const provisionedAt = now + (green.serverless ? this.durations.serverlessUpdateSeconds : this.durations.updateSeconds) * 1000;
    const plan = this.plan(green, deploymentConfig, provisionedAt);
    const maxSeconds = num(policy ?? rolling, 'MaximumExecutionTimeoutInSeconds');
    this.lifecycles.push([now, plan.completeAt]);
    ep.deployment = {
      green,
      config: deploymentConfig,
      startTime: now,
      provisionedAt,
      ...plan,
      deadline: maxSeconds !== undefined ? now + maxSeconds * 1000 : undefined,
      fraction: 0,
      alarms,
      failReason: this.createFailure(green),
    };
    ep.status = 'Updating';
    ep.failureReason = undefined;
    ep.lastModifiedTime = now;
    if (deploymentConfig) ep.lastDeploymentConfig = deploymentConfig;
    return { EndpointArn: ep.arn };
  }

  private assertUpdatable(ep: Endpoint): void {
    if (ep.status === 'Failed') throw validation(`Cannot update failed endpoint "${ep.arn}". Delete it and create it again.`);
    if (ep.status !== 'InService') throw validation(`Cannot update in-progress endpoint "${ep.arn}".`);
  }

  private async assertAlarmsExist(names: string[]): Promise<void> {
    const found = await this.moto.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names }));
    const known = new Set([...(found.MetricAlarms ?? []), ...(found.CompositeAlarms ?? [])].map((a) => a.AlarmName));
    const missing = names.filter((n) => !known.has(n));
    if (missing.length) throw validation(`The following alarms in AutoRollbackConfiguration do not exist: [${missing.join(', ')}].`);
  }

  /** Traffic shifting schedule for a blue/green (or rolling) deployment, from the API's parameters. */
  private plan(green: Fleet, config: JsonObject | undefined, provisionedAt: number): Pick<Deployment, 'steps' | 'bakeEnd' | 'completeAt'> {
    const blueGreen = obj(config, 'BlueGreenUpdatePolicy');
    const rolling = obj(config, 'RollingUpdatePolicy');
    const capacity = green.variants.reduce((a, v) => a + (v.instanceCount ?? 1), 0) || 1;
    const share = (size: JsonObject | undefined, what: string): number => {
      const type = str(size, 'Type');
      const value = num(size, 'Value');
      if (!type || value === undefined) throw validation(`${what} must specify Type and Value.`);
      if (type === 'CAPACITY_PERCENT') return value / 100;
      if (type === 'INSTANCE_COUNT') return value / capacity;
      throw validation(`Value '${type}' at '${what}.type' failed to satisfy constraint: Member must satisfy enum value set: [INSTANCE_COUNT, CAPACITY_PERCENT]`);
    };

    if (!blueGreen && !rolling) {
      // Without DeploymentConfig SageMaker still does blue/green, all at once, no baking.
      return { steps: [{ at: provisionedAt, fraction: 1, bake: false }], bakeEnd: provisionedAt, completeAt: provisionedAt };
    }

    const fractions: number[] = [];
    let waitSeconds: number;
    let terminationWait = 0;
    if (blueGreen) {
      const routing = obj(blueGreen, 'TrafficRoutingConfiguration');
      const type = str(routing, 'Type');
      waitSeconds = num(routing, 'WaitIntervalInSeconds') ?? 0;
      terminationWait = num(blueGreen, 'TerminationWaitInSeconds') ?? 0;
      if (waitSeconds < 0 || waitSeconds > 3600) throw validation('WaitIntervalInSeconds must be between 0 and 3600.');
      if (terminationWait < 0 || terminationWait > 3600) throw validation('TerminationWaitInSeconds must be between 0 and 3600.');
      const max = num(blueGreen, 'MaximumExecutionTimeoutInSeconds');
      if (max !== undefined && (max < 600 || max > 28800)) throw validation('MaximumExecutionTimeoutInSeconds must be between 600 and 28800.');
      if (type === 'ALL_AT_ONCE') fractions.push(1);
      else if (type === 'CANARY') {
        const canary = share(obj(routing, 'CanarySize'), 'CanarySize');
        if (canary <= 0 || canary > 0.5) throw validation('CanarySize must be greater than 0 and at most 50% of the new fleet capacity.');
        fractions.push(canary, 1);
      } else if (type === 'LINEAR') {
        const step = share(obj(routing, 'LinearStepSize'), 'LinearStepSize');
        if (step < 0.1 || step > 0.5) throw validation('LinearStepSize must be between 10% and 50% of the new fleet capacity.');
        for (let f = step; f < 1 - 1e-9; f += step) fractions.push(Math.min(1, f));
        fractions.push(1);
      } else throw validation(`Value '${type ?? 'null'}' at 'deploymentConfig.blueGreenUpdatePolicy.trafficRoutingConfiguration.type' failed to satisfy constraint: Member must satisfy enum value set: [ALL_AT_ONCE, CANARY, LINEAR]`);
    } else {
      // Rolling updates approximated as linear shifting by batch size.
      waitSeconds = num(rolling, 'WaitIntervalInSeconds') ?? 0;
      const batch = Math.min(1, Math.max(0.01, share(obj(rolling, 'MaximumBatchSize'), 'MaximumBatchSize')));
      for (let f = batch; f < 1 - 1e-9; f += batch) fractions.push(f);
      fractions.push(1);
    }

    const steps: TrafficStep[] = [];
    let t = provisionedAt;
    for (const fraction of fractions) {
      steps.push({ at: t, fraction, bake: true });
      t += waitSeconds * 1000;
    }
    return { steps, bakeEnd: t, completeAt: t + terminationWait * 1000 };
  }

  async updateWeights(input: JsonObject, now: number): Promise<JsonObject> {
    const ep = this.get(str(input, 'EndpointName') ?? '');
    this.assertUpdatable(ep);
    const desired = objs(input, 'DesiredWeightsAndCapacities');
    if (desired.length === 0) throw validation("1 validation error detected: Value null at 'desiredWeightsAndCapacities' failed to satisfy constraint: Member must not be null");
    const unknown = desired.map((d) => str(d, 'VariantName') ?? '').filter((n) => !ep.fleet.variants.some((v) => v.name === n));
    if (unknown.length) throw validation(`The variant(s) "[${unknown.join(', ')}]" are not present in the endpoint "${ep.arn}".`);
    for (const d of desired) {
      const variant = ep.fleet.variants.find((v) => v.name === str(d, 'VariantName'));
      if (!variant) continue;
      const weight = num(d, 'DesiredWeight');
      if (weight !== undefined) {
        if (weight < 0) throw validation(`DesiredWeight must be non-negative for variant ${variant.name}.`);
        variant.desiredWeight = weight;
      }
      const count = num(d, 'DesiredInstanceCount');
      if (count !== undefined) {
        if (variant.serverless) throw validation(`DesiredInstanceCount cannot be set for serverless variant ${variant.name}.`);
        variant.desiredInstanceCount = count;
      }
      const serverlessUpdate = obj(d, 'ServerlessUpdateConfig');
      if (serverlessUpdate) {
        if (!variant.serverless) throw validation(`ServerlessUpdateConfig can only be set for serverless variant ${variant.name}.`);
        variant.desiredServerless = { ...variant.serverless, ...serverlessUpdate };
      }
    }
    ep.status = 'Updating';
    ep.lastModifiedTime = now;
    ep.weights = { doneAt: now + this.durations.weightsUpdateSeconds * 1000 };
    this.lifecycles.push([now, ep.weights.doneAt]);
    return { EndpointArn: ep.arn };
  }

  delete(input: JsonObject, now: number): JsonObject {
    const ep = this.get(str(input, 'EndpointName') ?? '');
    if (ep.status !== 'Deleting') {
      ep.status = 'Deleting';
      ep.deployment = undefined;
      ep.weights = undefined;
      ep.lastModifiedTime = now;
      ep.transitionAt = now + this.durations.deleteSeconds * 1000;
      this.lifecycles.push([now, ep.transitionAt]);
    }
    return {};
  }

  /** Applies every lifecycle transition due by virtual time `t`, in order. */
  advanceTo(t: number): void {
    for (const ep of [...this.endpoints.values()]) {
      if (ep.status === 'Creating' && ep.transitionAt !== undefined && t >= ep.transitionAt) {
        const reason = this.createFailure(ep.fleet);
        ep.status = reason ? 'Failed' : 'InService';
        ep.failureReason = reason;
        ep.lastModifiedTime = ep.transitionAt;
        ep.transitionAt = undefined;
      }
      if (ep.status === 'Deleting' && ep.transitionAt !== undefined && t >= ep.transitionAt) {
        this.endpoints.delete(ep.name);
        continue;
      }
      if (ep.weights && t >= ep.weights.doneAt) {
        for (const v of ep.fleet.variants) {
          v.weight = v.desiredWeight;
          v.instanceCount = v.desiredInstanceCount;
          v.serverless = v.desiredServerless;
        }
        ep.lastModifiedTime = ep.weights.doneAt;
        ep.weights = undefined;
        ep.status = 'InService';
      }
      if (ep.deployment) this.advanceDeployment(ep, ep.deployment, t);
    }
  }

  private advanceDeployment(ep: Endpoint, d: Deployment, t: number): void {
    if (d.rollback) {
      if (t >= d.rollback.doneAt) this.finish(ep, d.rollback.doneAt, d.rollback.reason);
      return;
    }
    if (d.failReason && t >= d.provisionedAt) {
      // The new fleet never took traffic: the endpoint keeps serving the old one.
      this.finish(ep, d.provisionedAt, `Failed to update endpoint: ${d.failReason}`);
      return;
    }
    if (d.deadline !== undefined && t >= d.deadline && d.completeAt > d.deadline) {
      this.startRollback(ep, d, d.deadline, 'Deployment exceeded MaximumExecutionTimeoutInSeconds and was rolled back.');
      return;
    }
    for (const step of d.steps) if (t >= step.at) d.fraction = step.fraction;
    if (t >= d.completeAt) {
      ep.fleet = d.green;
      ep.deployment = undefined;
      ep.status = 'InService';
      ep.failureReason = undefined;
      ep.lastModifiedTime = d.completeAt;
    }
  }

  private finish(ep: Endpoint, at: number, reason: string): void {
    ep.deployment = undefined;
    ep.status = 'InService';
    ep.failureReason = reason;
    ep.lastModifiedTime = at;
  }

  private startRollback(ep: Endpoint, d: Deployment, at: number, reason: string): void {
    d.fraction = 0; // traffic goes back to the old fleet at once
    d.rollback = { at, doneAt: at + this.durations.rollbackSeconds * 1000, reason };
    this.lifecycles.push([at, d.rollback.doneAt]);
    ep.status = 'RollingBack';
    ep.lastModifiedTime = at;
  }

  /** Auto-rollback: any listed alarm in ALARM while a deployment bakes rolls it back. */
  checkAlarms(t: number, stateOf: (alarm: string) => string | undefined): void {
    for (const ep of this.endpoints.values()) {
      const d = ep.deployment;
      if (!d || d.rollback || ep.status !== 'Updating' || d.alarms.length === 0) continue;
      const firstShift = d.steps[0]?.at ?? Infinity;
      if (t < firstShift || t > d.bakeEnd) continue;
      const firing = d.alarms.filter((a) => stateOf(a) === 'ALARM');
      if (firing.length) {
        this.startRollback(ep, d, t, `Deployment was rolled back because the following CloudWatch alarms went into ALARM state during baking: ${firing.join(', ')}.`);
      }
    }
  }

  /** Picks the fleet (blue/green split) then the variant (weights or target). */
  route(name: string, targetVariant?: string): Route | AwsError {
    const ep = this.endpoints.get(name);
    if (!ep || !SERVING.has(ep.status)) return new AwsError('ValidationError', `Endpoint ${name} of account 123456789012 not found.`, 400);
    const d = ep.deployment;
    const fleet = d && d.fraction > 0 && this.prng.next() < d.fraction ? d.green : ep.fleet;
    if (targetVariant !== undefined) {
      const variant = fleet.variants.find((v) => v.name === targetVariant) ?? ep.fleet.variants.find((v) => v.name === targetVariant);
      if (!variant) return new AwsError('ValidationError', `Variant ${targetVariant} of endpoint ${name} not found.`, 400);
      return { variant, fleet };
    }
    const index = this.prng.weighted(fleet.variants.map((v) => v.weight));
    const variant = fleet.variants[index];
    if (!variant) return new AwsError('ValidationError', `Endpoint ${name} has no production variant with a positive weight.`, 400);
    return { variant, fleet };
  }

  isAsync(name: string): boolean | undefined {
    const ep = this.endpoints.get(name);
    return ep ? ep.fleet.asyncConfig !== undefined : undefined;
  }

  asyncConfig(name: string): JsonObject | undefined {
    return this.endpoints.get(name)?.fleet.asyncConfig;
  }

  /** The endpoint an ARN names, if it is one of these (AddTags, ListTags and DeleteTags on it are answered here). */
  byArn(arn: string): string | undefined {
    for (const ep of this.endpoints.values()) if (ep.arn === arn) return ep.name;
    return undefined;
  }

  /** ListTags / AddTags / DeleteTags on an endpoint, as SageMaker answers them (at most 50 tags). */
  tagging(operation: 'ListTags' | 'AddTags' | 'DeleteTags', input: JsonObject): JsonObject {
    const name = this.byArn(str(input, 'ResourceArn') ?? '');
    if (name === undefined) throw validation(`Resource ${str(input, 'ResourceArn') ?? ''} not found`);
    const ep = this.get(name);
    if (operation === 'ListTags') return { Tags: [...ep.tags].map(([Key, Value]) => ({ Key, Value })) };
    if (operation === 'AddTags') {
      const added = tagList(input.Tags);
      if (new Set([...ep.tags.keys(), ...added.map((t) => t.Key)]).size > 50) throw validation('The resource would have more than 50 tags.');
      for (const t of added) ep.tags.set(t.Key, t.Value);
      return { Tags: added };
    }
    const keys = Array.isArray(input.TagKeys) ? input.TagKeys.filter((k): k is string => typeof k === 'string') : [];
    for (const key of keys) ep.tags.delete(key);
    return {};
  }

  /** An endpoint's tags by its ARN (matched as IAM matches ARNs here, without case), for aws:ResourceTag conditions. */
  tagsOfArn(arn: string): Record<string, string> {
    for (const ep of this.endpoints.values()) if (ep.arn.toLowerCase() === arn.toLowerCase()) return Object.fromEntries(ep.tags);
    return {};
  }

  describe(name: string): JsonObject {
    // DescribeEndpoint reports capture as a summary (DataCaptureConfigSummary), not the config's request
    // shape, and leaves it out when the config has none.
    const ep = this.get(name);
    const d = ep.deployment;
    return compact({
      EndpointName: ep.name,
      EndpointArn: ep.arn,
      EndpointConfigName: ep.fleet.configName,
      ProductionVariants: ep.fleet.variants.map((v) => variantJson(v)),
      DataCaptureConfig: captureSummary(ep.fleet.dataCapture),
      EndpointStatus: ep.status,
      FailureReason: ep.failureReason,
      CreationTime: epochSeconds(ep.creationTime),
      LastModifiedTime: epochSeconds(ep.lastModifiedTime),
      LastDeploymentConfig: ep.lastDeploymentConfig,
      AsyncInferenceConfig: ep.fleet.asyncConfig,
      PendingDeploymentSummary: d ? pendingSummary(d) : undefined,
    });
  }

  list(input: JsonObject): JsonObject {
    const nameContains = str(input, 'NameContains')?.toLowerCase();
    const status = str(input, 'StatusEquals');
    const before = num(input, 'CreationTimeBefore');
    const after = num(input, 'CreationTimeAfter');
    const items = [...this.endpoints.values()].filter(
      (e) =>
        (!nameContains || e.name.toLowerCase().includes(nameContains)) &&
        (!status || e.status === status) &&
        (before === undefined || e.creationTime < before * 1000) &&
        (after === undefined || e.creationTime > after * 1000),
    );
    const sortBy = str(input, 'SortBy') ?? 'CreationTime';
    items.sort((a, b) => (sortBy === 'Name' ? a.name.localeCompare(b.name) : sortBy === 'Status' ? a.status.localeCompare(b.status) : a.creationTime - b.creationTime));
    if ((str(input, 'SortOrder') ?? 'Descending') === 'Descending') items.reverse();
    const start = Number(str(input, 'NextToken') ?? '0') || 0;
    const max = num(input, 'MaxResults') ?? 100;
    const page = items.slice(start, start + max);
    return compact({
      Endpoints: page.map((e) => ({
        EndpointName: e.name,
        EndpointArn: e.arn,
        CreationTime: epochSeconds(e.creationTime),
        LastModifiedTime: epochSeconds(e.lastModifiedTime),
        EndpointStatus: e.status,
      })),
      NextToken: start + max < items.length ? String(start + max) : undefined,
    });
  }

  names(): string[] {
    return [...this.endpoints.keys()];
  }
}

function variantJson(v: Variant): JsonObject {
  return compact({
    VariantName: v.name,
    DeployedImages: v.model.image ? [{ SpecifiedImage: v.model.image, ResolvedImage: v.model.image }] : undefined,
    CurrentWeight: v.weight,
    DesiredWeight: v.desiredWeight,
    CurrentInstanceCount: v.instanceCount,
    DesiredInstanceCount: v.desiredInstanceCount,
    CurrentServerlessConfig: v.serverless,
    DesiredServerlessConfig: v.desiredServerless,
  });
}

function pendingSummary(d: Deployment): JsonObject {
  const status = d.rollback ? 'Deleting' : d.fraction === 0 ? 'Creating' : 'Baking';
  const variants: Json[] = d.green.variants.map((v) => ({
    ...variantJson(v),
    VariantStatus: [{ Status: status, StartTime: epochSeconds(d.startTime) }],
  }));
  return { EndpointConfigName: d.green.configName, ProductionVariants: variants, StartTime: epochSeconds(d.startTime) };
}


/** DescribeEndpoint's DataCaptureConfigSummary of a config's DataCaptureConfig; none when capture is not configured. */
function captureSummary(config: JsonObject | undefined): JsonObject | undefined {
  if (config === undefined || Object.keys(config).length === 0) return undefined;
  const enabled = config.EnableCapture !== false;
  return compact({
    EnableCapture: enabled,
    CaptureStatus: enabled ? 'Started' : 'Stopped',
    CurrentSamplingPercentage: config.InitialSamplingPercentage,
    DestinationS3Uri: config.DestinationS3Uri,
    KmsKeyId: config.KmsKeyId,
  });
}
