/**
 * Reads the CloudFormation template `npm run package` wrote and turns it into what a local run needs:
 * the state machine definition exactly as it would be deployed (with Lambda ARNs filled in), which
 * handler directory serves each Task state, each function's environment, and the approval rule's
 * event pattern. Nothing here is hand-copied from serverless.yml, so the simulation cannot drift
 * from the deployable artifact.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const PROJECT_ROOT = join(__dirname, '..');
export const PACKAGED_TEMPLATE = join(PROJECT_ROOT, '.serverless', 'cloudformation-template-update-stack.json');
export const LOCAL_ACCOUNT = '123456789012';
export const LOCAL_REGION = 'us-east-1';
/** The packaged stage's MANAGED_BY (service and stage: `npm run package` packages stage dev); a template test holds them equal. */
export const LOCAL_MANAGED_BY = 'sagemaker-release-pipeline-dev';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface CfnResource {
  Type: string;
  Properties?: Record<string, Json>;
}
interface CfnTemplate {
  Resources: Record<string, CfnResource>;
}

export interface AslState {
  Type: string;
  Resource?: string;
  Seconds?: number;
  Retry?: unknown[];
  Next?: string;
  [key: string]: unknown;
}
export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  [key: string]: unknown;
}

export interface PackagedFunction {
  logicalId: string;
  functionName: string;
  arn: string;
  /** Directory under functions/ (and dist/functions/) that holds the handler. */
  handlerDir: string;
  /** Environment as packaged; CloudFormation intrinsics are left as objects for the caller to resolve. */
  environment: Record<string, Json>;
  /** The function's timeout in seconds, as packaged (Lambda's default, 3, when the template sets none). */
  timeoutSeconds: number;
}

export interface PackagedStateMachine {
  /** Logical id in the template (ReleaseStateMachine, BatchScoringStateMachine). */
  id: string;
  name: string;
  arn: string;
  definition: AslDefinition;
  /** Task state name -> function that serves it. */
  functionsByState: Record<string, PackagedFunction>;
  /** The functions its Task states use. */
  functions: PackagedFunction[];
  /** Event patterns of the EventBridge rules that start this state machine. */
  triggerPatterns: Record<string, Json>[];
  /** Fixed inputs of the schedules that start it (the nightly batch). */
  scheduleInputs: unknown[];
}

/** Every state, including those inside Map item processors and Parallel branches, by name. */
export function allStates(definition: { States: Record<string, AslState> }): [string, AslState][] {
  const found: [string, AslState][] = [];
  for (const [name, state] of Object.entries(definition.States)) {
    found.push([name, state]);
    const nested = [state.ItemProcessor, state.Iterator, ...((state.Branches as unknown[] | undefined) ?? [])] as ({ States?: Record<string, AslState> } | undefined)[];
    for (const inner of nested) if (inner?.States) found.push(...allStates({ States: inner.States }));
  }
  return found;
}

export class TemplateNotPackaged extends Error {
  override readonly name = 'TemplateNotPackaged';
}

function functionFromResource(logicalId: string, resource: CfnResource): PackagedFunction {
  const props = resource.Properties ?? {};
  const functionName = String(props.FunctionName);
  const handler = String(props.Handler); // dist/functions/<dir>/index.handler
  const match = /^dist\/functions\/([^/]+)\/index\.handler$/.exec(handler);
  if (!match?.[1]) throw new Error(`Function ${logicalId} has handler ${handler}, expected dist/functions/<step>/index.handler`);
  const env = (props.Environment as { Variables?: Record<string, Json> } | undefined)?.Variables ?? {};
  return {
    logicalId,
    functionName,
    arn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${functionName}`,
    handlerDir: match[1],
    environment: env,
    timeoutSeconds: typeof props.Timeout === 'number' ? props.Timeout : 3,
  };
}

function renderDefinition(definitionString: Json, functions: Map<string, PackagedFunction>): string {
  // serverless-step-functions writes DefinitionString as Fn::Sub [template, { placeholder: Fn::GetAtt [...] }].
  const sub = (definitionString as { 'Fn::Sub'?: Json })['Fn::Sub'];
  const [template, variables] = Array.isArray(sub) ? [String(sub[0]), (sub[1] ?? {}) as Record<string, Json>] : [String(sub ?? definitionString), {}];
  return template.replace(/\$\{([^}]+)\}/g, (whole, key: string) => {
    if (key === 'AWS::Region') return LOCAL_REGION;
    if (key === 'AWS::AccountId') return LOCAL_ACCOUNT;
    if (key === 'AWS::Partition') return 'aws';
    const value = variables[key] as { 'Fn::GetAtt'?: [string, string] } | undefined;
    const logicalId = value?.['Fn::GetAtt']?.[0];
    const fn = logicalId ? functions.get(logicalId) : undefined;
    if (!fn) throw new Error(`Cannot resolve ${whole} in the packaged state machine definition`);
    return fn.arn;
  });
}

/** The packaged state machines by logical id: ReleaseStateMachine and BatchScoringStateMachine. */
export type StateMachineId = 'ReleaseStateMachine' | 'BatchScoringStateMachine';

export interface PackagedStateMachines {
  release: PackagedStateMachine;
  batchScoring: PackagedStateMachine;
  /** Every function of the stack (each state machine's functionsByState holds the ones it uses). */
  functions: PackagedFunction[];
}

function readTemplate(templatePath: string): CfnTemplate {
  if (!existsSync(templatePath)) {
    throw new TemplateNotPackaged(`${templatePath} not found: run \`npm run package\` first (it writes the template offline)`);
  }
  return JSON.parse(readFileSync(templatePath, 'utf8')) as CfnTemplate;
}

