/**
 * `npm run simulate -- --serve`: the local account for any client. Driven here by the AWS CLI (v1), an
 * independent client that shares no code with the SDK the handlers use.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { LEDGER_TABLE } from '../../local/account';
import { PROJECT_ROOT } from '../../local/packaged-template';

jest.setTimeout(120_000);
const run = promisify(execFile);

let server: ChildProcess;
let endpoint: string;

beforeAll(async () => {
  server = spawn(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['local/simulate.ts', '--serve'], { cwd: PROJECT_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stderr?.resume();
  const lines = createInterface({ input: server.stdout as NodeJS.ReadableStream });
  endpoint = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    server.once('exit', (code) => reject(new Error(`--serve exited (${String(code)}) before printing its endpoint`)));
  });
});

afterAll(async () => {
  if (server.exitCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    process.kill(-(server.pid ?? 0), 'SIGINT');
    await exited;
  }
});

/** The AWS CLI pointed at the local account, with throwaway credentials. */
async function aws(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, AWS_ENDPOINT_URL: endpoint.replace(/^AWS_ENDPOINT_URL=/, ''), AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' };
  try {
    const { stdout, stderr } = await run('aws', [...args, '--output', 'json'], { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

it('prints AWS_ENDPOINT_URL=http://127.0.0.1:PORT as its first line', () => {
  expect(endpoint).toMatch(/^AWS_ENDPOINT_URL=http:\/\/127\.0\.0\.1:\d+$/);
});

it('serves the packaged resources: the ledger table exists, as the template declares it', async () => {
  const out = await aws('dynamodb', 'describe-table', '--table-name', LEDGER_TABLE);
  expect(out.code).toBe(0);
  expect(JSON.parse(out.stdout)).toMatchObject({ Table: { TableName: LEDGER_TABLE, TableStatus: 'ACTIVE', GlobalSecondaryIndexes: [expect.objectContaining({ IndexName: 'byPackage' }), expect.objectContaining({ IndexName: 'inFlight' })] } });
});

it("answers the CLI's SageMaker calls, refusing what SageMaker refuses in SageMaker's words", async () => {
  // Act
  const listed = await aws('sagemaker', 'list-endpoints');
  const refused = await aws('sagemaker', 'create-endpoint-config', '--endpoint-config-name', 'cli-config', '--production-variants', 'VariantName=v1,ModelName=m,InstanceType=ml.m5.huge,InitialInstanceCount=1');

  // Assess
  expect(listed).toMatchObject({ code: 0 });
  expect(JSON.parse(listed.stdout)).toEqual({ Endpoints: [] });
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toContain("An error occurred (ValidationException) when calling the CreateEndpointConfig operation: 1 validation error detected: Value 'ml.m5.huge' at 'productionVariants.1.member.instanceType'");
});

it('stops on Ctrl-C (SIGINT), taking moto with it', async () => {
  // Act
  const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
  process.kill(-(server.pid ?? 0), 'SIGINT');

  // Assess
  expect(await exited).toBe(0);
  expect((await aws('sagemaker', 'list-endpoints', '--cli-connect-timeout', '2')).code).not.toBe(0);
});
