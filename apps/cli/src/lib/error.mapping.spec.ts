import { ErrorCode } from '@ktrdr/errors';
import { ApiClient } from './api.client';
import { ApiError, ClientErrorCode } from './api.error';
import { describeError, ExitCode, fieldIssues, oneLine } from './error.mapping';

describe('describeError', () => {
  it('maps an unreachable API to one line and exit code 2', () => {
    const err = new ApiError(
      ClientErrorCode.Unreachable,
      null,
      'cannot reach the ktrdr API at http://localhost:8000 (connection refused). Is it running? Start it with: npm start',
    );
    const report = describeError(err);
    expect(report.line).toBe('Error: cannot reach the ktrdr API at http://localhost:8000 (connection refused). Is it running? Start it with: npm start');
    expect(report.exitCode).toBe(ExitCode.Unreachable);
    expect(report.json.code).toBe('api_unreachable');
    expect(report.line).not.toContain('\n');
  });

  it('maps timeouts and bad configuration to exit code 2', () => {
    expect(describeError(new ApiError(ClientErrorCode.Timeout, null, 'x')).exitCode).toBe(2);
    expect(describeError(new ApiError(ClientErrorCode.BadConfig, null, 'x')).exitCode).toBe(2);
  });

  it('reports a bad KTRDR_API_URL in the form every ktrdr process uses for a bad setting', async () => {
    const saved = process.env['KTRDR_API_URL'];
    process.env['KTRDR_API_URL'] = 'not a url';
    try {
      const error = await new ApiClient().agentStatus().then(
        () => null,
        (e: unknown) => e,
      );
      const report = describeError(error);
      expect(report.line).toBe('ktrdr: Invalid configuration:\n  - KTRDR_API_URL: expected a URL (e.g. http://localhost:8000) (got "not a url")');
      expect(report.exitCode).toBe(ExitCode.Unreachable);
    } finally {
      if (saved === undefined) delete process.env['KTRDR_API_URL'];
      else process.env['KTRDR_API_URL'] = saved;
    }
  });

  it('prints the API message for a 404 and exits 1', () => {
    const report = describeError(new ApiError(ErrorCode.OperationNotFound, 404, 'Operation not found: op_x'));
    expect(report).toEqual({
      line: 'Error: Operation not found: op_x',
      exitCode: 1,
      json: { code: 'OPERATION_NOT_FOUND', status: 404, message: 'Operation not found: op_x' },
    });
  });

  it('says the API failed for a 5xx', () => {
    const report = describeError(new ApiError(ErrorCode.Internal, 500, 'boom'));
    expect(report.line).toBe('Error: the ktrdr API failed: boom (HTTP 500)');
    expect(report.exitCode).toBe(1);
  });

  it('appends bad fields of a 422 unless the message already names them', () => {
    const details = [{ field: 'model', message: 'must be one of opus, sonnet, haiku' }];
    expect(describeError(new ApiError(ErrorCode.ValidationFailed, 422, 'Invalid request', details)).line).toBe(
      'Error: Invalid request (model: must be one of opus, sonnet, haiku)',
    );
    expect(describeError(new ApiError(ErrorCode.ValidationFailed, 422, 'model: must be one of opus, sonnet, haiku', details)).line).toBe(
      'Error: model: must be one of opus, sonnet, haiku',
    );
  });

  it('reports unexpected errors on one line without a stack', () => {
    const report = describeError(new TypeError('x is undefined\n    at foo (bar.js:1:1)'));
    expect(report.line).toBe('Error: unexpected failure: x is undefined at foo (bar.js:1:1)');
    expect(report.exitCode).toBe(1);
    expect(describeError('plain').line).toBe('Error: unexpected failure: plain');
  });
});

describe('fieldIssues', () => {
  it('reads arrays of field/path items, objects of field → message and nested lists', () => {
    expect(fieldIssues([{ path: ['query', 'limit'], message: 'too big' }, 'loose text'])).toEqual(['query.limit: too big', 'loose text']);
    expect(fieldIssues({ errors: [{ field: 'limit', message: ['too big', 'not a number'] }] })).toEqual(['limit: too big, not a number']);
    expect(fieldIssues({ fields: [{ field: 'brief', msg: 'too long' }] })).toEqual(['brief: too long']);
    // context objects that are not a list of issues add nothing
    expect(fieldIssues({ field: 'strategy', strategy: 'nope' })).toEqual([]);
    expect(fieldIssues(undefined)).toEqual([]);
  });
});

describe('oneLine', () => {
  it('collapses line breaks', () => {
    expect(oneLine(' a\n  b \n c ')).toBe('a b c');
  });
});
