import { DescribeModelPackageCommand, SageMakerClient, type DescribeModelPackageCommandOutput } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../functions/describe-package/handler';
import { PACKAGE_ARN, lambdaContext, sdkError, serviceDown, throttled } from '../helpers';

const sageMaker = mockClient(SageMakerClient);
afterEach(() => sageMaker.reset());

function described(overrides: Partial<DescribeModelPackageCommandOutput> = {}): Partial<DescribeModelPackageCommandOutput> {
  return {
    ModelPackageArn: PACKAGE_ARN,
    ModelPackageGroupName: 'churn-model',
    ModelPackageVersion: 7,
    ModelApprovalStatus: 'Approved',
    ModelPackageStatus: 'Completed',
    InferenceSpecification: {
      Containers: [{ Image: '111.dkr.ecr.us-east-1.amazonaws.com/xgb:1', ModelDataUrl: 's3://models/churn/7/model.tar.gz' }],
      SupportedContentTypes: ['text/csv'],
      SupportedResponseMIMETypes: ['text/csv'],
      SupportedRealtimeInferenceInstanceTypes: ['ml.m5.large'],
    },
    CustomerMetadataProperties: { 'canary.percent': '5', team: 'churn' },
    LastModifiedTime: new Date('2024-05-01T10:00:00.000Z'),
    LastModifiedBy: { IamIdentity: { Arn: 'arn:aws:sts::123456789012:assumed-role/ml-approver/alice' } },
    ...overrides,
  };
}

const event = { request: { modelPackageArn: PACKAGE_ARN } };

describe('DescribePackage handler', () => {
  it('returns what the pipeline keeps of an approved package', async () => {
    // Prepare
    sageMaker.on(DescribeModelPackageCommand, { ModelPackageName: PACKAGE_ARN }).resolves(described());

    // Act
    const pkg = await handler(event, lambdaContext());

    // Assess
    expect(pkg).toEqual({
      arn: PACKAGE_ARN,
      groupName: 'churn-model',
      version: 7,
      approvalStatus: 'Approved',
      status: 'Completed',
      containers: [{ image: '111.dkr.ecr.us-east-1.amazonaws.com/xgb:1', modelDataUrl: 's3://models/churn/7/model.tar.gz' }],
      supportedContentTypes: ['text/csv'],
      samplePayloadUrl: null,
      supportedRealtimeInstanceTypes: ['ml.m5.large'],
      metadata: { 'canary.percent': '5', team: 'churn' },
      lastModifiedTime: '2024-05-01T10:00:00.000Z',
      approvedBy: 'arn:aws:sts::123456789012:assumed-role/ml-approver/alice',
    });
  });

  it.each<[string, Partial<DescribeModelPackageCommandOutput>, RegExp]>([
    ['Rejected again since the event', { ModelApprovalStatus: 'Rejected' }, /approval status is Rejected, not Approved/],
    ['pending approval', { ModelApprovalStatus: 'PendingManualApproval' }, /approval status is PendingManualApproval/],
    ['still InProgress', { ModelPackageStatus: 'InProgress' }, /package status is InProgress, not Completed/],
    ['without containers', { InferenceSpecification: { Containers: [], SupportedContentTypes: [], SupportedResponseMIMETypes: [] } }, /no InferenceSpecification containers/],
    ['without an inference specification', { InferenceSpecification: undefined }, /no InferenceSpecification containers/],
  ])('refuses a package %s with PackageNotDeployable and makes no further call', async (_what, overrides, why) => {
    // Prepare
    sageMaker.on(DescribeModelPackageCommand).resolves(described(overrides));

    // Act
    const result = handler(event, lambdaContext());

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'PackageNotDeployable', message: expect.stringMatching(why) });
    expect(sageMaker.calls()).toHaveLength(1);
  });

  it('lists every reason a package cannot be deployed', async () => {
    sageMaker.on(DescribeModelPackageCommand).resolves(described({ ModelApprovalStatus: 'Rejected', ModelPackageStatus: 'Failed' }));
    await expect(handler(event, lambdaContext())).rejects.toThrow(/approval status is Rejected.*; package status is Failed/);
  });

  it('reports a missing package as PackageNotFound', async () => {
    sageMaker.on(DescribeModelPackageCommand).rejects(sdkError('ValidationException', 400, `ModelPackage ${PACKAGE_ARN} does not exist.`));
    await expect(handler(event, lambdaContext())).rejects.toMatchObject({ name: 'PackageNotFound', message: expect.stringContaining(PACKAGE_ARN) });
  });

  it.each([
    ['throttling', 'AwsThrottled', throttled],
    ['a 5xx', 'AwsUnavailable', serviceDown],
    ['an access denial', 'AwsRequestRejected', () => sdkError('AccessDeniedException', 403)],
  ])('translates %s into %s', async (_what, name, error) => {
    sageMaker.on(DescribeModelPackageCommand).rejects(error());
    await expect(handler(event, lambdaContext())).rejects.toMatchObject({ name, message: expect.stringContaining('DescribeModelPackage failed') });
  });

  it('refuses input without the request ARN before calling SageMaker', async () => {
    await expect(handler({ request: {} }, lambdaContext())).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('request.modelPackageArn') });
    expect(sageMaker.calls()).toHaveLength(0);
  });
});
