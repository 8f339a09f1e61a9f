/**
 * Tags of the SageMaker models and endpoint configs in the local account, kept beside moto's (which keeps
 * them too, but cannot be asked synchronously): IAM's aws:ResourceTag conditions on DeleteModel and
 * DeleteEndpointConfig are evaluated against them, as AWS evaluates them against the resource's tags.
 */
import { isObject, type JsonObject } from './json';

const KINDS = { CreateModel: ['model', 'ModelName'], DeleteModel: ['model', 'ModelName'], CreateEndpointConfig: ['endpoint-config', 'EndpointConfigName'], DeleteEndpointConfig: ['endpoint-config', 'EndpointConfigName'] } as const;

function tagPairs(tags: unknown): [string, string][] {
  if (!Array.isArray(tags)) return [];
  return tags.flatMap((t) => (isObject(t) && typeof t.Key === 'string' ? [[t.Key, typeof t.Value === 'string' ? t.Value : ''] as [string, string]] : []));
}

export class ResourceTags {
  private readonly tags = new Map<string, Map<string, string>>();

  constructor(
    private readonly region: string,
    private readonly account: string,
  ) {}

  /** ARNs lower-case the name, as SageMaker's do (and as the IAM evaluator builds them). */
  private arnOf(kind: string, name: string): string {
    return `arn:aws:sagemaker:${this.region}:${this.account}:${kind}/${name.toLowerCase()}`;
  }

  /** After SageMaker (moto) accepted one of the calls that create, delete or tag a model or config. */
  applied(operation: string, input: JsonObject): void {
    if (operation === 'AddTags' || operation === 'DeleteTags') {
      const arn = typeof input.ResourceArn === 'string' ? input.ResourceArn.toLowerCase() : '';
      if (!/:(model|endpoint-config)\//.test(arn)) return;
      const current = this.tags.get(arn) ?? new Map<string, string>();
      if (operation === 'AddTags') for (const [k, v] of tagPairs(input.Tags)) current.set(k, v);
      else for (const k of Array.isArray(input.TagKeys) ? input.TagKeys : []) if (typeof k === 'string') current.delete(k);
      this.tags.set(arn, current);
      return;
    }
    const kind = KINDS[operation as keyof typeof KINDS];
    const name = kind !== undefined ? input[kind[1]] : undefined;
    if (kind === undefined || typeof name !== 'string') return;
    if (operation.startsWith('Create')) this.tags.set(this.arnOf(kind[0], name), new Map(tagPairs(input.Tags)));
    else this.tags.delete(this.arnOf(kind[0], name));
  }

  /** A model's or config's tags by ARN (none for any other resource, or one made before the simulator started). */
  of(arn: string): Record<string, string> {
    return Object.fromEntries(this.tags.get(arn.toLowerCase()) ?? []);
  }
}
