import { describeModel, failureMessage, type BehaviourRegistry, type ModelInfo } from './behaviour';
import type { Durations } from './durations';
import { AwsError, validation } from './http';
import { compact, epochSeconds, num, obj, str, type JsonObject } from './json';
import { joinS3, parseS3Uri, sagemakerArn, type MotoApi } from './moto-api';

type JobStatus = 'InProgress' | 'Completed' | 'Failed' | 'Stopping' | 'Stopped';

interface Job {
  name: string;
  arn: string;
  request: JsonObject;
  model: ModelInfo;
  status: JobStatus;
  failureReason?: string;
  creationTime: number;
  startTime: number;
  endTime?: number;
  lastModifiedTime: number;
  doneAt: number;
  stopAt?: number;
}

/**
 * Batch transform: the model's behaviour profile answers every record found under
 * the S3 input prefix; outputs land as `<key>.out` under S3OutputPath when the
 * job's virtual run time is over.
 */
export class TransformJobs {
  /** Every job's run, [start, end) in virtual ms. */
  readonly lifecycles: [number, number][] = [];

  private readonly jobs = new Map<string, Job>();

  constructor(
    private readonly moto: MotoApi,
    private readonly behaviours: BehaviourRegistry,
    private readonly durations: Durations,
    private readonly region: string,
  ) {}

  private arn(name: string): string {
    return sagemakerArn(this.region, 'transform-job', name);
  }

  private get(name: string): Job {
    const job = this.jobs.get(name);
    if (!job) throw validation(`Could not find requested job with name ${name}`);
    return job;
  }

  async create(input: JsonObject, now: number): Promise<JsonObject> {
    const name = str(input, 'TransformJobName') ?? '';
    const duplicate = (): AwsError =>
      new AwsError('ResourceInUse', `Job name must be unique within an AWS account and region, and a job with this name already exists (${this.arn(name)})`, 400);
    if (this.jobs.has(name)) throw duplicate();
    const s3Uri = str(obj(obj(obj(input, 'TransformInput'), 'DataSource'), 'S3DataSource'), 'S3Uri');
    if (!s3Uri) throw validation("1 validation error detected: Value null at 'transformInput.dataSource.s3DataSource.s3Uri' failed to satisfy constraint: Member must not be null");
    parseS3Uri(s3Uri);
    const outputPath = str(obj(input, 'TransformOutput'), 'S3OutputPath');
    if (!outputPath) throw validation("1 validation error detected: Value null at 'transformOutput.s3OutputPath' failed to satisfy constraint: Member must not be null");
    if (!obj(input, 'TransformResources')) throw validation("1 validation error detected: Value null at 'transformResources' failed to satisfy constraint: Member must not be null");
    const modelName = str(input, 'ModelName') ?? '';
    let model: ModelInfo;
    try {
      model = await describeModel(this.moto, modelName);
    } catch (err) {
      if (err instanceof AwsError && err.status < 500) throw validation(`Could not find model "${sagemakerArn(this.region, 'model', modelName)}".`);
      throw err;
    }
    if (this.jobs.has(name)) throw duplicate();
    this.jobs.set(name, {
      name,
      arn: this.arn(name),
      request: input,
      model,
      status: 'InProgress',
      creationTime: now,
      startTime: now,
      lastModifiedTime: now,
      doneAt: now + this.durations.transformSeconds * 1000,
    });
    this.lifecycles.push([now, now + this.durations.transformSeconds * 1000]);
    return { TransformJobArn: this.arn(name) };
  }

  stop(input: JsonObject, now: number): JsonObject {
    const job = this.get(str(input, 'TransformJobName') ?? '');
    if (job.status === 'InProgress') {
      job.status = 'Stopping';
      job.lastModifiedTime = now;
      job.stopAt = now + this.durations.transformStopSeconds * 1000;
      this.lifecycles.push([now, job.stopAt]);
    } else if (job.status !== 'Stopping') {
      throw validation(`The transform job ${job.name} is not in progress (status: ${job.status}) and cannot be stopped.`);
    }
    return {};
  }

  /** Finishes jobs whose run time is over by virtual time `t`; this is where outputs are written. */
  async advanceTo(t: number): Promise<void> {
    for (const job of this.jobs.values()) {
      if (job.status === 'Stopping' && job.stopAt !== undefined && t >= job.stopAt) {
        job.status = 'Stopped';
        job.endTime = job.lastModifiedTime = job.stopAt;
      }
      if (job.status === 'InProgress' && t >= job.doneAt) {
        const reason = await this.run(job).catch((err: unknown) => `InternalServerError: ${err instanceof Error ? err.message : String(err)}`);
        job.status = reason ? 'Failed' : 'Completed';
        job.failureReason = reason;
        job.endTime = job.lastModifiedTime = job.doneAt;
      }
    }
  }

