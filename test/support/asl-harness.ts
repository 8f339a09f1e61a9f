/**
 * The packaged state machines with every Task state's output stubbed: what the ASL does with each answer a
 * step can give (routing, Retry, Catch, terminal states), with no handler and no AWS. Reaching a state nobody
 * stubbed fails the test (even when a Catch in the machine would have absorbed it), so a route the test did
 * not expect cannot pass for the one it did.
 */
import { loadPackagedStateMachines, type PackagedStateMachine, type PackagedStateMachines } from '../../local/packaged-template';
import { runStateMachine, type ExecutionReport } from '../../local/run-state-machine';

/** A state's answer: its output, or a function of its input and of how many times it ran (1-based). Throw to fail. */
export type Stub = unknown | ((input: Record<string, unknown>, call: number) => unknown);

/** A named error as a step throws it (Step Functions routes on the name). */
export function failure(name: string, message = `${name} from a stub`): Error {
  return Object.assign(new Error(message), { name });
}

export class UnexpectedState extends Error {
  override readonly name = 'UnexpectedState';
}

let machines: PackagedStateMachines | undefined;
export function packaged(): PackagedStateMachines {
  machines ??= loadPackagedStateMachines();
  return machines;
}

export interface StubbedRun extends ExecutionReport {
  path: string[];
  /** Inputs each state received, by state name, in order. */
  inputs: Map<string, unknown[]>;
}

/** One execution of `machine` (the release one unless said) with these stubs; Wait states take no time. */
export async function runStubbed(stubs: Record<string, Stub>, input: unknown, machine: PackagedStateMachine = packaged().release): Promise<StubbedRun> {
  const calls = new Map<string, number>();
  const inputs = new Map<string, unknown[]>();
  const unexpected: string[] = [];
  const handlers = Object.fromEntries(
    Object.keys(machine.functionsByState).map((state) => [
      state,
      async (event: unknown) => {
        const call = (calls.get(state) ?? 0) + 1;
        calls.set(state, call);
        inputs.set(state, [...(inputs.get(state) ?? []), event]);
        if (!(state in stubs)) {
          unexpected.push(state);
          throw new UnexpectedState(`the run reached ${state}, which the test did not stub`);
        }
        const stub = stubs[state];
        return typeof stub === 'function' ? (stub as (i: Record<string, unknown>, n: number) => unknown)(event as Record<string, unknown>, call) : stub;
      },
    ]),
  );
  const report = await runStateMachine({
    definition: machine.definition,
    handlers,
    input,
    executionId: `arn:aws:states:us-east-1:123456789012:execution:${machine.name}:stubbed`,
    msPerWaitSecond: 0,
  });
  if (unexpected.length > 0) {
    const path = report.states.map((s) => s.name).join(' -> ');
    throw new UnexpectedState(`the run reached ${[...new Set(unexpected)].join(', ')}, which the test did not stub (path: ${path})`);
  }
  return { ...report, path: report.states.map((s) => s.name), inputs };
}
