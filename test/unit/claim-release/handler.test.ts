import type { Context } from 'aws-lambda';
import { claimReleaseStep } from '../../../functions/claim-release/handler';
import { EXECUTION_ARN, PACKAGE_ARN, RELEASE_ID, freezeNow, lambdaContext, releaseState, handlerWith } from '../helpers';
import { InMemoryReleaseLedger } from '../fixtures/recording-ledger';

const LEASE_SECONDS = 3600;
const QUEUE_WAIT_SECONDS = 1800;
const NOW = '2024-05-01T12:05:00.000Z';
const ENDPOINT = 'churn-endpoint';

let ledger: InMemoryReleaseLedger;
/** The step with this test's ledger; its other adapters are built as in Lambda. */
const handler = (event: unknown, context: Context) => handlerWith(claimReleaseStep, { ledger })(event, context);

beforeAll(() => {
  process.env.LEDGER_TABLE = 'release-ledger';
  process.env.LEASE_SECONDS = String(LEASE_SECONDS);
  process.env.QUEUE_WAIT_SECONDS = String(QUEUE_WAIT_SECONDS);
  process.env.ENDPOINT_WAIT_SECONDS = '60';
});
beforeEach(() => {
  ledger = new InMemoryReleaseLedger();
  freezeNow(NOW);
});
afterEach(() => {
  jest.restoreAllMocks();
});

/** Another release, approved earlier, already holds the endpoint. */
async function anotherReleaseHoldsTheEndpoint(): Promise<void> {
  await ledger.enqueue(
    {
      releaseId: 'older000',
      modelPackageArn: PACKAGE_ARN.replace(/\/7$/, '/6'),
      target: ENDPOINT,
      mode: 'realtime',
      trigger: 'approval-event',
      requestedAt: '2024-05-01T11:00:00.000Z',
      status: 'IN_PROGRESS',
      redeploy: false,
      executionArn: null,
      startedAt: '2024-05-01T11:00:01.000Z',
    },
    LEASE_SECONDS + QUEUE_WAIT_SECONDS,
  );
  await ledger.tryAcquireLease({ target: ENDPOINT, releaseId: 'older000', requestedAt: '2024-05-01T11:00:00.000Z', leaseSeconds: LEASE_SECONDS, now: new Date(NOW) });
}

