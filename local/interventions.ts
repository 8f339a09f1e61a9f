/**
 * Scenario interventions: what operators and AWS do to a release mid-run (README, "Interventions").
 * Each applies once, in the first execution, exactly `afterSeconds` virtual seconds after the release enters
 * its phase (an event on the discrete clock, in a turn of its own), unless the first execution has ended by then.
 
 */
import {
  CreateEndpointConfigCommand,
  CreateModelPackageCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelPackageCommand,
  UpdateEndpointCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import type { LocalAccount } from './account';
import type { Intervention, Scenario } from './scenario';
import type { FaultSpec } from './sagemaker-simulator';
import { profile } from './seeding';
import { serviceModel } from './sim/service-models';
import type { TimelineEntry } from './timeline';

export type Phase = Intervention['during'];

/** The service (as the simulator names it) whose published model has the operation, SageMaker first. */
export function serviceOf(operation: string): FaultSpec['service'] {
  const services: [string, FaultSpec['service']][] = [
    ['sagemaker', 'sagemaker'],
    ['sagemaker-runtime', 'sagemaker-runtime'],
    ['dynamodb', 'dynamodb'],
    ['events', 'eventbridge'],
    ['cloudwatch', 'cloudwatch'],
    ['s3', 's3'],
  ];
  const found = services.find(([model]) => serviceModel(model).operations[operation] !== undefined);
  if (found === undefined) throw new Error(`lose-response: no service the pipeline calls has an operation ${operation}`);
  return found[1];
}

/** The phase a release state belongs to, whatever its style (null: bookkeeping between phases). */
export function phaseOf(stateName: string): Phase | null {
  if (stateName === 'WaitInQueue') return 'queue';
  if (/SmokeTest$/.test(stateName)) return 'smoke';
  if (/^(RollBack|WaitBeforeRollback|WaitForRollback|CheckRollback|RestoreModelArtifact)$/.test(stateName)) return 'rollback';
  if (/^(StartCanary|BakeCanary|CheckCanary|ServerlessStartBake|ServerlessBake|ServerlessCheckBake)$/.test(stateName)) return 'bake';
  if (/^(ShiftTraffic|WaitForTrafficShift|CheckTrafficShift)$/.test(stateName)) return 'shift';
  if (/^(Promote|WaitForPromotion|CheckPromotion|PromoteModelArtifact)$/.test(stateName)) return 'promote';
  if (/(PrepareDeployment|StartDeployment|WaitForDeployment|CheckDeployment)$/.test(stateName) || stateName === 'StageModelArtifact') return 'deploy';
  return null;
}

/** What an intervention needs of the run it acts on. */
export interface InterventionContext {
  account: LocalAccount;
  scenario: Scenario;
  group: string;
  candidateArn: string;
  endpointName: string;
  /** Variant names on the endpoint before the run: anything else on it is the candidate's. */
  liveVariants: ReadonlySet<string>;
  /** The seeded live endpoint config (hand edits copy its variant). */
  liveConfigName: string;
  /** Stops the first execution, as StopExecution does (no Catch runs). */
  stopFirstExecution: (reason: string) => void;
  /** The first execution's end will not reach the bus (its status-change event is lost). */
  loseFirstExecutionEndEvent: () => void;
  /** Starts an execution of the release state machine with this input (an operator's manual run). */
  startExecution: (input: unknown) => void;
  /** Starts executions for approval events the registry sent (they go through the packaged rule). */
  deliverApprovalEvents: () => Promise<void>;
  note: (entry: Omit<TimelineEntry, 'at'>) => void;
}

interface Scheduled {
  spec: Intervention;
  /** Virtual epoch ms from which it applies; undefined until its phase is entered. */
  dueAt?: number;
  applied: boolean;
}

/** The interventions of one run: scheduled as phases are entered, applied as steps pass their due time. */
export class InterventionPlan {
  private readonly items: Scheduled[];
  private readonly pending: Promise<void>[] = [];
  private readonly entered = new Set<Phase>();
  /** Aborted when the first execution ends: what is not due by then never applies. */
  private readonly firstRun = new AbortController();

  constructor(
    specs: readonly Intervention[],
    private readonly ctx: InterventionContext,
  ) {
    this.items = specs.map((spec) => ({ spec, applied: false }));
  }

  /**
   * Called as a state of any execution starts its work (before its handler runs). The first time the first
   * execution enters a phase, that phase's interventions are scheduled; those due at once apply before the
   * state's own work (awaited here), the others as events on the clock.
   */
  async onEnter(execution: number, stateName: string): Promise<void> {
    const phase = execution === 1 ? phaseOf(stateName) : null;
    if (phase === null || this.entered.has(phase)) return;
    this.entered.add(phase);
    const { account } = this.ctx;
    const now: Promise<void>[] = [];
    for (const item of this.items) {
      if (item.spec.during !== phase || item.dueAt !== undefined) continue;
      item.dueAt = account.clock.now() + item.spec.afterSeconds * 1000;
      const applying = (async () => {
        if (item.spec.afterSeconds > 0) await account.waitVirtual(item.spec.afterSeconds, this.firstRun.signal);
        if (this.firstRun.signal.aborted) return;
        item.applied = true;
        await account.exclusive(() => this.apply(item.spec));
      })();
      this.pending.push(applying);
      if (item.spec.afterSeconds === 0) now.push(applying);
    }
    await Promise.all(now);
  }

  /** The first execution ended: interventions not yet due never apply. */
  firstExecutionEnded(): void {
    this.firstRun.abort();
  }

  /** How many interventions have been scheduled (the runner waits until this and its executions are stable). */
  started(): number {
    return this.pending.length;
  }

  /** Waits for every intervention scheduled so far (each applies in its own turn; the run goes on meanwhile). */
  async settle(): Promise<void> {
    await Promise.all(this.pending);
  }

  /** Why each intervention that never applied did not: its phase was never reached, or not for long enough. */
  unapplied(): string[] {
    return this.items
      .filter((i) => !i.applied)
      .map((i) =>
        i.dueAt === undefined
          ? `intervention ${i.spec.do} during ${i.spec.during} never applied: the first execution never entered ${i.spec.during}`
          : `intervention ${i.spec.do} during ${i.spec.during} never applied: the run ended before ${i.spec.afterSeconds} s into ${i.spec.during}`,
      );
  }

  private async apply(spec: Intervention): Promise<void> {
    const { account, note, endpointName } = this.ctx;
    const sageMaker = account.sageMaker;
    const said = (detail: string) => note({ kind: 'note', execution: 1, title: `intervention ${spec.do}`, detail });
    try {
      switch (spec.do) {
        case 'stop-execution':
          if (spec.statusEvent === 'lost') this.ctx.loseFirstExecutionEndEvent();
          said(`an operator stops the execution (StopExecution: no Catch runs)${spec.statusEvent === 'lost' ? '; its status-change event is lost' : ''}`);
          this.ctx.stopFirstExecution('stopped by an operator (StopExecution)');
          return;
        case 'reject-candidate':
          await sageMaker.send(new UpdateModelPackageCommand({ ModelPackageArn: this.ctx.candidateArn, ModelApprovalStatus: 'Rejected', ApprovalDescription: 'rejected mid-release by the simulation' }));
          said(`${this.ctx.candidateArn} set Rejected in the registry; its event goes through the rule`);
          await this.ctx.deliverApprovalEvents();
          return;
        case 'drain-candidate': {
          const endpoint = await sageMaker.send(new DescribeEndpointCommand({ EndpointName: endpointName }));
          const candidates = (endpoint.ProductionVariants ?? []).map((v) => v.VariantName ?? '').filter((name) => !this.ctx.liveVariants.has(name));
          if (candidates.length === 0) {
            said(`no candidate variant on ${endpointName} to drain`);
            return;
          }
          await sageMaker.send(new UpdateEndpointWeightsAndCapacitiesCommand({ EndpointName: endpointName, DesiredWeightsAndCapacities: candidates.map((VariantName) => ({ VariantName, DesiredWeight: 0 })) }));
          said(`an operator sets ${candidates.join(', ')} to weight 0 on ${endpointName}`);
          return;
        }
        case 'hand-edit-endpoint': {
          const live = await sageMaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: this.ctx.liveConfigName }));
          const configName = `${endpointName}-hand-edit`;
          await sageMaker.send(
            new CreateEndpointConfigCommand({
              EndpointConfigName: configName,
              ProductionVariants: (live.ProductionVariants ?? []).map((v) => ({ ...v, InitialInstanceCount: spec.instanceCount, InitialVariantWeight: 1 })),
            }),
          );
          await sageMaker.send(new UpdateEndpointCommand({ EndpointName: endpointName, EndpointConfigName: configName }));
          said(`an operator updates ${endpointName} by hand to ${configName}: the live model at ${spec.instanceCount} instance(s)`);
          return;
        }
        case 'approve-version': {
          const candidate = await sageMaker.send(new DescribeModelPackageCommand({ ModelPackageName: this.ctx.candidateArn }));
          const created = await sageMaker.send(
            new CreateModelPackageCommand({
              ModelPackageGroupName: this.ctx.group,
              ModelApprovalStatus: 'PendingManualApproval',
              CustomerMetadataProperties: candidate.CustomerMetadataProperties,
              InferenceSpecification: candidate.InferenceSpecification,
            }),
          );
          const arn = created.ModelPackageArn ?? '';
          account.sim.setBehaviour(arn, profile(spec.behaviour));
          await sageMaker.send(new UpdateModelPackageCommand({ ModelPackageArn: arn, ModelApprovalStatus: 'Approved', ApprovalDescription: 'approved mid-release by the simulation' }));
          said(`a newer version ${arn} is approved while the release runs`);
          await this.ctx.deliverApprovalEvents();
          return;
        }
        case 'abort': {
          const input = { action: 'abort', endpointName, ...(spec.reason !== undefined ? { reason: spec.reason } : {}) };
          said(`an operator aborts the release on ${endpointName}: ${JSON.stringify(input)}`);
          this.ctx.startExecution(input);
          return;
        }
        case 'lose-response':
          account.sim.injectFault({ service: serviceOf(spec.operation), operation: spec.operation, kind: 'lost-response', times: 1, from: 'pipeline' });
          said(`the next ${spec.operation} is carried out, but its answer never arrives`);
          return;
      }
    } catch (error) {
      // An operator's action AWS refuses (an endpoint mid-update cannot take new weights) is part of the
      // story; anything else (a scenario mistake, the runner failing) fails the run.
      if (typeof error !== 'object' || error === null || !('$metadata' in error)) throw error;
      const refusal = error as unknown as Error;
      said(`refused: ${refusal.name}: ${refusal.message}`);
    }
  }
}
