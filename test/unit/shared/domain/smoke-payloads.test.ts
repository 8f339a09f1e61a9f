import { gunzipSync, gzipSync } from 'node:zlib';
import { MAX_SMOKE_PAYLOADS, parseSmokePayloadLines, readTarEntries, samplePayloadRequests, smokeSourceFor, smokeSourceOfPlan } from '../../../../functions/shared/domain/smoke-payloads';
import { tarGz } from '../../../../local/sim/tar';
import { invalidSettingsMessage, modelPackage, settingsWith } from '../../helpers';

const URL = 's3://sagemaker-bucket/smoke/churn.jsonl';
const line = (payload: object) => JSON.stringify(payload);

const refusal = invalidSettingsMessage;

describe('parseSmokePayloadLines', () => {
  it('reads one payload per line, ignoring blank lines and CRLF endings', () => {
    // Prepare
    const text = `${line({ contentType: 'text/csv', body: '1,2,3', expect: '0.5' })}\r\n\n${line({ contentType: 'application/json', body: '{"x":1}', accept: 'application/json' })}\n`;

    // Act
    const payloads = parseSmokePayloadLines(text, URL);

    // Assess
    expect(payloads).toEqual([
      { contentType: 'text/csv', body: '1,2,3', expect: '0.5' },
      { contentType: 'application/json', body: '{"x":1}', accept: 'application/json' },
    ]);
  });

  it('names every bad line, so one fix finds them all', () => {
    // Act
    const message = refusal(() => parseSmokePayloadLines(`{contentType: text/csv\n${line({ contentType: 'text/csv', body: 'ok' })}\n${line({ body: '1' })}\n`, URL));

    // Assess
    expect(message).toContain(`smoke.payloadsUrl ${URL}`);
    expect(message).toContain('line 1: not JSON');
    expect(message).toMatch(/line 3: contentType: /);
    expect(message).not.toContain('line 2');
  });

  it('refuses an empty file rather than skipping the smoke test the package asked for', () => {
    expect(refusal(() => parseSmokePayloadLines('\n\n', URL))).toContain('no payloads');
  });

  it(`refuses more than ${MAX_SMOKE_PAYLOADS} payloads`, () => {
    const text = `${line({ contentType: 'text/csv', body: '1' })}\n`.repeat(MAX_SMOKE_PAYLOADS + 1);
    expect(refusal(() => parseSmokePayloadLines(text, URL))).toContain(`at most ${MAX_SMOKE_PAYLOADS} payloads, found ${MAX_SMOKE_PAYLOADS + 1}`);
  });

  it('refuses a field the payload format does not have (a typo of expect)', () => {
    expect(refusal(() => parseSmokePayloadLines(line({ contentType: 'text/csv', body: '1', expected: '0.5' }), URL))).toContain('line 1');
  });
});

describe('readTarEntries', () => {
  it('returns the regular files of an archive in order, bytes intact', () => {
    // Prepare
    const binary = new Uint8Array([0, 255, 1, 128, 10]);
    const archive = gunzipSync(tarGz([{ name: 'samples/a.csv', body: '1,2,3' }, { name: 'samples/b.bin', body: binary }, { name: 'c.csv', body: 'x'.repeat(700) }]));

    // Act
    const entries = readTarEntries(archive);

    // Assess
    expect(entries.map((e) => e.name)).toEqual(['samples/a.csv', 'samples/b.bin', 'c.csv']);
    expect(new TextDecoder().decode(entries[0]?.body)).toBe('1,2,3');
    expect(Array.from(entries[1]?.body ?? [])).toEqual(Array.from(binary));
    expect(entries[2]?.body.length).toBe(700);
  });

  it("skips macOS resource forks (._name), which tar on a Mac adds beside each file", () => {
    const entries = readTarEntries(gunzipSync(tarGz([{ name: '._a.csv', body: 'fork' }, { name: 'a.csv', body: '1' }])));
    expect(entries.map((e) => e.name)).toEqual(['a.csv']);
  });

  it('refuses a truncated archive', () => {
    const archive = gunzipSync(tarGz([{ name: 'a.csv', body: 'x'.repeat(2000) }]));
    expect(() => readTarEntries(archive.subarray(0, 1024))).toThrow(/truncated/);
  });
});

