/**
 * The simulation's timeline: one line per Task a run passes, in simulated time. Each line is read from
 * the step's output through the schema of the state slice it writes (functions/shared/domain/state.ts),
 * so an output that drifts from its contract shows up here as exactly that.
 */
import {
  activeBatchModelSlice,
  approvalCheckSlice,
  artifactPromotionSlice,
  artifactRestoreSlice,
  canaryCheckSlice,
  canarySlice,
  changeStoppedSlice,
  cleanupSlice,
  claimSlice,
  deploymentSlice,
  deploymentStartedSlice,
  endpointCheckSlice,
  modelPackageSchema,
  outcomeSlice,
  previewSlice,
  promotionSlice,
  releasePlanSchema,
  revocationSlice,
  rollbackSlice,
  shiftSlice,
  smokeSlice,
} from '../functions/shared/domain/state';
import { batchJobSummarySchema, batchModelSlice, batchRunSummarySchema, transformCheckSlice, transformSlice } from '../functions/shared/domain/batch-state';
import { describeIssues, type Schema } from '../functions/shared/schema';
import * as z from '../functions/shared/zod';
import type { PackagedStateMachine } from './packaged-template';
import type { StateVisit } from './run-state-machine';

export interface TimelineEntry {
  /** Virtual seconds since the scenario started. */
  at: number;
  kind: 'state' | 'alarm' | 'traffic' | 'note';
  execution: number;
  title: string;
  detail: string;
}

interface Summary<S extends Schema> {
  schema: S;
  line: (slice: z.output<S>) => string;
}
const summary = <S extends Schema>(schema: S, line: (slice: z.output<S>) => string): Summary<S> => ({ schema, line });

const split = (weights: { name: string; weight: number }[], all = false) => weights.map((w) => `${w.name}=${all ? (w.weight > 0 ? 100 : 0) : Math.round(w.weight)}%`).join(', ');

const normalized = z.object({ request: z.looseObject({ trigger: z.string(), action: z.string(), modelPackageArn: z.optional(z.string()), endpointName: z.optional(z.nullable(z.string())) }) });

