import { PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  ListEndpointsCommand,
  UpdateEndpointCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
  type ProductionVariant,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointAsyncCommand, InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { registerModel, startLocalAws, unique, until, type LocalAws } from './helpers';

jest.setTimeout(30_000);

let env: LocalAws;

beforeAll(async () => {
  env = await startLocalAws({ speed: 600, seed: 7 });
});

afterAll(async () => {
  await env?.stop();
});

const instanceVariant = (name: string, modelName: string, weight = 1): ProductionVariant => ({
  VariantName: name,
  ModelName: modelName,
  InstanceType: 'ml.m5.large',
  InitialInstanceCount: 2,
  InitialVariantWeight: weight,
});

async function config(variants: ProductionVariant[], extra: Record<string, unknown> = {}): Promise<string> {
  const name = unique('cfg');
  await env.aws.sm.send(new CreateEndpointConfigCommand({ EndpointConfigName: name, ProductionVariants: variants, ...extra }));
  return name;
}

async function describe(name: string) {
  return env.aws.sm.send(new DescribeEndpointCommand({ EndpointName: name }));
}

async function inService(name: string): Promise<void> {
  await env.sim.advance(3600);
  const d = await describe(name);
  expect(d.EndpointStatus).toBe('InService');
}

async function createEndpoint(variants: ProductionVariant[]): Promise<string> {
  const name = unique('ep');
  await env.aws.sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: await config(variants) }));
  await inService(name);
  return name;
}

test('lifecycle follows the virtual clock: Creating, then InService, then Deleting, then gone', async () => {
  const { modelName } = await registerModel(env.aws.sm, unique('grp'));
  const cfg = await config([instanceVariant('AllTraffic', modelName)]);
  const name = unique('ep');
  const created = await env.aws.sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: cfg }));
  expect(created.EndpointArn).toBe(`arn:aws:sagemaker:us-east-1:123456789012:endpoint/${name.toLowerCase()}`);

  const first = await describe(name);
  expect(first.EndpointStatus).toBe('Creating');
  expect(first.EndpointConfigName).toBe(cfg);

  // No jump here: the clock runs at 600x, so 6 virtual minutes take ~0.6 s of wall time.
  const ready = await until(async () => {
    const d = await describe(name);
    return d.EndpointStatus === 'InService' ? d : undefined;
  });
  expect(ready.ProductionVariants?.[0]).toMatchObject({ VariantName: 'AllTraffic', CurrentWeight: 1, CurrentInstanceCount: 2 });
  expect((ready.LastModifiedTime?.getTime() ?? 0) - (ready.CreationTime?.getTime() ?? 0)).toBe(360_000);

  const listed = await env.aws.sm.send(new ListEndpointsCommand({ NameContains: name }));
  expect(listed.Endpoints?.map((e) => e.EndpointName)).toEqual([name]);

  await expect(env.aws.sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: cfg }))).rejects.toMatchObject({
    name: 'ValidationException',
    message: `Cannot create already existing endpoint "${created.EndpointArn}".`,
  });

  await env.aws.sm.send(new DeleteEndpointCommand({ EndpointName: name }));
  expect((await describe(name)).EndpointStatus).toBe('Deleting');
  await env.sim.advance(120);
  await expect(describe(name)).rejects.toMatchObject({ name: 'ValidationException', message: `Could not find endpoint "${created.EndpointArn}".` });
});

test('a model whose profile fails on create leaves the endpoint Failed with a FailureReason', async () => {
  const { modelName, packageArn } = await registerModel(env.aws.sm, unique('grp'));
  env.sim.setBehaviour(packageArn, { latencyMs: { p50: 10, p99: 20 }, errorRate: 0, response: { contentType: 'text/plain', body: 'x' }, failOnCreate: 'Image not found' });
  const name = unique('ep');
  await env.aws.sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: await config([instanceVariant('v', modelName)]) }));
  await env.sim.advance(3600);
  const d = await describe(name);
  expect(d.EndpointStatus).toBe('Failed');
  expect(d.FailureReason).toBe('Image not found');
  await expect(env.aws.sm.send(new UpdateEndpointCommand({ EndpointName: name, EndpointConfigName: d.EndpointConfigName }))).rejects.toMatchObject({ name: 'ValidationException' });
});

