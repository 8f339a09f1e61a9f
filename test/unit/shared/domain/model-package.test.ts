import { refuseUndeployable, versionFromArn } from '../../../../functions/shared/domain/model-package';
import { modelPackage, PACKAGE_ARN } from '../../helpers';

describe('refuseUndeployable: the registry decides, not the event', () => {
  it('lets an Approved, Completed package with containers through', () => {
    expect(() => refuseUndeployable(modelPackage())).not.toThrow();
  });

  it('refuses a package rejected since its event, as PackageNotDeployable naming why', () => {
    expect(() => refuseUndeployable(modelPackage({ approvalStatus: 'Rejected' }))).toThrow(
      expect.objectContaining({ name: 'PackageNotDeployable', message: `Model package ${PACKAGE_ARN} cannot be deployed: approval status is Rejected, not Approved` }),
    );
  });

  it('names every reason at once', () => {
    expect(() => refuseUndeployable(modelPackage({ approvalStatus: 'PendingManualApproval', status: 'InProgress', containers: [] }))).toThrow(
      expect.objectContaining({
        message: `Model package ${PACKAGE_ARN} cannot be deployed: approval status is PendingManualApproval, not Approved; package status is InProgress, not Completed; it has no InferenceSpecification containers`,
      }),
    );
  });
});

describe('versionFromArn', () => {
  it("reads a versioned package's version, and null for an unversioned one", () => {
    expect(versionFromArn('arn:aws:sagemaker:us-east-1:123456789012:model-package/churn-model/12')).toBe(12);
    expect(versionFromArn('arn:aws:sagemaker:us-east-1:123456789012:model-package/unversioned')).toBeNull();
  });
});
