import { utf8Bytes } from './bytes';
import { showValue } from './valueFormat';

describe('showValue', () => {
  const show = (s: string) => showValue(utf8Bytes(s));
  it('pretty-prints JSON', () => {
    expect(show('{"a":1,"b":[true]}')).toEqual({ format: 'json', text: '{\n  "a": 1,\n  "b": [\n    true\n  ]\n}' });
  });
  it('keeps YAML as it is', () => {
    expect(show('spec:\n  replicas: 3\n')).toEqual({ format: 'yaml', text: 'spec:\n  replicas: 3\n' });
  });
  it('shows text as text, and bytes that are not UTF-8 as hex', () => {
    expect(show('hello: world')).toEqual({ format: 'text', text: 'hello: world' });
    expect(show('{not json')).toEqual({ format: 'text', text: '{not json' });
    expect(showValue(new Uint8Array([0xff, 0x01])).format).toBe('binary');
  });
});
