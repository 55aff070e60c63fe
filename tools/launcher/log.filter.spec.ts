import { levelFilter, sentenceFor } from './log.filter.js';

describe('sentenceFor', () => {
  const taken = JSON.stringify({
    level: 50,
    time: 1,
    pid: 7,
    err: 'listen EADDRINUSE: address already in use 127.0.0.1:9464',
    port: 9464,
    msg: 'worker health port not served',
  });

  it('words a taken worker health port as one sentence with the way out', () => {
    expect(sentenceFor(taken)).toBe(
      'Port 9464 is taken (another worker?): this worker runs without GET /health and /metrics; set KTRDR_WORKER_HEALTH_PORT=0 or another port',
    );
    // Still an error-level line, so it is shown at every level a user may pick below silent.
    expect(levelFilter('warn')(taken)).toBe(true);
  });

  it('leaves every other line as it came', () => {
    expect(sentenceFor(JSON.stringify({ level: 50, err: 'listen EACCES: permission denied', port: 80, msg: 'worker health port not served' }))).toBeNull();
    expect(sentenceFor(JSON.stringify({ level: 30, msg: 'research worker ready' }))).toBeNull();
    expect(sentenceFor('{not json')).toBeNull();
    expect(sentenceFor('plain text')).toBeNull();
  });
});
