import React, { useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { cx } from '@emotion/css';
import { useStyles2 } from '@grafana/ui';
import { testIds } from '../../components/testIds';
import { searchHistory } from './history';
import { getStyles } from './styles';

const LIST_ID = 'etcdctl-search-matches';

// HistorySearch is Ctrl-R's reverse search: typing filters the history, newest match first;
// Ctrl-R or ↑ goes to an older match, ↓ to a newer one; Enter takes the match into the prompt,
// Esc goes back to the prompt unchanged.
export function HistorySearch({
  lines,
  onTake: take,
  onCancel: cancel,
}: {
  lines: string[];
  onTake: (line: string) => void;
  onCancel: () => void;
}) {
  const styles = useStyles2(getStyles);
  const [query, setQuery] = useState('');
  const [selected, setSelected] = useState(0);
  const matches = useMemo(() => searchHistory(lines, query), [lines, query]);
  const chosen = Math.min(selected, Math.max(matches.length - 1, 0));
  // ended: the search was taken or cancelled; the blur of its input going away is not a cancel.
  const ended = useRef(false);
  const onTake = (line: string) => {
    ended.current = true;
    take(line);
  };
  const onCancel = () => {
    if (!ended.current) {
      ended.current = true;
      cancel();
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      if (matches.length > 0) {
        onTake(matches[chosen]);
      } else {
        onCancel();
      }
    } else if (e.key === 'Escape') {
      e.preventDefault();
      onCancel();
    } else if ((e.key === 'r' && e.ctrlKey) || e.key === 'ArrowUp') {
      e.preventDefault();
      setSelected(Math.min(chosen + 1, matches.length - 1));
    } else if (e.key === 'ArrowDown') {
      e.preventDefault();
      setSelected(Math.max(chosen - 1, 0));
    }
  };

  return (
    <div data-testid={testIds.etcdctl.search}>
      <label htmlFor="etcdctl-search-input" className={styles.help}>
        Search history (reverse-i-search): Enter takes the match, Ctrl-R or ↑ an older one, Esc cancels
      </label>
      <input
        id="etcdctl-search-input"
        className={styles.searchInput}
        value={query}
        autoFocus
        autoComplete="off"
        spellCheck={false}
        aria-controls={LIST_ID}
        aria-activedescendant={matches.length > 0 ? `${LIST_ID}-${chosen}` : undefined}
        onChange={(e) => {
          setQuery(e.currentTarget.value);
          setSelected(0);
        }}
        onKeyDown={onKeyDown}
        // Leaving the search (a click elsewhere) cancels it.
        onBlur={onCancel}
        data-testid={testIds.etcdctl.searchInput}
      />
      {matches.length === 0 ? (
        <p className={styles.note} role="status">
          No line in the history contains “{query}”.
        </p>
      ) : (
        <ul
          id={LIST_ID}
          role="listbox"
          aria-label="Matching lines"
          className={styles.popup}
          data-testid={testIds.etcdctl.searchMatches}
        >
          {matches.map((m, i) => (
            <li
              key={m}
              id={`${LIST_ID}-${i}`}
              role="option"
              aria-selected={i === chosen}
              className={cx(styles.option, i === chosen && styles.selected)}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => onTake(m)}
            >
              <span className={styles.optionText}>{m}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
