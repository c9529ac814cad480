import React, { useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { Button, useStyles2 } from '@grafana/ui';
import { useApi } from '../../api';
import { testIds } from '../../components/testIds';
import { failure } from '../failure';
import { CompletionList, optionId, type Completing } from './CompletionList';
import { completedWord } from './completionText';
import { HistorySearch } from './HistorySearch';
import { stepHistory, type Walk } from './history';
import { getStyles } from './styles';
import { byteOffset, indexOfByte } from './utf8';

const INPUT_ID = 'etcdctl-line';
const LIST_ID = 'etcdctl-completions';
const HELP_ID = 'etcdctl-keys-help';

type Props = {
  cluster: string;
  // history is the prompt's history, oldest first.
  history: string[];
  // busy: a line is running; Enter waits for it.
  busy: boolean;
  onRun: (line: string) => void;
};

const plain = (e: KeyboardEvent) => !e.ctrlKey && !e.altKey && !e.metaKey;

// Prompt is the terminal-like command line: Enter runs, Shift+Enter adds a line (txn's compares
// and requests), ↑/↓ walk the history, Ctrl-R searches it, Tab completes at the cursor. Tab
// stays in the prompt to complete; Esc then Tab leaves it, as in code editors.
export function Prompt({ cluster, history, busy, onRun }: Props) {
  const api = useApi();
  const styles = useStyles2(getStyles);
  const [value, setValue] = useState('');
  const [walk, setWalk] = useState<Walk | undefined>(undefined);
  const [completing, setCompleting] = useState<Completing | undefined>(undefined);
  const [note, setNote] = useState('');
  const [searching, setSearching] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);
  // caret is where the cursor goes once a line put in by the page is rendered.
  const caret = useRef<number | undefined>(undefined);
  const completion = useRef(0);
  const tabLeaves = useRef(false);
  // current is the line as last rendered, for completion answers to check they still fit it.
  const current = useRef(value);
  useLayoutEffect(() => {
    current.current = value;
  }, [value]);

  useLayoutEffect(() => {
    const el = input.current;
    if (caret.current !== undefined && el) {
      el.focus();
      el.setSelectionRange(caret.current, caret.current);
      caret.current = undefined;
    }
  });

  const show = (line: string, at = line.length) => {
    caret.current = at;
    setValue(line);
  };

  const take = (c: Completing, i: number) => {
    const line = current.current;
    const text = completedWord(c.candidates[i].text, line.slice(c.to));
    show(line.slice(0, c.from) + text + line.slice(c.to), c.from + text.length);
    setCompleting(undefined);
    setWalk(undefined);
    setNote('');
  };

  const complete = async (line: string, at: number) => {
    const n = ++completion.current;
    setNote('');
    try {
      const a = await api.completeLine(cluster, line, byteOffset(line, at));
      // A later Tab, or typing since, makes this answer stale.
      if (n !== completion.current || current.current !== line) {
        return;
      }
      const c: Completing = {
        from: indexOfByte(line, a.from),
        to: indexOfByte(line, a.to),
        candidates: a.candidates,
        truncated: a.truncated,
        selected: 0,
      };
      if (c.candidates.length === 0) {
        setNote('No completions here.');
      } else if (c.candidates.length === 1 && !c.truncated) {
        take(c, 0);
      } else {
        setCompleting(c);
        setNote(
          `${c.candidates.length}${c.truncated ? ' or more' : ''} completions: ↑/↓ choose, Enter or Tab takes, Esc closes.`
        );
      }
    } catch (err) {
      if (n === completion.current) {
        setNote(`Completion failed: ${failure(err).message}`);
      }
    }
  };

  const submit = () => {
    if (busy || value.trim() === '') {
      return;
    }
    // A one-line command's trailing blanks (a completion's space) are no part of it; the lines
    // after a multi-line command's first are stdin, sent as typed.
    onRun(value.includes('\n') ? value : value.trimEnd());
    setValue('');
    setWalk(undefined);
    setCompleting(undefined);
    setNote('');
    completion.current++;
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.nativeEvent.isComposing) {
      return;
    }
    const leaving = tabLeaves.current;
    tabLeaves.current = false;
    if (completing) {
      const n = completing.candidates.length;
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const step = e.key === 'ArrowDown' ? 1 : n - 1;
        setCompleting({ ...completing, selected: (completing.selected + step) % n });
        return;
      }
      if ((e.key === 'Enter' || e.key === 'Tab') && plain(e) && !e.shiftKey) {
        e.preventDefault();
        take(completing, completing.selected);
        return;
      }
      setCompleting(undefined);
      setNote('');
      if (e.key === 'Escape') {
        e.preventDefault();
        return;
      }
    }
    if (e.key === 'Tab' && plain(e) && !e.shiftKey) {
      if (leaving) {
        return;
      }
      e.preventDefault();
      const el = e.currentTarget;
      void complete(value, el.selectionStart ?? value.length);
      return;
    }
    if (e.key === 'Escape') {
      tabLeaves.current = true;
      return;
    }
    if (e.key === 'r' && e.ctrlKey && !e.altKey && !e.metaKey) {
      e.preventDefault();
      setSearching(true);
      return;
    }
    if (e.key === 'Enter' && !e.shiftKey && plain(e)) {
      e.preventDefault();
      submit();
      return;
    }
    if ((e.key === 'ArrowUp' || e.key === 'ArrowDown') && plain(e) && !e.shiftKey) {
      const el = e.currentTarget;
      if (el.selectionStart !== el.selectionEnd) {
        return;
      }
      // Inside a multi-line command the arrows move between its lines.
      if (
        e.key === 'ArrowUp'
          ? value.slice(0, el.selectionStart).includes('\n')
          : value.slice(el.selectionEnd).includes('\n')
      ) {
        return;
      }
      const s = stepHistory(history, walk, value, e.key === 'ArrowUp' ? -1 : 1);
      if (s) {
        e.preventDefault();
        setWalk(s.walk);
        show(s.line);
      }
    }
  };

  const closeSearch = (line?: string) => {
    setSearching(false);
    if (line !== undefined) {
      setWalk(undefined);
      show(line);
    } else {
      caret.current = input.current?.selectionStart ?? value.length;
    }
  };

  return (
    <div className={styles.promptBox} data-testid={testIds.etcdctl.prompt}>
      <div className={styles.inputRow}>
        <span aria-hidden className={styles.prompt}>
          {cluster}$
        </span>
        <label htmlFor={INPUT_ID} className={styles.srOnly}>
          Command for cluster {cluster}
        </label>
        <textarea
          id={INPUT_ID}
          ref={input}
          className={styles.input}
          rows={value.split('\n').length}
          value={value}
          placeholder="get / --prefix --keys-only --limit 10"
          autoComplete="off"
          autoCapitalize="off"
          autoCorrect="off"
          spellCheck={false}
          aria-describedby={HELP_ID}
          aria-autocomplete="list"
          aria-controls={completing ? LIST_ID : undefined}
          aria-activedescendant={completing ? optionId(LIST_ID, completing.selected) : undefined}
          aria-busy={busy}
          onChange={(e) => {
            setValue(e.currentTarget.value);
            setWalk(undefined);
          }}
          onKeyDown={onKeyDown}
          data-testid={testIds.etcdctl.input}
        />
        <Button
          size="sm"
          icon="play"
          onClick={submit}
          disabled={busy || value.trim() === ''}
          data-testid={testIds.etcdctl.submit}
        >
          Run
        </Button>
      </div>
      {completing && <CompletionList id={LIST_ID} completing={completing} onTake={(i) => take(completing, i)} />}
      {searching && <HistorySearch lines={history} onTake={(l) => closeSearch(l)} onCancel={() => closeSearch()} />}
      <p className={styles.help} role="status" data-testid={testIds.etcdctl.completionNote}>
        {note}
      </p>
      <p id={HELP_ID} className={styles.help}>
        Enter runs · Shift+Enter adds a line · ↑/↓ history · Ctrl-R searches the history · Tab completes · Esc then Tab
        leaves the command line
      </p>
    </div>
  );
}