  /** Returns a FailureReason, or undefined on success. */
  private async run(job: Job): Promise<string | undefined> {
    const profile = this.behaviours.forModel(job.model);
    const failed = failureMessage(profile.failTransform, 'AlgorithmError: See job logs for more information');
    if (failed) return failed;
    if (profile.errorRate >= 1) return 'ClientError: See job logs for more information';

    const input = obj(job.request, 'TransformInput');
    const source = obj(obj(input, 'DataSource'), 'S3DataSource');
    const s3Uri = str(source, 'S3Uri') ?? '';
    const uris = str(source, 'S3DataType') === 'ManifestFile' ? [] : await this.moto.list(s3Uri);
    if (uris.length === 0) {
      const { bucket } = parseS3Uri(s3Uri);
      return `ClientError: No S3 objects found under S3 URL "${s3Uri}" given in input data source. Please ensure that the bucket "${bucket}" exists in the selected region (${this.region}), that objects exist under that S3 prefix, and that the role has "s3:ListBucket" permissions on bucket "${bucket}".`;
    }
    const output = obj(job.request, 'TransformOutput');
    const outputPath = str(output, 'S3OutputPath') ?? '';
    const joiner = str(output, 'AssembleWith') === 'Line' ? '\n' : '';
    const split = str(input, 'SplitType') === 'Line';
    const { key: prefixKey } = parseS3Uri(s3Uri);
    for (const uri of uris) {
      const text = await this.moto.getText(uri);
      const records = split ? text.split(/\r?\n/).filter((l) => l.trim() !== '') : [text];
      const body = records.map(() => profile.response.body).join(joiner) + (joiner && records.length ? joiner : '');
      const { key } = parseS3Uri(uri);
      // Keep the input's layout under the prefix, as SageMaker does.
      const relative = key.startsWith(prefixKey) && key !== prefixKey ? key.slice(prefixKey.length).replace(/^\/+/, '') : key.split('/').pop() ?? key;
      await this.moto.putText(joinS3(outputPath, `${relative}.out`), body, str(output, 'Accept') ?? profile.response.contentType);
    }
    return undefined;
  }

  describe(input: JsonObject): JsonObject {
    const job = this.get(str(input, 'TransformJobName') ?? '');
    const r = job.request;
    return compact({
      TransformJobName: job.name,
      TransformJobArn: job.arn,
      TransformJobStatus: job.status,
      FailureReason: job.failureReason,
      ModelName: str(r, 'ModelName'),
      MaxConcurrentTransforms: num(r, 'MaxConcurrentTransforms'),
      ModelClientConfig: obj(r, 'ModelClientConfig'),
      MaxPayloadInMB: num(r, 'MaxPayloadInMB'),
      BatchStrategy: str(r, 'BatchStrategy'),
      Environment: obj(r, 'Environment'),
      TransformInput: obj(r, 'TransformInput'),
      TransformOutput: obj(r, 'TransformOutput'),
      DataCaptureConfig: obj(r, 'DataCaptureConfig'),
      TransformResources: obj(r, 'TransformResources'),
      CreationTime: epochSeconds(job.creationTime),
      TransformStartTime: epochSeconds(job.startTime),
      TransformEndTime: job.endTime !== undefined ? epochSeconds(job.endTime) : undefined,
      DataProcessing: obj(r, 'DataProcessing'),
      ExperimentConfig: obj(r, 'ExperimentConfig'),
    });
  }

  list(input: JsonObject): JsonObject {
    const nameContains = str(input, 'NameContains')?.toLowerCase();
    const status = str(input, 'StatusEquals');
    const items = [...this.jobs.values()].filter(
      (j) => (!nameContains || j.name.toLowerCase().includes(nameContains)) && (!status || j.status === status),
    );
    const sortBy = str(input, 'SortBy') ?? 'CreationTime';
    items.sort((a, b) => (sortBy === 'Name' ? a.name.localeCompare(b.name) : sortBy === 'Status' ? a.status.localeCompare(b.status) : a.creationTime - b.creationTime));
    if ((str(input, 'SortOrder') ?? 'Descending') === 'Descending') items.reverse();
    const start = Number(str(input, 'NextToken') ?? '0') || 0;
    const max = num(input, 'MaxResults') ?? 10;
    return compact({
      TransformJobSummaries: items.slice(start, start + max).map((j) =>
        compact({
          TransformJobName: j.name,
          TransformJobArn: j.arn,
          CreationTime: epochSeconds(j.creationTime),
          TransformEndTime: j.endTime !== undefined ? epochSeconds(j.endTime) : undefined,
          LastModifiedTime: epochSeconds(j.lastModifiedTime),
          TransformJobStatus: j.status,
          FailureReason: j.failureReason,
        }),
      ),
      NextToken: start + max < items.length ? String(start + max) : undefined,
    });
  }
}
