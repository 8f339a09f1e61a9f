import type { VariantDefinition as ProductionVariant } from '../../../../functions/shared/domain/views';
import { asyncInferenceConfig, canaryVariants, canaryWeights, hostingSwitchProblem, isServerlessVariant, newVariant } from '../../../../functions/shared/domain/endpoint-config';
import { releasePlan } from '../../helpers';

const sum = (weights: { weight: number }[]) => weights.reduce((s, w) => s + w.weight, 0);

describe('canaryWeights', () => {
  it('gives the new variant its percent and the one live variant the rest', () => {
    expect(canaryWeights([{ name: 'old', weight: 1 }], 'new', 10)).toEqual([
      { name: 'old', weight: 90 },
      { name: 'new', weight: 10 },
    ]);
  });

  it('spreads the rest over several live variants in their current proportions', () => {
    // Act
    const weights = canaryWeights(
      [
        { name: 'a', weight: 1 },
        { name: 'b', weight: 3 },
      ],
      'new',
      20,
    );

    // Assess
    expect(weights).toEqual([
      { name: 'a', weight: 20 },
      { name: 'b', weight: 60 },
      { name: 'new', weight: 20 },
    ]);
  });

  it.each([1, 7, 33, 50])('sums to 100 for a %i%% canary over uneven live weights', (percent) => {
    const weights = canaryWeights(
      [
        { name: 'a', weight: 0.3 },
        { name: 'b', weight: 2 },
        { name: 'c', weight: 5 },
      ],
      'new',
      percent,
    );
    expect(sum(weights)).toBeCloseTo(100, 9);
    expect(weights.find((w) => w.name === 'new')?.weight).toBe(percent);
  });

  it('splits evenly when every live variant is at weight 0', () => {
    const weights = canaryWeights(
      [
        { name: 'a', weight: 0 },
        { name: 'b', weight: 0 },
      ],
      'new',
      10,
    );
    expect(weights).toEqual([
      { name: 'a', weight: 45 },
      { name: 'b', weight: 45 },
      { name: 'new', weight: 10 },
    ]);
  });
});

describe('canaryVariants', () => {
  const live: ProductionVariant[] = [
    { VariantName: 'v6-old', ModelName: 'churn-v6', InstanceType: 'ml.c5.xlarge', InitialInstanceCount: 3, InitialVariantWeight: 1 },
    { VariantName: 'shadowish', ModelName: 'churn-v5', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 },
  ];

  it('keeps each live variant as it runs now, with its current weight, and adds the new one at 0', () => {
    // Prepare
    const candidate = newVariant(releasePlan(), 1);

    // Act
    const variants = canaryVariants(live, new Map([['v6-old', 0.8], ['shadowish', 0.2]]), candidate);

    // Assess
    expect(variants).toEqual([
      { VariantName: 'v6-old', ModelName: 'churn-v6', InstanceType: 'ml.c5.xlarge', InitialInstanceCount: 3, InitialVariantWeight: 0.8 },
      { VariantName: 'shadowish', ModelName: 'churn-v5', InstanceType: 'ml.m5.large', InitialInstanceCount: 1, InitialVariantWeight: 0.2 },
      { ...candidate, InitialVariantWeight: 0 },
    ]);
  });

  it('falls back to the config weight, then to 1, for a variant the endpoint does not report', () => {
    const variants = canaryVariants(live, new Map(), newVariant(releasePlan(), 0));
    expect(variants.map((v) => v.InitialVariantWeight)).toEqual([1, 1, 0]);
  });

  it('keeps a live weight of 0 as 0', () => {
    const variants = canaryVariants(live, new Map([['v6-old', 1], ['shadowish', 0]]), newVariant(releasePlan(), 0));
    expect(variants[1]?.InitialVariantWeight).toBe(0);
  });

  it('does not change the live config it was given', () => {
    canaryVariants(live, new Map([['v6-old', 0.5]]), newVariant(releasePlan(), 0));
    expect(live[0]?.InitialVariantWeight).toBe(1);
  });
});

