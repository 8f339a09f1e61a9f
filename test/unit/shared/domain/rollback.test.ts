import { decideRollback } from '../../../../functions/shared/domain/rollback';

const existing = { firstDeployment: false, previousConfigName: 'live-config' };
const first = { firstDeployment: true, previousConfigName: null };
const endpoint = (status: string, configName: string | null) => ({ status, configName });

describe('decideRollback: decided from what the endpoint is now', () => {
  it.each(['Creating', 'Updating', 'RollingBack', 'SystemUpdating'])('waits while SageMaker is %s, for any release', (status) => {
    expect(decideRollback(existing, endpoint(status, 'canary-config'))).toEqual({ action: 'wait', expectedConfigName: 'live-config' });
    expect(decideRollback(first, endpoint(status, 'final-config'))).toEqual({ action: 'wait', expectedConfigName: null });
  });

  it('restores the previous config when the endpoint is on any other one', () => {
    expect(decideRollback(existing, endpoint('InService', 'canary-config'))).toEqual({ action: 'restoring', expectedConfigName: 'live-config' });
    // A failed update leaves the endpoint Failed on the config it had: still ours to put back.
    expect(decideRollback(existing, endpoint('Failed', 'canary-config'))).toEqual({ action: 'restoring', expectedConfigName: 'live-config' });
  });

  it('has nothing to undo when the endpoint already runs the previous config (a retried rollback, or a change never applied)', () => {
    expect(decideRollback(existing, endpoint('InService', 'live-config'))).toEqual({ action: 'nothing-to-undo', expectedConfigName: 'live-config' });
  });

  it('restores an endpoint that vanished mid-release (UpdateEndpoint then reports it)', () => {
    expect(decideRollback(existing, null)).toEqual({ action: 'restoring', expectedConfigName: 'live-config' });
  });

  it('deletes the endpoint a first deployment created, noticing when SageMaker is deleting it already', () => {
    expect(decideRollback(first, endpoint('InService', 'final-config'))).toEqual({ action: 'deleting', expectedConfigName: null, alreadyDeleting: false });
    expect(decideRollback(first, endpoint('Failed', 'final-config'))).toEqual({ action: 'deleting', expectedConfigName: null, alreadyDeleting: false });
    expect(decideRollback(first, endpoint('Deleting', 'final-config'))).toEqual({ action: 'deleting', expectedConfigName: null, alreadyDeleting: true });
  });

  it('has nothing to undo for a first deployment whose endpoint is gone', () => {
    expect(decideRollback(first, null)).toEqual({ action: 'nothing-to-undo', expectedConfigName: null });
  });

  describe('a variant canary: traffic off the candidate first', () => {
    const canary = { ...existing, style: 'variant-canary' as const, newConfigName: 'canary-config', liveVariantName: 'live', newVariantName: 'candidate' };
    const onCanary = (live: number, candidate: number, status = 'InService') => ({ status, configName: 'canary-config', variants: [{ name: 'live', weight: live }, { name: 'candidate', weight: candidate }] });
    const drain = { action: 'draining', expectedConfigName: 'live-config', weights: [{ name: 'live', weight: 1 }, { name: 'candidate', weight: 0 }] };

    it('drains a candidate that takes traffic, whether during the bake or after the shift', () => {
      expect(decideRollback(canary, onCanary(0.9, 0.1))).toEqual(drain);
      expect(decideRollback(canary, onCanary(0, 1))).toEqual(drain);
    });

    it('restores the config once the candidate takes none, and waits while the weights change', () => {
      expect(decideRollback(canary, onCanary(1, 0))).toEqual({ action: 'restoring', expectedConfigName: 'live-config' });
      expect(decideRollback(canary, onCanary(0.9, 0.1, 'Updating'))).toEqual({ action: 'wait', expectedConfigName: 'live-config' });
    });

    it('restores directly when the endpoint is not on the canary config, or another style is undone', () => {
      expect(decideRollback(canary, { ...onCanary(0, 1), configName: 'final-config' })).toEqual({ action: 'restoring', expectedConfigName: 'live-config' });
      expect(decideRollback({ ...canary, style: 'all-at-once' }, onCanary(0.9, 0.1))).toEqual({ action: 'restoring', expectedConfigName: 'live-config' });
      // A manual rollback's deployment is the promoted config, whose one variant is both "live" and "new".
      expect(decideRollback({ ...canary, liveVariantName: 'candidate' }, { status: 'InService', configName: 'canary-config', variants: [{ name: 'candidate', weight: 1 }] })).toEqual({ action: 'restoring', expectedConfigName: 'live-config' });
      expect(decideRollback(canary, { status: 'InService', configName: 'canary-config', variants: [{ name: 'candidate', weight: 1 }] })).toEqual({ action: 'restoring', expectedConfigName: 'live-config' });
    });
  });
});
