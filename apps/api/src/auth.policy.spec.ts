import { bearerToken, isLoopback, listenRefusal, tokenDigest, tokenMatches } from './auth.policy';
import { loggedHeaders, redactedUrl } from './http.app';

describe('auth policy', () => {
  const token = 'a-long-enough-secret-token-1234';

  it('accepts only the exact token', () => {
    expect(tokenMatches(token, token)).toBe(true);
    expect(tokenMatches(token, `${token}x`)).toBe(false);
    expect(tokenMatches(token, token.slice(0, -1))).toBe(false);
    expect(tokenMatches(token, token.toUpperCase())).toBe(false);
    expect(tokenMatches(token, '')).toBe(false);
    expect(tokenMatches(token, null)).toBe(false);
    expect(tokenMatches(tokenDigest(token), token)).toBe(true);
    expect(tokenMatches(tokenDigest(token), `${token}x`)).toBe(false);
  });

  it('reads a bearer header, case-insensitively on the scheme only', () => {
    expect(bearerToken(`Bearer ${token}`)).toBe(token);
    expect(bearerToken(`bearer ${token}`)).toBe(token);
    expect(bearerToken(`Basic ${token}`)).toBeNull();
    expect(bearerToken('Bearer')).toBeNull();
    expect(bearerToken(`Bearer ${token} extra`)).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });

  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopback(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.5', 'api.example.com', '192.168.1.2']) expect(isLoopback(h)).toBe(false);
  });

  it('refuses a non-loopback listen without a token, naming the variables to set', () => {
    const msg = listenRefusal('0.0.0.0', { token: null, allowOpen: false });
    expect(msg).toContain('KTRDR_API_TOKEN');
    expect(msg).toContain('KTRDR_ALLOW_OPEN_API=true');
    expect(msg).toContain('KTRDR_API_HOST=127.0.0.1');
    expect(listenRefusal('0.0.0.0', { token, allowOpen: false })).toBeNull();
    expect(listenRefusal('0.0.0.0', { token: null, allowOpen: true })).toBeNull();
    expect(listenRefusal('127.0.0.1', { token: null, allowOpen: false })).toBeNull();
  });

  it('never logs the events access token', () => {
    expect(redactedUrl(`/api/v1/operations/x/events?access_token=${token}&a=1`)).toBe('/api/v1/operations/x/events?access_token=[REDACTED]&a=1');
    expect(redactedUrl('/api/v1/health')).toBe('/api/v1/health');
  });

  it('logs only the allow-listed request headers', () => {
    const kept = loggedHeaders({ host: 'h', 'user-agent': 'ua', authorization: 'Bearer t', cookie: 'c=1', 'x-api-key': 'k', accept: '*/*' });
    expect(kept).toEqual({ host: 'h', 'user-agent': 'ua', accept: '*/*' });
  });
});
