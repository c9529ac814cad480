// A Server-Sent Events parser for fetch'ed streams (EventSource cannot send the console's
// Authorization header). It follows the event-stream format as far as opsproxy uses it: event,
// id and data fields, comments, CR/LF/CRLF line ends, a blank line ending each event.

export type SseEvent = {
  // event is the event's name, "message" when the stream gave none.
  event: string;
  // id is the event's id field, when it had one.
  id?: string;
  data: string;
};

export class SseParser {
  private buffer = '';
  private event = '';
  private id: string | undefined = undefined;
  private data: string[] = [];
  private seen = false;
  // pendingCR: the last chunk ended in CR, so a LF starting the next one belongs to it.
  private pendingCR = false;

  // push parses a chunk of the stream and answers the events it completed.
  push(chunk: string): SseEvent[] {
    if (this.pendingCR && chunk.startsWith('\n')) {
      chunk = chunk.slice(1);
    }
    this.pendingCR = chunk.endsWith('\r');
    this.buffer += chunk;
    const out: SseEvent[] = [];
    const lines = this.buffer.split(/\r\n|\r|\n/);
    this.buffer = lines.pop() ?? '';
    for (const line of lines) {
      const ev = this.line(line);
      if (ev) {
        out.push(ev);
      }
    }
    return out;
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') {
      if (!this.seen) {
        return undefined;
      }
      const ev: SseEvent = { event: this.event || 'message', data: this.data.join('\n') };
      if (this.id !== undefined) {
        ev.id = this.id;
      }
      this.event = '';
      this.id = undefined;
      this.data = [];
      this.seen = false;
      return ev;
    }
    if (line.startsWith(':')) {
      return undefined;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) {
      value = value.slice(1);
    }
    switch (field) {
      case 'event':
        this.event = value;
        this.seen = true;
        break;
      case 'data':
        this.data.push(value);
        this.seen = true;
        break;
      case 'id':
        this.id = value;
        this.seen = true;
        break;
    }
    return undefined;
  }
}
