import type { Context } from 'aws-lambda';
import { recordRevocationStep } from '../../../functions/record-revocation/handler';
import { PACKAGE_ARN, handlerWith, lambdaContext } from '../helpers';
import { InMemoryReleaseLedger } from '../fixtures/recording-ledger';

let ledger: InMemoryReleaseLedger;
const handler = (event: unknown, context: Context) => handlerWith(recordRevocationStep, { ledger })(event, context);
const revoke = { request: { action: 'revoke', modelPackageArn: PACKAGE_ARN } };

beforeAll(() => {
  process.env.LEDGER_TABLE = 'release-ledger';
});
beforeEach(() => {
  ledger = new InMemoryReleaseLedger();
});

describe('RecordRevocation handler', () => {
  it('marks a released package REVOKED, so approving it again releases it', async () => {
    ledger.claims.set(PACKAGE_ARN, { releaseId: 'r7', status: 'PROMOTED' });

    const out = await handler(revoke, lambdaContext());

    expect(out).toEqual({ modelPackageArn: PACKAGE_ARN, revoked: true, note: 'a later approval releases this package again' });
    expect(ledger.claims.get(PACKAGE_ARN)?.status).toBe('REVOKED');
    await expect(ledger.claimPackage({ modelPackageArn: PACKAGE_ARN, releaseId: 'r9', force: false, now: new Date() })).resolves.toEqual({ status: 'claimed', redeploy: true });
  });

  it('leaves a release in progress alone, and says there was nothing to revoke', async () => {
    ledger.claims.set(PACKAGE_ARN, { releaseId: 'r7', status: 'IN_PROGRESS' });

    const out = await handler(revoke, lambdaContext());

    expect(out).toMatchObject({ revoked: false, note: 'no finished release of this package to revoke' });
    expect(ledger.claims.get(PACKAGE_ARN)?.status).toBe('IN_PROGRESS');
  });

  it('refuses a request without a package ARN, as InvalidInput', async () => {
    await expect(handler({ request: { action: 'revoke' } }, lambdaContext())).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('request.modelPackageArn') });
  });
});
