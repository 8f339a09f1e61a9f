/**
 * IAM for the local account: every request a function makes is evaluated against that function's role
 * (local/sim/iam-roles.ts) with a real policy evaluator, @cloud-copilot/iam-simulate (AGPL-3.0: a
 * devDependency of the simulation, never bundled into a handler). A request is authorized as AWS
 * authorizes it: the service's IAM action on the resource's ARN, with the request's tags and the
 * condition keys the service sets (`iam:PassedToService` on a passed role), and every extra permission the
 * operation needs (SageMaker's `AddTags` for tags on create, S3's tagging permissions on a copy that
 * copies tags).
 */
import type { IncomingMessage } from 'node:http';
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { RequestInfo } from './classify';
import { AwsError } from './http';
import type { FunctionRole } from './iam-roles';
import { isObject, type JsonObject } from './json';

/** One permission a request needs. */
export interface Authorization {
  action: string;
  resource: string;
  context: Record<string, string | string[]>;
}

/** How a request was judged: allowed, or the first permission the role lacks. */
export type IamDecision = { allowed: true } | { allowed: false; denied: Authorization; reason: string };

const lower = (name: string) => name.toLowerCase();
const strOf = (o: JsonObject, key: string): string | undefined => (typeof o[key] === 'string' ? (o[key] as string) : undefined);

function tagContext(tags: unknown): Record<string, string | string[]> {
  if (!Array.isArray(tags) || tags.length === 0) return {};
  const context: Record<string, string | string[]> = {};
  const keys: string[] = [];
  for (const tag of tags) {
    if (!isObject(tag)) continue;
    const key = strOf(tag, 'Key');
    if (key === undefined) continue;
    keys.push(key);
    context[`aws:RequestTag/${key}`] = strOf(tag, 'Value') ?? '';
  }
  context['aws:TagKeys'] = keys;
  return context;
}

/** Where a region/account's resources of one service live. */
interface Scope {
  region: string;
  account: string;
  /** The tags a resource has now (aws:ResourceTag conditions), by its ARN; none when not given. */
  resourceTags?: (arn: string) => Readonly<Record<string, string>>;
}

