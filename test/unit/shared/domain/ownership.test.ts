import { ADOPTED_AT_TAG, ADOPTED_BY_TAG, GROUP_TAG, MANAGED_BY_TAG, decideAdoption } from '../../../../functions/shared/domain/ownership';

const ME = 'sagemaker-release-pipeline-prod';
const adopt = (tags: Record<string, string>, bindings: Record<string, string> = {}) =>
  decideAdoption({ endpointName: 'churn-by-hand', tags, groupName: 'churn-model', managedBy: ME, bindings, requestedBy: 'alice@example.com', at: '2026-12-02T10:00:00.000Z' });

describe('decideAdoption', () => {
  it('adopts an endpoint made by hand: managed by this deployment, bound to the group, who and when on its tags', () => {
    expect(adopt({ team: 'churn' })).toEqual({
      action: 'adopt',
      tags: [
        { Key: MANAGED_BY_TAG, Value: ME },
        { Key: GROUP_TAG, Value: 'churn-model' },
        { Key: ADOPTED_BY_TAG, Value: 'alice@example.com' },
        { Key: ADOPTED_AT_TAG, Value: '2026-12-02T10:00:00.000Z' },
      ],
    });
  });

  it('leaves an endpoint already this deployment\'s for the group as it is', () => {
    expect(adopt({ [MANAGED_BY_TAG]: ME, [GROUP_TAG]: 'churn-model' })).toEqual({ action: 'already-managed' });
  });

  it('refuses an endpoint another deployment manages, or one bound to another group by tag or by the stage param', () => {
    expect(adopt({ [MANAGED_BY_TAG]: 'sagemaker-release-pipeline-dev' })).toMatchObject({ action: 'refuse', problem: { error: 'EndpointNotManaged', message: expect.stringContaining('managed by sagemaker-release-pipeline-dev') } });
    expect(adopt({ [MANAGED_BY_TAG]: ME, [GROUP_TAG]: 'payments-fraud' })).toMatchObject({ action: 'refuse', problem: { error: 'EndpointBoundToAnotherGroup' } });
    expect(adopt({}, { 'churn-by-hand': 'payments-fraud' })).toMatchObject({ action: 'refuse', problem: { error: 'EndpointBoundToAnotherGroup', message: expect.stringContaining('(stage param endpointBindings)') } });
  });
});
