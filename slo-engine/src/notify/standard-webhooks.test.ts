import { describe, expect, it } from 'vitest';
import { signWebhook, standardWebhookHeaders, verifyWebhook, webhookSecretKey } from './standard-webhooks.ts';

// The signing vector of the Standard Webhooks reference libraries (Go `TestWebhookSign`).
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const TIMESTAMP = 1614265330;
const BODY = '{"test": 2432232314}';
const EXPECTED = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
const AT = TIMESTAMP * 1000;

describe('Standard Webhooks signatures', () => {
  it('signs the reference vector exactly', () => {
    expect(signWebhook(SECRET, ID, TIMESTAMP, BODY)).toBe(EXPECTED);
    expect(signWebhook(SECRET, ID, TIMESTAMP, Buffer.from(BODY))).toBe(EXPECTED);
  });

  it('builds the three headers', () => {
    expect(standardWebhookHeaders(SECRET, ID, TIMESTAMP, BODY)).toEqual({ 'webhook-id': ID, 'webhook-timestamp': '1614265330', 'webhook-signature': EXPECTED });
  });

  it('verifies the reference vector', () => {
    const headers = { 'webhook-id': ID, 'webhook-timestamp': String(TIMESTAMP), 'webhook-signature': EXPECTED };
    expect(verifyWebhook(SECRET, headers, BODY, { now: AT })).toEqual({ ok: true, id: ID, timestampSeconds: TIMESTAMP });
  });

  it('reads header names case-insensitively and from a Fetch Headers object', () => {
    expect(verifyWebhook(SECRET, { 'Webhook-Id': ID, 'WEBHOOK-TIMESTAMP': String(TIMESTAMP), 'webhook-signature': EXPECTED }, BODY, { now: AT }).ok).toBe(true);
    const headers = new Headers({ 'webhook-id': ID, 'webhook-timestamp': String(TIMESTAMP), 'webhook-signature': EXPECTED });
    expect(verifyWebhook(SECRET, headers, BODY, { now: AT }).ok).toBe(true);
  });

  it('rejects a changed body, id or timestamp', () => {
    const headers = { 'webhook-id': ID, 'webhook-timestamp': String(TIMESTAMP), 'webhook-signature': EXPECTED };
    expect(verifyWebhook(SECRET, headers, '{"test": 2432232315}', { now: AT })).toMatchObject({ ok: false, reason: 'no-matching-signature' });
    expect(verifyWebhook(SECRET, { ...headers, 'webhook-id': 'msg_other' }, BODY, { now: AT })).toMatchObject({ ok: false, reason: 'no-matching-signature' });
    expect(verifyWebhook(SECRET, { ...headers, 'webhook-timestamp': String(TIMESTAMP + 1) }, BODY, { now: AT })).toMatchObject({ ok: false, reason: 'no-matching-signature' });
  });

  it('rejects a wrong secret', () => {
    const headers = { 'webhook-id': ID, 'webhook-timestamp': String(TIMESTAMP), 'webhook-signature': EXPECTED };
    expect(verifyWebhook('whsec_c2VjcmV0LW9mLWFub3RoZXItcmVjZWl2ZXI=', headers, BODY, { now: AT }).ok).toBe(false);
  });

  it('enforces the timestamp tolerance both ways (replay protection)', () => {
    const headers = { 'webhook-id': ID, 'webhook-timestamp': String(TIMESTAMP), 'webhook-signature': EXPECTED };
    expect(verifyWebhook(SECRET, headers, BODY, { now: AT + 300_000 }).ok).toBe(true);
    expect(verifyWebhook(SECRET, headers, BODY, { now: AT + 301_000 })).toMatchObject({ ok: false, reason: 'timestamp-too-old' });
    expect(verifyWebhook(SECRET, headers, BODY, { now: AT - 301_000 })).toMatchObject({ ok: false, reason: 'timestamp-too-new' });
    expect(verifyWebhook(SECRET, headers, BODY, { now: AT + 3_600_000, toleranceSeconds: 3_600 }).ok).toBe(true);
    expect(verifyWebhook(SECRET, headers, BODY, { now: 0, toleranceSeconds: Infinity }).ok).toBe(true);
  });

  it('reports missing headers and a malformed timestamp', () => {
    expect(verifyWebhook(SECRET, { 'webhook-id': ID, 'webhook-timestamp': String(TIMESTAMP) }, BODY, { now: AT })).toMatchObject({ ok: false, reason: 'missing-headers' });
    expect(verifyWebhook(SECRET, { 'webhook-id': ID, 'webhook-timestamp': '1614265330.5', 'webhook-signature': EXPECTED }, BODY, { now: AT })).toMatchObject({
      ok: false,
      reason: 'invalid-timestamp',
    });
  });

  it('accepts any one of several space-separated signatures, ignoring other versions (secret rotation)', () => {
    const signature = ['v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=', 'v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=', EXPECTED, 'v1a,garbage'].join(' ');
    const headers = { 'webhook-id': ID, 'webhook-timestamp': String(TIMESTAMP), 'webhook-signature': signature };
    expect(verifyWebhook(SECRET, headers, BODY, { now: AT }).ok).toBe(true);
    const onlyOthers = { ...headers, 'webhook-signature': `v2,${EXPECTED.slice(3)} v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=` };
    expect(verifyWebhook(SECRET, onlyOthers, BODY, { now: AT }).ok).toBe(false);
  });

  it('signs with every secret during a rotation; a receiver with either secret verifies', () => {
    const oldSecret = 'whsec_b2xkLXNlY3JldC1vbGQtc2VjcmV0LW9sZC1zZWNyZXQ=';
    const header = signWebhook([SECRET, oldSecret], ID, TIMESTAMP, BODY);
    expect(header.split(' ')).toEqual([EXPECTED, expect.stringMatching(/^v1,/)]);
    const headers = { 'webhook-id': ID, 'webhook-timestamp': String(TIMESTAMP), 'webhook-signature': header };
    expect(verifyWebhook(oldSecret, headers, BODY, { now: AT }).ok).toBe(true);
    expect(verifyWebhook(SECRET, headers, BODY, { now: AT }).ok).toBe(true);
    expect(verifyWebhook([oldSecret, SECRET], { ...headers, 'webhook-signature': EXPECTED }, BODY, { now: AT }).ok).toBe(true);
  });

  it('uses a secret without the whsec_ prefix as raw UTF-8 bytes', () => {
    expect(webhookSecretKey('plain secret')).toEqual(Buffer.from('plain secret'));
    expect(webhookSecretKey(SECRET)).toEqual(Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64'));
    const signature = signWebhook('plain secret', ID, TIMESTAMP, BODY);
    expect(signature).not.toBe(EXPECTED);
    expect(verifyWebhook('plain secret', { 'webhook-id': ID, 'webhook-timestamp': String(TIMESTAMP), 'webhook-signature': signature }, BODY, { now: AT }).ok).toBe(true);
  });

  it('refuses an empty secret and an id containing "."', () => {
    expect(() => signWebhook('', ID, TIMESTAMP, BODY)).toThrow(/empty/);
    expect(() => signWebhook('whsec_', ID, TIMESTAMP, BODY)).toThrow(/empty/);
    expect(() => signWebhook(SECRET, 'msg.1', TIMESTAMP, BODY)).toThrow(/"\."/);
  });
});
