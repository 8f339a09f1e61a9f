/**
 * A representative slice of the bad-input corpus end to end on the simulated account (the whole corpus
 * runs with `npm run simulate -- --bad-input`, and at state-machine level in test/state-machine).
 */
import { startMoto, type MotoServer } from '../../local/moto';
import { BAD_INPUTS } from '../../local/bad-inputs';
import { badInputScenario } from '../../local/bad-input-suite';
import { runScenario } from '../../local/runner';
import { loadFreshModule as loadModule } from '../support/fresh-module';

const SAMPLE = [
  'an empty object',
  'event with a non-ARN package',
  'event for a package that does not exist',
  'manual run of a rejected package',
  'rollback of an endpoint the ledger never promoted',
  'canary.percent 0',
  'serverless on a GPU instance type',
  'canary alarm that does not exist',
];

let moto: MotoServer;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto.stop();
});

describe('bad input on the simulated account', () => {
  it.each(SAMPLE)('%s: a named error, and the account unchanged', async (name) => {
    const c = BAD_INPUTS.find((b) => b.name === name);
    if (!c) throw new Error(`no corpus case named ${name}`);

    const result = await runScenario(badInputScenario(c), { moto, loadModule });

    expect(result.failures).toEqual([]);
    expect(result.error).toBe(c.expectedError);
    expect(result.endpoint?.variants.filter((v) => v.weight > 0).map((v) => v.model)).toEqual(['churn-model-live']);
  });
});