/** By handler (functions/<dir>): the slice its output is read through, and the line it makes. */
const SUMMARIES: Record<string, Summary<Schema>> = {
  'normalize-input': summary(normalized, ({ request: r }) => `${r.trigger} ${r.action} request${r.modelPackageArn ? ` for ${r.modelPackageArn}` : r.endpointName ? ` for ${r.endpointName}` : ''}`),
  'describe-package': summary(modelPackageSchema, (p) => `${p.groupName} v${p.version}: ${p.approvalStatus}, ${p.status}, ${p.containers.length} container(s)`),
  'plan-release': summary(releasePlanSchema, (p) => `mode ${p.mode} by rule ${p.decision.rule} (${p.decision.reasons.join('; ')}); style ${p.style}; endpoint ${p.endpointName ?? 'none'}`),
  'claim-release': summary(claimSlice, (c) =>
    c.status === 'duplicate' ? `duplicate of release ${c.existingReleaseId} (${c.existingStatus})` : c.status === 'queued' ? `queued behind ${c.holder ?? 'unknown'}` : `lease on ${c.target} acquired`,
  ),
  'prepare-deployment': summary(deploymentSlice, (d) =>
    d.firstDeployment
      ? `first deployment: config ${d.newConfigName}`
      : d.style === 'variant-canary'
        ? `live config ${d.previousConfigName ?? 'none'} (variant ${d.liveVariantName ?? 'several'}); canary config ${d.newConfigName} adds ${d.newVariantName} at weight 0`
        : `live config ${d.previousConfigName ?? 'none'}; ${d.style} to config ${d.newConfigName} (variant ${d.newVariantName})`,
  ),
  'stage-model-artifact': summary(deploymentSlice, (d) => `staged TargetModel ${d.artifact?.targetModel ?? '?'} under ${d.artifact?.prefix ?? '?'}${d.artifact?.backupKey ? `; previous artifact kept as ${d.artifact.backupKey}` : ''}`),
  'prepare-manual-rollback': summary(deploymentSlice, (d) => `endpoint ${d.endpointName} on ${d.newConfigName} goes back to ${d.previousConfigName ?? 'nothing'}`),
  'start-deployment': summary(deploymentStartedSlice, (s) => `${s.guarded ? 'guarded update' : 'change'} requested; bound ${s.waitBoundSeconds} s`),
  'check-endpoint': summary(endpointCheckSlice, (c) => `${c.check} (${c.endpointStatus ?? 'absent'} on ${c.configName ?? 'nothing'})${c.reason ? `: ${c.reason}` : ''}`),
  'smoke-test': summary(smokeSlice, (s) => `${s.passed ? 'passed' : 'FAILED'}: ${s.reason}`),
  'start-canary': summary(z.union([changeStoppedSlice, canarySlice]), (c) => ('reason' in c ? `${c.verdict}: ${c.reason}` : `traffic split ${split(c.weights)}; bake until ${c.bakeUntil}; alarms ${c.alarmNames.join(', ')}`)),
  'check-canary': summary(canaryCheckSlice, (c) => `${c.verdict}: ${c.reason}`),
  'clean-up': summary(cleanupSlice, (c) =>
    'skipped' in c
      ? `nothing to do: ${c.skipped}`
      : `deleted ${c.deleted.configs.length} config(s), ${c.deleted.models.length} model(s), ${c.deleted.alarms.length} alarm(s); kept releases ${c.keptReleases.join(', ') || 'none'}${c.stillNeeded.length > 0 ? `; still in use: ${c.stillNeeded.join(', ')}` : ''}${c.notOurs.length > 0 ? `; not this deployment's to delete: ${c.notOurs.join(', ')}` : ''}`,
  ),
  'confirm-approval': summary(z.union([changeStoppedSlice, approvalCheckSlice]), (c) => ('reason' in c ? `${c.verdict}: ${c.reason}` : `still ${c.approvalStatus} in the model registry`)),
  'shift-traffic': summary(z.union([changeStoppedSlice, shiftSlice]), (s) => ('reason' in s ? `${s.verdict}: ${s.reason}` : `traffic split ${split(s.weights, true)}`)),
  promote: summary(z.union([changeStoppedSlice, promotionSlice]), (p) => ('reason' in p ? `${p.verdict}: ${p.reason}` : `UpdateEndpoint to ${p.finalConfigName}`)),
  'roll-back': summary(rollbackSlice, (r) => `${r.action}${r.expectedConfigName ? ` (back to ${r.expectedConfigName})` : ''}`),
  'promote-model-artifact': summary(artifactPromotionSlice, (p) => `${p.liveTargetModel} now holds ${p.targetModel}`),
  'restore-model-artifact': summary(artifactRestoreSlice, (r) => `${r.action}${r.restoredFrom ? ` from ${r.restoredFrom}` : ''}${r.candidateDeleted ? `; removed ${r.candidateDeleted}` : ''}`),
  'register-batch-model': summary(activeBatchModelSlice, (m) => `${m.modelName} is the active batch model of ${m.groupName}`),
  'record-outcome': summary(outcomeSlice, (o) => `${o.outcome}: ${o.cause}`),
  'prepare-recovery': summary(z.looseObject({ recovery: z.looseObject({ action: z.string(), found: z.optional(z.string()), reason: z.optional(z.string()), deadExecutionArn: z.optional(z.string()) }) }), ({ recovery: r }) =>
    r.action === 'nothing' ? `nothing to recover: ${r.reason ?? ''}` : `${r.action}: ${r.deadExecutionArn ?? '?'} had ended; found ${r.found ?? '?'}`,
  ),
  'record-revocation': summary(revocationSlice, (r) => `${r.revoked ? 'revoked' : 'nothing to revoke'}: ${r.note}`),
  'preview-release': summary(previewSlice, (p) => `would create ${p.wouldCreate.map((r) => `${r.type} ${r.name ?? ''}`.trim()).join(', ')}; ${p.problems.length} problem(s)`),
  'resolve-batch-model': summary(batchModelSlice, (m) => `${m.modelName} from ${m.source} (${m.modelPackageArn})`),
  'start-transform-job': summary(transformSlice, (t) => `${t.reused ? 'found existing' : 'started'} transform job ${t.jobName} (${t.status})`),
  'check-transform-job': summary(transformCheckSlice, (c) => `${c.check}${c.reason ? `: ${c.reason}` : ''}${c.check === 'Completed' ? `; ${c.outputObjects} output object(s)` : ''}`),
  'record-batch-outcome': summary(batchJobSummarySchema, (s) => `${s.job}: ${s.status}${s.reason ? ` (${s.reason})` : ''}`),
  'summarize-batch-run': summary(batchRunSummarySchema, (s) => s.text),
};

/** Where a state writes its result: its ResultPath (null: the whole output, also when OutputPath keeps just the result). */
export function resultKeyOf(machine: PackagedStateMachine, stateName: string): string | null {
  const state = machine.definition.States[stateName] ?? findNested(machine, stateName);
  const path = state?.ResultPath;
  if (path !== undefined && (state as { OutputPath?: unknown } | undefined)?.OutputPath === path) return null;
  return typeof path === 'string' && path.startsWith('$.') ? path.slice(2) : null;
}

function findNested(machine: PackagedStateMachine, stateName: string): { ResultPath?: unknown } | undefined {
  for (const state of Object.values(machine.definition.States)) {
    const inner = (state.ItemProcessor as { States?: Record<string, { ResultPath?: unknown }> } | undefined)?.States?.[stateName];
    if (inner) return inner;
  }
  return undefined;
}

/** A short line for the timeline from what a Task state produced, read through its slice's schema. */
export function summarizeState(machine: PackagedStateMachine, visit: StateVisit): string {
  if (visit.error) return `${visit.error.Error}: ${String(visit.error.Cause ?? '').slice(0, 300)}`;
  const output = visit.output as Record<string, unknown> | undefined;
  const key = resultKeyOf(machine, visit.name);
  const slice = key ? output?.[key] : output;
  const handlerDir = machine.functionsByState[visit.name]?.handlerDir;
  const known = handlerDir ? SUMMARIES[handlerDir] : undefined;
  if (!known) return JSON.stringify(slice ?? null).slice(0, 200);
  const parsed = known.schema.safeParse(slice);
  if (!parsed.success) return `output does not match its slice: ${describeIssues(parsed.error).slice(0, 300)}`;
  return known.line(parsed.data);
}
