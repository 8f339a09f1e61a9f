import { z } from 'zod';
import { deleteEndpoint, describeEndpoint, updateEndpoint } from '../shared/aws/endpoints';
import { InvalidInput } from '../shared/errors';
import { deploymentSlice } from '../shared/domain/state';
import { stepHandler } from '../shared/runtime/step-handler';

export type RollbackAction =
  | 'nothing-to-undo' // the endpoint never left the old model
  | 'restoring' // UpdateEndpoint back to the previous config was started
  | 'deleting' // first deployment: the endpoint this release created is being deleted
  | 'wait'; // SageMaker is mid-change; try again after a pause

/**
 * State RollBack (looped through WaitBeforeRollback while SageMaker is busy). It decides from what the
 * endpoint is NOW, not from how far the release believes it got, so it is safe after a failure at any call.
 */
export const handler = stepHandler({
  step: 'RollBack',
  input: z.object({ deployment: deploymentSlice.nullable().optional() }),
  env: z.object({}),
  run: async ({ deployment }) => {
    const requestedAt = new Date(Date.now()).toISOString();
    if (!deployment) return { action: 'nothing-to-undo' as RollbackAction, expectedConfigName: null, endpointName: null, requestedAt };
    // A multi-model release never changes the shared endpoint; RestoreModelArtifact undoes it. Never update that endpoint here.
    if (deployment.style === 'multi-model-artifact') throw new InvalidInput('RollBack does not undo multi-model releases (RestoreModelArtifact does); the shared endpoint was left unchanged');
    const { endpointName, previousConfigName } = deployment;
    const live = await describeEndpoint(endpointName);
    const busy = live !== null && ['Creating', 'Updating', 'RollingBack', 'SystemUpdating'].includes(live.status);
    if (busy) return { action: 'wait' as RollbackAction, expectedConfigName: previousConfigName, endpointName, requestedAt };

    if (deployment.firstDeployment) {
      if (live === null) return { action: 'nothing-to-undo' as RollbackAction, expectedConfigName: null, endpointName, requestedAt };
      if (live.status !== 'Deleting') await deleteEndpoint(endpointName);
      return { action: 'deleting' as RollbackAction, expectedConfigName: null, endpointName, requestedAt };
    }
    if (live !== null && live.configName === previousConfigName) {
      return { action: 'nothing-to-undo' as RollbackAction, expectedConfigName: previousConfigName, endpointName, requestedAt };
    }
    await updateEndpoint({ EndpointName: endpointName, EndpointConfigName: previousConfigName ?? '' });
    return { action: 'restoring' as RollbackAction, expectedConfigName: previousConfigName, endpointName, requestedAt };
  },
});