test('UpdateEndpoint swaps to the new config and is refused while an update is in progress', async () => {
  const a = await registerModel(env.aws.sm, unique('grp'));
  const b = await registerModel(env.aws.sm, unique('grp'));
  env.sim.setBehaviour(b.packageArn, { latencyMs: { p50: 5, p99: 9 }, errorRate: 0, response: { contentType: 'application/json', body: '{"model":"b"}' } });
  const name = await createEndpoint([instanceVariant('AllTraffic', a.modelName)]);
  const newCfg = await config([instanceVariant('AllTraffic', b.modelName)]);

  await env.aws.sm.send(new UpdateEndpointCommand({ EndpointName: name, EndpointConfigName: newCfg }));
  const during = await describe(name);
  expect(during.EndpointStatus).toBe('Updating');
  expect(during.PendingDeploymentSummary?.EndpointConfigName).toBe(newCfg);
  await expect(env.aws.sm.send(new UpdateEndpointCommand({ EndpointName: name, EndpointConfigName: newCfg }))).rejects.toMatchObject({
    name: 'ValidationException',
    message: expect.stringContaining('Cannot update in-progress endpoint'),
  });
  // The old fleet still serves while the new one is provisioned.
  const old = await env.aws.runtime.send(new InvokeEndpointCommand({ EndpointName: name, Body: Buffer.from('1,2'), ContentType: 'text/csv' }));
  expect(Buffer.from(old.Body ?? []).toString()).toBe('{"predictions":[0.5]}');

  await env.sim.advance(3600);
  const after = await describe(name);
  expect(after).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: newCfg });
  expect(after.PendingDeploymentSummary).toBeUndefined();
  const out = await env.aws.runtime.send(new InvokeEndpointCommand({ EndpointName: name, Body: Buffer.from('1,2'), ContentType: 'text/csv' }));
  expect(Buffer.from(out.Body ?? []).toString()).toBe('{"model":"b"}');
  expect(out.ContentType).toBe('application/json');
  expect(out.InvokedProductionVariant).toBe('AllTraffic');
});

