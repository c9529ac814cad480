import { hexDump, utf8Text } from './bytes';

export type ValueFormat = 'json' | 'yaml' | 'text' | 'binary';

// A value as the viewer shows it: its format and its text (pretty-printed JSON, YAML and text as
// they are, a hex dump of bytes that are not UTF-8).
export type ShownValue = { format: ValueFormat; text: string };

// looksLikeYaml: a document start, or a first content line that is a mapping key or a list item.
function looksLikeYaml(text: string): boolean {
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  if (lines.length === 0) {
    return false;
  }
  return lines[0].trim() === '---' || (lines.length > 1 && /^\s*(- |[^\s:{}[\]"']+:(\s|$))/.test(lines[0]));
}

export function showValue(bytes: Uint8Array): ShownValue {
  const text = utf8Text(bytes);
  if (text === undefined) {
    return { format: 'binary', text: hexDump(bytes) };
  }
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return { format: 'json', text: JSON.stringify(JSON.parse(trimmed), null, 2) };
    } catch {
      // Not JSON after all: shown as text.
    }
  }
  if (looksLikeYaml(text)) {
    return { format: 'yaml', text };
  }
  return { format: 'text', text };
}

export const FORMAT_NAMES: Record<ValueFormat, string> = {
  json: 'JSON',
  yaml: 'YAML',
  text: 'Text',
  binary: 'Binary (not UTF-8), shown as hex',
};
