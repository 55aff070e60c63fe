import { SseParser } from './sse.parser';

describe('SseParser', () => {
  it('dispatches named events on a blank line and counts comment lines', () => {
    const p = new SseParser();
    expect(p.push(': connected\n\nevent: update\nid: 1\ndata: {"a":1}\n\n')).toEqual([{ event: 'update', data: '{"a":1}', id: '1' }]);
    expect(p.comments).toBe(1);
    expect(p.push(': heartbeat\n\n')).toEqual([]);
    expect(p.comments).toBe(2);
  });

  it('joins multi-line data, defaults the event name to message, and keeps the last id', () => {
    const p = new SseParser();
    expect(p.push('data: one\ndata:two\n\nid: 7\nevent: end\ndata\n\n')).toEqual([
      { event: 'message', data: 'one\ntwo', id: null },
      { event: 'end', data: '', id: '7' },
    ]);
  });

  it('reassembles messages split anywhere across chunks, including inside a CRLF', () => {
    const text = 'event: update\r\ndata: {"x":"é"}\r\n\r\nevent: end\r\ndata: 2\r\n\r\n';
    for (let cut = 1; cut < text.length; cut++) {
      const p = new SseParser();
      const out = [...p.push(text.slice(0, cut)), ...p.push(text.slice(cut))];
      expect(out).toEqual([
        { event: 'update', data: '{"x":"é"}', id: null },
        { event: 'end', data: '2', id: null },
      ]);
    }
  });

  it('accepts bare CR line endings and ignores unknown fields and retry', () => {
    const p = new SseParser();
    expect(p.push('retry: 10\rfoo: bar\revent: update\rdata: x\r\r')).toEqual([{ event: 'update', data: 'x', id: null }]);
  });

  it('drops an event without data lines, as browsers do', () => {
    expect(new SseParser().push('event: update\n\n')).toEqual([]);
  });
});
