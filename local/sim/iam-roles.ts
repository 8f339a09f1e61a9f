/**
 * Each function's role, as the packaged template grants it: the template's AWS::IAM::Role policies with
 * CloudFormation's intrinsics resolved for the local account (partition, region, account, the ledger table,
 * the SageMaker execution role the simulation passes).
 */
import type { Json } from './json';

/** One IAM policy document, intrinsics resolved. */
export interface PolicyDocument {
  Version: string;
  Statement: Record<string, unknown>[];
}

/** Who a function acts as. */
export interface FunctionRole {
  functionName: string;
  roleName: string;
  roleArn: string;
  /** The principal's session ARN, as AWS names it in an AccessDenied message. */
  sessionArn: string;
  policies: { name: string; policy: PolicyDocument }[];
}

/** What the local account calls the stack's own resources. */
export interface LocalNames {
  account: string;
  region: string;
  stackName: string;
  /** Logical id -> the ARN its `Fn::GetAtt [id, Arn]` (or `${id.Arn}`) stands for. */
  arns: Record<string, string>;
  /** `Ref` of a template parameter -> its local value. */
  parameters: Record<string, string>;
}

interface CfnTemplate {
  Conditions?: Record<string, Json>;
  Resources: Record<string, { Type: string; Properties?: Record<string, Json> }>;
}

class Resolver {
  constructor(
    private readonly template: CfnTemplate,
    private readonly names: LocalNames,
  ) {}

  private pseudo(name: string): string | undefined {
    if (name === 'AWS::Partition') return 'aws';
    if (name === 'AWS::Region') return this.names.region;
    if (name === 'AWS::AccountId') return this.names.account;
    if (name === 'AWS::StackName') return this.names.stackName;
    return undefined;
  }

  private ref(name: string): string {
    const value = this.pseudo(name) ?? this.names.parameters[name] ?? this.names.arns[name];
    if (value === undefined) throw new Error(`Cannot resolve Ref ${name} for the local account`);
    return value;
  }

  private getAtt(id: string, attribute: string): string {
    const arn = attribute === 'Arn' ? this.names.arns[id] : undefined;
    if (arn === undefined) throw new Error(`Cannot resolve Fn::GetAtt ${id}.${attribute} for the local account`);
    return arn;
  }

  condition(name: string): boolean {
    const definition = this.template.Conditions?.[name];
    if (definition === undefined) throw new Error(`No condition ${name} in the packaged template`);
    return this.truth(definition);
  }

  private truth(value: Json): boolean {
    const node = value as Record<string, Json>;
    if ('Fn::Equals' in node) {
      const [a, b] = node['Fn::Equals'] as [Json, Json];
      return this.resolve(a) === this.resolve(b);
    }
    if ('Fn::Not' in node) return !this.truth((node['Fn::Not'] as Json[])[0] ?? null);
    if ('Fn::And' in node) return (node['Fn::And'] as Json[]).every((v) => this.truth(v));
    if ('Fn::Or' in node) return (node['Fn::Or'] as Json[]).some((v) => this.truth(v));
    if ('Condition' in node) return this.condition(String(node.Condition));
    throw new Error(`Unsupported condition ${JSON.stringify(value)}`);
  }

  resolve(value: Json): Json {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value === null || typeof value !== 'object') return value;
    const node = value as Record<string, Json>;
    if ('Ref' in node) return this.ref(String(node.Ref));
    if ('Fn::GetAtt' in node) {
      const [id, attribute] = node['Fn::GetAtt'] as [string, string];
      return this.getAtt(id, attribute);
    }
    if ('Fn::Sub' in node) {
      const sub = node['Fn::Sub'];
      const [template, variables] = Array.isArray(sub) ? [String(sub[0]), (sub[1] ?? {}) as Record<string, Json>] : [String(sub), {}];
      return template.replace(/\$\{([^}]+)\}/g, (_whole, key: string) => {
        if (key in variables) return String(this.resolve(variables[key] ?? null));
        const dot = key.indexOf('.');
        if (dot > 0) return this.getAtt(key.slice(0, dot), key.slice(dot + 1));
        return this.ref(key);
      });
    }
    if ('Fn::If' in node) {
      const [condition, whenTrue, whenFalse] = node['Fn::If'] as [string, Json, Json];
      return this.resolve(this.condition(condition) ? whenTrue : whenFalse);
    }
    if ('Fn::Join' in node) {
      const [separator, parts] = node['Fn::Join'] as [string, Json[]];
      return parts.map((p) => String(this.resolve(p))).join(separator);
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, this.resolve(v)]));
  }
}

/** Every function's role from the packaged template, by function name. */
export function functionRoles(template: CfnTemplate, names: LocalNames): Map<string, FunctionRole> {
  const resolver = new Resolver(template, names);
  const roles = new Map<string, FunctionRole>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const props = resource.Properties ?? {};
    const functionName = String(props.FunctionName);
    const roleRef = props.Role as { 'Fn::GetAtt'?: [string, string] } | undefined;
    const roleId = roleRef?.['Fn::GetAtt']?.[0];
    const role = roleId !== undefined ? template.Resources[roleId] : undefined;
    if (roleId === undefined || role?.Type !== 'AWS::IAM::Role') throw new Error(`Function ${logicalId} has no role of its own in the packaged template`);
    const roleName = `${names.stackName}-${roleId}`;
    const policies = ((role.Properties?.Policies ?? []) as { PolicyName: string; PolicyDocument: Json }[]).map((p) => ({
      name: p.PolicyName,
      policy: resolver.resolve(p.PolicyDocument) as unknown as PolicyDocument,
    }));
    roles.set(functionName, {
      functionName,
      roleName,
      roleArn: `arn:aws:iam::${names.account}:role/${roleName}`,
      sessionArn: `arn:aws:sts::${names.account}:assumed-role/${roleName}/${functionName}`,
      policies,
    });
  }
  return roles;
}
