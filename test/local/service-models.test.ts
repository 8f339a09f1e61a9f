/**
 * The local account applies AWS's published request rules (botocore's service models, loaded at run time):
 * what the service would refuse, the simulator refuses, in the service's words, and the request log says so.
 * Its answers carry what the service returns, checked against the output shapes.
 */
import { PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
  type CreateEndpointConfigCommandInput,
} from '@aws-sdk/client-sagemaker';
import { parseSettingLayer, SETTING_PARSERS } from '../../functions/shared/domain/settings';
import { outputProblems, serviceModel, unenforcedPatterns, validateInput, violationMessage } from '../../local/sim/service-models';
import { registerModel, startLocalAws, unique, type LocalAws } from './helpers';

jest.setTimeout(60_000);

let env: LocalAws;
let modelName: string;
let packageArn: string;
beforeAll(async () => {
  env = await startLocalAws();
  ({ modelName, packageArn } = await registerModel(env.aws.sm, unique('group')));
});
afterAll(async () => {
  await env.stop();
});

/** The refusal as the SDK reports it; `code` is the query-protocol code awsQuery-compatible services (CloudWatch) also send. */
async function refusal(p: Promise<unknown>): Promise<{ name: string; code: string | undefined; message: string; status: number | undefined }> {
  try {
    await p;
  } catch (error) {
    const e = error as { name: string; Code?: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, code: e.Code, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the request to be refused');
}

const config = (overrides: Partial<CreateEndpointConfigCommandInput> = {}): CreateEndpointConfigCommandInput => ({
  EndpointConfigName: unique('config'),
  ProductionVariants: [{ VariantName: 'v1', ModelName: modelName, InstanceType: 'ml.m5.large', InitialInstanceCount: 1, InitialVariantWeight: 1 }],
  ...overrides,
});

describe("botocore's models, as the simulator reads them", () => {
  it.each(['sagemaker', 'sagemaker-runtime', 'dynamodb', 'events', 'cloudwatch', 's3', 'sqs', 'stepfunctions'])('every pattern of %s is enforced (none is skipped as untranslatable)', (service) => {
    expect(unenforcedPatterns(serviceModel(service))).toEqual([]);
  });

  it('names each violation the way the service does', () => {
    // Act
    const violations = validateInput(serviceModel('sagemaker'), 'CreateEndpoint', { EndpointName: 'bad_name!', EndpointConfigName: 'c' });

    // Assess
    expect(violationMessage(violations)).toBe(
      "1 validation error detected: Value 'bad_name!' at 'endpointName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}",
    );
  });

  it('applies patterns to the whole value, as the service does (a valid prefix is not enough)', () => {
    const violations = validateInput(serviceModel('sagemaker'), 'DescribeEndpoint', { EndpointName: 'churn-model ' });
    expect(violations.map((v) => v.path)).toEqual(['endpointName']);
  });
});

describe('the simulator refuses what the service refuses', () => {
  it('refuses an endpoint config with an empty DataCaptureConfig (what moto answers for "off", not what SageMaker accepts)', async () => {
    // Act
    const refused = await refusal(env.aws.sm.send(new CreateEndpointConfigCommand(config({ DataCaptureConfig: {} as never }))));

    // Assess
    expect(refused).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(refused.message).toMatch(/validation errors? detected: .*at 'dataCaptureConfig\.(initialSamplingPercentage|destinationS3Uri|captureOptions)' failed to satisfy constraint: Member must not be null/);
    expect(env.sim.requestLog().at(-1)).toMatchObject({ operation: 'CreateEndpointConfig', rejected: expect.stringMatching(/^ValidationException: /) });
  });

  it('refuses an instance type outside the enum and a variant weight below 0', async () => {
    // Act
    const instance = await refusal(env.aws.sm.send(new CreateEndpointConfigCommand(config({ ProductionVariants: [{ VariantName: 'v1', ModelName: modelName, InstanceType: 'ml.m5.huge' as never, InitialInstanceCount: 1 }] }))));
    const weight = await refusal(env.aws.sm.send(new UpdateEndpointWeightsAndCapacitiesCommand({ EndpointName: 'churn', DesiredWeightsAndCapacities: [{ VariantName: 'v1', DesiredWeight: -1 }] })));

    // Assess
    expect(instance.message).toMatch(/at 'productionVariants\.1\.member\.instanceType' failed to satisfy constraint: Member must satisfy enum value set: \[/);
    expect(weight.message).toMatch(/at 'desiredWeightsAndCapacities\.1\.member\.desiredWeight' failed to satisfy constraint: Member must have value greater than or equal to 0/);
  });

  it.each([
    ['JSON (inline smoke payloads)', { 'smoke.payloads': '[{"contentType":"text/csv","body":"1,2,3"}]' }],
    ['a comma', { 'canary.alarmNames': 'churn-kpi,churn-latency' }],
    ['a value over 256 characters', { 'team.note': 'x'.repeat(257) }],
    ['more than 50 entries', Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`team.k${i}`, 'v']))],
  ])('refuses a model package whose metadata holds %s, as SageMaker does', async (_what, metadata) => {
    // Prepare
    const group = unique('group');
    await env.aws.sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: group }));

    // Act
    const refused = await refusal(
      env.aws.sm.send(
        new CreateModelPackageCommand({
          ModelPackageGroupName: group,
          CustomerMetadataProperties: metadata,
          InferenceSpecification: { Containers: [{ Image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/m:1' }], SupportedContentTypes: ['text/csv'], SupportedResponseMIMETypes: ['text/csv'] },
        }),
      ),
    );

    // Assess
    expect(refused).toMatchObject({ name: 'ValidationException', message: expect.stringContaining("at 'customerMetadataProperties") });
  });

  it('refuses a DynamoDB read without its key and a CloudWatch alarm with 0 evaluation periods', async () => {
    // Act
    const table = await refusal(env.aws.ddb.send(new GetItemCommand({ TableName: 'ledger' } as never)));
    const alarm = await refusal(env.aws.cw.send(new PutMetricAlarmCommand({ AlarmName: 'a', EvaluationPeriods: 0, ComparisonOperator: 'GreaterThanThreshold', Threshold: 1, MetricName: 'm', Namespace: 'n', Statistic: 'Average', Period: 60 })));

    // Assess
    expect(table).toMatchObject({ name: 'ValidationException', message: expect.stringContaining("at 'key' failed to satisfy constraint: Member must not be null") });
    expect(alarm).toMatchObject({ code: 'ValidationError', message: expect.stringContaining("at 'evaluationPeriods' failed to satisfy constraint: Member must have value greater than or equal to 1") });
  });

  it('passes a request that follows the rules on to the account', async () => {
    const name = unique('config');
    await expect(env.aws.sm.send(new CreateEndpointConfigCommand(config({ EndpointConfigName: name })))).resolves.toMatchObject({ EndpointConfigArn: expect.stringContaining(name) });
  });
});