describe('newVariant', () => {
  it('is instance-backed for real-time', () => {
    const plan = releasePlan({ 'endpoint.instanceType': 'ml.c5.2xlarge', 'endpoint.instanceCount': '2' });
    expect(newVariant(plan, 0)).toEqual({
      VariantName: plan.names.variant,
      ModelName: plan.names.model,
      InitialVariantWeight: 0,
      InstanceType: 'ml.c5.2xlarge',
      InitialInstanceCount: 2,
    });
  });

  it('has a serverless config and no instances for serverless', () => {
    // Prepare
    const plan = releasePlan({ 'deploy.mode': 'serverless', 'serverless.memoryMB': '3072', 'serverless.maxConcurrency': '8', 'serverless.provisionedConcurrency': '2' });

    // Act
    const variant = newVariant(plan, 1);

    // Assess
    expect(variant.ServerlessConfig).toEqual({ MemorySizeInMB: 3072, MaxConcurrency: 8, ProvisionedConcurrency: 2 });
    expect(variant.InstanceType).toBeUndefined();
    expect(variant.InitialInstanceCount).toBeUndefined();
  });

  it('leaves out provisioned concurrency when not set', () => {
    expect(newVariant(releasePlan({ 'deploy.mode': 'serverless' }), 1).ServerlessConfig).not.toHaveProperty('ProvisionedConcurrency');
  });
});

describe('isServerlessVariant', () => {
  it('is true exactly when the variant has a ServerlessConfig', () => {
    expect(isServerlessVariant({ VariantName: 'a', ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 } })).toBe(true);
    expect(isServerlessVariant({ VariantName: 'b', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 })).toBe(false);
  });
});

describe('hostingSwitchProblem', () => {
  const instanceVariant: ProductionVariant = { VariantName: 'v6-old', ModelName: 'm6', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 };
  const serverlessVariant: ProductionVariant = { VariantName: 'v6-old', ModelName: 'm6', ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 } };

  it('refuses a serverless release onto an instance-based endpoint, with the way out', () => {
    // Act
    const problem = hostingSwitchProblem(releasePlan({ 'deploy.mode': 'serverless' }), [instanceVariant]);

    // Assess
    expect(problem).toContain('is instance-based and this release is serverless (mode serverless)');
    expect(problem).toContain('Release to a new endpoint (endpoint.name)');
  });

  it.each([
    ['realtime', {}],
    ['async', { 'deploy.mode': 'async', 'async.outputPath': 's3://churn-async/out' }],
  ])('refuses a %s release onto a serverless endpoint', (mode, metadata) => {
    expect(hostingSwitchProblem(releasePlan(metadata), [serverlessVariant])).toContain(`is serverless and this release is instance-based (mode ${mode})`);
  });

  it.each<[string, Record<string, string>, ProductionVariant[]]>([
    ['serverless onto serverless', { 'deploy.mode': 'serverless' }, [serverlessVariant]],
    ['realtime onto instances', {}, [instanceVariant]],
    ['native realtime onto instances', { 'deploy.strategy': 'native' }, [instanceVariant]],
    ['async onto instances', { 'deploy.mode': 'async', 'async.outputPath': 's3://churn-async/out' }, [instanceVariant]],
  ])('finds no problem for %s', (_what, metadata, live) => {
    expect(hostingSwitchProblem(releasePlan(metadata), live)).toBeNull();
  });

  it('counts an endpoint with any serverless variant as serverless', () => {
    expect(hostingSwitchProblem(releasePlan(), [instanceVariant, { ...serverlessVariant, VariantName: 'other' }])).not.toBeNull();
  });
});

describe('asyncInferenceConfig', () => {
  it('sends results to async.outputPath with the per-instance concurrency', () => {
    const plan = releasePlan({ 'deploy.mode': 'async', 'async.outputPath': 's3://churn-async/out', 'async.maxConcurrentInvocationsPerInstance': '8' });
    expect(asyncInferenceConfig(plan)).toEqual({
      ClientConfig: { MaxConcurrentInvocationsPerInstance: 8 },
      OutputConfig: { S3OutputPath: 's3://churn-async/out' },
    });
  });

  it('adds the failure path when async.failurePath is set', () => {
    const plan = releasePlan({ 'deploy.mode': 'async', 'async.outputPath': 's3://churn-async/out', 'async.failurePath': 's3://churn-async/failed' });
    expect(asyncInferenceConfig(plan).OutputConfig).toEqual({ S3OutputPath: 's3://churn-async/out', S3FailurePath: 's3://churn-async/failed' });
  });
});
