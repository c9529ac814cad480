import React from 'react';
import { useStyles2 } from '@grafana/ui';
import { getStyles } from './styles';

// JobFacts shows a job's progress or result of a shape this page has no view for (a kind's
// record, a newer server's kind): each plain field as a fact under a readable name, anything
// nested as JSON, and a value that is not an object as JSON. Whatever the server sends, it shows.
export function JobFacts({ value, testId }: { value: unknown; testId?: string }) {
  const styles = useStyles2(getStyles);
  if (!isObject(value)) {
    return (
      <pre className={styles.pre} data-testid={testId}>
        {JSON.stringify(value, null, 2)}
      </pre>
    );
  }
  const entries = Object.entries(value);
  const plain = entries.filter(([, v]) => !isNested(v));
  const nested = entries.filter(([, v]) => isNested(v));
  return (
    <div data-testid={testId}>
      {plain.length > 0 && (
        <dl className={styles.facts}>
          {plain.map(([k, v]) => (
            <React.Fragment key={k}>
              <dt>{fieldLabel(k)}</dt>
              <dd>{plainText(v)}</dd>
            </React.Fragment>
          ))}
        </dl>
      )}
      {nested.map(([k, v]) => (
        <div key={k} className={styles.section}>
          <div className={styles.note}>{fieldLabel(k)}</div>
          <pre className={styles.pre}>{JSON.stringify(v, null, 2)}</pre>
        </div>
      ))}
    </div>
  );
}

// isObject reports whether v is a JSON object (not an array, not null).
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// num is v when it is a finite number.
export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

// str is v when it is a non-empty string.
export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function isNested(v: unknown): boolean {
  return (
    typeof v === 'object' && v !== null && (!Array.isArray(v) || v.some((e) => typeof e === 'object' && e !== null))
  );
}

// fieldLabel turns a JSON field name (snake_case) into words: "snapshot_size" → "Snapshot size".
export function fieldLabel(key: string): string {
  const words = key.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function plainText(v: unknown): string {
  if (v === null || v === undefined || v === '') {
    return '—';
  }
  if (typeof v === 'boolean') {
    return v ? 'yes' : 'no';
  }
  if (Array.isArray(v)) {
    return v.length === 0 ? '—' : v.map(String).join(', ');
  }
  return String(v);
}