describe("the simulator's answers match the output shapes", () => {
  /** The raw JSON the simulator answers a SageMaker call with (not the SDK's parsed copy, which drops unknown members). */
  async function rawSageMaker(operation: string, input: Record<string, unknown>): Promise<unknown> {
    const response = await fetch(env.sim.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `SageMaker.${operation}`,
        authorization: 'AWS4-HMAC-SHA256 Credential=test/20261202/us-east-1/sagemaker/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: JSON.stringify(input),
    });
    expect(response.status).toBe(200);
    return response.json();
  }

  it('answers Describe* of the resources a release touches with the members SageMaker returns, no empty structures', async () => {
    // Prepare
    const configName = unique('config');
    const endpointName = unique('endpoint');
    await env.aws.sm.send(new CreateEndpointConfigCommand(config({ EndpointConfigName: configName })));
    await env.aws.sm.send(new CreateEndpointCommand({ EndpointName: endpointName, EndpointConfigName: configName }));
    const model = serviceModel('sagemaker');

    // Act
    const answers: [string, unknown][] = [
      ['DescribeEndpointConfig', await rawSageMaker('DescribeEndpointConfig', { EndpointConfigName: configName })],
      ['DescribeEndpoint', await rawSageMaker('DescribeEndpoint', { EndpointName: endpointName })],
      ['DescribeModel', await rawSageMaker('DescribeModel', { ModelName: modelName })],
      ['DescribeModelPackage', await rawSageMaker('DescribeModelPackage', { ModelPackageName: packageArn })],
      ['ListEndpoints', await rawSageMaker('ListEndpoints', {})],
    ];

    // Assess
    for (const [operation, answer] of answers) expect({ operation, problems: outputProblems(model, operation, answer) }).toEqual({ operation, problems: [] });
    expect(answers[0]?.[1]).not.toHaveProperty('DataCaptureConfig');
  });
});

describe('every documented setting fits on a real package', () => {
  /** One value per key, as a user would write it in CustomerMetadataProperties. */
  const EXAMPLES: Record<string, string> = {
    'endpoint.name': 'churn-prod',
    'endpoint.instanceType': 'ml.c5.xlarge',
    'endpoint.instanceCount': '2',
    'canary.percent': '10',
    'canary.bakeMinutes': '30',
    'canary.alarmNames': 'churn-conversion-drop+churn latency p99',
    'canary.minInvocations': '100',
    'canary.insufficientTraffic': 'promote',
    'slo.latencyP99Ms': '250.5',
    'slo.errorRatePercent': '0.5',
    'smoke.payloadsUrl': 's3://sagemaker-us-east-1-123456789012/smoke/churn-model/v7.jsonl',
    'smoke.latencyBudgetMs': '2000',
    'deploy.mode': 'multi-model',
    'deploy.strategy': 'native',
    'deploy.multiModelGroup': 'shared-mme',
    'workload.online': 'true',
    'workload.maxPayloadMB': '5.5',
    'workload.inferenceSeconds': '30',
    'workload.traffic': 'intermittent',
    'model.memoryMB': '3000',
    'monitoring.dataCapture': 'false',
    'serverless.memoryMB': '3072',
    'serverless.maxConcurrency': '20',
    'serverless.provisionedConcurrency': '2',
    'async.outputPath': 's3://sagemaker-us-east-1-123456789012/async/out/',
    'async.failurePath': 's3://sagemaker-us-east-1-123456789012/async/failed/',
    'async.maxConcurrentInvocationsPerInstance': '4',
  };
  /** Inline JSON: for stage defaults and manual overrides only (README, "Configuration"). */
  const NOT_FOR_PACKAGES = ['smoke.payloads'];

  it('has an example for every setting key but the inline ones', () => {
    expect(Object.keys(SETTING_PARSERS).filter((k) => !NOT_FOR_PACKAGES.includes(k)).sort()).toEqual(Object.keys(EXAMPLES).sort());
  });

  it("each example passes SageMaker's CustomerMetadataProperties rules and the pipeline's own parser", () => {
    // Act
    const violations = validateInput(serviceModel('sagemaker'), 'CreateModelPackage', { CustomerMetadataProperties: EXAMPLES });

    // Assess
    expect(violations).toEqual([]);
    expect(() => parseSettingLayer(EXAMPLES, 'test')).not.toThrow();
  });
});
