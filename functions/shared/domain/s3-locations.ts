/**
 * The S3 locations a stage grants (serverless.yml params, `s3://bucket/prefix` entries): IAM allows
 * `bucket/prefix*` and nothing else, so a setting that points elsewhere is refused before any change rather
 * than failing later as AccessDenied in the middle of a release.
 */

/**
 * Whether everything under `uri` (an object or a "folder" prefix) lies in one of the locations. A prefix
 * matches as IAM matches it, by characters: `s3://data/async` covers `s3://data/async-eu/…` too.
 */
export function isUnderLocations(uri: string, locations: readonly string[]): boolean {
  const folder = uri.endsWith('/') ? uri : `${uri}/`;
  return locations.some((location) => folder.startsWith(location));
}

/** Says where `uri` may go instead, naming the param that grants it. */
export function outsideLocationsMessage(what: string, uri: string, param: string, locations: readonly string[]): string {
  const granted = locations.length === 0 ? 'none is configured' : locations.join(', ');
  return `${what} ${uri} is outside the stage's ${param} (${granted}): the pipeline's roles and SageMaker's execution role may use S3 only there; use a location under one of them, or add it to the stage's ${param} param`;
}