test('traffic splits by weight, UpdateEndpointWeightsAndCapacities moves it, target variant pins it', async () => {
  const a = await registerModel(env.aws.sm, unique('grp'));
  const b = await registerModel(env.aws.sm, unique('grp'));
  const name = await createEndpoint([instanceVariant('blue', a.modelName, 3), instanceVariant('green', b.modelName, 1)]);

  const counts: Record<string, number> = {};
  for (let i = 0; i < 200; i++) {
    const r = await env.aws.runtime.send(new InvokeEndpointCommand({ EndpointName: name, Body: Buffer.from('x') }));
    counts[r.InvokedProductionVariant ?? '?'] = (counts[r.InvokedProductionVariant ?? '?'] ?? 0) + 1;
  }
  expect(counts.blue).toBeGreaterThan(120);
  expect(counts.green).toBeGreaterThan(25);

  const pinned = await env.aws.runtime.send(new InvokeEndpointCommand({ EndpointName: name, Body: Buffer.from('x'), TargetVariant: 'green' }));
  expect(pinned.InvokedProductionVariant).toBe('green');
  await expect(env.aws.runtime.send(new InvokeEndpointCommand({ EndpointName: name, Body: Buffer.from('x'), TargetVariant: 'nope' }))).rejects.toMatchObject({ name: 'ValidationError' });

  await env.aws.sm.send(new UpdateEndpointWeightsAndCapacitiesCommand({ EndpointName: name, DesiredWeightsAndCapacities: [{ VariantName: 'blue', DesiredWeight: 0 }] }));
  const updating = await describe(name);
  expect(updating.EndpointStatus).toBe('Updating');
  expect(updating.ProductionVariants?.find((v) => v.VariantName === 'blue')).toMatchObject({ CurrentWeight: 3, DesiredWeight: 0 });
  await expect(
    env.aws.sm.send(new UpdateEndpointWeightsAndCapacitiesCommand({ EndpointName: name, DesiredWeightsAndCapacities: [{ VariantName: 'blue', DesiredWeight: 1 }] })),
  ).rejects.toMatchObject({ name: 'ValidationException' });
  await env.sim.advance(120);
  expect((await describe(name)).ProductionVariants?.find((v) => v.VariantName === 'blue')?.CurrentWeight).toBe(0);

  env.sim.startTraffic({ endpointName: name, requestsPerMinute: 300 });
  await env.sim.advance(300);
  env.sim.stopTraffic(name);
  const stats = env.sim.trafficStats().find((s) => s.endpointName === name);
  // 5 jumped minutes at 300/min, plus whatever the running clock added meanwhile.
  expect(stats?.sent).toBeGreaterThanOrEqual(1500);
  expect(stats?.sent).toBeLessThan(1700);
  expect(Object.keys(stats?.byVariant ?? {})).toEqual(['green']);

  await expect(
    env.aws.sm.send(new UpdateEndpointWeightsAndCapacitiesCommand({ EndpointName: name, DesiredWeightsAndCapacities: [{ VariantName: 'ghost', DesiredWeight: 1 }] })),
  ).rejects.toMatchObject({ name: 'ValidationException' });
});

test('canary deployment rolls back when a rollback alarm fires during the bake', async () => {
  const good = await registerModel(env.aws.sm, unique('grp'));
  const bad = await registerModel(env.aws.sm, unique('grp'));
  env.sim.setBehaviour(bad.packageArn, { latencyMs: { p50: 30, p99: 80 }, errorRate: 1, response: { contentType: 'application/json', body: '{}' } });
  const name = await createEndpoint([instanceVariant('AllTraffic', good.modelName)]);
  const oldCfg = (await describe(name)).EndpointConfigName;
  const alarmName = unique('errors');
  await env.aws.cw.send(
    new PutMetricAlarmCommand({
      AlarmName: alarmName,
      Namespace: 'AWS/SageMaker',
      MetricName: 'Invocation5XXErrors',
      Dimensions: [
        { Name: 'EndpointName', Value: name },
        { Name: 'VariantName', Value: 'AllTraffic' },
      ],
      Statistic: 'Average',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 0.05,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    }),
  );
  env.sim.startTraffic({ endpointName: name, requestsPerMinute: 200 });
  const deploymentConfig = {
    BlueGreenUpdatePolicy: {
      TrafficRoutingConfiguration: { Type: 'CANARY' as const, CanarySize: { Type: 'CAPACITY_PERCENT' as const, Value: 20 }, WaitIntervalInSeconds: 600 },
      TerminationWaitInSeconds: 0,
    },
    AutoRollbackConfiguration: { Alarms: [{ AlarmName: alarmName }] },
  };
  const newCfg = await config([instanceVariant('AllTraffic', bad.modelName)]);
  await env.aws.sm.send(new UpdateEndpointCommand({ EndpointName: name, EndpointConfigName: newCfg, DeploymentConfig: deploymentConfig }));

  const rolling = await until(async () => {
    await env.sim.advance(60);
    const d = await describe(name);
    return d.EndpointStatus === 'RollingBack' ? d : undefined;
  });
  expect(rolling.EndpointConfigName).toBe(oldCfg);
  await env.sim.advance(600);
  env.sim.stopTraffic(name);
  const after = await describe(name);
  expect(after.EndpointStatus).toBe('InService');
  expect(after.EndpointConfigName).toBe(oldCfg);
  expect(after.FailureReason).toContain(alarmName);
  expect(after.LastDeploymentConfig?.BlueGreenUpdatePolicy?.TrafficRoutingConfiguration?.Type).toBe('CANARY');
  expect(env.sim.alarmHistory().some((h) => h.alarmName === alarmName && h.newState === 'ALARM')).toBe(true);
  // Only the canary share got the bad model: the variant's error rate stayed well under 100%.
  const series = env.sim.metrics().find((s) => s.endpointName === name);
  const worst = Math.max(...(series?.points.map((p) => p.errorRate) ?? [0]));
  expect(worst).toBeGreaterThan(0.05);
  expect(worst).toBeLessThan(0.6);
});

