import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeEndpointCommand, DescribeEndpointConfigCommand, DescribeModelCommand, ListTagsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../functions/preview-release/handler';
import { ENDPOINT, ENDPOINT_ARN, MANAGED_TAGS, PACKAGE_ARN, lambdaContext, releaseState, sdkError } from '../helpers';

const sageMaker = mockClient(SageMakerClient);
const cloudWatch = mockClient(CloudWatchClient);
const s3 = mockClient(S3Client);

afterEach(() => {
  sageMaker.reset();
  cloudWatch.reset();
  s3.reset();
});

/** Every call the dry run made that is not a read. */
const writes = () => [...sageMaker.calls(), ...cloudWatch.calls()].map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name).filter((name) => !/^(Describe|List|Get)/.test(name));

function liveEndpoint(status = 'InService') {
  sageMaker.on(ListTagsCommand, { ResourceArn: ENDPOINT_ARN }).resolves({ Tags: MANAGED_TAGS });
  sageMaker.on(DescribeEndpointCommand).resolves({ EndpointName: ENDPOINT, EndpointArn: ENDPOINT_ARN, EndpointStatus: status as 'InService', EndpointConfigName: 'live-config', ProductionVariants: [{ VariantName: 'v6-old', CurrentWeight: 1 }] });
  sageMaker.on(DescribeEndpointConfigCommand).resolves({ EndpointConfigName: 'live-config', ProductionVariants: [{ VariantName: 'v6-old', ModelName: 'churn-model-v6', InstanceType: 'ml.m5.large', InitialInstanceCount: 1, InitialVariantWeight: 1 }] });
}

describe('PreviewRelease handler (a dry run)', () => {
  it('shows a canary release onto the live endpoint: the model and both configs it would create, the change, the alarms; changes nothing', async () => {
    // Prepare
    liveEndpoint();
    cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    const state = releaseState();

    // Act
    const preview = await handler(state, lambdaContext());

    // Assess
    expect(preview).toMatchObject({ dryRun: true, modelPackageArn: PACKAGE_ARN, mode: 'realtime', style: 'variant-canary', endpointName: ENDPOINT, problems: [] });
    expect(preview.endpoint).toEqual({ exists: true, status: 'InService', configName: 'live-config', variants: [{ name: 'v6-old', weight: 1 }] });
    expect((preview.wouldCreate as { type: string; name?: string }[]).map((r) => [r.type, r.name])).toEqual([
      ['Model', state.plan.names.model],
      ['EndpointConfig', state.plan.names.canaryConfig],
      ['EndpointConfig', state.plan.names.finalConfig],
    ]);
    expect(preview.wouldChange).toEqual([
      expect.objectContaining({ type: 'Endpoint', from: 'live-config', to: state.plan.names.finalConfig, change: expect.stringMatching(/^UpdateEndpoint to .*-canary \(new variant at weight 0\), 10% canary for 10 min/) }),
    ]);
    expect((preview.alarms as { name: string }[]).map((a) => a.name)).toEqual([state.plan.names.errorRateAlarm, state.plan.names.latencyAlarm]);
    expect(writes()).toEqual([]);
  });

  it('lists every problem the release would refuse on, instead of failing on the first', async () => {
    liveEndpoint('Updating');
    cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });

    const preview = await handler(releaseState({ 'canary.alarmNames': 'queue-depth' }), lambdaContext());

    expect(preview.problems).toEqual([
      'canary.alarmNames: no CloudWatch alarm named queue-depth',
      `Endpoint ${ENDPOINT} is Updating, not InService: another change is under way outside this pipeline`,
    ]);
    expect(writes()).toEqual([]);
  });

  it("shows where the smoke payloads come from, and a file the release would refuse as a problem", async () => {
    // Prepare
    liveEndpoint();
    cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    s3.on(GetObjectCommand).resolves({ ContentLength: 20, Body: { transformToByteArray: async () => new TextEncoder().encode('{"body":"1,2,3"}\n') } as never });

    // Act
    const preview = await handler(releaseState({ 'smoke.payloadsUrl': 's3://sagemaker-bucket/smoke/churn.jsonl' }), lambdaContext());

    // Assess
    expect(preview.smoke).toEqual({ source: 'smoke.payloadsUrl s3://sagemaker-bucket/smoke/churn.jsonl', payloads: 0 });
    expect(preview.problems).toEqual([expect.stringMatching(/^smoke\.payloadsUrl s3:\/\/sagemaker-bucket\/smoke\/churn\.jsonl: line 1: contentType: /)]);
    expect(writes()).toEqual([]);
  });

  it('shows a first deployment as CreateEndpoint on the final config', async () => {
    sageMaker.on(DescribeEndpointCommand).rejects(sdkError('ValidationException', 400, `Could not find endpoint "${ENDPOINT}".`));
    cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    const state = releaseState();

    const preview = await handler(state, lambdaContext());

    expect(preview.endpoint).toEqual({ exists: false });
    expect(preview.wouldChange).toEqual([{ type: 'Endpoint', name: ENDPOINT, change: 'CreateEndpoint', to: state.plan.names.finalConfig }]);
    expect(preview.alarms).toEqual([]);
  });

  it('shows a batch-only release as the group\'s active batch model, reading nothing', async () => {
    const state = releaseState({ 'deploy.mode': 'batch' }, null);

    const preview = await handler(state, lambdaContext());

    expect(preview).toMatchObject({ endpoint: null, wouldChange: [{ type: 'ActiveBatchModel', group: 'churn-model', to: state.plan.names.model }], problems: [] });
    expect(sageMaker.calls()).toHaveLength(0);
  });

  it('shows a multi-model release as objects under the shared prefix, with the refusal a single-model endpoint would get', async () => {
    liveEndpoint();
    sageMaker.on(DescribeModelCommand).resolves({ ModelName: 'churn-model-v6', PrimaryContainer: { Image: 'img', Mode: 'SingleModel', ModelDataUrl: 's3://models/churn/6/model.tar.gz' } });

    const preview = await handler(releaseState({ 'deploy.mode': 'multi-model', 'deploy.multiModelGroup': 'shared-mme' }), lambdaContext());

    expect(preview.wouldCreate).toEqual([expect.objectContaining({ type: 'S3Object', from: 's3://models/churn/7/model.tar.gz' })]);
    expect(preview.problems).toEqual([expect.stringMatching(/is not a multi-model endpoint: its model churn-model-v6 has 1 container\(s\), mode SingleModel/)]);
    expect(writes()).toEqual([]);
  });
});
