import { isUnderLocations } from '../../../../functions/shared/domain/s3-locations';

describe('isUnderLocations', () => {
  it.each([
    ['s3://data/async/out', ['s3://data/async/'], true],
    ['s3://data/async', ['s3://data/async/'], true],
    ['s3://data/async-eu/out', ['s3://data/async'], true],
    ['s3://data/anything', ['s3://data/'], true],
    ['s3://data/asyncx/out', ['s3://data/async/'], false],
    ['s3://data-other/async/out', ['s3://data/'], false],
    ['s3://data/async/out', [], false],
  ])('%s under %j: %s (prefixes match by characters, as IAM matches bucket/prefix*)', (uri, locations, expected) => {
    expect(isUnderLocations(uri, locations)).toBe(expected);
  });
});
