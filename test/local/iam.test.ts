/**
 * IAM in the local account: a function's requests are evaluated against its role from the packaged
 * template by a real policy evaluator, and what the role does not allow is refused as AWS refuses it.
 */
import { PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CopyObjectCommand, CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateEndpointCommand, CreateEndpointConfigCommand, CreateModelCommand, DeleteEndpointCommand, DescribeEndpointCommand } from '@aws-sdk/client-sagemaker';
import { localFunctionRoles, ROLE_ARN } from '../../local/account';
import { alarmNamePrefix, resourceNames } from '../../functions/shared/domain/names';
import { LOCAL_MANAGED_BY, loadPackagedStateMachines } from '../../local/packaged-template';
import { IamEvaluator } from '../../local/sim/iam';
import { installPrincipalHeader, runAsFunction } from '../../local/sim/principal';
import { startLocalAws, type LocalAws } from './helpers';

jest.setTimeout(60_000);
// Before any client sends: the SDK looks http.request up on its first request.
installPrincipalHeader();

const ACCOUNT = '123456789012';
const fn = (name: string) => `sagemaker-release-pipeline-dev-${name}`;
const roles = localFunctionRoles(loadPackagedStateMachines());
/** A role that may read objects but not list the bucket: how S3 answers a missing key then. */
const READER = 'reader-without-list';
const withReader = new Map(roles).set(READER, {
  functionName: READER,
  roleName: READER,
  roleArn: `arn:aws:iam::123456789012:role/${READER}`,
  sessionArn: `arn:aws:sts::123456789012:assumed-role/${READER}/${READER}`,
  policies: [{ name: 'read', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::sagemaker-*/*' }] } }],
});

let env: LocalAws;
beforeAll(async () => {
  env = await startLocalAws({ iam: new IamEvaluator(withReader, ACCOUNT) });
  await env.aws.s3.send(new CreateBucketCommand({ Bucket: 'sagemaker-local-data' }));
  await env.aws.s3.send(new CreateBucketCommand({ Bucket: 'sagemaker-us-east-1-123456789012' }));
  await env.aws.s3.send(new PutObjectCommand({ Bucket: 'sagemaker-us-east-1-123456789012', Key: 'churn/1/model.tar.gz', Body: 'archive' }));
});
afterAll(async () => {
  await env.stop();
});

async function failure(p: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await p;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the request to fail');
}

describe("each function's role, from the packaged template", () => {
  it('gives every function a role of its own, with its references resolved to the local account', () => {
    // Assess
    expect(roles.size).toBe(loadPackagedStateMachines().functions.length);
    const prepare = JSON.stringify(roles.get(fn('prepareDeployment'))?.policies);
    expect(prepare).toContain(`"Resource":"${ROLE_ARN}"`);
    expect(prepare).toContain('"iam:PassedToService":"sagemaker.amazonaws.com"');
    expect(prepare).not.toMatch(/Fn::|\$\{/);
    expect(JSON.stringify(roles.get(fn('claimRelease'))?.policies)).toContain(`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/sagemaker-release-pipeline-local-ledger/index/*`);
  });
});

describe('requests a function makes', () => {
  it('are allowed when its role allows them (the service then answers as usual)', async () => {
    const answer = await failure(runAsFunction(fn('checkEndpoint'), () => env.aws.sm.send(new DescribeEndpointCommand({ EndpointName: 'churn' }))));
    expect(answer.name).toBe('ValidationException');
    expect(env.sim.requestLog().at(-1)).toMatchObject({ operation: 'DescribeEndpoint', principal: fn('checkEndpoint') });
  });

  it("are denied with SageMaker's AccessDeniedException naming the role, the action and the resource", async () => {
    // Act: CheckEndpoint only reads endpoints.
    const denied = await failure(runAsFunction(fn('checkEndpoint'), () => env.aws.sm.send(new CreateEndpointCommand({ EndpointName: 'Churn', EndpointConfigName: 'c' }))));

    // Assess
    expect(denied).toEqual({
      name: 'AccessDeniedException',
      status: 400,
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/sagemaker-release-pipeline-dev-CheckEndpointRole/${fn('checkEndpoint')} is not authorized to perform: sagemaker:CreateEndpoint on resource: arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint/churn because no identity-based policy allows the sagemaker:CreateEndpoint action`,
    });
    expect(env.sim.requestLog().at(-1)?.denied).toMatch(/^AccessDeniedException: /);
  });

  it('check iam:PassRole with iam:PassedToService: only the execution role the stack names may be passed', async () => {
    // Act
    const other = await failure(
      runAsFunction(fn('prepareDeployment'), () => env.aws.sm.send(new CreateModelCommand({ ModelName: 'm-other-role', ExecutionRoleArn: `arn:aws:iam::${ACCOUNT}:role/admin`, PrimaryContainer: { Image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/m:1` } }))),
    );
    const own = runAsFunction(fn('prepareDeployment'), () => env.aws.sm.send(new CreateModelCommand({ ModelName: 'm-own-role', ExecutionRoleArn: ROLE_ARN, PrimaryContainer: { Image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/m:1` } })));

    // Assess
    expect(other.message).toContain(`iam:PassRole on resource: arn:aws:iam::${ACCOUNT}:role/admin`);
    await expect(own).resolves.toMatchObject({ ModelArn: expect.stringContaining('model/m-own-role') });
  });

  it('need the tag permission too when they tag on create (CloudWatch answers AccessDenied, 403)', async () => {
    // CheckCanary reads alarms; it may not create one.
    const denied = await failure(
      runAsFunction(fn('checkCanary'), () =>
        env.aws.cw.send(new PutMetricAlarmCommand({ AlarmName: 'a', EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanThreshold', Threshold: 1, MetricName: 'm', Namespace: 'n', Statistic: 'Average', Period: 60, Tags: [{ Key: 'k', Value: 'v' }] })),
      ),
    );
    expect(denied).toMatchObject({ status: 403, message: expect.stringContaining('cloudwatch:PutMetricAlarm') });
  });

  it('on S3: a missing key is 403 without s3:ListBucket, 404 with it', async () => {
    // Act: PromoteModelArtifact may read and list the multi-model prefix; the reader may not list.
    const listed = await failure(runAsFunction(fn('promoteModelArtifact'), () => env.aws.s3.send(new HeadObjectCommand({ Bucket: 'sagemaker-local-data', Key: 'mme/no/such.tar.gz' }))));
    const outsidePrefix = await failure(runAsFunction(fn('promoteModelArtifact'), () => env.aws.s3.send(new HeadObjectCommand({ Bucket: 'sagemaker-local-data', Key: 'smoke/churn.jsonl' }))));
    const unlisted = await failure(runAsFunction(READER, () => env.aws.s3.send(new GetObjectCommand({ Bucket: 'sagemaker-us-east-1-123456789012', Key: 'no/such.jsonl' }))));
    const present = runAsFunction(READER, () => env.aws.s3.send(new GetObjectCommand({ Bucket: 'sagemaker-us-east-1-123456789012', Key: 'churn/1/model.tar.gz' })));

    // Assess
    expect(listed).toMatchObject({ name: 'NotFound', status: 404 });
    expect(outsidePrefix).toMatchObject({ status: 403 });
    expect(unlisted).toMatchObject({ name: 'AccessDenied', status: 403 });
    await expect((await present).Body?.transformToString()).resolves.toBe('archive');
  });

  it("on S3: a copy that keeps the source's tags needs the tagging permissions; TaggingDirective REPLACE does not", async () => {
    // Act: StageModelArtifact may read the model bucket and write the data bucket, not tags.
    const copy = (directive?: 'REPLACE') =>
      runAsFunction(fn('stageModelArtifact'), () =>
        env.aws.s3.send(new CopyObjectCommand({ Bucket: 'sagemaker-local-data', Key: 'mme/churn.tar.gz', CopySource: 'sagemaker-us-east-1-123456789012/churn/1/model.tar.gz', ...(directive ? { TaggingDirective: directive } : {}) })),
      );
    const keepingTags = await failure(copy());

    // Assess
    expect(keepingTags).toMatchObject({ name: 'AccessDenied', status: 403, message: expect.stringContaining('s3:GetObjectTagging') });
    await expect(copy('REPLACE')).resolves.toMatchObject({ CopyObjectResult: expect.anything() });
  });

  it('made outside any function (seeding, tests, an outside client) are not evaluated', async () => {
    await expect(env.aws.s3.send(new PutObjectCommand({ Bucket: 'sagemaker-local-data', Key: 'seeded.txt', Body: 'x' }))).resolves.toBeDefined();
    expect(env.sim.requestLog().at(-1)).not.toHaveProperty('principal');
  });
});

describe('the roles change only what the pipeline manages (the ownership tag)', () => {
  const evaluator = new IamEvaluator(roles, ACCOUNT);
  const endpoint = `arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint/payments-fraud-prod`;
  const MANAGED_BY = 'aws:ResourceTag/sagemaker-release-pipeline:managed-by';
  const ours = { [MANAGED_BY]: 'sagemaker-release-pipeline-dev' };
  const allowed = async (fnName: string, action: string, context: Record<string, string> = {}) => (await evaluator.decide(fn(fnName), [{ action, resource: endpoint, context }])).allowed;

  it.each([
    ['startDeployment', 'sagemaker:UpdateEndpoint'],
    ['startCanary', 'sagemaker:UpdateEndpointWeightsAndCapacities'],
    ['shiftTraffic', 'sagemaker:UpdateEndpointWeightsAndCapacities'],
    ['promote', 'sagemaker:UpdateEndpoint'],
    ['rollBack', 'sagemaker:UpdateEndpoint'],
    ['rollBack', 'sagemaker:UpdateEndpointWeightsAndCapacities'],
    ['rollBack', 'sagemaker:DeleteEndpoint'],
  ])('%s may %s an endpoint tagged as this deployment\'s, not an untagged one or another deployment\'s', async (fnName, action) => {
    expect(await allowed(fnName, action, ours)).toBe(true);
    expect(await allowed(fnName, action)).toBe(false);
    expect(await allowed(fnName, action, { [MANAGED_BY]: 'sagemaker-release-pipeline-prod' })).toBe(false);
  });

  it('startDeployment creates an endpoint only tagged as this deployment\'s', async () => {
    expect(await allowed('startDeployment', 'sagemaker:CreateEndpoint', { 'aws:RequestTag/sagemaker-release-pipeline:managed-by': 'sagemaker-release-pipeline-dev' })).toBe(true);
    expect(await allowed('startDeployment', 'sagemaker:CreateEndpoint')).toBe(false);
  });

  it('no other role re-tags an endpoint: prepareDeployment tags only configs and models; startDeployment only an endpoint that is, or is becoming, this deployment\'s', async () => {
    const tagAsOurs = { 'aws:RequestTag/sagemaker-release-pipeline:managed-by': 'sagemaker-release-pipeline-dev' };
    expect(await allowed('prepareDeployment', 'sagemaker:AddTags', tagAsOurs)).toBe(false);
    expect(await allowed('startDeployment', 'sagemaker:AddTags', tagAsOurs)).toBe(true);
    expect(await allowed('startDeployment', 'sagemaker:AddTags', { ...tagAsOurs, [MANAGED_BY]: 'sagemaker-release-pipeline-prod' })).toBe(false);
  });

  it('adoptEndpoint tags an untagged endpoint as this deployment\'s, never one another deployment manages', async () => {
    const tagAsOurs = { 'aws:RequestTag/sagemaker-release-pipeline:managed-by': 'sagemaker-release-pipeline-dev' };
    expect(await allowed('adoptEndpoint', 'sagemaker:AddTags', tagAsOurs)).toBe(true);
    expect(await allowed('adoptEndpoint', 'sagemaker:AddTags', { ...tagAsOurs, [MANAGED_BY]: 'sagemaker-release-pipeline-prod' })).toBe(false);
    expect(await allowed('adoptEndpoint', 'sagemaker:AddTags', { 'aws:RequestTag/sagemaker-release-pipeline:managed-by': 'someone-else' })).toBe(false);
  });

  it('a hand-made endpoint cannot be changed through the local account either: SageMaker answers AccessDenied', async () => {
    // Made outside any function (not evaluated), untagged; then a function's UpdateEndpoint on it is denied.
    const sageMaker = env.aws.sm;
    await sageMaker.send(new CreateModelCommand({ ModelName: 'by-hand', ExecutionRoleArn: ROLE_ARN, Containers: [{ Image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/x:1` }] }));
    await sageMaker.send(new CreateEndpointConfigCommand({ EndpointConfigName: 'by-hand', ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'by-hand', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }] }));
    await sageMaker.send(new CreateEndpointCommand({ EndpointName: 'by-hand', EndpointConfigName: 'by-hand' }));
    const denied = await failure(runAsFunction(fn('rollBack'), () => sageMaker.send(new DeleteEndpointCommand({ EndpointName: 'by-hand' }))));
    expect(denied).toMatchObject({ name: 'AccessDeniedException', message: expect.stringContaining('sagemaker:DeleteEndpoint') });
  });
});

describe('the roles write only alarms under this deployment\'s prefix', () => {
  const evaluator = new IamEvaluator(roles, ACCOUNT);
  const alarm = (name: string) => `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:${name}`;
  const allowed = async (fnName: string, action: string, name: string) => (await evaluator.decide(fn(fnName), [{ action, resource: alarm(name), context: {} }])).allowed;
  const own = `${alarmNamePrefix('sagemaker-release-pipeline-dev')}churn-endpoint-v7-a1b2c3d4-error-rate`;

  it.each([
    ['startDeployment', 'cloudwatch:PutMetricAlarm'],
    ['startDeployment', 'cloudwatch:TagResource'],
    ['startCanary', 'cloudwatch:PutMetricAlarm'],
    ['startCanary', 'cloudwatch:TagResource'],
  ])('%s may %s an alarm it names, not a team\'s own alarm or another deployment\'s', async (fnName, action) => {
    expect(await allowed(fnName, action, own)).toBe(true);
    // PutMetricAlarm on an existing name replaces that alarm: a same-named alarm outside the prefix is out of reach.
    expect(await allowed(fnName, action, 'churn-endpoint-v7-a1b2c3d4-error-rate')).toBe(false);
    expect(await allowed(fnName, action, 'payments-fraud-5xx')).toBe(false);
    expect(await allowed(fnName, action, `${alarmNamePrefix('sagemaker-release-pipeline-prod')}churn-endpoint-v7-a1b2c3d4-error-rate`)).toBe(false);
  });

  it('the alarms a release plans are under the prefix the roles allow', async () => {
    const names = resourceNames('churn-model', 7, 'churn-endpoint', 'a1b2c3d4', LOCAL_MANAGED_BY);
    for (const name of [names.errorRateAlarm, names.latencyAlarm]) {
      expect(await allowed('startCanary', 'cloudwatch:PutMetricAlarm', name)).toBe(true);
    }
  });

  it('an alarm outside the prefix cannot be replaced through the local account either: CloudWatch answers AccessDenied', async () => {
    const put = (name: string) => new PutMetricAlarmCommand({ AlarmName: name, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanThreshold', Threshold: 1, MetricName: 'm', Namespace: 'n', Statistic: 'Average', Period: 60 });
    const denied = await failure(runAsFunction(fn('startCanary'), () => env.aws.cw.send(put('payments-fraud-5xx'))));
    expect(denied).toMatchObject({ status: 403, message: expect.stringContaining('cloudwatch:PutMetricAlarm') });
    await expect(runAsFunction(fn('startCanary'), () => env.aws.cw.send(put(own)))).resolves.toBeDefined();
  });
});

describe('the roles touch only the S3 locations the stage names', () => {
  const evaluator = new IamEvaluator(roles, ACCOUNT);
  const object = (bucketAndKey: string) => `arn:aws:s3:::${bucketAndKey}`;
  const allowedBy = async (action: string, bucketAndKey: string) => {
    const names: string[] = [];
    for (const name of roles.keys()) {
      if ((await evaluator.decide(name, [{ action, resource: object(bucketAndKey), context: {} }])).allowed) names.push(name.replace(fn(''), ''));
    }
    return names.sort();
  };

  it('no role writes or deletes in a bucket the stage does not name, in any account (bucket ARNs carry none)', async () => {
    for (const action of ['s3:PutObject', 's3:DeleteObject']) {
      expect(await allowedBy(action, 'sagemaker-us-east-1-999999999999/churn/1/model.tar.gz')).toEqual([]);
      expect(await allowedBy(action, 'sagemaker-other-team/anything')).toEqual([]);
    }
  });

  it('no role writes over or deletes a package archive in the model artifact location', async () => {
    expect(await allowedBy('s3:PutObject', 'sagemaker-us-east-1-123456789012/churn/1/model.tar.gz')).toEqual([]);
    expect(await allowedBy('s3:DeleteObject', 'sagemaker-us-east-1-123456789012/churn/1/model.tar.gz')).toEqual([]);
  });

  it('deletes happen only under the multi-model location, by the step that restores it', async () => {
    expect(await allowedBy('s3:DeleteObject', 'sagemaker-local-data/mme/churn.tar.gz')).toEqual(['restoreModelArtifact']);
    expect(await allowedBy('s3:DeleteObject', 'sagemaker-local-data/smoke/churn.jsonl')).toEqual([]);
    expect(await allowedBy('s3:DeleteObject', 'sagemaker-local-data/batch/output/part-0.out')).toEqual([]);
  });
});

describe('clean-up deletes only what this deployment made', () => {
  const evaluator = new IamEvaluator(roles, ACCOUNT);
  const ours = { 'aws:ResourceTag/sagemaker-release-pipeline:managed-by': 'sagemaker-release-pipeline-dev' };
  const allowed = async (action: string, resource: string, context: Record<string, string> = {}) => (await evaluator.decide(fn('cleanUp'), [{ action, resource, context }])).allowed;

  it.each([
    ['sagemaker:DeleteEndpointConfig', `arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint-config/churn-a1b2c3d4`],
    ['sagemaker:DeleteModel', `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model/churn-v7-a1b2c3d4`],
  ])('%s only on one tagged as this deployment\'s', async (action, resource) => {
    expect(await allowed(action, resource, ours)).toBe(true);
    expect(await allowed(action, resource)).toBe(false);
    expect(await allowed(action, resource, { 'aws:ResourceTag/sagemaker-release-pipeline:managed-by': 'sagemaker-release-pipeline-prod' })).toBe(false);
  });

  it('DeleteAlarms only under the prefix; no endpoint is deleted or changed', async () => {
    const alarm = (name: string) => `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:${name}`;
    expect(await allowed('cloudwatch:DeleteAlarms', alarm(`${alarmNamePrefix('sagemaker-release-pipeline-dev')}churn-v7-a1b2c3d4-error-rate`))).toBe(true);
    expect(await allowed('cloudwatch:DeleteAlarms', alarm('payments-fraud-5xx'))).toBe(false);
    for (const action of ['sagemaker:DeleteEndpoint', 'sagemaker:UpdateEndpoint']) expect(await allowed(action, `arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint/churn`, ours)).toBe(false);
  });
});
