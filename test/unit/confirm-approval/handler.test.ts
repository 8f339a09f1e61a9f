import { DescribeModelPackageCommand, SageMakerClient, type ModelApprovalStatus } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../functions/confirm-approval/handler';
import { PACKAGE_ARN, lambdaContext, releaseState, throttled, packageWithApproval } from '../helpers';

const sageMaker = mockClient(SageMakerClient);
afterEach(() => sageMaker.reset());
const registryHas = (ModelApprovalStatus: ModelApprovalStatus) =>
  sageMaker.on(DescribeModelPackageCommand).resolves(packageWithApproval(ModelApprovalStatus));

describe('ConfirmApproval handler', () => {
  it('lets the promotion be recorded while the package is still Approved', async () => {
    registryHas('Approved');
    await expect(handler(releaseState({ 'deploy.strategy': 'native' }), lambdaContext())).resolves.toEqual({ verdict: 'proceed', approvalStatus: 'Approved' });
    expect(sageMaker.commandCalls(DescribeModelPackageCommand)[0]?.args[0].input).toEqual({ ModelPackageName: PACKAGE_ARN });
  });

  it.each<ModelApprovalStatus>(['Rejected', 'PendingManualApproval'])('answers revoked when the package is %s now, saying the release undoes what it changed', async (status) => {
    registryHas(status);
    await expect(handler(releaseState({ 'deploy.strategy': 'native' }), lambdaContext())).resolves.toEqual({
      verdict: 'revoked',
      reason: `the package is ${status} in the model registry now, no longer Approved: the release stopped before recording the promotion SageMaker finished and undoes what it changed`,
    });
  });

  it("before a multi-model promotion, says what it stopped: making the candidate the group's live artifact", async () => {
    registryHas('Rejected');
    await expect(handler(releaseState({ 'deploy.multiModelGroup': 'shared-mme' }), lambdaContext())).resolves.toEqual({
      verdict: 'revoked',
      reason: expect.stringContaining("the release stopped before making it the group's live artifact"),
    });
  });

  it('turns throttling into a retryable error', async () => {
    sageMaker.on(DescribeModelPackageCommand).rejects(throttled());
    await expect(handler(releaseState(), lambdaContext())).rejects.toMatchObject({ name: 'AwsThrottled' });
  });

  it('refuses malformed input with InvalidInput and calls nothing', async () => {
    await expect(handler({ package: {} }, lambdaContext())).rejects.toMatchObject({ name: 'InvalidInput' });
    expect(sageMaker.calls()).toHaveLength(0);
  });
});
