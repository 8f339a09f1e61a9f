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
  /**
   * How long after a minute ends its AWS/SageMaker metrics reach CloudWatch (GetMetricStatistics,
   * GetMetricData, alarm evaluation). AWS documents no figure; 120 s is the availability delay Datadog's
   * "Cloud Metric Delay" guide gives for 1-minute CloudWatch metrics, in line with what the CloudWatch
   * console shows for endpoint metrics.
   */
  metricDelaySeconds: number;
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
  metricDelaySeconds: 120,
};
