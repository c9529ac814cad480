import { SseParser } from './sse';

describe('SseParser', () => {
  test('parses opsproxy’s watch stream: comments, ids, names, multi-line data', () => {
    const p = new SseParser();
    const events = p.push(
      ': watching from revision 0\n\nid: 5\nevent: put\ndata: {"type":"put"}\n\nevent: progress\ndata: {"revision":6}\n\ndata: a\ndata: b\n\n'
    );
    expect(events).toEqual([
      { event: 'put', id: '5', data: '{"type":"put"}' },
      { event: 'progress', data: '{"revision":6}' },
      { event: 'message', data: 'a\nb' },
    ]);
  });

  test('events split across chunks anywhere, CRLF included, arrive once complete', () => {
    const p = new SseParser();
    const stream = 'id: 7\r\nevent: delete\r\ndata: {"k":"x"}\r\n\r\nevent: put\ndata: 1\n\n';
    const got = [];
    for (const ch of stream) {
      got.push(...p.push(ch));
    }
    expect(got).toEqual([
      { event: 'delete', id: '7', data: '{"k":"x"}' },
      { event: 'put', data: '1' },
    ]);
    expect(p.push('event: put\ndata: cut off')).toEqual([]);
  });
});
