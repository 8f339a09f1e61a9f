import * as z from '../zod';
import { ModeNotSupported } from '../errors';
import type { ModelPackage } from './model-package';

/**
 * Multi-model releases (README, "How each mode is released"): a shared multi-model endpoint (MME) loads
 * any `*.tar.gz` under its container's ModelDataUrl prefix on demand, named by the request's TargetModel
 * (the key relative to the prefix). A release never touches the endpoint; it places objects under the
 * prefix:
 *
 *   <prefix><group>/v<version>.tar.gz          the candidate, and the versioned TargetModel clients should call
 *   <prefix><group>.tar.gz                     the group's live pointer (TargetModel `<group>.tar.gz`)
 *   <prefix><group>/previous-<release>.tar.gz  what the live pointer held before this release (kept)
 *
 * `<group>` is the model package group, so many groups share one endpoint without colliding.
 */

/** User metadata the pipeline writes on the objects it creates, so a retried or later step can tell its own. */
export const RELEASE_ID_METADATA = 'release-id';
export const PACKAGE_ARN_METADATA = 'model-package-arn';

const S3_OBJECT = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/;

export function splitS3Uri(uri: string): { Bucket: string; Key: string } {
  const match = S3_OBJECT.exec(uri);
  return { Bucket: match?.[1] ?? '', Key: match?.[2] ?? '' };
}

/** The MME container's ModelDataUrl as a prefix ending in '/', or null when it is not an s3:// location. */
export function modelPrefix(modelDataUrl: string | undefined | null): string | null {
  if (modelDataUrl === undefined || modelDataUrl === null) return null;
  if (/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/?$/.test(modelDataUrl)) return modelDataUrl.endsWith('/') ? modelDataUrl : `${modelDataUrl}/`;
  if (!S3_OBJECT.test(modelDataUrl)) return null;
  return modelDataUrl.endsWith('/') ? modelDataUrl : `${modelDataUrl}/`;
}

/** The one artifact a multi-model endpoint can load for this package; refuses anything else by name. */
export function packageArtifact(pkg: ModelPackage): string {
  const withData = pkg.containers.filter((c) => c.modelDataUrl !== null);
  if (pkg.containers.length !== 1 || withData.length !== 1) {
    throw new ModeNotSupported(
      `model package ${pkg.arn} has ${pkg.containers.length} container(s), ${withData.length} with a ModelDataUrl; a multi-model endpoint loads one model artifact per TargetModel, so the package needs exactly one container with a ModelDataUrl`,
    );
  }
  const url = withData[0]?.modelDataUrl ?? '';
  if (!S3_OBJECT.test(url) || url.endsWith('/')) {
    throw new ModeNotSupported(`model package ${pkg.arn} has ModelDataUrl ${url}; a multi-model endpoint needs one s3:// model archive (model.tar.gz) to copy under its prefix`);
  }
  return url;
}

export function candidateTargetModel(groupName: string, version: number): string {
  return `${groupName}/v${version}.tar.gz`;
}

export function liveTargetModel(groupName: string): string {
  return `${groupName}.tar.gz`;
}

export interface ArtifactKeys {
  prefix: string;
  candidateKey: string;
  liveKey: string;
  backupKey: string;
  targetModel: string;
  liveTargetModel: string;
}

/** Every object a release may touch, as s3:// URIs under the endpoint's prefix. */
export function artifactKeys(prefix: string, groupName: string, version: number, releaseId: string): ArtifactKeys {
  const targetModel = candidateTargetModel(groupName, version);
  const live = liveTargetModel(groupName);
  return {
    prefix,
    candidateKey: `${prefix}${targetModel}`,
    liveKey: `${prefix}${live}`,
    backupKey: `${prefix}${groupName}/previous-${releaseId}.tar.gz`,
    targetModel,
    liveTargetModel: live,
  };
}

/** What StageModelArtifact found and did; PromoteModelArtifact, RestoreModelArtifact and RecordOutcome read it. */
export const modelArtifactSlice = z.object({
  prefix: z.string(),
  /** The package's own artifact (copied, never changed). */
  sourceUrl: z.string(),
  candidateKey: z.string(),
  liveKey: z.string(),
  /** Copy of the live artifact as it was before this release; null when the group had none. */
  backupKey: z.nullable(z.string()),
  /** ETag of the live artifact when staged (null: none), so promotion refuses to overwrite a change made since. */
  liveETag: z.nullable(z.string()),
  /** False when the versioned key already existed (an earlier release of this version): never deleted by this release. */
  candidateCreated: z.boolean(),
  targetModel: z.string(),
  liveTargetModel: z.string(),
});
export type ModelArtifact = z.infer<typeof modelArtifactSlice>;
