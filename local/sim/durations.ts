/** Virtual seconds each lifecycle step takes; defaults are in the range real SageMaker shows. */
export interface Durations {
  /** Instance-based endpoint: Creating → InService (or Failed). */
  createSeconds: number;
  /** Serverless endpoint: Creating → InService. */
  serverlessCreateSeconds: number;
  /** Provisioning the new (green) fleet of an UpdateEndpoint. */
  updateSeconds: number;
  serverlessUpdateSeconds: number;
  /** UpdateEndpointWeightsAndCapacities: Updating → InService. */
  weightsUpdateSeconds: number;
  /** RollingBack → InService on the old configuration. */
  rollbackSeconds: number;
  deleteSeconds: number;
  /** Transform job InProgress → Completed/Failed. */
  transformSeconds: number;
  /** Transform job Stopping → Stopped. */
  transformStopSeconds: number;
}

export const DEFAULT_DURATIONS: Durations = {
  createSeconds: 360,
  serverlessCreateSeconds: 150,
  updateSeconds: 360,
  serverlessUpdateSeconds: 150,
  weightsUpdateSeconds: 45,
  rollbackSeconds: 180,
  deleteSeconds: 60,
  transformSeconds: 420,
  transformStopSeconds: 60,
};