test('linear deployment with a healthy model completes and reports LastDeploymentConfig', async () => {
  const a = await registerModel(env.aws.sm, unique('grp'));
  const b = await registerModel(env.aws.sm, unique('grp'));
  const name = await createEndpoint([instanceVariant('AllTraffic', a.modelName)]);
  const alarmName = unique('manual');
  await env.aws.cw.send(
    new PutMetricAlarmCommand({ AlarmName: alarmName, Namespace: 'Custom', MetricName: 'X', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' }),
  );
  const newCfg = await config([instanceVariant('AllTraffic', b.modelName)]);
  await env.aws.sm.send(
    new UpdateEndpointCommand({
      EndpointName: name,
      EndpointConfigName: newCfg,
      DeploymentConfig: {
        BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: 'LINEAR', LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 50 }, WaitIntervalInSeconds: 300 } },
        AutoRollbackConfiguration: { Alarms: [{ AlarmName: alarmName }] },
      },
    }),
  );
  await env.sim.advance(360 + 300);
  expect((await describe(name)).EndpointStatus).toBe('Updating');
  await env.sim.advance(600);
  const done = await describe(name);
  expect(done).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: newCfg });
  expect(done.FailureReason).toBeUndefined();

  // A manually set alarm (any namespace) also triggers auto-rollback.
  await env.aws.sm.send(
    new UpdateEndpointCommand({
      EndpointName: name,
      EndpointConfigName: (await config([instanceVariant('AllTraffic', a.modelName)])),
      RetainDeploymentConfig: true,
    }),
  );
  await env.sim.advance(420);
  await env.aws.cw.send(new SetAlarmStateCommand({ AlarmName: alarmName, StateValue: 'ALARM', StateReason: 'test' }));
  await env.sim.advance(3600);
  const rolledBack = await describe(name);
  expect(rolledBack).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: newCfg });
  expect(rolledBack.FailureReason).toContain(alarmName);
});

test('SageMaker limits: serverless single variant, no guardrails on serverless, known alarms only', async () => {
  const { modelName } = await registerModel(env.aws.sm, unique('grp'));
  const serverless = (n: string): ProductionVariant => ({ VariantName: n, ModelName: modelName, ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 } });
  await expect(config([serverless('a'), serverless('b')])).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('single production variant') });

  const name = await createEndpoint([instanceVariant('AllTraffic', modelName)]);
  const slsCfg = await config([serverless('AllTraffic')]);
  const guardrails = { BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE' as const, WaitIntervalInSeconds: 60 } } };
  await expect(env.aws.sm.send(new UpdateEndpointCommand({ EndpointName: name, EndpointConfigName: slsCfg, DeploymentConfig: guardrails }))).rejects.toMatchObject({
    name: 'ValidationException',
    message: expect.stringContaining('instance-based variants to serverless'),
  });
  await expect(
    env.aws.sm.send(
      new UpdateEndpointCommand({
        EndpointName: name,
        EndpointConfigName: await config([instanceVariant('AllTraffic', modelName)]),
        DeploymentConfig: { ...guardrails, AutoRollbackConfiguration: { Alarms: [{ AlarmName: 'does-not-exist' }] } },
      }),
    ),
  ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('does-not-exist') });

  // Instance-based → serverless without guardrails is fine.
  await env.aws.sm.send(new UpdateEndpointCommand({ EndpointName: name, EndpointConfigName: slsCfg }));
  await env.sim.advance(3600);
  const d = await describe(name);
  expect(d.EndpointStatus).toBe('InService');
  expect(d.ProductionVariants?.[0]?.CurrentServerlessConfig).toEqual({ MemorySizeInMB: 2048, MaxConcurrency: 5 });
  await expect(env.aws.sm.send(new UpdateEndpointCommand({ EndpointName: name, EndpointConfigName: slsCfg, DeploymentConfig: guardrails }))).rejects.toMatchObject({
    name: 'ValidationException',
    message: expect.stringContaining('serverless'),
  });
});