/** aws:ResourceTag/<key> context of an existing resource. */
function resourceTagContext(scope: Scope, resource: string): Record<string, string> {
  const tags = resource === '*' ? {} : (scope.resourceTags?.(resource) ?? {});
  return Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:ResourceTag/${key}`, value]));
}

/** The SageMaker resource an operation acts on, by the name member it carries. */
function sageMakerResource(scope: Scope, operation: string, input: JsonObject): string {
  const arn = (type: string, name: string) => `arn:aws:sagemaker:${scope.region}:${scope.account}:${type}/${lower(name)}`;
  const endpoint = strOf(input, 'EndpointName');
  const config = strOf(input, 'EndpointConfigName');
  const model = strOf(input, 'ModelName');
  const job = strOf(input, 'TransformJobName');
  const pkg = strOf(input, 'ModelPackageName') ?? strOf(input, 'ModelPackageArn');
  const group = strOf(input, 'ModelPackageGroupName');
  if (operation === 'AddTags' || operation === 'DeleteTags' || operation === 'ListTags') return strOf(input, 'ResourceArn') ?? '*';
  if (/Endpoint$|EndpointWeightsAndCapacities$/.test(operation) && endpoint !== undefined) return arn('endpoint', endpoint);
  if (/EndpointConfig$/.test(operation) && config !== undefined) return arn('endpoint-config', config);
  if (/Model$/.test(operation) && model !== undefined) return arn('model', model);
  if (/TransformJob$/.test(operation) && job !== undefined) return arn('transform-job', job);
  if (/ModelPackage$/.test(operation) && pkg !== undefined) return pkg.startsWith('arn:') ? pkg : arn('model-package', pkg);
  if (/ModelPackageGroup$/.test(operation) && group !== undefined) return arn('model-package-group', group);
  return '*';
}

function sageMakerAuthorizations(scope: Scope, operation: string, input: JsonObject): Authorization[] {
  const resource = sageMakerResource(scope, operation, input);
  // An existing resource's own tags are in the context too (a created one has none yet).
  const tags = { ...(operation.startsWith('Create') ? {} : resourceTagContext(scope, resource)), ...tagContext(input.Tags) };
  const needs: Authorization[] = [{ action: `sagemaker:${operation}`, resource, context: tags }];
  // Tags on create are an AddTags on the new resource (SageMaker requires both permissions).
  if (operation.startsWith('Create') && Object.keys(tags).length > 0) needs.push({ action: 'sagemaker:AddTags', resource, context: tags });
  const role = strOf(input, 'ExecutionRoleArn') ?? strOf(input, 'RoleArn');
  if (role !== undefined) needs.push({ action: 'iam:PassRole', resource: role, context: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } });
  return needs;
}

function dynamoAuthorizations(scope: Scope, operation: string, input: JsonObject): Authorization[] {
  const table = (name: string, index?: string) => {
    const base = name.startsWith('arn:') ? name : `arn:aws:dynamodb:${scope.region}:${scope.account}:table/${name}`;
    return index !== undefined ? `${base}/index/${index}` : base;
  };
  if (operation === 'TransactWriteItems') {
    const kinds: Record<string, string> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' };
    const items = Array.isArray(input.TransactItems) ? input.TransactItems : [];
    return items.flatMap((item) =>
      isObject(item)
        ? Object.entries(item).flatMap(([kind, body]) => (isObject(body) && kinds[kind] ? [{ action: `dynamodb:${kinds[kind]}`, resource: table(strOf(body, 'TableName') ?? ''), context: {} }] : []))
        : [],
    );
  }
  const name = strOf(input, 'TableName');
  return [{ action: `dynamodb:${operation}`, resource: name !== undefined ? table(name, strOf(input, 'IndexName')) : '*', context: {} }];
}

function cloudWatchAuthorizations(scope: Scope, operation: string, input: JsonObject): Authorization[] {
  const alarm = (name: string) => `arn:aws:cloudwatch:${scope.region}:${scope.account}:alarm:${name}`;
  switch (operation) {
    case 'PutMetricAlarm': {
      const resource = alarm(strOf(input, 'AlarmName') ?? '');
      const tags = tagContext(input.Tags);
      const needs: Authorization[] = [{ action: 'cloudwatch:PutMetricAlarm', resource, context: tags }];
      if (Object.keys(tags).length > 0) needs.push({ action: 'cloudwatch:TagResource', resource, context: tags });
      return needs;
    }
    case 'DeleteAlarms':
      return (Array.isArray(input.AlarmNames) ? input.AlarmNames : []).map((n) => ({ action: 'cloudwatch:DeleteAlarms', resource: alarm(String(n)), context: {} }));
    case 'DescribeAlarms':
    case 'DescribeAlarmHistory':
      return [{ action: `cloudwatch:${operation}`, resource: strOf(input, 'AlarmName') !== undefined ? alarm(strOf(input, 'AlarmName') ?? '') : alarm('*'), context: {} }];
    default:
      return [{ action: `cloudwatch:${operation}`, resource: '*', context: {} }];
  }
}

function eventsAuthorizations(scope: Scope, operation: string, input: JsonObject): Authorization[] {
  if (operation !== 'PutEvents') return [{ action: `events:${operation}`, resource: '*', context: {} }];
  const entries = Array.isArray(input.Entries) ? input.Entries : [];
  const buses = new Set(entries.map((e) => (isObject(e) ? (strOf(e, 'EventBusName') ?? 'default') : 'default')));
  return [...buses].map((bus) => ({ action: 'events:PutEvents', resource: bus.startsWith('arn:') ? bus : `arn:aws:events:${scope.region}:${scope.account}:event-bus/${bus}`, context: {} }));
}

/** `/bucket/key` of a path-style S3 request. */
function s3Location(path: string): { bucket: string; key: string } {
  const [bucket = '', ...key] = path.replace(/^\//, '').split('?')[0]?.split('/') ?? [];
  return { bucket, key: key.join('/') };
}

function s3Authorizations(operation: string, req: IncomingMessage): Authorization[] {
  const url = new URL(req.url ?? '/', 'http://local');
  const { bucket, key } = s3Location(decodeURIComponent(url.pathname));
  const object = `arn:aws:s3:::${bucket}/${key}`;
  const bucketArn = `arn:aws:s3:::${bucket}`;
  const needs = (action: string, resource: string, context: Record<string, string | string[]> = {}): Authorization => ({ action, resource, context });
  switch (operation) {
    case 'GetObject':
    case 'HeadObject':
      return [needs('s3:GetObject', object)];
    case 'PutObject':
      return req.headers['x-amz-tagging'] ? [needs('s3:PutObject', object), needs('s3:PutObjectTagging', object)] : [needs('s3:PutObject', object)];
    case 'DeleteObject':
      return [needs('s3:DeleteObject', object)];
    case 'CopyObject': {
      const source = decodeURIComponent(String(req.headers['x-amz-copy-source'] ?? '')).replace(/^\//, '').split('?')[0] ?? '';
      const sourceArn = `arn:aws:s3:::${source}`;
      const copy = [needs('s3:GetObject', sourceArn), needs('s3:PutObject', object)];
      // Without TaggingDirective REPLACE, S3 copies the source's tags: reading and writing them needs their own permissions.
      if (String(req.headers['x-amz-tagging-directive'] ?? 'COPY').toUpperCase() !== 'REPLACE') copy.push(needs('s3:GetObjectTagging', sourceArn), needs('s3:PutObjectTagging', object));
      return copy;
    }
    case 'ListObjects':
    case 'ListObjectsV2':
    case 'HeadBucket':
      return [needs('s3:ListBucket', bucketArn, url.searchParams.has('prefix') ? { 's3:prefix': url.searchParams.get('prefix') ?? '' } : {})];
    case 'CreateBucket':
      return [needs('s3:CreateBucket', bucketArn)];
    default:
      return [needs(`s3:${operation}`, key.length > 0 ? object : bucketArn)];
  }
}

/** Every permission the request needs, as the service checks them. */
export function authorizationsFor(scope: Scope, info: RequestInfo, req: IncomingMessage, body: Buffer | undefined): Authorization[] {
  const input = (() => {
    if (body === undefined || body.length === 0) return {};
    try {
      const parsed = JSON.parse(body.toString()) as unknown;
      return isObject(parsed) ? parsed : {};
    } catch {
      return {};
    }
  })();
  switch (info.service) {
    case 'sagemaker':
      return sageMakerAuthorizations(scope, info.operation, input);
    case 'sagemaker-runtime':
      return [{ action: `sagemaker:${info.operation}`, resource: `arn:aws:sagemaker:${scope.region}:${scope.account}:endpoint/${lower(info.endpointName ?? '')}`, context: {} }];
    case 'dynamodb':
      return dynamoAuthorizations(scope, info.operation, input);
    case 'cloudwatch':
      return cloudWatchAuthorizations(scope, info.operation, input);
    case 'eventbridge':
      return eventsAuthorizations(scope, info.operation, input);
    case 's3':
      return s3Authorizations(info.operation, req);
    case 'sfn': {
      // An execution's operations are on the execution; the rest on the state machine (or, like ListStateMachines, on *).
      const arn = typeof input.executionArn === 'string' ? input.executionArn : typeof input.stateMachineArn === 'string' ? input.stateMachineArn : '*';
      return [{ action: `states:${info.operation}`, resource: arn, context: {} }];
    }
    default:
      return [{ action: `${info.service}:${info.operation}`, resource: '*', context: {} }];
  }
}

/** Evaluates requests against function roles; each distinct question is asked of the evaluator once. */
export class IamEvaluator {
  private readonly decisions = new Map<string, Promise<'Allowed' | string>>();

  constructor(
    private readonly roles: ReadonlyMap<string, FunctionRole>,
    private readonly account: string,
  ) {}

  roleOf(functionName: string): FunctionRole | undefined {
    return this.roles.get(functionName);
  }

  private ask(role: FunctionRole, need: Authorization): Promise<'Allowed' | string> {
    const key = `${role.functionName}\n${need.action}\n${need.resource}\n${JSON.stringify(need.context)}`;
    let decision = this.decisions.get(key);
    if (decision === undefined) {
      const simulation: Simulation = {
        identityPolicies: role.policies,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        request: {
          action: need.action,
          principal: role.sessionArn,
          resource: { resource: need.resource, accountId: need.resource.startsWith('arn:aws:s3:::') ? this.account : (need.resource.split(':')[4] ?? this.account) },
          contextVariables: { 'aws:PrincipalArn': role.roleArn, 'aws:PrincipalAccount': this.account, ...need.context },
        },
      };
      decision = runSimulation(simulation, {}).then((response) => {
        if (response.resultType === 'error') return `the evaluator refused the question: ${JSON.stringify(response.errors).slice(0, 300)}`;
        return response.overallResult === 'Allowed' ? 'Allowed' : String(response.overallResult);
      });
      this.decisions.set(key, decision);
    }
    return decision;
  }

  /** Whether `functionName`'s role allows every permission the request needs. */
  async decide(functionName: string, needs: readonly Authorization[]): Promise<IamDecision> {
    const role = this.roles.get(functionName);
    if (role === undefined) return { allowed: false, denied: needs[0] ?? { action: '?', resource: '*', context: {} }, reason: `no role for function ${functionName}` };
    for (const need of needs) {
      const result = await this.ask(role, need);
      if (result !== 'Allowed') return { allowed: false, denied: need, reason: result };
    }
    return { allowed: true };
  }

  /** Whether the role allows one permission (S3 asks whether a missing key may be told apart from a forbidden one). */
  async allows(functionName: string, need: Authorization): Promise<boolean> {
    return (await this.decide(functionName, [need])).allowed;
  }
}

/** The error the service answers a denied request with, in AWS's words. */
export function accessDenied(info: RequestInfo, role: FunctionRole | undefined, denied: Authorization, functionName: string, reason = 'ImplicitlyDenied'): AwsError {
  const who = role?.sessionArn ?? `function ${functionName}`;
  const because = reason === 'ExplicitlyDenied' ? 'with an explicit deny in an identity-based policy' : `because no identity-based policy allows the ${denied.action} action`;
  const message = `User: ${who} is not authorized to perform: ${denied.action} on resource: ${denied.resource} ${because}`;
  switch (info.service) {
    case 's3':
      return new AwsError('AccessDenied', message, 403);
    case 'cloudwatch':
      return new AwsError('AccessDenied', message, 403);
    default:
      return new AwsError('AccessDeniedException', message, 400);
  }
}