describe('ClaimRelease handler', () => {
  it('acquires a free endpoint and records the release IN_PROGRESS', async () => {
    // Prepare
    const state = releaseState();

    // Act
    const out = await handler(state, lambdaContext());

    // Assess
    expect(out).toEqual({ status: 'acquired', redeploy: false, leaseExpiresAt: '2024-05-01T13:05:00.000Z', target: ENDPOINT });
    expect(ledger.enqueued).toHaveLength(1);
    expect(ledger.enqueued[0]?.ttlSeconds).toBe(LEASE_SECONDS + QUEUE_WAIT_SECONDS);
    expect(ledger.enqueued[0]?.record).toMatchObject({
      releaseId: RELEASE_ID,
      modelPackageArn: PACKAGE_ARN,
      target: ENDPOINT,
      mode: 'realtime',
      status: 'IN_PROGRESS',
      executionArn: EXECUTION_ARN,
      requestedAt: state.request.requestedAt,
      decision: state.plan.decision,
    });
  });

  it('ends as a duplicate when another release already claimed the package, queueing nothing', async () => {
    // Prepare
    ledger.claims.set(PACKAGE_ARN, { releaseId: 'first000', status: 'PROMOTED' });

    // Act
    const out = await handler(releaseState(), lambdaContext());

    // Assess
    expect(out).toEqual({ status: 'duplicate', existingReleaseId: 'first000', existingStatus: 'PROMOTED', target: ENDPOINT });
    expect(ledger.enqueued).toHaveLength(0);
    expect(ledger.leases.size).toBe(0);
  });

  it('ends stale, claiming and queueing nothing, when a newer version of the group was promoted on the endpoint', async () => {
    // Prepare: version 8 serves; the approval of version 7 arrives late.
    ledger.records.set('newer008', { releaseId: 'newer008', modelPackageArn: PACKAGE_ARN.replace(/\/7$/, '/8'), target: ENDPOINT, mode: 'realtime', trigger: 'approval-event', requestedAt: '2024-05-01T11:00:00.000Z', status: 'PROMOTED', redeploy: false, executionArn: null, startedAt: '2024-05-01T11:00:01.000Z' });

    // Act
    const out = await handler(releaseState(), lambdaContext());

    // Assess
    expect(out).toEqual({ status: 'stale', newerReleaseId: 'newer008', newerVersion: 8, newerStatus: 'PROMOTED', target: ENDPOINT });
    expect(ledger.claims.size).toBe(0);
    expect(ledger.enqueued).toHaveLength(0);
    expect(ledger.leases.size).toBe(0);
  });

  it('a retried attempt that had queued is not judged stale by a newer version queued behind it since', async () => {
    // Prepare: the first attempt queued (its Lambda then timed out); version 8 was approved and queued after it.
    await anotherReleaseHoldsTheEndpoint();
    await handler(releaseState(), lambdaContext());
    ledger.records.set('newer008', { releaseId: 'newer008', modelPackageArn: PACKAGE_ARN.replace(/\/7$/, '/8'), target: ENDPOINT, mode: 'realtime', trigger: 'approval-event', requestedAt: '2024-05-01T12:10:00.000Z', status: 'IN_PROGRESS', redeploy: false, executionArn: null, startedAt: '2024-05-01T12:10:01.000Z' });

    // Act: the retry has no $.claim yet.
    const retried = await handler(releaseState(), lambdaContext());

    // Assess
    expect(retried).toMatchObject({ status: 'queued' });
  });

  it('releases an older version anyway when a manual run says force', async () => {
    ledger.records.set('newer008', { releaseId: 'newer008', modelPackageArn: PACKAGE_ARN.replace(/\/7$/, '/8'), target: ENDPOINT, mode: 'realtime', trigger: 'approval-event', requestedAt: '2024-05-01T11:00:00.000Z', status: 'PROMOTED', redeploy: false, executionArn: null, startedAt: '2024-05-01T11:00:01.000Z' });
    const state = releaseState();
    state.request.force = true;
    await expect(handler(state, lambdaContext())).resolves.toMatchObject({ status: 'acquired' });
  });

  it('re-releases a claimed package when forced, as a redeploy', async () => {
    // Prepare
    ledger.claims.set(PACKAGE_ARN, { releaseId: 'first000', status: 'PROMOTED' });
    const state = releaseState();
    state.request.force = true;

    // Act
    const out = await handler(state, lambdaContext());

    // Assess
    expect(out).toMatchObject({ status: 'acquired', redeploy: true });
    expect(ledger.enqueued[0]?.record.redeploy).toBe(true);
  });

  it('treats its own earlier claim (a retried step) as claimed, not a duplicate', async () => {
    ledger.claims.set(PACKAGE_ARN, { releaseId: RELEASE_ID, status: 'IN_PROGRESS' });
    await expect(handler(releaseState(), lambdaContext())).resolves.toMatchObject({ status: 'acquired' });
  });

  it('queues behind the release that holds the endpoint', async () => {
    // Prepare
    await anotherReleaseHoldsTheEndpoint();

    // Act
    const out = await handler(releaseState(), lambdaContext());

    // Assess
    expect(out).toEqual({ status: 'queued', queuePosition: 1, holder: 'older000', target: ENDPOINT, waitingSince: NOW });
    expect(ledger.queues.get(ENDPOINT)?.map((t) => t.releaseId)).toEqual(['older000', RELEASE_ID]);
  });

  it('does not enqueue again when looping back from WaitInQueue', async () => {
    // Prepare
    await anotherReleaseHoldsTheEndpoint();
    const waitingSince = '2024-05-01T12:00:00.000Z';

    // Act
    const out = await handler({ ...releaseState(), claim: { waitingSince } }, lambdaContext());

    // Assess
    expect(out).toMatchObject({ status: 'queued', waitingSince });
    expect(ledger.enqueued.filter((e) => e.record.releaseId === RELEASE_ID)).toHaveLength(0);
  });

  it('acquires once the holder has finished', async () => {
    // Prepare
    await anotherReleaseHoldsTheEndpoint();
    const first = await handler(releaseState(), lambdaContext());
    const holder = ledger.records.get('older000');
    if (holder === undefined) throw new Error('fixture missing');
    await ledger.finish({ record: { ...holder, status: 'PROMOTED' }, requestedAt: holder.requestedAt });

    // Act
    const second = await handler({ ...releaseState(), claim: { waitingSince: NOW } }, lambdaContext());

    // Assess
    expect(first.status).toBe('queued');
    expect(second).toMatchObject({ status: 'acquired', target: ENDPOINT });
  });

  it('waits exactly up to QUEUE_WAIT_SECONDS', async () => {
    await anotherReleaseHoldsTheEndpoint();
    const waitingSince = new Date(Date.parse(NOW) - QUEUE_WAIT_SECONDS * 1000).toISOString();
    await expect(handler({ ...releaseState(), claim: { waitingSince } }, lambdaContext())).resolves.toMatchObject({ status: 'queued' });
  });

  it('gives up with EndpointBusy after the wait bound, naming the holder', async () => {
    // Prepare
    await anotherReleaseHoldsTheEndpoint();
    const waitingSince = new Date(Date.parse(NOW) - QUEUE_WAIT_SECONDS * 1000 - 1).toISOString();

    // Act
    const result = handler({ ...releaseState(), claim: { waitingSince } }, lambdaContext());

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'EndpointBusy', message: expect.stringMatching(/churn-endpoint has been busy for more than 1800 s \(held by release older000\)/) });
  });

  it('queues a batch release under batch:<group>', async () => {
    const out = await handler(releaseState({ 'workload.online': 'false' }, null), lambdaContext());
    expect(out).toMatchObject({ status: 'acquired', target: 'batch:churn-model' });
  });

  it('refuses a state without a plan before touching the ledger', async () => {
    // Prepare
    const { plan: _p, ...state } = releaseState();

    // Act
    const result = handler(state, lambdaContext());

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('plan') });
    expect(ledger.claims.size).toBe(0);
    expect(ledger.enqueued).toHaveLength(0);
  });
});
