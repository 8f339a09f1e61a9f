import { ModeNotSupported } from '../errors';
import type { InferenceMode, ReleaseSettings } from './settings';

/** SageMaker's hosting limits that decide where a model can live (SageMaker developer guide). */
export const HOSTING_LIMITS = {
  realtime: { maxPayloadMB: 6, maxInferenceSeconds: 60 },
  serverless: { maxPayloadMB: 4, maxInferenceSeconds: 60, maxMemoryMB: 6144 },
  async: { maxPayloadMB: 1024, maxInferenceSeconds: 3600 },
} as const;

/** GPU and accelerator families; serverless inference runs on CPU only. */
const ACCELERATED_FAMILY = /^ml\.(p\d|g\d|inf\d|trn\d|dl\d)/;

export type DecisionRule =
  | 'explicit-mode'
  | 'offline-workload'
  | 'exceeds-realtime-limits'
  | 'intermittent-fits-serverless'
  | 'multi-model-group'
  | 'default-realtime';

export interface ModeDecision {
  mode: InferenceMode;
  rule: DecisionRule;
  reasons: string[];
  /** Exactly the inputs the rules looked at, so a reader can replay the decision. */
  inputs: {
    'deploy.mode': string | null;
    'workload.online': boolean | null;
    'workload.maxPayloadMB': number | null;
    'workload.inferenceSeconds': number | null;
    'workload.traffic': string | null;
    'deploy.multiModelGroup': string | null;
    'model.memoryMB': number | null;
    'monitoring.dataCapture': boolean | null;
    'endpoint.instanceType': string;
    containerCount: number;
  };
}

export interface ModelShape {
  containerCount: number;
}

function inputsOf(settings: ReleaseSettings, model: ModelShape): ModeDecision['inputs'] {
  return {
    'deploy.mode': settings.deploy.mode ?? null,
    'workload.online': settings.workload.online ?? null,
    'workload.maxPayloadMB': settings.workload.maxPayloadMB ?? null,
    'workload.inferenceSeconds': settings.workload.inferenceSeconds ?? null,
    'workload.traffic': settings.workload.traffic ?? null,
    'deploy.multiModelGroup': settings.deploy.multiModelGroup ?? null,
    'model.memoryMB': settings.model.memoryMB ?? null,
    'monitoring.dataCapture': settings.monitoring.dataCapture ?? null,
    'endpoint.instanceType': settings.endpoint.instanceType,
    containerCount: model.containerCount,
  };
}

/** Why this model cannot run serverless; empty when it can. */
export function serverlessObstacles(settings: ReleaseSettings): string[] {
  const obstacles: string[] = [];
  const { instanceType } = settings.endpoint;
  if (ACCELERATED_FAMILY.test(instanceType)) obstacles.push(`endpoint.instanceType ${instanceType} is a GPU/accelerator type; serverless runs on CPU only`);
  const memory = settings.model.memoryMB;
  if (memory !== undefined && memory > HOSTING_LIMITS.serverless.maxMemoryMB) obstacles.push(`model.memoryMB ${memory} exceeds serverless's ${HOSTING_LIMITS.serverless.maxMemoryMB} MB`);
  const payload = settings.workload.maxPayloadMB;
  if (payload !== undefined && payload > HOSTING_LIMITS.serverless.maxPayloadMB) obstacles.push(`workload.maxPayloadMB ${payload} exceeds serverless's ${HOSTING_LIMITS.serverless.maxPayloadMB} MB`);
  const seconds = settings.workload.inferenceSeconds;
  if (seconds !== undefined && seconds > HOSTING_LIMITS.serverless.maxInferenceSeconds) obstacles.push(`workload.inferenceSeconds ${seconds} exceeds serverless's ${HOSTING_LIMITS.serverless.maxInferenceSeconds} s`);
  if (settings.monitoring.dataCapture === true) obstacles.push('monitoring.dataCapture is true; serverless endpoints do not support data capture');
  return obstacles;
}

function realtimeObstacles(settings: ReleaseSettings): string[] {
  const obstacles: string[] = [];
  const payload = settings.workload.maxPayloadMB;
  if (payload !== undefined && payload > HOSTING_LIMITS.realtime.maxPayloadMB) obstacles.push(`workload.maxPayloadMB ${payload} exceeds real-time's ${HOSTING_LIMITS.realtime.maxPayloadMB} MB`);
  const seconds = settings.workload.inferenceSeconds;
  if (seconds !== undefined && seconds > HOSTING_LIMITS.realtime.maxInferenceSeconds) obstacles.push(`workload.inferenceSeconds ${seconds} exceeds real-time's ${HOSTING_LIMITS.realtime.maxInferenceSeconds} s`);
  return obstacles;
}

function obstaclesFor(mode: InferenceMode, settings: ReleaseSettings, model: ModelShape): string[] {
  switch (mode) {
    case 'realtime':
      return realtimeObstacles(settings);
    case 'serverless':
      return serverlessObstacles(settings);
    case 'multi-model': {
      const obstacles = realtimeObstacles(settings);
      if (settings.deploy.multiModelGroup === undefined) obstacles.push('deploy.multiModelGroup must name the shared multi-model endpoint');
      if (model.containerCount > 1) obstacles.push(`the package has ${model.containerCount} containers; a multi-model endpoint hosts single-container models only`);
      return obstacles;
    }
    case 'async':
    case 'batch':
      return [];
  }
}

/**
 * Decides how a model is hosted. The rules are tried in a fixed order (README, "Choosing the inference
 * mode"); the first that applies wins, and the record says which one and why.
 */
export function decideInferenceMode(settings: ReleaseSettings, model: ModelShape): ModeDecision {
  const inputs = inputsOf(settings, model);
  const decide = (mode: InferenceMode, rule: DecisionRule, reasons: string[]): ModeDecision => {
    // A container-count or limit problem can make even the chosen mode impossible: say so, now.
    const obstacles = obstaclesFor(mode, settings, model);
    if (obstacles.length > 0) throw new ModeNotSupported(`deploy mode ${mode} (${rule}) cannot host this model: ${obstacles.join('; ')}`);
    return { mode, rule, reasons, inputs };
  };

  const explicit = settings.deploy.mode;
  if (explicit !== undefined) return decide(explicit, 'explicit-mode', [`deploy.mode is ${explicit}`]);

  if (settings.workload.online === false) return decide('batch', 'offline-workload', ['workload.online is false: no endpoint, nightly batch scoring only']);

  const tooBig = realtimeObstacles(settings);
  if (tooBig.length > 0) return decide('async', 'exceeds-realtime-limits', tooBig);

  if (settings.workload.traffic === 'intermittent') {
    const obstacles = serverlessObstacles(settings);
    if (obstacles.length === 0) return decide('serverless', 'intermittent-fits-serverless', ['workload.traffic is intermittent and the model fits serverless limits']);
    // Intermittent but too big for serverless: fall through, and keep the reason in the record.
    const fallback = settings.deploy.multiModelGroup !== undefined
      ? decide('multi-model', 'multi-model-group', [`deploy.multiModelGroup is ${settings.deploy.multiModelGroup}`])
      : decide('realtime', 'default-realtime', ['no rule chose another mode']);
    return { ...fallback, reasons: [...fallback.reasons, `intermittent traffic, but not serverless: ${obstacles.join('; ')}`] };
  }

  if (settings.deploy.multiModelGroup !== undefined) return decide('multi-model', 'multi-model-group', [`deploy.multiModelGroup is ${settings.deploy.multiModelGroup}`]);

  return decide('realtime', 'default-realtime', ['no rule chose another mode']);
}
