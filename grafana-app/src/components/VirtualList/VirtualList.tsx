import React, { useCallback, useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

export type VirtualListProps = {
  // id prefixes the rows' element ids (for aria-activedescendant).
  id: string;
  label: string;
  count: number;
  rowHeight: number;
  height: number;
  renderRow: (index: number) => ReactNode;
  // activeIndex is the row the keyboard is on; arrow keys, PageUp/PageDown, Home and End move it.
  activeIndex: number;
  onActiveChange: (index: number) => void;
  // onChoose is Enter (or a click) on a row.
  onChoose: (index: number) => void;
  // onNearEnd is called when the rows shown come within `overscan` rows of the end, so the
  // owner can load its next page.
  onNearEnd?: () => void;
  overscan?: number;
  testId?: string;
  rowTestId?: (index: number) => string;
};

// visibleRange is the rows [first, last) to render for a scroll position, with overscan rows
// either side.
export function visibleRange(scrollTop: number, height: number, rowHeight: number, count: number, overscan: number) {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  return { first, last };
}

// VirtualList is a keyboard-navigable listbox of count fixed-height rows that renders only the
// rows in view (and a few either side), so a list of 100,000 keys costs the DOM of a few dozen.
export function VirtualList(props: VirtualListProps) {
  const { id, label, count, rowHeight, height, renderRow, activeIndex, onActiveChange, onChoose, onNearEnd } = props;
  const overscan = props.overscan ?? 10;
  const styles = useStyles2(getStyles);
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const { first, last } = visibleRange(scrollTop, height, rowHeight, count, overscan);

  useEffect(() => {
    if (onNearEnd && count > 0 && last >= count - overscan) {
      onNearEnd();
    }
  }, [onNearEnd, count, last, overscan]);

  // Keep the active row in view when the keyboard moves it.
  const reveal = useCallback(
    (index: number) => {
      const el = ref.current;
      if (!el) {
        return;
      }
      const top = index * rowHeight;
      if (top < el.scrollTop) {
        el.scrollTop = top;
      } else if (top + rowHeight > el.scrollTop + height) {
        el.scrollTop = top + rowHeight - height;
      }
      setScrollTop(el.scrollTop);
    },
    [rowHeight, height]
  );

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (count === 0) {
      return;
    }
    const page = Math.max(1, Math.floor(height / rowHeight) - 1);
    const moves: Record<string, number> = {
      ArrowDown: activeIndex + 1,
      ArrowUp: activeIndex - 1,
      PageDown: activeIndex + page,
      PageUp: activeIndex - page,
      Home: 0,
      End: count - 1,
    };
    if (e.key in moves) {
      e.preventDefault();
      const next = Math.min(count - 1, Math.max(0, moves[e.key]));
      onActiveChange(next);
      reveal(next);
    } else if (e.key === 'Enter' && activeIndex >= 0 && activeIndex < count) {
      e.preventDefault();
      onChoose(activeIndex);
    }
  };

  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) {
    rows.push(
      <div
        key={i}
        id={`${id}-row-${i}`}
        role="option"
        aria-selected={i === activeIndex}
        className={cx(styles.row, i === activeIndex && styles.active)}
        style={{ top: i * rowHeight, height: rowHeight }}
        onClick={() => {
          onActiveChange(i);
          onChoose(i);
        }}
        data-testid={props.rowTestId?.(i)}
      >
        {renderRow(i)}
      </div>
    );
  }

  return (
    <div
      ref={ref}
      id={id}
      role="listbox"
      aria-label={label}
      tabIndex={0}
      aria-activedescendant={activeIndex >= first && activeIndex < last ? `${id}-row-${activeIndex}` : undefined}
      className={styles.viewport}
      style={{ height }}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      onKeyDown={onKeyDown}
      data-testid={props.testId}
    >
      <div className={styles.spacer} style={{ height: count * rowHeight }}>
        {rows}
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  viewport: css({
    overflowY: 'auto',
    position: 'relative',
    border: `1px solid ${theme.colors.border.weak}`,
    '&:focus-visible': { outline: `2px solid ${theme.colors.primary.main}` },
  }),
  spacer: css({ position: 'relative', width: '100%' }),
  row: css({
    position: 'absolute',
    left: 0,
    right: 0,
    padding: theme.spacing(0, 1),
    display: 'flex',
    alignItems: 'center',
    cursor: 'pointer',
    overflow: 'hidden',
    whiteSpace: 'nowrap',
    fontFamily: theme.typography.fontFamilyMonospace,
    '&:hover': { background: theme.colors.action.hover },
  }),
  active: css({ background: theme.colors.action.selected }),
});
