import React, { useState, type FormEvent } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, Field, Input, RadioButtonGroup, Stack, TextArea, useStyles2 } from '@grafana/ui';
import { ApiError, useApi } from '../../api';
import type { KeyValue, ValueToWrite } from '../../api/keys';
import { testIds } from '../../components/testIds';
import { base64ToBytes, bytesToBase64, hexOf, parseHex, utf8Bytes, utf8Text } from './bytes';
import { failure, FailureText, type Failure } from './failure';
import { ValuePreview } from './ValuePreview';

type Mode = 'text' | 'hex';

// The key changed (or was created) since the user read it: what it holds now.
type Conflict = { current?: KeyValue };

type Props = {
  cluster: string;
  // For an existing key: its name, its bytes and the mod revision they were read at. For a new
  // key: the name to start from, no bytes, and mod revision 0 (the key must not exist).
  keyName: string;
  isNew: boolean;
  bytes: Uint8Array;
  modRevision: number;
  onSaved: (key: string) => void;
  onCancel: () => void;
};

function valueOf(mode: Mode, text: string): ValueToWrite {
  return mode === 'text' ? { text } : { base64: bytesToBase64(parseHex(text)) };
}

function bytesOfKv(kv?: KeyValue): Uint8Array {
  return kv?.value_base64 !== undefined ? base64ToBytes(kv.value_base64) : utf8Bytes(kv?.value ?? '');
}

// KeyEditor writes a key with compare-and-swap on its mod revision (keys/cas): if someone changed
// the key since it was read, opsproxy answers 409 and the editor shows the current value and lets
// the user choose — write theirs over it, or start again from it. Nothing is overwritten silently.
// Values that are not UTF-8 are edited as hex and sent as value_base64, so their bytes round-trip.
export function KeyEditor({ cluster, keyName, isNew, bytes, modRevision, onSaved, onCancel }: Props) {
  const api = useApi();
  const styles = useStyles2(getStyles);
  const initialText = utf8Text(bytes);
  const [key, setKey] = useState(keyName);
  const [mode, setMode] = useState<Mode>(initialText === undefined ? 'hex' : 'text');
  const [text, setText] = useState(initialText ?? hexOf(bytes));
  const [expected, setExpected] = useState(modRevision);
  const [conflict, setConflict] = useState<Conflict | undefined>(undefined);
  const [error, setError] = useState<Failure | undefined>(undefined);
  const [saving, setSaving] = useState(false);

  const switchMode = (next: Mode) => {
    if (next === mode) {
      return;
    }
    try {
      if (next === 'hex') {
        setText(hexOf(utf8Bytes(text)));
      } else {
        const t = utf8Text(parseHex(text));
        if (t === undefined) {
          setError({ message: 'value: these bytes are not UTF-8, so they can only be edited as hex' });
          return;
        }
        setText(t);
      }
      setError(undefined);
      setMode(next);
    } catch (err) {
      setError(failure(err));
    }
  };

  const save = async (modRev: number) => {
    setError(undefined);
    if (key === '') {
      setError({ message: 'key: must not be empty' });
      return;
    }
    let value: ValueToWrite;
    try {
      value = valueOf(mode, text);
    } catch (err) {
      setError(failure(err));
      return;
    }
    setSaving(true);
    try {
      await api.putKeyIfUnchanged(cluster, key, modRev, value);
      setSaving(false);
      onSaved(key);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        try {
          setConflict({ current: await api.getKey(cluster, key) });
        } catch (readErr) {
          setError(failure(readErr));
        }
      } else {
        setError(failure(err));
      }
      setSaving(false);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    save(expected);
  };

  // The user saw the current value and writes theirs over it: still a compare-and-swap, on the
  // mod revision they saw (0 if the key is gone now), so a third change is caught too.
  const overwrite = () => {
    const rev = conflict?.current?.mod_revision ?? 0;
    setExpected(rev);
    setConflict(undefined);
    save(rev);
  };

  const takeCurrent = () => {
    const current = bytesOfKv(conflict?.current);
    const t = utf8Text(current);
    setMode(t === undefined ? 'hex' : 'text');
    setText(t ?? hexOf(current));
    setExpected(conflict?.current?.mod_revision ?? 0);
    setConflict(undefined);
  };

  return (
    <form
      onSubmit={submit}
      className={styles.form}
      aria-label={isNew ? 'New key' : `Edit ${keyName}`}
      data-testid={testIds.keys.editor}
    >
      <h4>{isNew ? 'New key' : `Edit ${keyName}`}</h4>
      {isNew ? (
        <Field label="Key" htmlFor="keys-editor-key">
          <Input
            id="keys-editor-key"
            value={key}
            onChange={(e) => setKey(e.currentTarget.value)}
            data-testid={testIds.keys.editorKey}
          />
        </Field>
      ) : (
        <p className={styles.note}>
          Written only if the key is still at mod revision {expected}; otherwise you are shown what it holds now.
        </p>
      )}
      <Field label="Edit as">
        <RadioButtonGroup
          options={[
            { label: 'Text', value: 'text' as Mode, description: 'UTF-8 text' },
            { label: 'Hex', value: 'hex' as Mode, description: 'Raw bytes as hex pairs' },
          ]}
          value={mode}
          onChange={switchMode}
          data-testid={testIds.keys.editorMode}
        />
      </Field>
      <Field label={mode === 'hex' ? 'Value (hex bytes)' : 'Value'} htmlFor="keys-editor-value">
        <TextArea
          id="keys-editor-value"
          rows={10}
          className={styles.mono}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          data-testid={testIds.keys.editorValue}
        />
      </Field>
      {error && (
        <Alert severity="error" title="Not saved" data-testid={testIds.keys.editorError}>
          <FailureText f={error} />
        </Alert>
      )}
      {conflict && (
        <Alert severity="warning" title="The key changed since you read it" data-testid={testIds.keys.conflict}>
          <p>
            {conflict.current
              ? isNew && expected === 0
                ? `${key} already exists (mod revision ${conflict.current.mod_revision}). It holds:`
                : `${key} is now at mod revision ${conflict.current.mod_revision}, not ${expected}. It holds:`
              : `${key} has been deleted since you read it.`}
          </p>
          {conflict.current && <ValuePreview bytes={bytesOfKv(conflict.current)} />}
          <p>Your value is still in the editor. Nothing was written.</p>
          <Stack gap={1}>
            <Button variant="destructive" onClick={overwrite} data-testid={testIds.keys.overwrite}>
              Write mine over it
            </Button>
            <Button variant="secondary" onClick={takeCurrent} data-testid={testIds.keys.takeCurrent}>
              Discard mine, edit the current value
            </Button>
          </Stack>
        </Alert>
      )}
      <Stack gap={1}>
        <Button type="submit" disabled={saving || conflict !== undefined} data-testid={testIds.keys.save}>
          {saving ? 'Saving…' : isNew ? 'Create' : 'Save'}
        </Button>
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
      </Stack>
    </form>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  form: css({ marginTop: theme.spacing(2) }),
  note: css({ color: theme.colors.text.secondary }),
  mono: css({ fontFamily: theme.typography.fontFamilyMonospace }),
});