function packagedMachine(template: CfnTemplate, machineId: string, functions: Map<string, PackagedFunction>): PackagedStateMachine {
  const machine = template.Resources[machineId];
  if (machine?.Type !== 'AWS::StepFunctions::StateMachine') throw new Error(`The packaged template has no state machine ${machineId}`);
  const definition = JSON.parse(renderDefinition(machine.Properties?.DefinitionString ?? null, functions)) as AslDefinition;
  const byArn = new Map([...functions.values()].map((f) => [f.arn, f]));
  const functionsByState: Record<string, PackagedFunction> = {};
  for (const [stateName, state] of allStates(definition)) {
    if (state.Type !== 'Task' || typeof state.Resource !== 'string') continue;
    const fn = byArn.get(state.Resource);
    if (fn) functionsByState[stateName] = fn;
  }
  const targetsThis = (r: CfnResource) => JSON.stringify(r.Properties?.Targets ?? []).includes(`"${machineId}"`);
  const triggerPatterns = Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::Events::Rule' && targetsThis(r))
    .map((r) => r.Properties?.EventPattern as Record<string, Json>)
    .filter((p) => p !== undefined);
  const scheduleInputs = Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::Events::Rule' && r.Properties?.ScheduleExpression !== undefined)
    .flatMap((r) => (r.Properties?.Targets as { Arn?: Json; Input?: string }[] | undefined) ?? [])
    .filter((t) => JSON.stringify(t.Arn ?? null).includes(`"${machineId}"`) && typeof t.Input === 'string')
    .map((t) => JSON.parse(t.Input ?? 'null') as unknown);
  const name = String(machine.Properties?.StateMachineName ?? machineId);
  return {
    id: machineId,
    name,
    arn: `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${name}`,
    definition,
    functionsByState,
    functions: [...new Set(Object.values(functionsByState))],
    triggerPatterns,
    scheduleInputs,
  };
}

/** Both state machines of the packaged template, with every function of the stack. */
export function loadPackagedStateMachines(templatePath = PACKAGED_TEMPLATE): PackagedStateMachines {
  const template = readTemplate(templatePath);
  const functions = new Map<string, PackagedFunction>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type === 'AWS::Lambda::Function') functions.set(logicalId, functionFromResource(logicalId, resource));
  }
  return {
    release: packagedMachine(template, 'ReleaseStateMachine', functions),
    batchScoring: packagedMachine(template, 'BatchScoringStateMachine', functions),
    functions: [...functions.values()],
  };
}

/** The state machine an input is for: nightly and "score now" runs go to batch scoring, everything else to releases. */
export function machineForInput(machines: PackagedStateMachines, input: unknown): PackagedStateMachine {
  const action = typeof input === 'object' && input !== null ? (input as { action?: unknown }).action : undefined;
  return action === 'nightly-batch' || action === 'score' ? machines.batchScoring : machines.release;
}

/**
 * A function's environment with CloudFormation intrinsics replaced by local values
 * (e.g. { Ref: ReleaseLedgerTable } -> the local table name).
 */
export function resolveEnvironment(fn: PackagedFunction, resolve: (intrinsic: Json, variable: string) => string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(fn.environment)) {
    env[key] = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : resolve(value, key);
  }
  return env;
}

export type { Json };

/** What the local stand-ins for the stack's own resources are called (the rest of the environment is as packaged). */
export interface LocalResources {
  ledgerTable: string;
  sageMakerExecutionRoleArn: string;
}

/**
 * The environment every bundled handler gets in a local run (the simulation and the state-machine tests
 * alike): each function's packaged environment, its CloudFormation references replaced by local resources.
 * All functions share the provider environment, so one map serves them all.
 */
export function handlerEnvironment(functions: PackagedFunction[], resources: LocalResources): Record<string, string> {
  const env: Record<string, string> = {};
  const resolve = (intrinsic: Json, variable: string): string => {
    if (variable === 'LEDGER_TABLE') return resources.ledgerTable;
    if (variable === 'SAGEMAKER_EXECUTION_ROLE_ARN') return resources.sageMakerExecutionRoleArn;
    return substitutePseudoParameters(intrinsic) ?? '';
  };
  for (const fn of functions) Object.assign(env, resolveEnvironment(fn, resolve));
  return env;
}

/** An `Fn::Sub` of the stack's pseudo parameters only (an ARN built by name), resolved for the local account; else null. */
function substitutePseudoParameters(intrinsic: Json): string | null {
  const sub = typeof intrinsic === 'object' && intrinsic !== null && !Array.isArray(intrinsic) ? intrinsic['Fn::Sub'] : undefined;
  if (typeof sub !== 'string') return null;
  const values: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': LOCAL_REGION, 'AWS::AccountId': LOCAL_ACCOUNT };
  const resolved = sub.replace(/\$\{([^}]+)\}/g, (whole, name: string) => values[name] ?? whole);
  return resolved.includes('${') ? null : resolved;
}
