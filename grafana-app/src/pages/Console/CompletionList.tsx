import React, { useEffect } from 'react';
import { cx } from '@emotion/css';
import { useStyles2 } from '@grafana/ui';
import type { Candidate } from '../../api';
import { testIds } from '../../components/testIds';
import { getStyles } from './styles';

// Completing is an open completion list: the candidates for line[from:to] (string indexes) and
// the one chosen with the arrow keys.
export type Completing = { from: number; to: number; candidates: Candidate[]; truncated: boolean; selected: number };

export const optionId = (listId: string, i: number) => `${listId}-${i}`;

// CompletionList shows the candidates under the prompt. The prompt keeps the focus and points at
// the chosen one (aria-activedescendant); a click takes one.
export function CompletionList({
  id,
  completing,
  onTake,
}: {
  id: string;
  completing: Completing;
  onTake: (i: number) => void;
}) {
  const styles = useStyles2(getStyles);
  const { candidates, selected, truncated } = completing;
  useEffect(() => {
    document.getElementById(optionId(id, selected))?.scrollIntoView?.({ block: 'nearest' });
  }, [id, selected]);
  return (
    <>
      <ul
        id={id}
        role="listbox"
        aria-label="Completions"
        className={styles.popup}
        data-testid={testIds.etcdctl.completions}
      >
        {candidates.map((c, i) => (
          <li
            key={`${c.kind}:${c.text}`}
            id={optionId(id, i)}
            role="option"
            aria-selected={i === selected}
            className={cx(styles.option, i === selected && styles.selected)}
            // Keep the focus in the prompt while clicking.
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => onTake(i)}
            data-testid={testIds.etcdctl.completion(c.text)}
          >
            <span className={styles.optionText}>{c.text}</span>
            {c.description && <span className={styles.meta}>{c.description}</span>}
            <span className={styles.optionMeta}>{c.kind}</span>
          </li>
        ))}
      </ul>
      {truncated && <p className={styles.help}>More candidates than shown: type more to narrow them.</p>}
    </>
  );
}