test('async endpoint reads input from S3 and writes the output where it said', async () => {
  const bucket = unique('async-bucket');
  await env.aws.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await env.aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'in/req.csv', Body: '1,2,3' }));
  const { modelName, packageArn } = await registerModel(env.aws.sm, unique('grp'));
  env.sim.setBehaviour(packageArn, { latencyMs: { p50: 100, p99: 200 }, errorRate: 0, response: { contentType: 'text/csv', body: '0.9' } });
  const name = unique('ep');
  const cfg = await config([instanceVariant('AllTraffic', modelName)], { AsyncInferenceConfig: { OutputConfig: { S3OutputPath: `s3://${bucket}/out` } } });
  await env.aws.sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: cfg }));
  await inService(name);
  expect((await describe(name)).AsyncInferenceConfig?.OutputConfig?.S3OutputPath).toBe(`s3://${bucket}/out`);

  const res = await env.aws.runtime.send(new InvokeEndpointAsyncCommand({ EndpointName: name, InputLocation: `s3://${bucket}/in/req.csv`, InferenceId: 'abc' }));
  expect(res.InferenceId).toBe('abc');
  expect(res.OutputLocation).toMatch(new RegExp(`^s3://${bucket}/out/.+\\.out$`));
  const key = (res.OutputLocation ?? '').replace(`s3://${bucket}/`, '');
  const body = await until(async () => {
    try {
      const o = await env.aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return await o.Body?.transformToString();
    } catch {
      return undefined;
    }
  });
  expect(body).toBe('0.9');
  await expect(env.aws.runtime.send(new InvokeEndpointCommand({ EndpointName: name, Body: Buffer.from('x') }))).rejects.toMatchObject({ name: 'ValidationError' });
  // Async endpoints publish latency but no Invocations.
  await env.sim.advance(120);
  const series = env.sim.metrics().find((s) => s.endpointName === name);
  expect(series?.points.reduce((a, p) => a + p.invocations, 0)).toBe(0);
  expect(series?.points.some((p) => p.latencyP50Us !== undefined)).toBe(true);
});

test('invoking a missing endpoint is a ValidationError, a failing model a ModelError (424)', async () => {
  await expect(env.aws.runtime.send(new InvokeEndpointCommand({ EndpointName: 'nope', Body: Buffer.from('x') }))).rejects.toMatchObject({
    name: 'ValidationError',
    message: 'Endpoint nope of account 123456789012 not found.',
    $metadata: { httpStatusCode: 400 },
  });
  const { modelName, packageArn } = await registerModel(env.aws.sm, unique('grp'));
  env.sim.setBehaviour(packageArn, { latencyMs: { p50: 10, p99: 20 }, errorRate: 1, response: { contentType: 'text/plain', body: 'x' } });
  const name = await createEndpoint([instanceVariant('AllTraffic', modelName)]);
  await expect(env.aws.runtime.send(new InvokeEndpointCommand({ EndpointName: name, Body: Buffer.from('x') }))).rejects.toMatchObject({
    name: 'ModelError',
    OriginalStatusCode: 500,
    $metadata: { httpStatusCode: 424 },
  });
});