describe('smokeSourceFor', () => {
  const withSample = modelPackage({ samplePayloadUrl: 's3://sagemaker-bucket/samples/churn.tar.gz', supportedContentTypes: ['text/csv', 'application/json'] });

  it('prefers smoke.payloadsUrl, then inline payloads, then the package sample, then none', () => {
    expect(smokeSourceFor(settingsWith({ 'smoke.payloadsUrl': URL }), withSample)).toEqual({ from: 'smoke.payloadsUrl', url: URL });
    expect(smokeSourceFor(settingsWith({ 'smoke.payloads': JSON.stringify([{ contentType: 'text/csv', body: '1' }]) }), withSample)).toEqual({ from: 'smoke.payloads', count: 1 });
    expect(smokeSourceFor(settingsWith({}), withSample)).toEqual({ from: 'SamplePayloadUrl', url: 's3://sagemaker-bucket/samples/churn.tar.gz', contentType: 'text/csv' });
    expect(smokeSourceFor(settingsWith({}), modelPackage())).toEqual({ from: 'none' });
  });

  it('takes an explicit empty smoke.payloads as "no smoke test", not as "look further"', () => {
    expect(smokeSourceFor(settingsWith({ 'smoke.payloads': '[]' }), withSample)).toEqual({ from: 'smoke.payloads', count: 0 });
  });

  it('refuses sample payloads it cannot label with a content type', () => {
    const pkg = modelPackage({ samplePayloadUrl: 's3://sagemaker-bucket/samples/churn.tar.gz', supportedContentTypes: [] });
    expect(refusal(() => smokeSourceFor(settingsWith({}), pkg))).toMatch(/SamplePayloadUrl .*no SupportedContentTypes/);
  });

  it('sends at most the first 20 files of a sample archive, each as the first supported content type', () => {
    // Prepare
    const entries = Array.from({ length: 25 }, (_, i) => ({ name: `p${i}.csv`, body: new TextEncoder().encode(String(i)) }));

    // Act
    const requests = samplePayloadRequests(entries, { from: 'SamplePayloadUrl', url: 's3://b/s.tar.gz', contentType: 'text/csv' });

    // Assess
    expect(requests).toHaveLength(20);
    expect(requests[0]).toEqual({ contentType: 'text/csv', body: entries[0]?.body });
  });
});

describe('smoke sources across an upgrade, and archives that are not tar', () => {
  it('reads a plan written before smoke sources existed as its inline payloads (none: no smoke test)', () => {
    // Prepare: the settings of an old plan held payloads inline, [] when none.
    const settings = settingsWith({});

    // Act
    const none = smokeSourceOfPlan({ settings: { ...settings, smoke: { ...settings.smoke, payloads: [] } } });
    const two = smokeSourceOfPlan({ settings: { ...settings, smoke: { ...settings.smoke, payloads: [{ contentType: 'text/csv', body: '1' }, { contentType: 'text/csv', body: '2' }] } } });

    // Assess
    expect(none).toEqual({ from: 'smoke.payloads', count: 0 });
    expect(two).toEqual({ from: 'smoke.payloads', count: 2 });
  });

  it('refuses gzip data that is not a tar archive (bad header checksum)', () => {
    expect(() => readTarEntries(gunzipSync(gzipSync(Buffer.from('a,b,c\n1,2,3\n'.repeat(100)))))).toThrow(/not a tar archive/);
  });

  it('keeps only the first 20 files of a large archive', () => {
    const archive = gunzipSync(tarGz(Array.from({ length: 30 }, (_, i) => ({ name: `p${i}.csv`, body: String(i) }))));
    expect(readTarEntries(archive).map((e) => e.name)).toEqual(Array.from({ length: 20 }, (_, i) => `p${i}.csv`));
  });

  it('refuses a SamplePayloadUrl that is not the s3:// URI of an object', () => {
    const pkg = modelPackage({ samplePayloadUrl: 'https://example.com/samples.tar.gz', supportedContentTypes: ['text/csv'] });
    expect(refusal(() => smokeSourceFor(settingsWith({}), pkg))).toMatch(/SamplePayloadUrl https:\/\/example\.com\/samples\.tar\.gz: not the s3:\/\/ URI of an object/);
  });
});
