/**
 * What the pipeline knows of AWS resources, as the adapters (functions/shared/aws/) report them. Domain
 * rules and handlers read these, never an SDK response.
 *
 * The request shapes the pipeline decides (a variant, an endpoint config, an alarm, a guardrails
 * policy) are declared here too, with the field names of the AWS API they are sent to: the dry run,
 * the logs and AWS's documentation then all say the same thing, and the domain needs no SDK import.
 */

export interface VariantWeight {
  name: string;
  weight: number;
}

/** DescribeEndpoint, reduced to what a release decides by. */
export interface EndpointView {
  name: string;
  status: string;
  configName: string | null;
  failureReason: string | null;
  /** Current weights (the desired ones while SageMaker has not applied them yet). */
  variants: VariantWeight[];
  /** The config an update in progress is moving to (PendingDeploymentSummary); EndpointConfigName stays the old one until it completes. */
  pendingConfigName?: string;
  /** The weights last asked for (DesiredWeight), which differ from `variants` while a weight change is applied. */
  desiredWeights?: VariantWeight[];
  /** EndpointArn: what its tags are read and written by. */
  arn?: string;
}

/** SageMaker's ServerlessConfig of a variant. */
export interface ServerlessConfig {
  MemorySizeInMB: number;
  MaxConcurrency: number;
  ProvisionedConcurrency?: number;
}

/**
 * One production variant of an endpoint config (SageMaker's ProductionVariant). A live variant read back
 * from SageMaker keeps every property it had, named or not, so a config that carries it over changes nothing.
 */
export interface VariantDefinition {
  VariantName: string;
  ModelName: string;
  /** SageMaker's default is 1. */
  InitialVariantWeight?: number;
  InstanceType?: string;
  InitialInstanceCount?: number;
  ServerlessConfig?: ServerlessConfig;
  [property: string]: unknown;
}

/** SageMaker's AsyncInferenceConfig. */
export interface AsyncInferenceConfig {
  ClientConfig?: { MaxConcurrentInvocationsPerInstance?: number };
  OutputConfig: { S3OutputPath: string; S3FailurePath?: string; [property: string]: unknown };
  [property: string]: unknown;
}

/** SageMaker's DataCaptureConfig, carried from the live config unchanged (the pipeline does not interpret it). */
export interface DataCaptureConfig {
  EnableCapture?: boolean;
  InitialSamplingPercentage: number | undefined;
  DestinationS3Uri: string | undefined;
  KmsKeyId?: string;
  CaptureOptions: { CaptureMode: 'Input' | 'Output' | 'InputAndOutput' | undefined }[] | undefined;
  CaptureContentTypeHeader?: { CsvContentTypes?: string[]; JsonContentTypes?: string[] };
}

/** DescribeEndpointConfig. `dataCapture` is null when capture is off (SageMaker then omits it). */
export interface EndpointConfigView {
  name: string;
  variants: VariantDefinition[];
  asyncInference: AsyncInferenceConfig | null;
  dataCapture: DataCaptureConfig | null;
}

/** CreateEndpointConfig, as the pipeline builds it. */
export interface EndpointConfigRequest {
  EndpointConfigName: string;
  ProductionVariants: VariantDefinition[];
  AsyncInferenceConfig?: AsyncInferenceConfig;
  DataCaptureConfig?: DataCaptureConfig;
  Tags: Tag[];
}

export interface Tag {
  Key: string;
  Value: string;
}

/** CreateModel from a model package (one ContainerDefinition naming the package). */
export interface ModelRequest {
  ModelName: string;
  ExecutionRoleArn: string;
  Containers: { ModelPackageName: string }[];
  Tags: Tag[];
}

export interface ModelContainerView {
  image: string | null;
  mode: 'SingleModel' | 'MultiModel';
  modelDataUrl: string | null;
  modelPackageName: string | null;
}

/** DescribeModel: its containers (the primary container, or the inference pipeline's). */
export interface ModelView {
  name: string;
  containers: ModelContainerView[];
}

/** SageMaker's blue/green DeploymentConfig for UpdateEndpoint (deployment guardrails). */
export interface DeploymentConfig {
  BlueGreenUpdatePolicy: {
    TrafficRoutingConfiguration: {
      Type: 'CANARY';
      CanarySize: { Type: 'CAPACITY_PERCENT'; Value: number };
      WaitIntervalInSeconds: number;
    };
    TerminationWaitInSeconds: number;
    MaximumExecutionTimeoutInSeconds: number;
  };
  AutoRollbackConfiguration: { Alarms: { AlarmName: string }[] };
}

/** UpdateEndpoint as the pipeline sends it. */
export interface EndpointUpdate {
  EndpointName: string;
  EndpointConfigName: string;
  DeploymentConfig?: DeploymentConfig;
  RetainAllVariantProperties?: boolean;
}

/** One CloudWatch alarm's state now. */
export interface AlarmState {
  name: string;
  state: string;
  reason: string | null;
}

/** CloudWatch PutMetricAlarm, as the pipeline builds it. */
export interface MetricAlarmRequest {
  AlarmName: string;
  AlarmDescription: string;
  Namespace: string;
  MetricName: string;
  Dimensions: { Name: string; Value: string }[];
  Statistic?: 'Average' | 'Sum' | 'Maximum' | 'Minimum' | 'SampleCount';
  ExtendedStatistic?: string;
  Period: number;
  EvaluationPeriods: number;
  DatapointsToAlarm: number;
  Threshold: number;
  ComparisonOperator: 'GreaterThanThreshold';
  TreatMissingData: 'notBreaching' | 'breaching' | 'ignore' | 'missing';
  Tags: Tag[];
}

/** An S3 object's ETag and user metadata. */
export interface ObjectFacts {
  etag: string | null;
  metadata: Record<string, string>;
}

/** DescribeTransformJob, reduced to what the nightly batch decides by. */
export interface TransformJobView {
  name: string;
  status: string;
  failureReason: string | null;
  modelName: string | null;
  /** The S3OutputPath it writes to. */
  outputPath: string | null;
  createdAt: string | null;
  endedAt: string | null;
}

/** CreateTransformJob as the pipeline builds it. */
export interface TransformJobRequest {
  TransformJobName: string;
  ModelName: string;
  MaxConcurrentTransforms: number;
  MaxPayloadInMB: number;
  BatchStrategy: 'MultiRecord' | 'SingleRecord';
  ModelClientConfig: { InvocationsTimeoutInSeconds: number; InvocationsMaxRetries: number };
  TransformInput: {
    DataSource: { S3DataSource: { S3DataType: 'S3Prefix'; S3Uri: string } };
    ContentType: string;
    SplitType: 'None' | 'Line' | 'RecordIO' | 'TFRecord';
  };
  TransformOutput: { S3OutputPath: string; Accept?: string; AssembleWith: 'None' | 'Line' };
  TransformResources: { InstanceType: string; InstanceCount: number };
  Tags: Tag[];
}

/** One InvokeEndpoint (or InvokeEndpointAsync) reply, or the model's refusal. */
export interface InvocationReply {
  ok: boolean;
  errorName: string | null;
  errorMessage: string | null;
  contentType: string | null;
  body: string;
  latencyMs: number;
  invokedVariant: string | null;
}
